// The single GLB's feature ids (EXT_mesh_features) and property table (EXT_structural_metadata),
// and its optional EXT_meshopt_compression. Checked with the Khronos validator plus the official
// 3D Tiles 1.1 schemas of those extensions (tilesetCheck.glbErrors), and by reading values back.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mergeTiles } from "../../../src/core/merge/mergeTiles";
import { memoryTileSource } from "../../../src/core/merge/tileSource";
import { resolveOptions } from "../../../src/core/options";
import { CityMeshError } from "../../../src/core/errors";
import type { CrsInfo, TileMesh } from "../../../src/core/types";
import type { GlbCompression } from "../../../src/core/writers/glb";
import { syntheticCity } from "../../support/tiledCity";
import { errorsOf, validateGlb } from "./validate";
import { accessorValues, glbErrors, readGlb, tableColumn, viewBytes } from "./tilesetCheck";

const crs: CrsInfo = { name: "EPSG:32618", proj4: "+proj=utm +zone=18 +datum=WGS84 +units=m +no_defs", origin: [581000, 4501000], sourceCrs: "EPSG:4326" };
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-glbfeat-"));

async function write(tiles: TileMesh[], buildings: number, extra: { buildingsFile?: string; glbCompression?: GlbCompression; mergeBatchSize?: number; featureProperties?: string[] } = {}) {
  const out = path.join(tmpDir(), "city.glb");
  const stats = await mergeTiles(memoryTileSource(tiles), { output: out, format: "glb", crs, buildings, ...extra });
  return { bytes: new Uint8Array(fs.readFileSync(out)), stats, out };
}

const tile = (xyz: number[], faces: number[], markers: number[], seam?: number[]): TileMesh => ({
  vertices: new Float64Array(xyz), faces: new Int32Array(faces), markers: new Int32Array(markers), seam: seam ? Uint8Array.from(seam) : new Uint8Array(xyz.length / 3),
});

/** Feature of a face: its building, or null (ground). */
const featureOf = (m: number, n: number): number | null => (m < 0 ? null : m < n ? m : m - n);

/**
 * The invariant of the un-welded GLB: one vertex per (position, feature) for seam vertices (welded
 * across tiles), one per (tile vertex, feature) for the others.
 */
function expectedVertices(tiles: TileMesh[], n: number): number {
  const keys = new Set<string>();
  tiles.forEach((t, ti) => {
    for (let f = 0; f < t.markers.length; f++) {
      for (let c = 0; c < 3; c++) {
        const v = t.faces[3 * f + c];
        const at = t.seam[v] ? `p${t.vertices[3 * v]},${t.vertices[3 * v + 1]},${t.vertices[3 * v + 2]}` : `t${ti}v${v}`;
        keys.add(`${at}/${featureOf(t.markers[f], n)}`);
      }
    }
  });
  return keys.size;
}

/** Every face of the GLB with its corners' positions and feature ids. */
function facesOf(bytes: Uint8Array) {
  const g = readGlb(bytes);
  const prims = g.json.meshes[0].primitives;
  const pos = accessorValues(g, prims[0].attributes.POSITION);
  const ids = accessorValues(g, prims[0].attributes._FEATURE_ID_0);
  const out: { ids: number[]; xyz: number[][] }[] = [];
  for (const p of prims) {
    const idx = accessorValues(g, p.indices!);
    for (let i = 0; i < idx.length; i += 3) {
      const c = [idx[i], idx[i + 1], idx[i + 2]];
      out.push({ ids: c.map((v) => ids[v]), xyz: c.map((v) => [pos[3 * v], -pos[3 * v + 2], pos[3 * v + 1]]) });
    }
  }
  return { g, out, vertices: ids.length };
}

