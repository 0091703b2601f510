// One 3D Tiles content: a GLB built in memory from pieces of tile meshes (one tile at a time).
// Layout as the city GLB (one mesh, primitives ground / walls / roofs sharing one POSITION
// accessor, same materials, glTF (x, y, z) = (east, up, −north) as 3D Tiles wants y-up content),
// plus a per-vertex feature id: `_FEATURE_ID_0` = the building's row in this content's property
// table (EXT_mesh_features), the ground's vertices `nullFeatureId`. A vertex shared by two
// buildings, or by a building and the ground, cannot hold both ids, so it is duplicated per
// feature (un-welded); the feature id is float32 (exact to 2^24 rows; glTF wants vertex
// attributes 4-byte aligned, so a smaller type would save nothing without a stride).
import { FACE_CLASSES, faceClass } from "../spool";
import { MATERIALS, boxQuantization, quantize, type MeshoptEncoderApi } from "../glb";
import { encodeTable } from "./propertyTable";
import { buildingOf } from "../buildingStats";
import type { FeatureColumn, FeatureRow } from "./features";

/**
 * How a content's mesh views are stored (option glbCompression):
 * - quantize: positions as 16-bit integers in the content's box (KHR_mesh_quantization), the
 *   content's node scaling them back: steps of the box's size / 65,535 per axis (a 1 km leaf:
 *   1.5 cm; a parent, coarse by design, proportionally more), 8 bytes a vertex instead of 12.
 *   Per content: a whole city's GLB has one box (New York, 20 km across: 0.31 m steps).
 * - meshopt: EXT_meshopt_compression of the positions, feature ids and indices (lossless).
 */
export interface ContentCompression {
  quantize?: boolean;
  meshopt?: MeshoptEncoderApi;
}

/** Part of a tile mesh: float64 positions relative to the mesh origin (z up), faces, dtcc markers. */
export interface MeshPiece {
  vertices: Float64Array;
  faces: Int32Array;
  markers: Int32Array;
}

export interface ContentResult {
  glb: Uint8Array;
  vertices: number;
  triangles: number;
  /** Buildings in the property table. */
  features: number;
}

const FLOAT = 5126, SHORT = 5122, UNSIGNED_INT = 5125, ARRAY_BUFFER = 34962, ELEMENT_ARRAY_BUFFER = 34963;

export { buildingOf } from "../buildingStats";

/**
 * The GLB of `pieces`, each position placed by `toFrame` (local mesh x, y, z → the content's frame,
 * z up; glTF's y-up is applied here). `rows(bs)` gives the property table rows of the sorted
 * building indices `bs` present.
 */
