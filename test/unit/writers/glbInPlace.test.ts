// The GLB begun in place (writers/glb.ts startGlbInPlace): the merge spools positions straight into
// the GLB's temp file, after room kept for the header. The file must mean exactly what the GLB
// written the ordinary way (spool, then copy) means: the same JSON and the same BIN chunk.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mergeTiles, type MergeOptions } from "../../../src/core/merge/mergeTiles";
import { memoryTileSource, type TileSource } from "../../../src/core/merge/tileSource";
import { spoolTiles } from "../../../src/core/merge/spoolTiles";
import { startGlbInPlace, streamGlbTable, writeGlb } from "../../../src/core/writers/glb";
import { FeatureTable } from "../../../src/core/writers/tiles3d/features";
import { CityMeshError } from "../../../src/core/errors";
import type { CrsInfo, TileMesh } from "../../../src/core/types";
import { syntheticCity } from "../../support/tiledCity";
import { errorsOf, validateGlb } from "./validate";

const crs: CrsInfo = { name: "EPSG:32618", proj4: "+proj=utm +zone=18 +datum=WGS84 +units=m +no_defs", origin: [581000, 4501000], sourceCrs: "EPSG:4326" };
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-glbinplace-"));

function sideFile(dir: string, n: number): string {
  const f = path.join(dir, "city.buildings.jsonl");
  fs.writeFileSync(f, Array.from({ length: n }, (_, b) => JSON.stringify({ b, f: b, id: `w${b}`, properties: { name: `n${b}`, levels: b % 7, "odd key": b % 2 === 0 } })).join("\n") + "\n");
  return f;
}

function chunks(bytes: Uint8Array) {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jl = b.readUInt32LE(12);
  return { total: b.readUInt32LE(8), jsonText: b.subarray(20, 20 + jl).toString("utf8"), bin: b.subarray(28 + jl, 28 + jl + b.readUInt32LE(20 + jl)) };
}

/** The same spool written the ordinary way (writeGlb without glbInPlace): the tight reference file. */
async function ordinary(tiles: TileMesh[], buildings: number, buildingsFile: string): Promise<Uint8Array> {
  const dir = tmpDir();
  const { spool } = await spoolTiles(memoryTileSource(tiles), dir, { buildings, features: true });
  const out = path.join(dir, "ordinary.glb");
  await writeGlb(spool, out, { crs, tiles: tiles.length, buildingsFile });
  return new Uint8Array(fs.readFileSync(out));
}

test("the merge's GLB (positions spooled in place) has the same JSON and BIN chunk as one written by copying, is valid, and leaves no temp file", async () => {
  const city = syntheticCity(2, 2, 12);
  const dir = tmpDir(), side = sideFile(dir, city.buildings), out = path.join(dir, "city.glb");
  await mergeTiles(memoryTileSource(city.tiles), { output: out, format: "glb", crs, buildings: city.buildings, buildingsFile: side });
  const got = new Uint8Array(fs.readFileSync(out)), want = await ordinary(city.tiles, city.buildings, side);
  const g = chunks(got), w = chunks(want);
  assert.deepEqual(JSON.parse(g.jsonText), JSON.parse(w.jsonText));
  assert.ok(g.bin.equals(w.bin), "same BIN chunk");
  assert.equal(g.total, got.length);
  // The only difference: the JSON chunk's trailing spaces fill the room kept for it.
  assert.equal(g.jsonText.trimEnd(), w.jsonText.trimEnd());
  assert.ok(got.length > want.length && got.length - want.length < 4096, `${got.length - want.length} bytes of padding`);
  assert.deepEqual(errorsOf(await validateGlb(got)), []);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["city.buildings.jsonl", "city.glb", "city.glb.crs.json"]);
});

test("a merge that fails part-way removes the GLB's temp file and leaves an existing output untouched", async () => {
  const city = syntheticCity(2, 2, 8);
  const dir = tmpDir(), out = path.join(dir, "city.glb");
  fs.writeFileSync(out, "previous");
  const source: TileSource = { count: city.tiles.length, read: (i) => { if (i === 2) throw new CityMeshError("store", "tile 2 is unreadable"); return city.tiles[i]; } };
  await assert.rejects(mergeTiles(source, { output: out, format: "glb", crs, buildings: city.buildings, mergeBatchSize: 1 }), (e: unknown) => e instanceof CityMeshError && e.code === "store");
  assert.equal(fs.readFileSync(out, "utf8"), "previous");
  assert.deepEqual(fs.readdirSync(dir), ["city.glb"]);
});

test("room too small for the JSON: written the ordinary way from the spooled positions, the same bytes as a tight GLB", async () => {
  const city = syntheticCity(2, 1, 6);
  const dir = tmpDir(), side = sideFile(dir, city.buildings), out = path.join(dir, "small-room.glb");
  const meta = { crs, tiles: city.tiles.length, buildingsFile: side };
  const begun = startGlbInPlace(out, meta, city.buildings);
  const tooSmall = { ...begun, offset: 28 + 8 };
  const { spool } = await spoolTiles(memoryTileSource(city.tiles), fs.mkdtempSync(path.join(dir, "spool-")), { buildings: city.buildings, features: true, positionsInto: { file: tooSmall.file, offset: tooSmall.offset } });
  await writeGlb(spool, out, { ...meta, glbInPlace: tooSmall });
  assert.deepEqual(new Uint8Array(fs.readFileSync(out)), await ordinary(city.tiles, city.buildings, side));
  assert.ok(!fs.existsSync(begun.file), "the temp file is gone");
});

