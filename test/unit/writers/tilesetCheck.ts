// Checks of citymesh's 3D Tiles output (and GLBs with feature ids), shared by the unit and e2e tests:
//  - tileset.json against the official 3D Tiles 1.1 JSON schemas (test/fixtures/schemas/3d-tiles-1.1, Ajv 2020);
//  - every GLB through the Khronos glTF validator (npm gltf-validator): 0 errors. That validator does not know
//    EXT_mesh_features / EXT_structural_metadata (it says UNSUPPORTED_EXTENSION), so their JSON is checked
//    against the same repository's Schema/ and PropertyTable/ schemas (which that extension reuses) and their
//    binary parts by hand: feature ids whole and below featureCount or null, views 8-byte aligned, string
//    offsets rising and inside their view, one table row per feature;
//  - reading a content back: positions, feature ids and property table columns, for the geolocation checks.
import fs from "node:fs";
import path from "node:path";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import proj4 from "proj4";
import { validateGlb } from "./validate";
import { BinBuilder, glbBytes } from "../../../src/core/writers/tiles3d/content";

const SCHEMAS = path.resolve(__dirname, "../../fixtures/schemas/3d-tiles-1.1");

let validators: { tileset: ValidateFunction; schema: ValidateFunction; table: ValidateFunction } | undefined;
function schemaValidators() {
  if (validators) return validators;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".schema.json") ? [path.join(d, e.name)] : []));
  // The schemas $ref each other by relative path from their own folder: give each its path as $id.
  for (const f of walk(SCHEMAS)) {
    const s = JSON.parse(fs.readFileSync(f, "utf8"));
    s.$id = "https://3d-tiles.test/" + path.relative(SCHEMAS, f).split(path.sep).join("/");
    ajv.addSchema(s);
  }
  const get = (rel: string) => ajv.getSchema("https://3d-tiles.test/" + rel)!;
  validators = { tileset: get("tileset.schema.json"), schema: get("Schema/schema.schema.json"), table: get("PropertyTable/propertyTable.schema.json") };
  return validators;
}

const errs = (v: ValidateFunction, what: string) => (v.errors ?? []).map((e) => `${what}${e.instancePath}: ${e.message}`);

export function tilesetSchemaErrors(tileset: unknown): string[] {
  const v = schemaValidators().tileset;
  return v(tileset) ? [] : errs(v, "tileset");
}

export interface Gltf {
  accessors: { bufferView?: number; byteOffset?: number; componentType: number; count: number; type: string; min?: number[]; max?: number[] }[];
  bufferViews: { byteOffset?: number; byteLength: number }[];
  meshes: { primitives: { attributes: Record<string, number>; indices?: number; extensions?: { EXT_mesh_features?: { featureIds: { featureCount: number; attribute?: number; propertyTable?: number; nullFeatureId?: number }[] } } }[] }[];
  nodes: { mesh?: number; children?: number[]; matrix?: number[]; translation?: number[]; scale?: number[] }[];
  scenes: { nodes?: number[] }[];
  extensions?: { EXT_structural_metadata?: { schema: { classes: Record<string, { properties: Record<string, { type: string; componentType?: string }> }> }; propertyTables: { class: string; count: number; properties: Record<string, { values: number; stringOffsets?: number }> }[] } };
  asset: { extras?: Record<string, unknown> };
}

export function readGlb(buf: Uint8Array): { json: Gltf; bin: Uint8Array } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const jsonLen = dv.getUint32(12, true);
  const json = JSON.parse(Buffer.from(buf.subarray(20, 20 + jsonLen)).toString("utf8")) as Gltf;
  const binAt = 20 + jsonLen;
  const bin = binAt < buf.length ? buf.subarray(binAt + 8, binAt + 8 + dv.getUint32(binAt, true)) : new Uint8Array(0);
  return { json, bin };
}

export function viewBytes(g: { json: Gltf; bin: Uint8Array }, view: number): Uint8Array {
  const v = g.json.bufferViews[view];
  return g.bin.subarray(v.byteOffset ?? 0, (v.byteOffset ?? 0) + v.byteLength);
}

/** Accessor values as numbers (float32, uint32, int16, uint16, uint8), with the view's byteStride if it has one. */
export function accessorValues(g: { json: Gltf; bin: Uint8Array }, a: number): Float64Array {
  const acc = g.json.accessors[a];
  const comps = ({ SCALAR: 1, VEC3: 3, VEC4: 4, MAT4: 16 } as Record<string, number>)[acc.type];
  const size = ({ 5126: 4, 5125: 4, 5122: 2, 5123: 2, 5121: 1 } as Record<number, number>)[acc.componentType];
  const bytes = viewBytes(g, acc.bufferView!).subarray(acc.byteOffset ?? 0);
  const stride = (g.json.bufferViews[acc.bufferView!] as { byteStride?: number }).byteStride ?? comps * size;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(acc.count * comps);
  for (let i = 0; i < acc.count; i++) for (let k = 0; k < comps; k++) {
    const at = i * stride + k * size;
    out[i * comps + k] = acc.componentType === 5126 ? dv.getFloat32(at, true) : acc.componentType === 5125 ? dv.getUint32(at, true)
      : acc.componentType === 5122 ? dv.getInt16(at, true) : acc.componentType === 5123 ? dv.getUint16(at, true) : dv.getUint8(at);
  }
  return out;
}

