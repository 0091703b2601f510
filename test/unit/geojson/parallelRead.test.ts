// The parallel read (parallelRead.ts, split.ts, readRange.ts) gives exactly the serial read's
// result: footprints, ids, positions, height sources, diagnostics (order, lines, columns, caps) and
// the properties side file, byte for byte. Ranges run inline here (the same function the planner's
// threads run); test/e2e/plannerThreads.test.ts runs them on threads. Files that are not of the
// ordinary shape must fall back to the serial read (no range is run).
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { readFootprints, type ReadOptions, type ReadResult } from "../../../src/core/geojson/read";
import { runReadJob, type ReadJob } from "../../../src/core/geojson/readRange";
import { splitBlocks, splitFeatureCollection } from "../../../src/core/geojson/split";
import { RangeFeed, featureRanges } from "../../../src/core/geojson/parallelRead";
import { CityMeshError } from "../../../src/core/errors";
import { FeatureCollectionScanner } from "../../../src/core/geojson/scan";

const ROOT = path.resolve(__dirname, "../../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-parread-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

type Outcome = { result?: ReadResult; error?: string; props?: Buffer; ranges: number };

let runs = 0, projected = 0;
async function read(file: string, opts: ReadOptions, parallel: boolean): Promise<Outcome> {
  const propertiesOut = path.join(dir, `${path.basename(file)}.${parallel ? "par" : "ser"}.jsonl`);
  fs.rmSync(propertiesOut, { force: true });
  let ranges = 0;
  // As a thread gets it: a copy (a range of features, or coordinates to project after the read).
  const run = (job: ReadJob) => { if (!("xy" in job)) ranges++; else projected++; return runReadJob(structuredClone(job)); };
  try {
    const result = await readFootprints(file, { ...opts, propertiesOut, ...(parallel ? { parallel: { run, concurrent: 3, minBytes: 0 } } : {}) });
    return { result, props: fs.readFileSync(propertiesOut), ranges };
  } catch (e) {
    if (!(e instanceof CityMeshError)) throw e;
    return { error: `${e.code}: ${e.message}`, ranges };
  } finally {
    runs += ranges;
  }
}

/** Reads `file` both ways and asserts the same outcome; returns how many ranges the parallel read ran. */
async function same(file: string, opts: ReadOptions = {}): Promise<number> {
  const a = await read(file, opts, false), b = await read(file, opts, true);
  const what = path.basename(file);
  assert.equal(b.error, a.error, `${what}: error`);
  if (a.result && b.result) {
    assert.deepStrictEqual(b.result.footprints, a.result.footprints, `${what}: footprints`);
    assert.deepStrictEqual(b.result.featureIds, a.result.featureIds, `${what}: ids`);
    assert.deepStrictEqual(b.result.featurePositions, a.result.featurePositions, `${what}: positions`);
    assert.equal(JSON.stringify(b.result.heightSources), JSON.stringify(a.result.heightSources), `${what}: height sources`);
    assert.equal(JSON.stringify(b.result.diagnostics), JSON.stringify(a.result.diagnostics), `${what}: diagnostics`);
    assert.deepStrictEqual(b.result.crs, a.result.crs, `${what}: crs`);
    assert.deepStrictEqual(b.result.bounds, a.result.bounds);
    assert.equal(b.result.featureCount, a.result.featureCount);
    assert.ok(b.props!.equals(a.props!), `${what}: properties file`);
  }
  return b.ranges;
}

/** A FeatureCollection text of n squares (lon/lat near Delft unless `projected`), pretty-printed or not. */
function squares(n: number, o: { pretty?: boolean; projected?: boolean; feature?: (i: number, f: Record<string, unknown>) => Record<string, unknown> } = {}): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const x = o.projected ? 84000 + (i % 50) * 30 : 4.35 + (i % 50) * 3e-4, y = o.projected ? 446000 + Math.floor(i / 50) * 30 : 52.0 + Math.floor(i / 50) * 3e-4, d = o.projected ? 10 : 1e-4;
    const f = { type: "Feature", id: `w${i}`, properties: { height: 5 + (i % 7), name: `b${i}` }, geometry: { type: "Polygon", coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] } };
    return o.feature ? o.feature(i, f) : f;
  });
}