export function buildContent(pieces: readonly MeshPiece[], n: number, toFrame: (x: number, y: number, z: number, out: Float64Array) => void, columns: readonly FeatureColumn[], rows: (bs: number[]) => FeatureRow[], schema: Record<string, unknown>, compression: ContentCompression = {}): ContentResult | undefined {
  // Features of this content, sorted by building index (deterministic rows).
  const seen = new Set<number>();
  let faceCount = 0;
  for (const p of pieces) {
    faceCount += p.markers.length;
    for (let f = 0; f < p.markers.length; f++) {
      const b = buildingOf(p.markers[f], n);
      if (b >= 0) seen.add(b);
    }
  }
  if (faceCount === 0) return undefined;
  const bs = [...seen].sort((a, b) => a - b);
  const row = new Map<number, number>();
  bs.forEach((b, i) => row.set(b, i));
  const nullId = bs.length;

  // Un-weld: output vertex = (piece, vertex, feature). head[v] starts a chain of the outputs made
  // for source vertex v; nearly every chain has one link, a footprint corner two or three. Typed
  // arrays sized for the worst case (every corner its own vertex): no garbage per vertex.
  const cap = faceCount * 3;
  const srcPiece = new Int32Array(cap), srcVertex = new Int32Array(cap), fid = new Int32Array(cap), next = new Int32Array(cap);
  let nv = 0;
  const perClass = [0, 0, 0];
  for (const p of pieces) for (let f = 0; f < p.markers.length; f++) perClass[faceClass(p.markers[f], n)]++;
  const index = perClass.map((k) => new Uint32Array(k * 3));
  const filled = [0, 0, 0];
  pieces.forEach((p, pi) => {
    const head = new Int32Array(p.vertices.length / 3).fill(-1);
    for (let f = 0; f < p.markers.length; f++) {
      const m = p.markers[f], b = buildingOf(m, n);
      const id = b < 0 ? nullId : row.get(b)!;
      const cls = faceClass(m, n), out = index[cls];
      for (let k = 0; k < 3; k++) {
        const v = p.faces[3 * f + k];
        let e = head[v];
        while (e >= 0 && fid[e] !== id) e = next[e];
        if (e < 0) {
          e = nv++;
          srcPiece[e] = pi; srcVertex[e] = v; fid[e] = id; next[e] = head[v];
          head[v] = e;
        }
        out[filled[cls]++] = e;
      }
    }
  });
  // Positions in the content's frame, glTF y-up: (x, y, z) → (x, z, −y).
  const frame = new Float64Array(nv * 3);
  const ids = new Float32Array(nv);
  const q = new Float64Array(3);
  for (let e = 0; e < nv; e++) {
    const src = pieces[srcPiece[e]].vertices, v = srcVertex[e];
    toFrame(src[3 * v], src[3 * v + 1], src[3 * v + 2], q);
    frame[3 * e] = q[0]; frame[3 * e + 1] = q[2]; frame[3 * e + 2] = -q[1];
    ids[e] = fid[e];
  }
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < frame.length; i++) {
    const k = i % 3;
    if (frame[i] < lo[k]) lo[k] = frame[i];
    if (frame[i] > hi[k]) hi[k] = frame[i];
  }

  const bin = new BinBuilder(compression.meshopt);
  const accessors: Record<string, unknown>[] = [];
  const featureIds = bs.length > 0 ? [{ featureCount: bs.length, attribute: 0, propertyTable: 0, nullFeatureId: nullId }] : undefined;
  let node: Record<string, unknown> = { name: "tile", mesh: 0 };
  if (compression.quantize) {
    // KHR_mesh_quantization in the content's box (glb.ts), the node mapping back. Padded to 4
    // shorts: vertex attributes are 4-byte aligned.
    const quant = boxQuantization(lo, hi);
    const shorts = new Int16Array(nv * 4);
    for (let e = 0; e < nv; e++) for (let k = 0; k < 3; k++) shorts[4 * e + k] = quantize(frame[3 * e + k], quant, k);
    const qmin = lo.map((v, k) => quantize(v, quant, k)), qmax = hi.map((v, k) => quantize(v, quant, k));
    accessors.push({ name: "positions", bufferView: bin.addAttribute(shorts, "positions", 8), componentType: SHORT, type: "VEC3", count: nv, min: qmin, max: qmax });
    node = { name: "tile", mesh: 0, translation: quant.origin, scale: quant.step };
  } else {
    const pos = Float32Array.from(frame);
    const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < pos.length; i++) {
      const k = i % 3;
      if (pos[i] < min[k]) min[k] = pos[i];
      if (pos[i] > max[k]) max[k] = pos[i];
    }
    accessors.push({ name: "positions", bufferView: bin.addAttribute(pos, "positions", 12), componentType: FLOAT, type: "VEC3", count: nv, min, max });
  }
  // A content of ground only has no feature: no feature ids, no table.
  if (featureIds) accessors.push({ name: "feature ids", bufferView: bin.addAttribute(ids, "feature ids", 4), componentType: FLOAT, type: "SCALAR", count: nv });
  const materials: Record<string, unknown>[] = [];
  const primitives: Record<string, unknown>[] = [];
  for (let c = 0; c < 3; c++) {
    if (perClass[c] === 0) continue;
    accessors.push({ name: FACE_CLASSES[c], bufferView: bin.addIndices(index[c], FACE_CLASSES[c]), componentType: UNSIGNED_INT, type: "SCALAR", count: perClass[c] * 3 });
    const { name, baseColorFactor, roughnessFactor } = MATERIALS[c];
    materials.push({ name, pbrMetallicRoughness: { baseColorFactor, metallicFactor: 0, roughnessFactor }, doubleSided: false });
    primitives.push({
      attributes: featureIds ? { POSITION: 0, _FEATURE_ID_0: 1 } : { POSITION: 0 },
      indices: accessors.length - 1, material: materials.length - 1, mode: 4,
      ...(featureIds ? { extensions: { EXT_mesh_features: { featureIds } } } : {}),
    });
  }
  const json: Record<string, unknown> = {
    asset: { version: "2.0", generator: "citymesh" },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [node],
    meshes: [{ name: "tile", primitives }],
    materials,
    accessors,
  };
  const used: string[] = [], required: string[] = [];
  if (featureIds) {
    const table = encodeTable(columns, rows(bs));
    const first = bin.views.length;
    for (const v of table.views) bin.add(v.bytes, v.name);
    used.push("EXT_mesh_features", "EXT_structural_metadata");
    json.extensions = { EXT_structural_metadata: { schema, propertyTables: [{ name: "buildings", class: "building", count: bs.length, properties: table.properties(first) }] } };
  }
  // Both are required: no unquantized or uncompressed copy is stored.
  if (compression.quantize) { used.push("KHR_mesh_quantization"); required.push("KHR_mesh_quantization"); }
  if (compression.meshopt) { used.push("EXT_meshopt_compression"); required.push("EXT_meshopt_compression"); }
  if (used.length) json.extensionsUsed = used;
  if (required.length) json.extensionsRequired = required;
  json.bufferViews = bin.views;
  json.buffers = compression.meshopt
    ? [{ byteLength: bin.length }, { byteLength: bin.fallbackLength, extensions: { EXT_meshopt_compression: { fallback: true } } }]
    : [{ byteLength: bin.length }];
  return { glb: glbBytes(json, bin.parts, bin.length), vertices: nv, triangles: faceCount, features: bs.length };
}