/**
 * A GLB with its EXT_meshopt_compression views decoded (meshoptimizer's decoder) into a plain BIN
 * chunk, every other view copied; quantized positions stay as stored. Index views may come back
 * with a triangle's corners rotated (the codec keeps winding, not order).
 */
export async function decodeMeshoptGlb(glb: Uint8Array): Promise<Uint8Array> {
  const { MeshoptDecoder } = await import("meshoptimizer/decoder");
  await MeshoptDecoder.ready;
  const g = readGlb(glb);
  const json = JSON.parse(JSON.stringify(g.json)) as Gltf & { bufferViews: Record<string, any>[]; buffers: unknown[]; extensionsUsed?: string[]; extensionsRequired?: string[] };
  const bin = new BinBuilder();
  json.bufferViews = (g.json.bufferViews as Record<string, any>[]).map((v) => {
    const ext = v.extensions?.EXT_meshopt_compression;
    let bytes: Uint8Array;
    if (ext) {
      bytes = new Uint8Array(ext.count * ext.byteStride);
      MeshoptDecoder.decodeGltfBuffer(bytes, ext.count, ext.byteStride, g.bin.subarray(ext.byteOffset, ext.byteOffset + ext.byteLength), ext.mode, ext.filter ?? "NONE");
    } else bytes = g.bin.subarray(v.byteOffset ?? 0, (v.byteOffset ?? 0) + v.byteLength);
    bin.add(bytes, v.name, v.target, v.byteStride);
    return bin.views.at(-1)! as { byteOffset?: number; byteLength: number };
  });
  json.buffers = [{ byteLength: bin.length }];
  json.extensionsUsed = json.extensionsUsed?.filter((e) => e !== "EXT_meshopt_compression");
  json.extensionsRequired = json.extensionsRequired?.filter((e) => e !== "EXT_meshopt_compression");
  if (!json.extensionsRequired?.length) delete json.extensionsRequired;
  return glbBytes(json as unknown as Record<string, unknown>, bin.parts, bin.length);
}

/** A property table column: numbers or strings, one per row. */
export function tableColumn(g: { json: Gltf; bin: Uint8Array }, table: number, id: string): (number | string | boolean)[] {
  const meta = g.json.extensions!.EXT_structural_metadata!;
  const t = meta.propertyTables[table];
  const def = meta.schema.classes[t.class].properties[id];
  const p = t.properties[id];
  const vals = new Uint8Array(viewBytes(g, p.values));
  if (def.type === "STRING") {
    const off = new Uint32Array(new Uint8Array(viewBytes(g, p.stringOffsets!)).buffer);
    return Array.from({ length: t.count }, (_, i) => Buffer.from(vals.subarray(off[i], off[i + 1])).toString("utf8"));
  }
  if (def.type === "BOOLEAN") return Array.from({ length: t.count }, (_, i) => ((vals[i >> 3] >> (i & 7)) & 1) === 1);
  const a = def.componentType === "UINT32" ? new Uint32Array(vals.buffer) : new Float64Array(vals.buffer);
  return Array.from(a.subarray(0, t.count));
}

/** Khronos validator errors, then our checks of EXT_mesh_features / EXT_structural_metadata. */
export async function glbErrors(buf: Uint8Array, name: string, { featureChecks = true } = {}): Promise<string[]> {
  const report = await validateGlb(buf);
  const out = report.issues.messages.filter((m) => m.severity === 0).map((m) => `${name}: ${m.code} ${m.pointer ?? ""} ${m.message}`);
  // A meshopt-compressed file's feature ids are not in its BIN chunk: decode it first (decodeMeshoptGlb).
  if (!featureChecks) return out;
  const g = readGlb(buf);
  const meta = g.json.extensions?.EXT_structural_metadata;
  const v = schemaValidators();
  if (meta) {
    if (!v.schema(meta.schema)) out.push(...errs(v.schema, `${name} metadata schema`));
    meta.propertyTables.forEach((t, i) => { if (!v.table(t)) out.push(...errs(v.table, `${name} propertyTables[${i}]`)); });
    for (const t of meta.propertyTables) {
      for (const [id, p] of Object.entries(t.properties)) {
        for (const view of [p.values, p.stringOffsets]) if (view !== undefined && (g.json.bufferViews[view].byteOffset ?? 0) % 8 !== 0) out.push(`${name}: ${id}: bufferView ${view} not 8-byte aligned`);
        if (p.stringOffsets !== undefined) {
          const off = new Uint32Array(new Uint8Array(viewBytes(g, p.stringOffsets)).buffer);
          if (off.length < t.count + 1) out.push(`${name}: ${id}: ${off.length} string offsets for ${t.count} rows`);
          for (let i = 0; i < t.count; i++) if (off[i + 1] < off[i]) { out.push(`${name}: ${id}: string offsets fall at ${i}`); break; }
          if (off[t.count] > g.json.bufferViews[p.values].byteLength) out.push(`${name}: ${id}: strings past their view`);
        } else if (meta.schema.classes[t.class].properties[id].type === "SCALAR") {
          const size = meta.schema.classes[t.class].properties[id].componentType === "FLOAT64" ? 8 : 4;
          if (g.json.bufferViews[p.values].byteLength !== t.count * size) out.push(`${name}: ${id}: ${g.json.bufferViews[p.values].byteLength} bytes for ${t.count} rows`);
        }
      }
    }
  }
  for (const prim of g.json.meshes?.flatMap((m) => m.primitives) ?? []) {
    for (const f of prim.extensions?.EXT_mesh_features?.featureIds ?? []) {
      const ids = accessorValues(g, prim.attributes[`_FEATURE_ID_${f.attribute}`]);
      if (!meta || f.propertyTable === undefined || meta.propertyTables[f.propertyTable].count !== f.featureCount) out.push(`${name}: featureCount ${f.featureCount} is not its table's row count`);
      for (const id of ids) if (!Number.isInteger(id) || ((id < 0 || id >= f.featureCount) && id !== f.nullFeatureId)) { out.push(`${name}: feature id ${id} outside 0..${f.featureCount - 1}`); break; }
    }
  }
  return out;
}