function write(name: string, text: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

test("the hostile corpus, the real samples and the fuzz fixture read the same in ranges as serially", async () => {
  const files = [
    ...fs.readdirSync(path.join(ROOT, "test/fixtures/bad")).map((f) => path.join(ROOT, "test/fixtures/bad", f)),
    ...["delft-bgt.geojson", "tudcampus.geojson", "zurich-cea.geojson"].map((f) => path.join(ROOT, "test/fixtures/real", f)),
    path.join(ROOT, "test/fixtures/fuzz/roof-sliver-lonlat.geojson"),
    path.join(ROOT, "test/fixtures/tudcampus-sample.geojson"),
  ];
  const fellBack: string[] = [], inRanges: string[] = [];
  for (const f of files) {
    const ranges = await same(f);
    // Ranges may go to the threads before a surprise further on is found (then the file is read again, serially).
    const ordinary = new FeatureCollectionScanner(f).size > 0 && (splitFeatureCollection(f)?.featureCount ?? 0) > 0;
    if (!ordinary) fellBack.push(path.basename(f));
    else if (ranges > 0) inRanges.push(path.basename(f));
  }
  // Structural surprises and other formats are read serially, and say what is wrong as before.
  for (const f of ["top-level-array.geojson", "truncated.geojson", "trailing-garbage.geojson", "deeply-nested.geojson", "not-a-feature.geojson", "wrong-type.geojson", "seq-bad-record.geojsonl"]) assert.ok(fellBack.includes(f), `${f} falls back to the serial read`);
  // …and the others really went through ranges.
  for (const f of ["bom.geojson", "invalid-json.geojson", "nan-token.geojson", "crs-after-features.geojson", "height-abc.geojson", "tudcampus.geojson", "zurich-cea.geojson"]) assert.ok(inRanges.includes(f), `${f} is read in ranges`);
});

test("read in ranges with options: minBuildingArea (renumbered properties), sourceCrs over a crs member, height attributes", async () => {
  const tud = path.join(ROOT, "test/fixtures/real/tudcampus.geojson");
  assert.ok((await same(tud, { minBuildingArea: 50 })) > 1);
  const before = projected;
  assert.ok((await same(tud, { crs: "EPSG:32631", minBuildingArea: 50 })) > 1);
  assert.ok(projected > before, "footprints read in ranges are projected by jobs too");
  assert.ok((await same(tud, { sourceCrs: "EPSG:4326", crs: "EPSG:28992" })) > 1);
  assert.ok((await same(tud, { heightAttributes: ["building:levels", "height"], levelHeight: 2.5, defaultHeight: 7 })) > 1);
  const zurich = path.join(ROOT, "test/fixtures/real/zurich-cea.geojson");
  assert.ok((await same(zurich, { sourceCrs: "EPSG:2056" })) > 1);
});

test("lines and columns: pretty-printed and one-line files, non-ASCII and 4-byte characters before features, BOM, CRLF", async () => {
  const feats = squares(40, { feature: (i, f) => ({ ...f, properties: { height: i % 3 === 0 ? "x" : 9, name: i % 2 ? "é🏠中" : "plain", note: "a\\\"b" } }) });
  const texts: [string, string][] = [
    ["pretty.geojson", JSON.stringify({ type: "FeatureCollection", name: "Zürich 🏠", features: feats }, null, 2)],
    ["oneline.geojson", JSON.stringify({ type: "FeatureCollection", name: "Zürich 🏠", features: feats })],
    ["crlf.geojson", JSON.stringify({ type: "FeatureCollection", features: feats }, null, 1).replace(/\n/g, "\r\n")],
    ["bom.geojson", "\uFEFF" + JSON.stringify({ type: "FeatureCollection", features: feats }, null, "\t")],
    ["members-after.geojson", `{"features":[\n${feats.map((f) => JSON.stringify(f)).join(",\n")}\n], "type" : "FeatureCollection", "name": {"a": [1, "}"]}, "n": 1.5e3 }\n`],
  ];
  for (const [name, text] of texts) {
    const file = write(name, text);
    assert.ok((await same(file)) > 1, `${name}: several ranges`);
    const r = (await read(file, {}, true)).result!;
    assert.ok(r.diagnostics.some((d) => d.code === "invalid-height" && d.line && d.column), `${name}: height warnings point at their feature`);
  }
  // The columns are the serial scanner's (UTF-16 units): check one against the text itself.
  const file = path.join(dir, "oneline.geojson");
  const text = fs.readFileSync(file, "utf8");
  const r = (await read(file, {}, true)).result!;
  assert.equal(text.slice(r.featurePositions[1] - 1, r.featurePositions[1] - 1 + 18), '{"type":"Feature",');
  const at = text.indexOf('"id":"w7"');
  assert.equal(r.featurePositions[2 * 7 + 1] - 1, text.lastIndexOf("{", text.lastIndexOf('"type":"Feature"', at)));
});

test("a feature that is not valid JSON in the middle of a range: the serial scanner's diagnostic, the rest read", async () => {
  const lines = squares(60).map((f) => JSON.stringify(f));
  lines[17] = lines[17].replace('"name":"b17"', '"name":"b\n17"'); // a raw newline inside a string: invalid, and not a line for the scanner
  lines[33] = lines[33].replace("5", "NaN");
  lines[34] = lines[34].replace('"id":"w34"', '"id":"w34",');
  const file = write("bad-middle.geojson", `{"type":"FeatureCollection","features":[\n${lines.join(",\n")}\n]}`);
  assert.ok((await same(file)) > 1);
  const r = (await read(file, {}, true)).result!;
  assert.deepEqual(r.diagnostics.filter((d) => d.code === "invalid-json").map((d) => [d.featureIndex, d.line]), [[17, 19], [33, 35], [34, 36]]);
  assert.equal(r.footprints.count, 57);
});

test("diagnostics capped per code across ranges: the same first 1,000 and the same summary", async () => {
  // Every ring unclosed (a warning each) and every third height unusable.
  const feats = squares(2600, { feature: (i, f) => {
    const g = f.geometry as { coordinates: number[][][] };
    return { ...f, properties: { height: i % 3 ? 6 : -1 }, geometry: { ...g, coordinates: [g.coordinates[0].slice(0, 4)] } };
  } });
  const file = write("capped.geojson", JSON.stringify({ type: "FeatureCollection", features: feats }));
  assert.ok((await same(file)) > 8);
  const r = (await read(file, {}, true)).result!;
  assert.equal(r.diagnostics.filter((d) => d.code === "unclosed-ring" && d.featureIndex >= 0).length, 1000);
  assert.ok(r.diagnostics.some((d) => d.code === "unclosed-ring" && d.count === 1600));
});

test("a projected file whose crs member comes after the features is read again in ranges with that CRS", async () => {
  const feats = squares(80, { projected: true });
  const file = write("late-crs.geojson", `{"type":"FeatureCollection","features":${JSON.stringify(feats)},"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}}}`);
  assert.ok((await same(file)) > 16, "two passes of ranges");
  const r = (await read(file, {}, true)).result!;
  assert.equal(r.footprints.count, 80);
  assert.match(r.crs.name, /28992/);
  // Unknown late CRS, and a projected file without one: the serial read's errors.
  await same(write("late-unknown.geojson", `{"type":"FeatureCollection","features":${JSON.stringify(feats)},"crs":{"type":"name","properties":{"name":"EPSG:999999"}}}`));
  await same(write("no-crs.geojson", JSON.stringify({ type: "FeatureCollection", features: feats })));
});

test("300 damaged files read in ranges give exactly the serial read's result or error", async () => {
  const base = JSON.stringify({ type: "FeatureCollection", crs: { type: "name", properties: { name: "urn:ogc:def:crs:EPSG::28992" } }, features: squares(24, { projected: true, feature: (i, f) => ({ ...f, properties: { height: i === 2 ? "12 m" : 8 + i, name: `b"${i}\\é🏠` } }) }) }, null, 1);
  let seed = 11;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const tokens = ["{", "}", "[", "]", '"', "\\", ",", ":", "NaN", "-", "1e999", "null", "\n", "\uFEFF", "é", "🏠"];
  const bytes = Buffer.from(base);
  let inRanges = 0;
  for (let t = 0; t < 300; t++) {
    let b = Buffer.from(bytes);
    for (let m = 1 + rand(3); m > 0; m--) {
      const at = rand(b.length), op = rand(3);
      if (op === 0) b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rand(8))]);
      else if (op === 1) b = Buffer.concat([b.subarray(0, at), Buffer.from(tokens[rand(tokens.length)]), b.subarray(at)]);
      else if (rand(4) === 0) b = b.subarray(0, at);
    }
    const file = write(`fuzz-${t}.geojson`, b);
    if ((await same(file, { blockSize: 1 + rand(64) })) > 0) inRanges++;
  }
  assert.ok(inRanges > 30, `${inRanges} of 300 damaged files were still of the ordinary shape`);
});

