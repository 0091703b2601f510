// readFootprints end to end, on committed fixtures: the full TU Delft campus
// (test/fixtures/real/tudcampus.geojson, see test/fixtures/README.md) and smaller cases.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import proj4 from "proj4";
import { readFootprints, looksLikeFeatureCollection, type ReadResult } from "../../../src/core/geojson/read";
import { ringArea } from "../../../src/core/geometry/rings";
import { epsgProj4 } from "../../../src/core/crs";
import { CityMeshError } from "../../../src/core/errors";

const TUD = path.resolve(import.meta.dirname ?? __dirname, "../../fixtures/real/tudcampus.geojson");
const here = import.meta.dirname ?? __dirname;
const SAMPLE = path.resolve(here, "../../fixtures/tudcampus-sample.geojson");
const CITY = path.resolve(here, "../../../media/sample/sample-city.geojson");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-read-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

type Geo = { type: string; coordinates: number[][][][] };
type FC = { type: string; crs?: unknown; features: { type: string; properties: Record<string, unknown>; geometry: Geo }[] };

/** Structural invariants every read result must hold. */
function checkInvariants(r: ReadResult): void {
  const f = r.footprints;
  assert.equal(f.buildingStart.length, f.count + 1);
  assert.equal(f.height.length, f.count);
  assert.equal(f.featureIndex.length, f.count);
  assert.equal(r.featureIds.length, f.count);
  assert.equal(f.ringStart[f.ringStart.length - 1] * 2, f.xy.length);
  assert.equal(f.polyStart[f.polyStart.length - 1], f.ringStart.length - 1);
  assert.equal(f.buildingStart[f.count], f.polyStart.length - 1);
  for (let p = 0; p + 1 < f.polyStart.length; p++) {
    for (let r0 = f.polyStart[p]; r0 < f.polyStart[p + 1]; r0++) {
      const ring = f.xy.subarray(2 * f.ringStart[r0], 2 * f.ringStart[r0 + 1]);
      const n = ring.length / 2;
      assert.ok(n >= 3);
      assert.ok(!(ring[0] === ring[2 * n - 2] && ring[1] === ring[2 * n - 1]), "rings are open");
      const a = ringArea(ring);
      assert.ok(r0 === f.polyStart[p] ? a > 0 : a < 0, "outer CCW, holes CW");
    }
  }
  const [x0, y0, x1, y1] = r.bounds;
  assert.ok(x0 >= 0 && x0 < 1 && y0 >= 0 && y0 < 1, `bounds start at the origin: ${r.bounds}`);
  for (let i = 0; i < f.xy.length; i += 2) assert.ok(f.xy[i] >= x0 && f.xy[i] <= x1 && f.xy[i + 1] >= y0 && f.xy[i + 1] <= y1);
  const total = Object.values(r.heightSources).reduce((a, b) => a + b, 0);
  assert.equal(total, f.count);
}

const buildingArea = (r: ReadResult, b: number) => {
  const f = r.footprints;
  let s = 0;
  for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++)
    for (let q = f.polyStart[p]; q < f.polyStart[p + 1]; q++) s += ringArea(f.xy.subarray(2 * f.ringStart[q], 2 * f.ringStart[q + 1]));
  return s;
};

test("tudcampus: 1,529 buildings in EPSG:28992 (kept, not reprojected), 6 courtyards, local origin", async () => {
  const r = await readFootprints(TUD);
  checkInvariants(r);
  const src = JSON.parse(fs.readFileSync(TUD, "utf8")) as FC;
  assert.equal(r.featureCount, 1529);
  assert.equal(r.footprints.count, 1529);
  assert.equal(r.crs.name, "EPSG:28992");
  assert.equal(r.crs.sourceCrs, "EPSG:28992");
  assert.equal(r.footprints.ringStart.length - r.footprints.polyStart.length, 6); // rings − polygons = holes
  assert.deepEqual(r.heightSources, { default: 1529 });
  assert.ok(r.footprints.height.every((h) => h === 10));
  // Origin: floor of the data's minimum corner.
  let xmin = Infinity, ymin = Infinity;
  for (const f of src.features) for (const p of f.geometry.coordinates) for (const q of p[0]) {
    xmin = Math.min(xmin, q[0]);
    ymin = Math.min(ymin, q[1]);
  }
  assert.deepEqual(r.crs.origin, [Math.floor(xmin), Math.floor(ymin)]);
  // Coordinates are the source minus the origin (first building, first point; its ring is already CCW or reversed).
  const ring0 = src.features[0].geometry.coordinates[0][0];
  const xs = ring0.map((q) => q[0] - r.crs.origin[0]);
  assert.ok(xs.includes(r.footprints.xy[0]));
  // Areas equal the source's (projection is the identity here).
  for (const b of [0, 100, 1528]) {
    const g = src.features[r.footprints.featureIndex[b]].geometry.coordinates;
    let a = 0;
    for (const p of g) p.forEach((ring, k) => {
      const flat = new Float64Array(ring.slice(0, -1).flat());
      a += (k === 0 ? 1 : -1) * Math.abs(ringArea(flat));
    });
    assert.ok(Math.abs(buildingArea(r, b) - a) < 1e-6 * a, `building ${b}`);
  }
  // Only harmless repairs on real data.
  assert.deepEqual(r.diagnostics.map((d) => d.code), ["winding-repaired"], "one note for the whole file");
  assert.match(r.diagnostics[0].message, /^.*: [0-9,]+ clockwise outer ring\(s\) reversed/);
});

