// End to end through the built CLI and the worker bundle: a ≥ 50-tile city with 2 workers and
// the HDF5 store; resume after SIGKILL; worker failures retried, then named.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { generateCity, cityToGeoJSON } from "../support/cityGenerator";
import { readMeshFile } from "../../src/core/readers";
import { runCli, runCliAndKill } from "../support/cli";
import { Gate } from "../support/gate";
import { checkMesh } from "../../src/core/mesh/check";
import { validateGlb, errorsOf } from "../unit/writers/validate";
import { readManifest } from "../../src/core/store/manifest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-e2e-"));
const input = path.join(dir, "city.geojson");
// ~700 buildings over ~700 m: 81 tiles of 80 m. RD New coordinates, like a Dutch city.
fs.writeFileSync(input, cityToGeoJSON(generateCity({ buildings: 700, seed: 42, x0: 84123.4, y0: 446321.7 })));
const common = ["--tile-size", "80", "--quiet"];
const read = (f: string) => fs.readFileSync(f);
const tilesDone = (log: string) => [...log.matchAll(/tile (\d+) done/g)].map((m) => Number(m[1]));

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("a 2-worker disk-store build of ≥ 50 tiles is valid glTF and watertight, and equals the in-memory and 1-worker builds", async () => {
  const a = path.join(dir, "a.glb"), b = path.join(dir, "b.glb"), c = path.join(dir, "c.glb");
  const ra = runCli(["build", input, "-o", a, "--workers", "2", "--scratch-dir", path.join(dir, "s1"), "--json", ...common]);
  assert.equal(ra.code, 0, ra.stderr);
  const result = JSON.parse(ra.stdout);
  assert.ok(result.tiles >= 50, `${result.tiles} tiles`);
  assert.equal(result.buildings, 700);
  assert.equal(result.crs.name, "EPSG:28992");

  const report = await validateGlb(read(a));
  assert.deepEqual(errorsOf(report), []);

  const m = readMeshFile(a);
  assert.ok(m.markers, "the GLB carries its face markers");
  assert.equal(m.faces.length / 3, result.triangles);
  // The domain is the rectangle the ground covers.
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < m.vertices.length; i += 3) { x0 = Math.min(x0, m.vertices[i]); x1 = Math.max(x1, m.vertices[i]); y0 = Math.min(y0, m.vertices[i + 1]); y1 = Math.max(y1, m.vertices[i + 1]); }
  const r = checkMesh(m, [x0, y0, x1, y1], result.buildings);
  assert.equal(r.openEdges, 0, r.examples.join("\n"));
  assert.equal(r.overusedEdges, 0);
  assert.equal(r.flippedEdges, 0);
  assert.equal(r.degenerate, 0);
  // The GLB is un-welded by feature (EXT_mesh_features: one building or the ground per vertex), so
  // a position shared by the ground and a building is two vertices; within a feature the merge
  // welded every seam vertex: one vertex per distinct (position, feature) of the face corners.
  const pairs = new Set<string>();
  for (let f = 0; f < m.markers!.length; f++) {
    const mk = m.markers![f], b = mk < 0 ? -1 : mk % result.buildings;
    for (let k = 0; k < 3; k++) { const v = m.faces[3 * f + k]; pairs.add(`${m.vertices[3 * v]},${m.vertices[3 * v + 1]},${m.vertices[3 * v + 2]}/${b}`); }
  }
  assert.equal(pairs.size, m.vertices.length / 3, "one vertex per (position, feature): every seam vertex welded within its feature");
  assert.ok(r.vertices < m.vertices.length / 3, "positions shared between features are separate vertices");

  const rb = runCli(["build", input, "-o", b, "--workers", "2", "--no-disk-store", "--scratch-dir", path.join(dir, "s2"), ...common]);
  assert.equal(rb.code, 0, rb.stderr);
  const rc = runCli(["build", input, "-o", c, "--workers", "1", "--scratch-dir", path.join(dir, "s3"), ...common]);
  assert.equal(rc.code, 0, rc.stderr);
  assert.ok(read(a).equals(read(b)), "disk store and in-memory builds differ");
  assert.ok(read(a).equals(read(c)), "2-worker and 1-worker builds differ");
  // keepIntermediate is off: the store is gone, only the scratch folders remain.
  assert.deepEqual(fs.readdirSync(path.join(dir, "s1")).filter((n) => !n.endsWith(".jsonl")), []);
  // The buildings side file has one line per building, with the feature's properties.
  const lines = fs.readFileSync(path.join(dir, "a.buildings.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 700);
  assert.deepEqual({ b: lines[5].b, id: lines[5].id, name: lines[5].properties.name }, { b: 5, id: "b5", name: "building 5" });
});

test("SIGKILL mid-build, then rerun: finished tiles are reused and the output is byte-identical", async () => {
  const clean = path.join(dir, "clean.glb"), resumed = path.join(dir, "resumed.glb"), scratch = path.join(dir, "s-kill");
  assert.equal(runCli(["build", input, "-o", clean, "--scratch-dir", path.join(dir, "s-clean"), ...common]).code, 0);
  // Tile 20 is held in its build (test fault hook): tiles are handed out in id order, so the 12 the
  // kill waits for finish on the other worker while tile 20 cannot, and the kill lands mid-build.
  const gate = new Gate(dir, "kill");
  let killed;
  try {
    killed = await runCliAndKill(["build", input, "-o", resumed, "--workers", "2", "--scratch-dir", scratch, "--tile-size", "80"], (log) => gate.isReached("build", 20) && tilesDone(log).length >= 12, gate.env("build", [20]));
  } finally { gate.release(); }
  assert.ok(killed.killed, `the build ended before it could be killed:\n${killed.stderr.slice(-2000)}`);
  const before = tilesDone(killed.stderr);
  assert.ok(!fs.existsSync(resumed), "a killed build left an output file");
  const r = runCli(["build", input, "-o", resumed, "--workers", "2", "--scratch-dir", scratch, "--tile-size", "80"]);
  assert.equal(r.code, 0, r.stderr);
  const reused = Number(/resuming: (\d+) of (\d+) tile/.exec(r.stderr)?.[1]);
  assert.ok(reused >= before.length, `reused ${reused}, finished before the kill ${before.length}`);
  const rebuilt = new Set(tilesDone(r.stderr));
  for (const t of before) assert.ok(!rebuilt.has(t), `tile ${t} was finished before the kill and was rebuilt`);
  assert.ok(read(clean).equals(read(resumed)), "resumed output differs from a clean build");
});

test("a tile that fails once is retried in a fresh worker and the build completes", () => {
  for (const mode of ["throw", "exit"]) {
    const out = path.join(dir, `retry-${mode}.glb`), once = path.join(dir, `once-${mode}`);
    const r = runCli(["build", input, "-o", out, "--workers", "2", "--scratch-dir", path.join(dir, `s-retry-${mode}`), "--tile-size", "80"], { CITYMESH_FAULT: JSON.stringify({ tiles: [7], mode, once }) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /tile 7 failed \(.*\); retrying in a fresh worker/);
    assert.ok(fs.existsSync(out));
  }
});

test("a tile that keeps failing stops the build with its name, keeps the other tiles, and a rerun builds only it", () => {
  const out = path.join(dir, "fail.glb"), scratch = path.join(dir, "s-fail");
  const r = runCli(["build", input, "-o", out, "--workers", "2", "--scratch-dir", scratch, "--tile-size", "80"], { CITYMESH_FAULT: JSON.stringify({ tiles: [9], mode: "throw" }) });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Tile 9 \(bounds [-\d., ]+ m\) failed twice: injected fault on tile 9/);
  assert.ok(!fs.existsSync(out));
  const store = fs.readdirSync(scratch).map((n) => path.join(scratch, n)).find((p) => fs.statSync(p).isDirectory())!;
  const manifest = readManifest(store)!;
  assert.equal(manifest.tiles[9].status, "failed");
  const done = Object.values(manifest.tiles).filter((t) => t.status === "done").length;
  const files = fs.readdirSync(store).filter((n) => /^tile_\d+\.h5$/.test(n)).length;
  assert.equal(files, done);
  // Tiles in flight when tile 9 failed finish; lanes stop taking new ones, so "done" is at least the tiles before 9.
  assert.ok(done >= 9, `${done} tiles kept`);
  const again = runCli(["build", input, "-o", out, "--workers", "2", "--scratch-dir", scratch, "--tile-size", "80"]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(tilesDone(again.stderr).includes(9));
  assert.match(again.stderr, new RegExp(`resuming: ${done} of \\d+ tile`));
});

test("bad options and a missing input are clear errors with non-zero exits", () => {
  const r1 = runCli(["build", path.join(dir, "nope.geojson")]);
  assert.equal(r1.code, 1);
  assert.match(r1.stderr, /Input file not found: .*nope\.geojson/);
  const r2 = runCli(["build", input, "--tile-size=-5"]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /tileSize must be at least 50 \(got -5\) \(--tile-size\)/);
  const r3 = runCli(["build", input, "--format", "fbx"]);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /Unknown output format "fbx"/);
  const r4 = runCli(["frobnicate"]);
  assert.equal(r4.code, 2);
});

test("--output-dir names a folder (created if need be) for the mesh and its buildings file; -o still wins", () => {
  const out = path.join(dir, "meshes", "nested");
  const r = runCli(["build", input, "--output-dir", out, "--format", "ply", "--scratch-dir", path.join(dir, "s-outdir"), ...common]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.statSync(path.join(out, "city.ply")).size > 0);
  assert.ok(fs.existsSync(path.join(out, "city.buildings.jsonl")));
  const named = path.join(dir, "named.obj");
  assert.equal(runCli(["build", input, "--output-dir", out, "-o", named, "--scratch-dir", path.join(dir, "s-outdir"), ...common]).code, 0);
  assert.ok(fs.existsSync(named) && !fs.existsSync(path.join(out, "city.obj")));
});

test("flat ground is not refined unless maxMeshSize is given: auto equals --max-mesh-size <tile size> byte for byte, and 10 m elements make more triangles", () => {
  const auto = path.join(dir, "auto.ply"), whole = path.join(dir, "whole.ply"), fine = path.join(dir, "fine.ply");
  const s = (n: string) => ["--scratch-dir", path.join(dir, n), "--json", "--tile-size", "80"];
  const ra = runCli(["build", input, "-o", auto, ...s("s-auto")]);
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(runCli(["build", input, "-o", whole, "--max-mesh-size", "80", ...s("s-whole")]).code, 0);
  const rf = runCli(["build", input, "-o", fine, "--max-mesh-size", "10", ...s("s-fine")]);
  assert.equal(rf.code, 0, rf.stderr);
  assert.ok(read(auto).equals(read(whole)), "auto differs from --max-mesh-size 80");
  const [ta, tf] = [JSON.parse(ra.stdout).triangles, JSON.parse(rf.stdout).triangles];
  assert.ok(ta < tf, `${ta} triangles unrefined, ${tf} with 10 m elements`);
});
