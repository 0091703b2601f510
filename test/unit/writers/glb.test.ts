import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mergeTiles } from "../../../src/core/merge/mergeTiles";
import { memoryTileSource } from "../../../src/core/merge/tileSource";
import type { CrsInfo, TileMesh } from "../../../src/core/types";
import { syntheticCity } from "../../support/tiledCity";
import { errorsOf, validateGlb } from "./validate";

const crs: CrsInfo = { name: "EPSG:28992", proj4: "+proj=sterea +lat_0=52.15616055555555 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +units=m +no_defs", origin: [121000.5, 487000.25], sourceCrs: "EPSG:28992" };
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-glb-"));

interface Glb {
  json: any;
  bin: Buffer;
}

function parseGlb(buf: Buffer): Glb {
  assert.equal(buf.readUInt32LE(0), 0x46546c67);
  assert.equal(buf.readUInt32LE(4), 2);
  assert.equal(buf.readUInt32LE(8), buf.length);
  const jl = buf.readUInt32LE(12);
  assert.equal(jl % 4, 0);
  const json = JSON.parse(buf.subarray(20, 20 + jl).toString("utf8"));
  const bl = buf.readUInt32LE(20 + jl);
  assert.equal(buf.readUInt32LE(24 + jl), 0x004e4942);
  return { json, bin: buf.subarray(28 + jl, 28 + jl + bl) };
}

async function writeCity(tiles: TileMesh[], buildings: number, name = "city.glb") {
  const out = path.join(tmpDir(), name);
  const stats = await mergeTiles(memoryTileSource(tiles), { output: out, format: "glb", crs, buildings });
  return { out, stats, bytes: fs.readFileSync(out) };
}

test("GLB passes the Khronos glTF validator with 0 errors", async () => {
  const city = syntheticCity(2, 2, 3);
  const { bytes } = await writeCity(city.tiles, city.buildings);
  const report = await validateGlb(bytes);
  assert.deepEqual(errorsOf(report), []);
  assert.equal(report.issues.numErrors, 0);
});

test("GLB layout: one mesh, three primitives sharing one POSITION accessor, markers in extras", async () => {
  const city = syntheticCity(2, 1, 2);
  const { bytes, stats } = await writeCity(city.tiles, city.buildings);
  const { json, bin } = parseGlb(bytes);
  assert.equal(json.meshes.length, 1);
  // A root node holding the origin (y-up), the mesh on its untransformed child.
  assert.deepEqual(json.nodes, [{ name: "origin", translation: [crs.origin[0], 0, -crs.origin[1]], children: [1] }, { name: "city", mesh: 0 }]);
  assert.deepEqual(json.scenes[0].nodes, [0]);
  const prims = json.meshes[0].primitives;
  assert.equal(prims.length, 3);
  assert.ok(prims.every((p: any) => p.attributes.POSITION === 0 && p.mode === 4));
  assert.deepEqual(prims.map((p: any) => json.accessors[p.indices].count / 3), city.classes);
  assert.deepEqual(json.materials.map((m: any) => m.name), ["ground", "walls", "roofs"]);
  assert.ok(json.materials.every((m: any) => m.doubleSided === false && m.pbrMetallicRoughness));
  const pos = json.accessors[0];
  assert.equal(pos.componentType, 5126);
  assert.equal(pos.count, city.vertices);

  const x = json.asset.extras.citymesh;
  assert.deepEqual(x.crs, crs);
  assert.deepEqual(x.origin, crs.origin);
  assert.equal(x.upAxis, "Y");
  assert.equal(x.buildings, 2);
  assert.deepEqual(x.primitiveFaceOffsets, [0, city.classes[0], city.classes[0] + city.classes[1]]);
  assert.equal(x.faceMarkers.count, stats.triangles);
  assert.equal(x.faceMarkers.componentType, 5124);
  const view = json.bufferViews[x.faceMarkers.bufferView];
  const markers = new Int32Array(bin.buffer.slice(bin.byteOffset + view.byteOffset, bin.byteOffset + view.byteOffset + view.byteLength));
  // ground markers are negative, then walls 0..N-1, then roofs N..2N-1
  const g = city.classes[0], w = city.classes[1];
  assert.ok(markers.subarray(0, g).every((m) => m === -1 || m === -2));
  assert.deepEqual([...markers.subarray(g, g + w)], [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...markers.subarray(g + w)], [2, 2, 3, 3]);
  for (const bv of json.bufferViews) assert.equal(bv.byteOffset % 4, 0);
});

test("positions are Y-up: glTF (x, y, z) = (x, z, -y), float32 local", async () => {
  const tile: TileMesh = {
    vertices: new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9.1]),
    faces: new Int32Array([0, 1, 2]),
    markers: new Int32Array([0]),
    seam: new Uint8Array(3),
  };
  const { bytes } = await writeCity([tile], 1);
  const { json, bin } = parseGlb(bytes);
  const p = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + 36));
  assert.deepEqual([...p], [1, 3, -2, 4, 6, -5, 7, Math.fround(9.1), -8]);
  assert.deepEqual(json.accessors[0].min, [1, 3, -8]);
  assert.deepEqual(json.accessors[0].max, [7, Math.fround(9.1), -2]);
  assert.equal(json.meshes[0].primitives.length, 1, "empty ground and roof primitives are skipped");
  assert.equal(json.materials[0].name, "walls");
  assert.equal((await validateGlb(bytes)).issues.numErrors, 0);
});

test("a mesh without triangles is still a valid GLB", async () => {
  const empty: TileMesh = { vertices: new Float64Array(0), faces: new Int32Array(0), markers: new Int32Array(0), seam: new Uint8Array(0) };
  const { bytes } = await writeCity([empty], 0);
  const r = await validateGlb(bytes);
  assert.deepEqual(errorsOf(r), []);
});

test("three.js GLTFLoader reads the three primitives with the right counts", async () => {
  const city = syntheticCity(2, 2, 3);
  const { bytes } = await writeCity(city.tiles, city.buildings);
  const { GLTFLoader } = await import("three/examples/jsm/loaders/GLTFLoader.js");
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const gltf = await new Promise<any>((resolve, reject) => new GLTFLoader().parse(ab, "", resolve, reject));
  const meshes: any[] = [];
  gltf.scene.traverse((o: any) => o.isMesh && meshes.push(o));
  assert.equal(meshes.length, 3);
  assert.deepEqual(meshes.map((m) => m.geometry.index.count / 3), city.classes);
  assert.deepEqual(meshes.map((m) => m.material.name), ["ground", "walls", "roofs"]);
  // One shared position accessor: all three geometries hold the full vertex set.
  assert.ok(meshes.every((m) => m.geometry.attributes.position.count === city.vertices));
  assert.equal(gltf.asset.extras.citymesh.crs.name, "EPSG:28992");
});

test("the GLB's CRS sidecar (<out>.crs.json) names the CRS and the origin the root node adds back", async () => {
  const city = syntheticCity(2, 1, 2);
  const { out, bytes } = await writeCity(city.tiles, city.buildings, "sidecar.glb");
  const side = JSON.parse(fs.readFileSync(out + ".crs.json", "utf8"));
  assert.equal(side.crs, "EPSG:28992");
  assert.equal(side.epsg, 28992);
  assert.equal(side.proj4, crs.proj4);
  assert.deepEqual(side.origin, crs.origin);
  const { json } = parseGlb(bytes);
  assert.deepEqual(json.nodes[0].translation, [side.origin[0], 0, -side.origin[1]]);
});