test("ranges: fixed by the file, whole features, at least 16 for a large file; the structural pass's small block sizes agree", () => {
  const file = write("ranges.geojson", JSON.stringify({ type: "FeatureCollection", features: squares(500) }, null, 1));
  const l = splitFeatureCollection(file)!;
  const r = featureRanges(l);
  assert.ok(r.length >= 14 && r.length <= 17, `${r.length} ranges`);
  assert.equal(r[0][0], 0);
  assert.equal(r[r.length - 1][1], 500);
  for (let k = 1; k < r.length; k++) assert.equal(r[k][0], r[k - 1][1]);
  for (const bs of [16, 17, 333]) {
    assert.deepStrictEqual(splitFeatureCollection(file, { blockSize: bs }), l);
    // Handed out while the structural pass walks the file: the same ranges.
    const feed = new RangeFeed(splitBlocks(file, { blockSize: bs }));
    assert.ok(feed.begin());
    const got: [number, number][] = [];
    for (let g = feed.nextRange(); g; g = feed.nextRange()) got.push(g);
    assert.deepStrictEqual(got, r);
  }
});

test("the parallel option leaves small files, sequences and other formats to the serial read", async () => {
  const before = runs;
  const tud = path.join(ROOT, "test/fixtures/real/tudcampus.geojson");
  const r = await readFootprints(tud, { parallel: { run: (j) => { runs++; return runReadJob(j); }, concurrent: 2 } });
  assert.equal(runs, before, "2 MB is below PARALLEL_MIN_BYTES");
  assert.ok(r.footprints.count > 1000);
  const seq = write("seq.geojsonl", squares(30).map((f) => JSON.stringify(f)).join("\n") + "\n");
  assert.equal(await same(seq), 0);
});

test("a range that fails fails the read with its error, once the ranges in flight are back", async () => {
  const file = path.join(ROOT, "test/fixtures/real/tudcampus.geojson");
  let calls = 0, inFlight = 0, maxInFlight = 0;
  const run = async (job: ReadJob) => {
    if ("xy" in job) return runReadJob(job);
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((r) => setImmediate(r));
    inFlight--;
    if (job.first > 0 && calls === 3) throw new CityMeshError("input", "range failed");
    return runReadJob(job);
  };
  await assert.rejects(readFootprints(file, { parallel: { run, concurrent: 2, minBytes: 0 } }), /range failed/);
  assert.equal(inFlight, 0, "nothing left running");
  assert.equal(maxInFlight, 2);
  assert.ok(calls <= 4, `${calls} ranges started: the read stopped after the failure`);
});