test("a vertex shared by two buildings and the ground becomes one vertex per feature; each face's corners carry its building (ground: nullFeatureId)", async () => {
  // Ground (0,1,2), a wall of building 0 (1,2,3), one of building 1 (2,3,4), a roof of building 0 (3,4,5): welded 6 vertices.
  const N = 2;
  const t = tile([0, 0, 0, 10, 0, 0, 10, 10, 0, 0, 10, 5, 5, 5, 5, 3, 3, 8], [0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5], [-1, 0, 1, N + 0]);
  const { bytes, stats } = await write([t], N);
  assert.deepEqual(await glbErrors(bytes, "city.glb"), []);
  const { g, out, vertices } = facesOf(bytes);
  assert.equal(vertices, expectedVertices([t], N));
  assert.equal(vertices, 11, "ground 3, building 0 five, building 1 three");
  assert.equal(stats.vertices, 11);
  const fids = g.json.meshes[0].primitives[0].extensions!.EXT_mesh_features!.featureIds[0];
  assert.deepEqual(fids, { featureCount: N, attribute: 0, propertyTable: 0, nullFeatureId: N });
  // Faces in primitive order: ground, walls (0 then 1), roofs.
  const want = [[N, N, N], [0, 0, 0], [1, 1, 1], [0, 0, 0]];
  assert.deepEqual(out.map((f) => f.ids), want);
  const src = [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]].map((f) => f.map((v) => [t.vertices[3 * v], t.vertices[3 * v + 1], t.vertices[3 * v + 2]]));
  assert.deepEqual(out.map((f) => f.xyz), src, "positions unchanged by the un-weld");
});

test("across tiles a seam vertex welds with the same feature only: the ground welds, a building at the same point does not", async () => {
  const N = 2;
  // Tile 0: ground (0,1,2), seam vertex 1 at (10,0,0). Tile 1: ground (0,1,2) and building 1's wall (0,2,3), seam vertex 0 at (10,0,0).
  const t0 = tile([0, 0, 0, 10, 0, 0, 0, 10, 0], [0, 1, 2], [-2], [0, 1, 0]);
  const t1 = tile([10, 0, 0, 20, 0, 0, 20, 10, 0, 10, 0, 9], [0, 1, 2, 0, 2, 3], [-2, 1], [1, 0, 0, 0]);
  const { bytes, stats } = await write([t0, t1], N);
  assert.deepEqual(await glbErrors(bytes, "city.glb"), []);
  const { vertices } = facesOf(bytes);
  assert.equal(vertices, expectedVertices([t0, t1], N));
  assert.equal(vertices, 3 + 2 + 3, "tile 0: 3; tile 1: 2 new ground (the seam vertex welded), building 1: 3");
  assert.equal(stats.welded, 1);
});

test("the property table: one row per building (row = building index = marker), source id, height and the GeoJSON properties", async () => {
  const city = syntheticCity(3, 2, 3);
  const dir = tmpDir(), side = path.join(dir, "city.buildings.jsonl");
  fs.writeFileSync(side, Array.from({ length: city.buildings }, (_, b) => JSON.stringify({ b, f: b, id: `way/${b}`, properties: { name: `B${b}`, levels: b + 1, ...(b % 2 ? { roof: "flat" } : {}) } })).join("\n") + "\n");
  const { bytes } = await write(city.tiles, city.buildings, { buildingsFile: side });
  assert.deepEqual(await glbErrors(bytes, "city.glb"), []);
  const g = readGlb(bytes);
  assert.deepEqual((g.json as { extensionsUsed?: string[] }).extensionsUsed, ["EXT_mesh_features", "EXT_structural_metadata"]);
  assert.equal(g.json.extensions!.EXT_structural_metadata!.propertyTables[0].count, city.buildings);
  assert.deepEqual(tableColumn(g, 0, "buildingIndex"), Array.from({ length: city.buildings }, (_, b) => b));
  assert.deepEqual(tableColumn(g, 0, "featureId"), Array.from({ length: city.buildings }, (_, b) => `way/${b}`));
  assert.deepEqual(tableColumn(g, 0, "height"), Array.from({ length: city.buildings }, (_, b) => 10 + b), "the synthetic boxes are 10 + b m tall");
  assert.deepEqual(tableColumn(g, 0, "name"), Array.from({ length: city.buildings }, (_, b) => `B${b}`));
  assert.deepEqual(tableColumn(g, 0, "levels"), Array.from({ length: city.buildings }, (_, b) => b + 1));
  assert.deepEqual(tableColumn(g, 0, "roof"), Array.from({ length: city.buildings }, (_, b) => (b % 2 ? "flat" : "")));
  // featureProperties narrows the GeoJSON columns.
  const narrow = readGlb((await write(city.tiles, city.buildings, { buildingsFile: side, featureProperties: ["levels"] })).bytes);
  assert.deepEqual(Object.keys(narrow.json.extensions!.EXT_structural_metadata!.propertyTables[0].properties), ["buildingIndex", "featureId", "height", "levels"]);
  // Each vertex's feature id names the building its faces' markers name.
  const { out } = facesOf(bytes);
  const markers = new Int32Array(new Uint8Array(viewBytes(g, (g.json.asset.extras as any).citymesh.faceMarkers.bufferView)).buffer);
  out.forEach((f, i) => assert.deepEqual(f.ids, [0, 1, 2].map(() => featureOf(markers[i], city.buildings) ?? city.buildings), `face ${i}`));
});