/** Writes the test sample converted to RFC 7946 lon/lat (no crs member), shifted by (dlon, dlat) degrees. */
function lonLatCopy(name: string, dlon = 0, dlat = 0): string {
  const src = JSON.parse(fs.readFileSync(SAMPLE, "utf8")) as FC;
  const conv = proj4(epsgProj4(28992)!, epsgProj4(4326)!);
  for (const f of src.features) f.geometry.coordinates = f.geometry.coordinates.map((p) => p.map((r) => r.map((q) => {
    const [lon, lat] = conv.forward([q[0], q[1]]);
    return [lon + dlon, lat + dlat];
  })));
  delete src.crs;
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(src));
  return file;
}

test("RFC 7946 lon/lat input is projected to the UTM zone of its centre; areas survive", async () => {
  const rd = await readFootprints(SAMPLE);
  const ll = await readFootprints(lonLatCopy("ll.geojson"));
  checkInvariants(ll);
  assert.equal(ll.crs.name, "EPSG:32631");
  assert.equal(ll.crs.sourceCrs, "EPSG:4326");
  assert.equal(ll.footprints.count, rd.footprints.count);
  // Scale factors of RD (0.99991) and UTM 31 here (~0.9997) differ by < 0.1 % in area.
  for (let b = 0; b < rd.footprints.count; b += 37) {
    const a = buildingArea(rd, b), c = buildingArea(ll, b);
    assert.ok(Math.abs(a - c) / a < 1e-3, `building ${b}: ${a} vs ${c}`);
  }
  // Origin in UTM 31N metres: Delft is ~595 km E, ~5762 km N.
  assert.ok(Math.abs(ll.crs.origin[0] - 594800) < 3000 && Math.abs(ll.crs.origin[1] - 5761500) < 3000, `${ll.crs.origin}`);
});

test("southern-hemisphere lon/lat data goes to a 327xx zone", async () => {
  // The same buildings moved to near Sydney (151° E, 34° S).
  const file = lonLatCopy("south.geojson", 151.2 - 4.37, -33.87 - 52.0);
  const r = await readFootprints(file);
  assert.equal(r.crs.name, "EPSG:32756");
  assert.ok(r.crs.origin[1] > 6_000_000, "false northing of the south");
  checkInvariants(r);
});

test("options.crs reprojects projected input", async () => {
  const r = await readFootprints(SAMPLE, { crs: "EPSG:32631" });
  assert.equal(r.crs.name, "EPSG:32631");
  assert.equal(r.crs.sourceCrs, "EPSG:28992");
  checkInvariants(r);
});

test("projected coordinates without a crs member: crs error, and sourceCrs reads them", async () => {
  const src = JSON.parse(fs.readFileSync(SAMPLE, "utf8")) as FC;
  delete src.crs;
  const file = path.join(dir, "nocrs.geojson");
  fs.writeFileSync(file, JSON.stringify(src));
  await assert.rejects(readFootprints(file), (e: unknown) => e instanceof CityMeshError && e.code === "crs" && /sourceCrs/.test(e.message));
  const r = await readFootprints(file, { sourceCrs: "EPSG:28992" });
  assert.equal(r.footprints.count, 200);
  assert.equal(r.crs.name, "EPSG:28992");
});

test("minBuildingArea drops small buildings (info) and the properties side file follows the kept ones", async () => {
  const all = await readFootprints(SAMPLE);
  const out = path.join(dir, "props.jsonl");
  const r = await readFootprints(SAMPLE, { minBuildingArea: 20, propertiesOut: out });
  checkInvariants(r);
  const small = Array.from({ length: all.footprints.count }, (_, b) => buildingArea(all, b)).filter((a) => a < 20).length;
  assert.ok(small > 0, "the sample has sheds under 20 m²");
  assert.equal(r.footprints.count, all.footprints.count - small);
  assert.equal(r.diagnostics.filter((d) => d.code === "small-building").length, small);
  assert.ok(r.diagnostics.filter((d) => d.code === "small-building").every((d) => d.severity === "info"));
  assert.equal(r.heightSources.default, r.footprints.count);
  const lines = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, r.footprints.count);
  const src = JSON.parse(fs.readFileSync(SAMPLE, "utf8")) as FC;
  lines.forEach((l, b) => {
    assert.equal(l.b, b);
    assert.equal(l.f, r.footprints.featureIndex[b]);
    assert.deepEqual(l.properties, src.features[l.f].properties);
    assert.equal(l.id, r.featureIds[b]);
  });
});