/**
 * The BIN chunk under construction: views 8-byte aligned (EXT_structural_metadata asks it). With
 * a meshopt encoder, vertex attributes and indices are stored EXT_meshopt_compression-encoded and
 * their views point into a fallback buffer without data.
 */
export class BinBuilder {
  readonly parts: Uint8Array[] = [];
  readonly views: Record<string, unknown>[] = [];
  length = 0;
  /** Bytes of the (data-less) fallback buffer the encoded views decode into. */
  fallbackLength = 0;

  constructor(private readonly meshopt?: MeshoptEncoderApi) {}

  /** A vertex attribute of `stride` bytes a vertex. */
  addAttribute(data: ArrayBufferView, name: string, stride: number): number {
    if (!this.meshopt) return this.add(data, name, ARRAY_BUFFER, stride === 8 ? 8 : undefined);
    return this.encoded(data, name, ARRAY_BUFFER, stride, "ATTRIBUTES");
  }

  /** Triangle indices (uint32). */
  addIndices(data: Uint32Array, name: string): number {
    if (!this.meshopt) return this.add(data, name, ELEMENT_ARRAY_BUFFER);
    return this.encoded(data, name, ELEMENT_ARRAY_BUFFER, 4, "TRIANGLES");
  }

  private encoded(data: ArrayBufferView, name: string, target: number, stride: number, mode: "ATTRIBUTES" | "TRIANGLES"): number {
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const count = raw.length / stride;
    const packed = this.meshopt!.encodeGltfBuffer(raw, count, stride, mode);
    const at = this.place(packed);
    this.fallbackLength += (4 - (this.fallbackLength % 4)) % 4;
    this.views.push({
      name, buffer: 1, byteOffset: this.fallbackLength, byteLength: raw.length,
      ...(mode === "ATTRIBUTES" ? { byteStride: stride } : {}), target,
      extensions: { EXT_meshopt_compression: { buffer: 0, byteOffset: at, byteLength: packed.length, byteStride: stride, count, mode } },
    });
    this.fallbackLength += raw.length;
    return this.views.length - 1;
  }

  private place(bytes: Uint8Array): number {
    const pad = (8 - (this.length % 8)) % 8;
    if (pad) { this.parts.push(new Uint8Array(pad)); this.length += pad; }
    const at = this.length;
    this.parts.push(bytes);
    this.length += bytes.length;
    return at;
  }

  add(data: ArrayBufferView, name: string, target?: number, byteStride?: number): number {
    let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length === 0) bytes = new Uint8Array(1); // glTF: byteLength ≥ 1 (an all-empty string column)
    const at = this.place(bytes);
    this.views.push({ name, buffer: 0, byteOffset: at, byteLength: bytes.length, ...(byteStride ? { byteStride } : {}), ...(target ? { target } : {}) });
    return this.views.length - 1;
  }
}

/** A whole GLB file from its JSON and BIN parts (BIN padded to 4 bytes with zeros, JSON with spaces). */
export function glbBytes(json: Record<string, unknown>, parts: Uint8Array[], binLength: number): Uint8Array {
  let jsonBytes = Buffer.from(JSON.stringify(json), "utf8");
  const jpad = (4 - (jsonBytes.length % 4)) % 4;
  if (jpad) jsonBytes = Buffer.concat([jsonBytes, Buffer.alloc(jpad, 0x20)]);
  const bpad = (4 - (binLength % 4)) % 4;
  const binTotal = binLength + bpad;
  const total = 12 + 8 + jsonBytes.length + (binTotal > 0 ? 8 + binTotal : 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x46546c67, true); dv.setUint32(4, 2, true); dv.setUint32(8, total, true);
  dv.setUint32(12, jsonBytes.length, true); dv.setUint32(16, 0x4e4f534a, true);
  out.set(jsonBytes, 20);
  let at = 20 + jsonBytes.length;
  if (binTotal > 0) {
    dv.setUint32(at, binTotal, true); dv.setUint32(at + 4, 0x004e4942, true);
    at += 8;
    for (const p of parts) { out.set(p, at); at += p.length; }
  }
  return out;
}