// ---- geolocation ----

type M4 = number[];
const mul = (a: M4, b: M4): M4 => { const r = new Array(16).fill(0); for (let c = 0; c < 4; c++) for (let row = 0; row < 4; row++) for (let k = 0; k < 4; k++) r[c * 4 + row] += a[k * 4 + row] * b[c * 4 + k]; return r; };
const I4: M4 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
/** 3D Tiles: glTF content is y-up; the runtime turns it z-up first: (x, y, z) → (x, −z, y). */
export const Y_UP_TO_Z_UP: M4 = [1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1];
const nodeMatrix = (n: Gltf["nodes"][number]): M4 => {
  if (n.matrix) return n.matrix;
  const [tx, ty, tz] = n.translation ?? [0, 0, 0], [sx, sy, sz] = n.scale ?? [1, 1, 1];
  return [sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, tx, ty, tz, 1];
};
const applyM = (m: M4, p: number[]) => [0, 1, 2].map((r) => m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r]);

export interface TileJson { transform?: number[]; content?: { uri: string }; children?: TileJson[]; geometricError: number; boundingVolume: { region?: number[] } }

/** Every tile with content, with the product of the transforms from the root down to it. */
export function contentsOf(root: TileJson): { tile: TileJson; world: M4; depth: number }[] {
  const out: { tile: TileJson; world: M4; depth: number }[] = [];
  const walk = (t: TileJson, parent: M4, depth: number) => {
    const w = t.transform ? mul(parent, t.transform) : parent;
    if (t.content) out.push({ tile: t, world: w, depth });
    for (const c of t.children ?? []) walk(c, w, depth + 1);
  };
  walk(root, I4, 0);
  return out;
}

const toLonLat = proj4("+proj=geocent +datum=WGS84 +units=m +no_defs", "WGS84");

/**
 * Lon/lat/height of every vertex of a content, per feature (building index from the property
 * table): node transforms, then y-up → z-up, then the tile's world transform, then ECEF → WGS84.
 */
export function buildingVertices(glb: Uint8Array, world: M4): Map<number, [number, number, number][]> {
  const g = readGlb(glb);
  const out = new Map<number, [number, number, number][]>();
  const meta = g.json.extensions?.EXT_structural_metadata;
  if (!meta) return out;
  const b = tableColumn(g, 0, "buildingIndex") as number[];
  const visit = (n: number, parent: M4) => {
    const node = g.json.nodes[n];
    const m = mul(parent, nodeMatrix(node));
    if (node.mesh !== undefined) {
      for (const prim of g.json.meshes[node.mesh].primitives) {
        const f = prim.extensions?.EXT_mesh_features?.featureIds[0];
        if (!f) continue;
        const pos = accessorValues(g, prim.attributes.POSITION), ids = accessorValues(g, prim.attributes[`_FEATURE_ID_${f.attribute}`]);
        const full = mul(mul(world, Y_UP_TO_Z_UP), m);
        for (let v = 0; v < ids.length; v++) {
          if (ids[v] === f.nullFeatureId) continue;
          const e = applyM(full, [pos[3 * v], pos[3 * v + 1], pos[3 * v + 2]]);
          const [lon, lat, h] = toLonLat.forward(e) as number[];
          const key = b[ids[v]];
          let list = out.get(key);
          if (!list) out.set(key, (list = []));
          list.push([lon, lat, h]);
        }
      }
    }
    for (const c of node.children ?? []) visit(c, m);
  };
  for (const n of g.json.scenes[0].nodes ?? []) visit(n, I4);
  return out;
}

/** Metres between two lon/lat points (local equirectangular: exact enough under a kilometre). */
export function metres(a: [number, number], b: [number, number]): number {
  const R = 6371008.8, k = Math.PI / 180;
  return Math.hypot((a[0] - b[0]) * k * R * Math.cos(a[1] * k), (a[1] - b[1]) * k * R);
}
