// `citymesh check` through the built CLI: a real build of the sample city in every format is
// clean (exit 0); a damaged GLB is not (exit 1, the defect named); an unreadable file is named
// with the reason (exit 1); bad usage exits 2.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { runCli } from "../support/cli";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-check-"));
const sample = path.resolve(__dirname, "../../media/sample/sample-city.geojson");
const out = (f: string) => path.join(dir, `sample.${f}`);

/** Triangles each build reported writing: the check must read all of them. */
const built = new Map<string, number>();

test.before(() => {
  for (const f of ["glb", "ply", "obj", "stl"]) {
    const r = runCli(["build", sample, "-o", out(f), "--scratch-dir", path.join(dir, `s-${f}`), "--json"]);
    assert.equal(r.code, 0, r.stderr);
    built.set(f, JSON.parse(r.stdout).triangles);
  }
});
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

for (const f of ["glb", "ply", "obj", "stl"]) {
  test(`the sample city built as ${f.toUpperCase()} checks clean (exit 0)`, () => {
    const r = runCli(["check", out(f)]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /OK: no errors/);
    assert.match(r.stdout, new RegExp(`${f.toUpperCase()}, \\d+ triangles`));
    const j = runCli(["check", out(f), "--json"]);
    assert.equal(j.code, 0, j.stderr);
    const rep = JSON.parse(j.stdout);
    assert.equal(rep.ok, true);
    assert.deepEqual([rep.openEdges, rep.overusedEdges, rep.flippedEdges, rep.degenerate, rep.groundOverlaps, rep.roofOverlaps], [0, 0, 0, 0, 0, 0]);
    assert.equal(rep.triangles, built.get(f));
    assert.ok(rep.triangles > 20000, `${rep.triangles} triangles`);
    if (f === "glb" || f === "ply") {
      assert.equal(rep.buildings, 300);
      assert.equal(rep.buildingVolume.checked + rep.buildingVolume.withoutWalls, 300);
      assert.ok(rep.buildingVolume.worstRelativeError < 1e-9, `${rep.buildingVolume.worstRelativeError}`);
    } else assert.equal(rep.buildingVolume, null, "no markers: no per-building check");
  });
}

/** The GLB with its JSON chunk parsed and the byte offset of an accessor's data. */
function glbParts(buf: Buffer) {
  const jsonLen = buf.readUInt32LE(12);
  const json = JSON.parse(buf.subarray(20, 20 + jsonLen).toString("utf8"));
  const bin = 20 + jsonLen + 8;
  const at = (accessor: number) => { const a = json.accessors[accessor]; return bin + (json.bufferViews[a.bufferView].byteOffset ?? 0) + (a.byteOffset ?? 0); };
  return { json, at };
}

test("a damaged GLB (one roof triangle turned over) fails with the defect named (exit 1)", () => {
  const buf = fs.readFileSync(out("glb"));
  const { json, at } = glbParts(buf);
  const roofs = json.meshes[0].primitives.find((_: unknown, k: number) => json.asset.extras.citymesh.primitives[k].class === "roofs");
  const o = at(roofs.indices);
  const b = buf.readUInt32LE(o + 4), c = buf.readUInt32LE(o + 8);
  buf.writeUInt32LE(c, o + 4); buf.writeUInt32LE(b, o + 8);
  const bad = path.join(dir, "flipped.glb");
  fs.writeFileSync(bad, buf);
  const r = runCli(["check", bad, "--max-examples", "2"]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /ERRORS: 3 edge\(s\) with inconsistent winding/);
  assert.match(r.stdout, /inconsistent winding \(edge twice one way\)\s+3\n\s+\(/, "examples with coordinates follow the count");
  const j = JSON.parse(runCli(["check", bad, "--json"]).stdout);
  assert.equal(j.ok, false);
  assert.equal(j.flippedEdges, 3);
  assert.equal(j.buildingVolume.overTolerance, 1, "the turned roof triangle also breaks its building's volume");
});

test("an unreadable file is named with the reason (exit 1); bad usage exits 2", () => {
  const junk = path.join(dir, "junk.glb");
  fs.writeFileSync(junk, "this is not a mesh");
  let r = runCli(["check", junk]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`Cannot read ${junk.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not a GLB`));
  const cut = path.join(dir, "cut.glb");
  fs.writeFileSync(cut, fs.readFileSync(out("glb")).subarray(0, 5000));
  r = runCli(["check", cut]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Cannot read .*cut\.glb: truncated/);
  const cutPly = path.join(dir, "cut.ply");
  fs.writeFileSync(cutPly, fs.readFileSync(out("ply")).subarray(0, 100000));
  r = runCli(["check", cutPly]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Cannot read .*cut\.ply: truncated/);
  r = runCli(["check", path.join(dir, "missing.stl")]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Cannot read .*missing\.stl: no such file/);
  r = runCli(["check", path.join(dir, "x.txt")]);
  assert.equal(r.code, 1);
  assert.equal(runCli(["check"]).code, 2);
  assert.equal(runCli(["check", out("glb"), out("ply")]).code, 2);
  assert.equal(runCli(["check", out("glb"), "--max-examples", "-1"]).code, 2);
  assert.equal(runCli(["check", out("glb"), "--bogus"]).code, 2);
});