test("a table larger than one row batch (4096) streams into the same bytes as one batch would hold", async () => {
  // 4100 buildings: one wall each, all in one tile; the table crosses a batch boundary.
  const N = 4100, xyz: number[] = [], faces: number[] = [], markers: number[] = [];
  for (let b = 0; b < N; b++) { xyz.push(b, 0, 0, b + 0.5, 0, 0, b, 0, 3 + (b % 5)); faces.push(3 * b, 3 * b + 1, 3 * b + 2); markers.push(b); }
  const dir = tmpDir(), side = path.join(dir, "b.jsonl");
  fs.writeFileSync(side, Array.from({ length: N }, (_, b) => JSON.stringify({ b, f: b, id: b, properties: { t: "x".repeat(b % 3), ok: true } })).join("\n") + "\n");
  const { bytes } = await write([tile(xyz, faces, markers)], N, { buildingsFile: side });
  assert.deepEqual(await glbErrors(bytes, "city.glb"), []);
  const g = readGlb(bytes);
  assert.deepEqual(tableColumn(g, 0, "t"), Array.from({ length: N }, (_, b) => "x".repeat(b % 3)));
  assert.deepEqual(tableColumn(g, 0, "featureId"), Array.from({ length: N }, (_, b) => String(b)));
  assert.deepEqual(tableColumn(g, 0, "height"), Array.from({ length: N }, (_, b) => 3 + (b % 5)));
  assert.ok((tableColumn(g, 0, "ok") as boolean[]).every((v) => v === true));
});

