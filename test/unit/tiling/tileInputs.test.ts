// The planner spills every tile's input to one scratch file; workers read their slice back.
// What a worker meshes from the file must be exactly what it would mesh from the plan, and the
// planner (a child process) must hand back its errors, its cancel and its temp files cleanly.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { generateCity, cityToGeoJSON } from "../../support/cityGenerator";
import { footprintBounds } from "../../support/meshCity";
import { planBuild, tileInput } from "../../../src/core/tiling/plan";
import { meshTile } from "../../../src/core/mesh/tileMesher";
import { decodeTileInput, encodeTileInput } from "../../../src/core/mesh/tileInputCodec";
import { readTileInput, writeTileInputs } from "../../../src/core/tiling/tileInputsFile";
import { buildCityMesh, planCity } from "../../../src/core/pipeline/build";
import { CityMeshError } from "../../../src/core/errors";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-tileinputs-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const city = generateCity({ buildings: 300, seed: 11, shapes: "varied" });
const plan = planBuild(city, footprintBounds(city), { tileSize: 120, maxMeshSize: 10, margin: 0, snapTolerance: 0.001, file: "x", ground: { kind: "flat" }, zAt: () => 0 });

test("every tile's input read back from the tile inputs file equals the plan's, and meshes to the same bytes", () => {
  const file = path.join(dir, "inputs.bin");
  const offsets = writeTileInputs(plan, file);
  assert.equal(offsets.length, plan.tiles.length + 1);
  assert.equal(offsets[plan.tiles.length], fs.statSync(file).size);
  assert.ok(plan.tiles.length >= 9, `${plan.tiles.length} tiles`);
  for (let t = 0; t < plan.tiles.length; t++) {
    const want = tileInput(plan, t);
    const got = readTileInput(file, offsets[t], offsets[t + 1]);
    assert.deepEqual(got, want, `tile ${t}`);
    const a = meshTile(want), b = meshTile(got);
    for (const k of ["vertices", "faces", "markers", "seam"] as const) assert.deepEqual(Buffer.from(b[k].buffer, b[k].byteOffset, b[k].byteLength), Buffer.from(a[k].buffer, a[k].byteOffset, a[k].byteLength), `tile ${t} ${k}`);
  }
});

test("a damaged tile input is an error, not a wrong mesh", () => {
  const bytes = encodeTileInput(tileInput(plan, 0));
  const bad = bytes.slice();
  bad[0] ^= 0xff;
  assert.throws(() => decodeTileInput(bad), /bad magic/);
  assert.throws(() => decodeTileInput(bytes.slice(0, bytes.length - 64)), /truncated/);
  const file = path.join(dir, "short.bin");
  fs.writeFileSync(file, bytes.subarray(0, 100));
  assert.throws(() => readTileInput(file, 0, bytes.length), /ends before the tile input/);
});

test("the tile inputs file cannot be written: a store error naming the directory", () => {
  const blocker = path.join(dir, "a-file");
  fs.writeFileSync(blocker, "x");
  assert.throws(() => writeTileInputs(plan, path.join(blocker, "inputs.bin")), (e: unknown) => e instanceof CityMeshError && e.code === "store" && e.message.includes(blocker) && /tile inputs/.test(e.message));
});

test("the planner process hands back input errors with their code and details", async () => {
  const input = path.join(dir, "empty.geojson");
  fs.writeFileSync(input, JSON.stringify({ type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[[0, 0], [1, 1], [0, 0]]] } }] }));
  await assert.rejects(buildCityMesh({ input, output: path.join(dir, "empty.glb"), scratchDir: path.join(dir, "s-empty"), workers: 1 }), (e: unknown) => {
    assert.ok(e instanceof CityMeshError, String(e));
    assert.equal(e.code, "input");
    assert.match(e.message, /empty\.geojson: no valid building footprints/);
    const diags = e.details.diagnostics as { featureIndex: number; code: string }[];
    assert.ok(Array.isArray(diags) && diags.some((d) => d.featureIndex === 0 && d.code === "implausible-size"), JSON.stringify(e.details));
    return true;
  });
  assert.deepEqual(fs.readdirSync(path.join(dir, "s-empty")), [], "the planner's temp files are removed");
});

test("cancel while planning: a cancelled error, and no planner files left in the scratch directory", async () => {
  const input = path.join(dir, "city.geojson");
  fs.writeFileSync(input, cityToGeoJSON(generateCity({ buildings: 3000, seed: 5 })));
  const scratch = path.join(dir, "s-cancel");
  const ac = new AbortController();
  const started = buildCityMesh({ input, output: path.join(dir, "c.glb"), scratchDir: scratch, workers: 1 }, {
    signal: ac.signal,
    // Abort on the planner's first "reading" report: planning certainly runs then (no timer guessing).
    onProgress: (e) => { if (e.phase === "reading") ac.abort(); },
  });
  await assert.rejects(started, (e: unknown) => e instanceof CityMeshError && e.code === "cancelled");
  assert.deepEqual(fs.readdirSync(scratch).filter((n) => /^(properties|tile-inputs)-/.test(n)), []);
  assert.equal(fs.existsSync(path.join(dir, "c.glb")), false);
});

test("planner files and preview folders of killed processes on this machine are removed at the next start; running ones' and other machines' are kept", async () => {
  const input = path.join(dir, "small.geojson");
  fs.writeFileSync(input, cityToGeoJSON(generateCity({ buildings: 20, seed: 3 })));
  const scratch = path.join(dir, "s-stale");
  fs.mkdirSync(scratch, { recursive: true });
  const host = os.hostname().replace(/[^A-Za-z0-9.]/g, "_");
  const dead = 2 ** 22 + 12345; // above Linux's pid_max default: never a running process
  const live = process.ppid;
  const kept = [`tile-inputs-${host}-${live}-0badf00d.bin`, `tile-inputs-other-node-7-${dead}-0badf00d.bin`, "unrelated.bin", `previews-${host}-${live}-0badf00d`];
  for (const n of [`properties-${host}-${dead}-0badf00d.jsonl`, `tile-inputs-${host}-${dead}-0badf00d.bin`, ...kept.slice(0, 3)]) fs.writeFileSync(path.join(scratch, n), "x");
  for (const d of [`previews-${host}-${dead}-0badf00d`, kept[3]]) { fs.mkdirSync(path.join(scratch, d)); fs.writeFileSync(path.join(scratch, d, "tile_0.cmpv"), "x"); }
  const p = await planCity({ input, scratchDir: scratch, workers: 1 });
  assert.ok(p.tileList.length >= 1);
  assert.deepEqual(fs.readdirSync(scratch).sort(), [...kept].sort());
});