test("a temp file it cannot create beside the output is an output error naming the output (Linux /sys: not even root creates files there)", { skip: fs.existsSync("/sys/kernel") ? false : "no /sys" }, async () => {
  const spoolDir = tmpDir(), out = "/sys/citymesh-test-city.glb";
  const city = syntheticCity(1, 1, 4);
  await assert.rejects(mergeTiles(memoryTileSource(city.tiles), { output: out, format: "glb", crs, buildings: city.buildings, spoolDir }), (e: unknown) => e instanceof CityMeshError && e.code === "output" && e.message.includes(out));
  assert.deepEqual(fs.readdirSync(spoolDir), [], "the spool folder is removed");
});

// The property table made elsewhere (a table thread, pipeline/jobHandlers.ts) while the merge
// welds: the GLB's header size waits for the table's columns, so the positions spooled before
// they come move into the GLB when they do. Here the "thread" is in-process and held by the test:
// its columns are released when the merge reads a given tile (or never), so which case runs is
// decided by the test, not by timing.

/** A table thread in this thread, whose columns come when `release` resolves (or fail when it rejects). */
function heldTable(release: Promise<void>): NonNullable<MergeOptions["tableThread"]> {
  return (job) => {
    const ft = new FeatureTable(job.buildingsFile, job.buildings, job.featureProperties);
    const columns = release.then(() => ft.columns);
    const table = columns.then(() => streamGlbTable(ft, job.buildings, job.dir)).finally(() => ft.close());
    return { columns, table, stop: async () => {} };
  };
}

/** Files under `dir`, recursively (names relative to it). */
const filesUnder = (dir: string): string[] => (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();

for (const when of ["mid-merge", "after the last tile"] as const) {
  test(`a table made elsewhere, its columns coming ${when}: the same GLB as the table made in the merge's thread`, async () => {
    const city = syntheticCity(3, 2, 10);
    const dir = tmpDir(), side = sideFile(dir, city.buildings), spoolDir = fs.mkdtempSync(path.join(dir, "spool-"));
    const reference = path.join(dir, "reference.glb"), out = path.join(dir, "elsewhere.glb");
    await mergeTiles(memoryTileSource(city.tiles), { output: reference, format: "glb", crs, buildings: city.buildings, buildingsFile: side });
    let release!: () => void;
    const released = new Promise<void>((r) => { release = r; });
    const seen: string[][] = [];
    const last = city.tiles.length - 1;
    const source: TileSource = {
      count: city.tiles.length,
      read: (i) => {
        seen.push(filesUnder(spoolDir).filter((f) => f.endsWith("positions.f32")));
        if (when === "mid-merge" && i === 2) release();
        return city.tiles[i];
      },
    };
    // "after the last tile": released when the merge reports its last tile welded, so the whole
    // positions file moves once the weld is over.
    const onProgress = (done: number, total: number) => { if (when === "after the last tile" && done === total) release(); };
    await mergeTiles(source, { output: out, format: "glb", crs, buildings: city.buildings, buildingsFile: side, mergeBatchSize: 1, spoolDir, tableThread: heldTable(released), onProgress });
    assert.deepEqual(new Uint8Array(fs.readFileSync(out)), new Uint8Array(fs.readFileSync(reference)), "byte for byte");
    // Before the release the positions go to positions.f32; mid-merge, they are in the GLB by the last tile.
    assert.equal(seen[0].length, 1, "positions spooled aside before the columns came");
    if (when === "mid-merge") assert.deepEqual(seen[last], [], "positions moved into the GLB mid-merge");
    else assert.equal(seen[last].length, 1, "positions still aside at the last tile");
    assert.deepEqual(fs.readdirSync(spoolDir), [], "spool folder removed");
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith("elsewhere")).sort(), ["elsewhere.glb", "elsewhere.glb.crs.json"]);
  });
}

test("a table made elsewhere that fails (a bad buildings file): the merge fails with its error, stops it, and leaves no temp file and the old output", async () => {
  const city = syntheticCity(2, 2, 8);
  const dir = tmpDir(), side = path.join(dir, "bad.buildings.jsonl"), out = path.join(dir, "city.glb"), spoolDir = fs.mkdtempSync(path.join(dir, "spool-"));
  fs.writeFileSync(side, '{"b":0,"id":"a"}\nnot json\n');
  fs.writeFileSync(out, "previous");
  const stopped: string[] = [];
  // The real scan throws in the table's constructor; here the failure reaches the merge through its columns.
  const failing: NonNullable<MergeOptions["tableThread"]> = (job) => {
    const columns = Promise.resolve().then(() => new FeatureTable(job.buildingsFile, job.buildings, job.featureProperties).columns);
    const table = columns.then(() => { throw new Error("unreachable"); });
    return { columns, table, stop: async () => { stopped.push(job.dir); } };
  };
  await assert.rejects(
    mergeTiles(memoryTileSource(city.tiles), { output: out, format: "glb", crs, buildings: city.buildings, buildingsFile: side, mergeBatchSize: 1, spoolDir, tableThread: failing }),
    (e: unknown) => e instanceof CityMeshError && e.code === "output" && e.message.includes("line 2: not a buildings record"),
  );
  assert.equal(stopped.length, 1, "the table thread was stopped");
  assert.equal(fs.readFileSync(out, "utf8"), "previous");
  assert.deepEqual(fs.readdirSync(dir).sort(), ["bad.buildings.jsonl", "city.glb", path.basename(spoolDir)].sort());
  assert.deepEqual(fs.readdirSync(spoolDir), []);
});