test("the reader gives the same result with tiny scanner blocks (streaming)", async () => {
  const a = await readFootprints(SAMPLE);
  const b = await readFootprints(SAMPLE, { blockSize: 97 });
  assert.deepEqual(b.footprints, a.footprints);
  assert.deepEqual(b.diagnostics, a.diagnostics);
  assert.deepEqual(b.crs, a.crs);
});

test("sample city: 300 buildings with a courtyard, heights from attributes, under 300 KB", async () => {
  assert.ok(fs.statSync(CITY).size < 300 * 1024);
  const src = JSON.parse(fs.readFileSync(CITY, "utf8")) as FC;
  assert.ok(src.crs, "keeps its crs member");
  const r = await readFootprints(CITY);
  checkInvariants(r);
  assert.equal(r.footprints.count, 300);
  assert.ok(r.footprints.ringStart.length - r.footprints.polyStart.length >= 1, "at least one courtyard");
  assert.ok(r.heightSources.height > 0 && r.heightSources["building:levels"] > 0 && r.heightSources.default > 0, JSON.stringify(r.heightSources));
  for (let b = 0; b < r.footprints.count; b++) {
    const p = src.features[r.footprints.featureIndex[b]].properties;
    if (typeof p.height === "number") assert.equal(r.footprints.height[b], p.height);
    else if (typeof p["building:levels"] === "number") assert.equal(r.footprints.height[b], 3 * p["building:levels"]);
  }
  assert.ok(r.footprints.height.every((h) => h >= 6 && h <= 40));
  assert.equal(r.diagnostics.filter((d) => d.severity === "error").length, 0);
  // Contiguous: the block spans well under a kilometre, and many buildings share walls (vertices).
  assert.ok(r.bounds[2] < 1000 && r.bounds[3] < 1000);
  const owners = new Map<string, Set<number>>();
  const f = r.footprints;
  for (let b = 0; b < f.count; b++)
    for (let i = f.ringStart[f.polyStart[f.buildingStart[b]]]; i < f.ringStart[f.polyStart[f.buildingStart[b + 1]]]; i++) {
      const k = `${f.xy[2 * i]},${f.xy[2 * i + 1]}`;
      if (!owners.has(k)) owners.set(k, new Set());
      owners.get(k)!.add(b);
    }
  const touching = new Set<number>();
  for (const s of owners.values()) if (s.size > 1) s.forEach((b) => touching.add(b));
  assert.ok(touching.size >= 100, `${touching.size} buildings share a vertex with a neighbour`);
});

test("cancellation, missing files and bad options are CityMeshErrors", async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(readFootprints(SAMPLE, {}, ac.signal), (e: unknown) => e instanceof CityMeshError && e.code === "cancelled");
  await assert.rejects(readFootprints(path.join(dir, "missing.geojson")), (e: unknown) => e instanceof CityMeshError && e.code === "input" && /missing\.geojson/.test(e.message));
  await assert.rejects(readFootprints(SAMPLE, { minBuildingArea: -1 }), (e: unknown) => e instanceof CityMeshError && e.code === "options");
  await assert.rejects(readFootprints(SAMPLE, { crs: "EPSG:12345" }), (e: unknown) => e instanceof CityMeshError && e.code === "crs" && /12345/.test(e.message));
});

test("an empty collection reads as zero buildings with a diagnostic", async () => {
  const file = path.join(dir, "empty.geojson");
  fs.writeFileSync(file, '{"type":"FeatureCollection","features":[]}');
  const r = await readFootprints(file);
  assert.equal(r.footprints.count, 0);
  assert.deepEqual(r.diagnostics.map((d) => d.code), ["no-buildings"]);
});

test("looksLikeFeatureCollection is exported by the reader", () => {
  assert.equal(looksLikeFeatureCollection(SAMPLE), true);
  assert.equal(looksLikeFeatureCollection(path.resolve(here, "../../fixtures/bad/top-level-array.geojson")), false);
});

test("progress is reported, ending at the file size", async () => {
  const calls: [number, number, number][] = [];
  await readFootprints(SAMPLE, { onProgress: (a, b, n) => calls.push([a, b, n]) });
  assert.ok(calls.length >= 1);
  const size = fs.statSync(SAMPLE).size;
  assert.deepEqual(calls[calls.length - 1], [size, size, 200]);
});

test("an unsupported crs member (link) is a warning and lon/lat is assumed", async () => {
  const file = path.join(dir, "link.geojson");
  fs.writeFileSync(file, JSON.stringify({
    type: "FeatureCollection",
    crs: { type: "link", properties: { href: "http://example.com/crs", type: "proj4" } },
    features: [{ type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[[4.37, 52], [4.3702, 52], [4.3702, 52.0002], [4.37, 52]]] } }],
  }));
  const r = await readFootprints(file);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.severity]), [["unsupported-crs-member", "warning"]]);
  assert.equal(r.crs.name, "EPSG:32631");
  assert.equal(r.footprints.count, 1);
});