test("meshopt compression: validator 0 errors, smaller, and decodes to the uncompressed file's views (indices up to triangle rotation)", async () => {
  const city = syntheticCity(3, 3, 12);
  const plain = (await write(city.tiles, city.buildings)).bytes;
  const packed = (await write(city.tiles, city.buildings, { glbCompression: "meshopt" })).bytes;
  // The Khronos validator on the compressed file; the extensions' checks (glbErrors) on the plain
  // one, which the compressed file decodes to (below).
  const report = await validateGlb(packed);
  assert.deepEqual(errorsOf(report), []);
  assert.deepEqual(await glbErrors(plain, "plain.glb"), []);
  assert.ok(packed.length < plain.length * 0.7, `${packed.length} vs ${plain.length}`);
  const p = readGlb(plain), q = readGlb(packed);
  assert.deepEqual((q.json as { extensionsRequired?: string[] }).extensionsRequired, ["EXT_meshopt_compression"]);
  const { MeshoptDecoder } = await import("meshoptimizer/decoder");
  await MeshoptDecoder.ready;
  (q.json.bufferViews as any[]).forEach((v, i) => {
    const want = viewBytes(p, i);
    const ext = v.extensions?.EXT_meshopt_compression;
    if (!ext) { assert.deepEqual(viewBytes(q, i), want, v.name); return; }
    const got = new Uint8Array(ext.count * ext.byteStride);
    MeshoptDecoder.decodeGltfBuffer(got, ext.count, ext.byteStride, q.bin.subarray(ext.byteOffset, ext.byteOffset + ext.byteLength), ext.mode, ext.filter ?? "NONE");
    if (ext.mode !== "TRIANGLES") { assert.deepEqual(got, want, v.name); return; }
    // The index codec may rotate a triangle's corners (winding kept).
    const canon = (b: Uint8Array) => { const a = new Uint32Array(new Uint8Array(b).buffer), out: string[] = []; for (let k = 0; k < a.length; k += 3) { const t = [a[k], a[k + 1], a[k + 2]]; const r = t.indexOf(Math.min(...t)); out.push([t[r], t[(r + 1) % 3], t[(r + 2) % 3]].join()); } return out; };
    assert.deepEqual(canon(got), canon(want), v.name);
  });
});

test("the GLB is byte-identical whatever the merge batch size, with and without compression", async () => {
  const city = syntheticCity(3, 2, 5);
  for (const glbCompression of ["none", "meshopt"] as const) {
    const a = (await write(city.tiles, city.buildings, { glbCompression, mergeBatchSize: 1 })).bytes;
    const b = (await write(city.tiles, city.buildings, { glbCompression, mergeBatchSize: 4 })).bytes;
    assert.ok(Buffer.from(a).equals(Buffer.from(b)), glbCompression);
  }
});

test("glbCompression: none, meshopt, quantize and meshopt+quantize, naming the option and its flag", () => {
  assert.equal(resolveOptions({ input: "/d/a.geojson" }).glbCompression, "none");
  for (const c of ["meshopt", "quantize", "meshopt+quantize"]) assert.equal(resolveOptions({ input: "/d/a.geojson", glbCompression: c }).glbCompression, c);
  assert.throws(() => resolveOptions({ input: "/d/a.geojson", glbCompression: "draco" }), (e: unknown) =>
    e instanceof CityMeshError && e.code === "options" && /glbCompression must be one of none, meshopt, quantize, meshopt\+quantize \(got "draco"\) \(--glb-compression\)/.test(e.message));
});

test("quantize: KHR_mesh_quantization positions (validator 0 errors), the city node scaling them back, the steps in the sidecar", async () => {
  const city = syntheticCity(3, 3, 12);
  const plain = (await write(city.tiles, city.buildings)).bytes;
  const w = await write(city.tiles, city.buildings, { glbCompression: "quantize" });
  assert.deepEqual(errorsOf(await validateGlb(w.bytes)), []);
  const p = readGlb(plain), q = readGlb(w.bytes);
  const json = q.json as { extensionsRequired?: string[]; nodes: { mesh?: number; scale?: number[]; translation?: number[] }[] };
  assert.deepEqual(json.extensionsRequired, ["KHR_mesh_quantization"]);
  const node = json.nodes.find((n) => n.mesh !== undefined)!;
  const a = accessorValues(p, 0), b = accessorValues(q, 0);
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const k = i % 3, back = b[i] * node.scale![k] + node.translation![k];
    assert.ok(Math.abs(back - a[i]) <= node.scale![k] / 2 + 1e-6, `position ${i}: ${back} for ${a[i]}`);
  }
  assert.ok(w.bytes.length < plain.length, `${w.bytes.length} vs ${plain.length}`);
  const side = JSON.parse(fs.readFileSync(w.out + ".crs.json", "utf8")) as { quantization?: { stepMetres: number[]; quantizationOrigin: number[] } };
  assert.deepEqual(side.quantization?.stepMetres, node.scale);
  assert.deepEqual(side.quantization?.quantizationOrigin, node.translation);
});
