// CityJSON input through the built CLI: the 20 Delft buildings as CityJSON and as CityJSONSeq
// (test/fixtures/formats, made by test/fixtures/generate-cityjson.ts) build the very GLB bytes of a GeoJSON of
// the same footprints (to the millimetre, as the CityJSON holds them) with the same heights; the real 3D BAG
// sample builds in EPSG:28992 with its heights from the 3D BAG attributes.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { runCli } from "../support/cli";
import { delftHeight } from "../fixtures/generate-cityjson";

const F = path.resolve(__dirname, "../fixtures/formats");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-e2e-cityjson-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const build = (input: string, name: string) => {
  const out = path.join(dir, `${name}.glb`);
  const r = runCli(["build", input, "-o", out, "--workers", "1", "--scratch-dir", path.join(dir, `s-${name}`), "--json", "--quiet"]);
  assert.equal(r.code, 0, r.stderr);
  return { out, result: JSON.parse(r.stdout), glb: fs.readFileSync(out), ids: fs.readFileSync(out.replace(/\.glb$/, ".buildings.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)) };
};

/** A GLB's JSON and its BIN chunk up to the end of the face markers (the mesh without the property table). */
const glbParts = (glb: Buffer) => {
  const jl = glb.readUInt32LE(12);
  const json = JSON.parse(glb.subarray(20, 20 + jl).toString("utf8"));
  return { json, bin: glb.subarray(28 + jl) };
};
const meshBytes = (glb: Buffer): Buffer => {
  const { json, bin } = glbParts(glb);
  const fm = json.bufferViews[json.asset.extras.citymesh.faceMarkers.bufferView];
  return bin.subarray(0, fm.byteOffset + fm.byteLength);
};
const meshJson = (glb: Buffer) => {
  const { json } = glbParts(glb);
  return { accessors: json.accessors, meshes: json.meshes, nodes: json.nodes, extras: json.asset.extras };
};

test("CityJSON and CityJSONSeq build the same GLB mesh bytes as the GeoJSON of their footprints and heights", () => {
  // The GeoJSON twin: delft20.geojson with the CityJSON's ids, millimetre coordinates and heights.
  const fc = JSON.parse(fs.readFileSync(path.join(F, "delft20.geojson"), "utf8"));
  fc.features.forEach((f: { id?: string; properties: Record<string, unknown>; geometry: { coordinates: number[][][] } }, i: number) => {
    f.id = String(f.properties.gml_id);
    f.properties.height = delftHeight(i);
    f.geometry.coordinates = f.geometry.coordinates.map((r) => r.map((p) => p.map((c) => Math.round(c * 1000) / 1000)));
  });
  const twin = path.join(dir, "twin.geojson");
  fs.writeFileSync(twin, JSON.stringify(fc));
  const ref = build(twin, "twin");
  const json = build(path.join(F, "delft20.city.json"), "json");
  const seq = build(path.join(F, "delft20.city.jsonl"), "seq");
  for (const b of [json, seq]) {
    assert.equal(b.result.buildings, 20);
    assert.equal(b.result.crs.name, "EPSG:28992");
    assert.deepEqual(b.ids.map((x) => x.id), ref.ids.map((x) => x.id));
    // The same mesh bytes; the property tables differ as their sources' attributes do.
    assert.ok(meshBytes(b.glb).equals(meshBytes(ref.glb)), `${path.basename(b.out)}: the same mesh bytes as the GeoJSON's`);
    assert.deepEqual(meshJson(b.glb), meshJson(ref.glb));
  }
  assert.deepEqual([...new Set(json.result.diagnostics.map((d: { code: string }) => d.code))], ["compound-crs"]);
});

test("the real 3D BAG sample builds in EPSG:28992 with the 3D BAG heights; --height-attributes picks another attribute", () => {
  const src = JSON.parse(fs.readFileSync(path.join(F, "3dbag_b2.city.json"), "utf8"));
  const b = build(path.join(F, "3dbag_b2.city.json"), "bag");
  assert.equal(b.result.buildings, 2);
  assert.equal(b.result.crs.name, "EPSG:28992");
  for (const x of b.ids) {
    const at = src.CityObjects[x.id].attributes;
    assert.equal(x.properties.height, Math.round((at.b3_h_dak_70p - at.b3_h_maaiveld) * 1000) / 1000);
    assert.equal(x.properties["citymesh:heightSource"], "b3_h_dak_70p − b3_h_maaiveld");
  }
  assert.deepEqual(b.result.heightSources, { height: 2 });
  const out = path.join(dir, "bag-max.glb");
  const r = runCli(["build", path.join(F, "3dbag_b2.city.jsonl"), "-o", out, "--height-attributes", "b3_h_dak_max", "--workers", "1", "--scratch-dir", path.join(dir, "s-max"), "--json", "--quiet"]);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.buildings, 2);
  assert.deepEqual(res.heightSources, { b3_h_dak_max: 2 });
});
