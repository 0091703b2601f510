// Binary glTF 2.0, streamed from the spool. One node, one mesh, up to three primitives (ground,
// walls, roofs; empty ones skipped) sharing ONE position accessor, each with its own uint32 index
// accessor and material. BIN chunk layout (all parts 4-byte aligned by their element sizes):
//   positions float32 VEC3 | ground indices | walls indices | roofs indices | face markers int32
// Axes: glTF is Y-up, we are Z-up: glTF (x, y, z) = (x, z, -y). That map is a rotation
// (determinant +1), so counter-clockwise winding stays counter-clockwise.
// Positions are float32 relative to the local origin; the float64 origin and CRS sit in
// asset.extras.citymesh with the per-face markers (a bufferView, int32 little-endian,
// componentType 5124 = GL_INT, in face order ground, walls, roofs) and the number of tiles merged.
import { CityMeshError } from "../errors";
import fs from "node:fs";
import path from "node:path";
import { FACE_CLASSES, SpoolWriter, featureFile, heightsFile, indexFile, markerFile, positionsF32File, positionsFile, totalTriangles, type Spool } from "./spool";
import { CHUNK_BYTES, OutFile, f64, outputWriteError, readChunks, writeAtomically } from "./io";
import { FeatureTable, schemaOf, type FeatureColumn } from "./tiles3d/features";
import { propertiesOf, streamTable, type ColumnRef, type TableFile } from "./tiles3d/propertyTable";
import { MARKER_CONVENTION, type GlbInPlace, type WriteMeta } from "./meta";
import { tempName } from "../store/fsLayer";

const GLB_MAGIC = 0x46546c67;
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;
const FLOAT = 5126;
const SHORT = 5122;
const UNSIGNED_INT = 5125;
const GL_INT = 5124;
const TRIANGLES = 4;

/** Ground, walls and roofs (FACE_CLASSES order): shared with the 3D Tiles contents. */
export const MATERIALS = [
  { name: "ground", baseColorFactor: [0.45, 0.52, 0.42, 1], roughnessFactor: 1 }, // grey-green
  { name: "walls", baseColorFactor: [0.85, 0.85, 0.83, 1], roughnessFactor: 0.9 }, // light grey
  { name: "roofs", baseColorFactor: [0.72, 0.33, 0.22, 1], roughnessFactor: 0.8 }, // terracotta
];

/** Shape of asset.extras.citymesh, for readers (the viewer) of our GLB files. */
export interface GlbCityExtras {
  crs: WriteMeta["crs"];
  /** Float64 local origin in the CRS; add it to (x, -z, y) of a glTF position to get CRS coordinates. */
  origin: [number, number];
  upAxis: "Y";
  faceMarkers: { bufferView: number; count: number; componentType: 5124 } | null;
  /** Per primitive, in mesh order: its class and the index of its first face in faceMarkers. */
  primitives: { class: string; faceOffset: number; faceCount: number }[];
  primitiveFaceOffsets: number[];
  buildings: number;
  /** Tiles merged into this mesh (absent when the writer was not told). */
  tiles?: number;
  markerConvention: string;
}

/** One bufferView of the BIN chunk: its bytes come from `emit`, streamed (or a file, once compressed). */
interface ViewPart {
  name: string;
  bytes: number;
  target?: number;
  /** 8 for EXT_structural_metadata's views, else 4. */
  align: 4 | 8;
  emit(o: Sink): void;
  /** EXT_meshopt_compression: how the raw view was encoded (bytes is then the encoded size). */
  meshopt?: { byteLength: number; byteStride: number; count: number; mode: "ATTRIBUTES" | "TRIANGLES" };
  /** Bytes per element when the view needs a byteStride (quantized positions: 8). */
  byteStride?: number;
}

/**
 * KHR_mesh_quantization of positions in a box (glTF axes): 16-bit integers
 * q = round((p − lo) / step) − 32768 in [−32768, 32767], which the mesh node maps back with
 * scale = step and translation = origin (lo + 32768 · step). Steps are the box's size / 65,535 per
 * axis: a whole city's GLB has one box (New York, 20 km across: 0.31 m), a choice for a smaller file
 * to look at, not for measuring; a 3D Tiles content has its own (1.5 cm in a 1 km tile).
 */
export interface Quantization { lo: number[]; step: number[]; origin: number[] }

export function boxQuantization(lo: readonly number[], hi: readonly number[]): Quantization {
  const step = [0, 1, 2].map((k) => (hi[k] - lo[k]) / 65535 || 1);
  return { lo: [...lo], step, origin: [0, 1, 2].map((k) => lo[k] + 32768 * step[k]) };
}

/** The quantization of a spool's positions: its box in glTF axes (fround is monotonic: the stored float32 extremes are these). */
export function quantizationOf(spool: Pick<Spool, "min" | "max">): Quantization {
  const { min, max } = spool;
  return boxQuantization([Math.fround(min[0]), Math.fround(min[2]), Math.fround(-max[1])], [Math.fround(max[0]), Math.fround(max[2]), Math.fround(-min[1])]);
}

/** Coordinate k of a position, quantized. */
export const quantize = (v: number, q: Quantization, k: number): number => Math.max(-32768, Math.min(32767, Math.round((v - q.lo[k]) / q.step[k]) - 32768));

export interface Sink {
  write(a: ArrayBufferView): void;
}

/** Option glbCompression: none, EXT_meshopt_compression of the mesh views, KHR_mesh_quantization of the positions, or both. */
export type GlbCompression = "none" | "meshopt" | "quantize" | "meshopt+quantize";

/** Writes the raw (uncompressed) bytes of every view of the spool's mesh into parts. */
function meshParts(spool: Spool, withIds: boolean, quant?: Quantization): ViewPart[] {
  const parts: ViewPart[] = [];
  if (quant) {
    parts.push({
      name: "positions", bytes: spool.vertices * 8, target: ARRAY_BUFFER, align: 4, byteStride: 8,
      // The feature spool's float32 glTF positions, 12 bytes a vertex in, 4 shorts (the last one padding) out.
      emit: (o) => {
        const chunk = Math.floor(CHUNK_BYTES / 12) * 12;
        const q16 = new Int16Array((chunk / 12) * 4);
        readChunks(positionsF32File(spool), chunk, (c) => {
          const p = new Float32Array(c.buffer, c.byteOffset, c.byteLength / 4);
          const n = p.length / 3;
          for (let v = 0; v < n; v++) for (let k = 0; k < 3; k++) q16[4 * v + k] = quantize(p[3 * v + k], quant, k);
          o.write(q16.subarray(0, 4 * n));
        });
      },
    });
  } else parts.push({
    name: "positions", bytes: spool.vertices * 12, target: ARRAY_BUFFER, align: 4,
    // A feature spool holds them as stored here already; else float64 Z-up → float32 Y-up, chunk
    // by chunk (24 bytes per vertex in, 12 out).
    emit: spool.features ? (o) => copyInto(o, positionsF32File(spool)) : (o) => {
      const chunk = Math.floor(CHUNK_BYTES / 24) * 24;
      const f32 = new Float32Array(chunk / 8);
      readChunks(positionsFile(spool), chunk, (c) => {
        const p = f64(c);
        for (let i = 0; i < p.length; i += 3) {
          f32[i] = p[i];
          f32[i + 1] = p[i + 2];
          f32[i + 2] = -p[i + 1];
        }
        o.write(f32.subarray(0, p.length));
      });
    },
  });
  if (withIds) {
    // Building index as float32 (glTF vertex attributes may not be uint32; exact to 2^24), ground = N:
    // the feature spool holds them so.
    parts.push({ name: "feature ids", bytes: spool.vertices * 4, target: ARRAY_BUFFER, align: 4, emit: (o) => copyInto(o, featureFile(spool)) });
  }
  for (let c = 0; c < 3; c++) {
    if (spool.triangles[c] === 0) continue;
    parts.push({ name: FACE_CLASSES[c], bytes: spool.triangles[c] * 12, target: ELEMENT_ARRAY_BUFFER, align: 4, emit: (o) => copyInto(o, indexFile(spool, c)) });
  }
  const tris = totalTriangles(spool);
  parts.push({ name: "faceMarkers", bytes: tris * 4, align: 4, emit: (o) => { for (let c = 0; c < 3; c++) if (spool.triangles[c] > 0) copyInto(o, markerFile(spool, c)); } });
  return parts;
}

function copyInto(o: Sink, file: string): void {
  if (o instanceof OutFile) o.copyFrom(file);
  else readChunks(file, CHUNK_BYTES, (c) => o.write(c));
}

/** A part's raw bytes in memory (compression needs a view whole). */
function materialise(p: ViewPart): Uint8Array {
  const out = new Uint8Array(p.bytes);
  let at = 0;
  p.emit({ write: (a) => { out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at); at += a.byteLength; } });
  return out;
}

/**
 * EXT_meshopt_compression of the mesh views, one view at a time (the encoder wants a view whole:
 * memory is the largest view, raw and encoded, never the mesh), each encoded view parked in a
 * file of the spool folder until the GLB is written.
 */
function compressParts(parts: ViewPart[], spool: Spool, enc: MeshoptEncoderApi): ViewPart[] {
  return parts.map((p, k) => {
    const stride = p.byteStride ?? (p.name === "positions" ? 12 : 4);
    const mode = p.target === ELEMENT_ARRAY_BUFFER ? "TRIANGLES" : "ATTRIBUTES";
    const count = p.bytes / stride;
    const raw = materialise(p);
    const packed = enc.encodeGltfBuffer(raw, count, stride, mode);
    const file = path.join(spool.dir, `meshopt-${k}.bin`);
    fs.writeFileSync(file, packed);
    return { ...p, bytes: packed.length, emit: (o: Sink) => copyInto(o, file), meshopt: { byteLength: p.bytes, byteStride: stride, count, mode } };
  });
}

/** The meshoptimizer encoder's functions we use (npm meshoptimizer, loaded only when asked for). */
export interface MeshoptEncoderApi {
  encodeGltfBuffer(source: Uint8Array, count: number, size: number, mode: string): Uint8Array;
}

export async function loadMeshoptEncoder(): Promise<MeshoptEncoderApi> {
  const { MeshoptEncoder } = await import("meshoptimizer/encoder");
  await MeshoptEncoder.ready;
  return MeshoptEncoder;
}

interface GlbPlan {
  json: Record<string, unknown>;
  parts: ViewPart[];
  /** Byte offset of each part in the BIN chunk. */
  offsets: number[];
  binBytes: number;
}

/** Lays out the GLB of a spool: the glTF JSON and the BIN chunk's parts. */
/** The property table's views (files of the spool folder, or stand-ins for a size bound) and its JSON. */
interface TablePlan {
  files: { name: string; bytes: number; file?: string }[];
  properties(firstView: number): Record<string, unknown>;
  schema: Record<string, unknown>;
}

/**
 * A GLB's property table as files of the spool folder (plain data: a thread of the merge can make
 * it while the tiles are welded, merge/mergeTiles.ts). The height column is the spool's
 * heights.f64, which holds exactly its bytes (float64 per building), so it is taken as it is.
 */
export interface GlbTable {
  files: TableFile[];
  refs: ColumnRef[];
  schema: Record<string, unknown>;
}

/** What a thread needs to make a GLB's property table: the side file, N, the properties to carry, the spool folder. */
export interface GlbTableJob {
  buildingsFile: string;
  buildings: number;
  featureProperties: readonly string[];
  dir: string;
}

/** Streams the side-file columns of `ft` (opened on N buildings) into files of `dir`, the spool folder. */
export function streamGlbTable(ft: FeatureTable, buildings: number, dir: string): GlbTable {
  const heights: TableFile = { file: heightsFile({ dir }), name: "height", bytes: 8 * buildings };
  const own = (c: FeatureColumn) => ("own" in c.source && c.source.own === "height" ? heights : undefined);
  const t = streamTable(ft.columns, buildings, (b) => ({ b, record: ft.record(b), height: NaN }), dir, (f) => new SpoolWriter(f, 1 << 16), own);
  return { files: t.files, refs: t.refs, schema: ft.schema() };
}

/** A GlbTable for planGlb. */
const tablePlan = (t: GlbTable): TablePlan => ({ files: t.files, properties: (first) => propertiesOf(t.refs, first), schema: t.schema });

/** The property table of a feature spool, from `given` (which the caller closes) or a table of its own. */
function glbTableOf(spool: Spool, meta: WriteMeta, given?: FeatureTable): TablePlan {
  const ft = given ?? new FeatureTable(meta.buildingsFile, spool.buildings, meta.featureProperties ?? []);
  try {
    return tablePlan(streamGlbTable(ft, spool.buildings, spool.dir));
  } finally {
    if (!given) ft.close();
  }
}

function planGlb(spool: Spool, meta: WriteMeta, enc?: MeshoptEncoderApi, tableOf: (spool: Spool) => TablePlan = (sp) => glbTableOf(sp, meta)): GlbPlan {
  const tris = totalTriangles(spool);
  const N = spool.buildings;
  // Feature ids need a spool un-welded by feature; a mesh of ground only has no feature.
  const withIds = tris > 0 && spool.features === true && N > 0;
  // Quantized positions come from the feature spool's float32 file (every GLB spool is one).
  const quant = meta.glbCompression?.includes("quantize") && spool.features ? quantizationOf(spool) : undefined;
  let parts = tris > 0 ? meshParts(spool, withIds, quant) : [];
  if (enc && parts.length) parts = compressParts(parts, spool, enc);
  let table: TablePlan | undefined;
  let schema: Record<string, unknown> | undefined;
  if (withIds) {
    table = tableOf(spool);
    schema = table.schema;
    for (const f of table.files) parts.push({ name: f.name, bytes: Math.max(1, f.bytes), align: 8, emit: (o) => (f.bytes && f.file ? copyInto(o, f.file) : o.write(new Uint8Array(1))) });
  }
  // Offsets: each part aligned (zero padding between parts).
  const offsets: number[] = [];
  let offset = 0;
  for (const p of parts) {
    offset += (p.align - (offset % p.align)) % p.align;
    offsets.push(offset);
    offset += p.bytes;
  }
  const bufferViews: Record<string, unknown>[] = [];
  let rawOffset = 0; // EXT_meshopt_compression: where the view sits in the (data-less) fallback buffer
  parts.forEach((p, k) => {
    if (p.meshopt) {
      rawOffset += (4 - (rawOffset % 4)) % 4;
      bufferViews.push({
        name: p.name, buffer: 1, byteOffset: rawOffset, byteLength: p.meshopt.byteLength,
        ...(p.meshopt.mode === "ATTRIBUTES" && p.target ? { byteStride: p.meshopt.byteStride } : {}),
        ...(p.target ? { target: p.target } : {}),
        extensions: { EXT_meshopt_compression: { buffer: 0, byteOffset: offsets[k], byteLength: p.bytes, byteStride: p.meshopt.byteStride, count: p.meshopt.count, mode: p.meshopt.mode } },
      });
      rawOffset += p.meshopt.byteLength;
    } else {
      bufferViews.push({ name: p.name, buffer: 0, byteOffset: offsets[k], byteLength: p.bytes, ...(p.byteStride ? { byteStride: p.byteStride } : {}), ...(p.target ? { target: p.target } : {}) });
    }
  });
  const viewOf = (name: string) => parts.findIndex((p) => p.name === name);

  const accessors: Record<string, unknown>[] = [];
  const materials: Record<string, unknown>[] = [];
  const primitives: Record<string, unknown>[] = [];
  const extrasPrims: GlbCityExtras["primitives"] = [];
  const featureIds = withIds ? [{ featureCount: N, attribute: 0, propertyTable: 0, nullFeatureId: N }] : undefined;
  if (tris > 0) {
    // min/max must equal the stored float32 values; fround is monotonic, so they are the rounded
    // float64 extremes. The Y/Z swap with negation turns max y into min glTF z.
    const { min, max } = spool;
    const lo = [Math.fround(min[0]), Math.fround(min[2]), Math.fround(-max[1])], hi = [Math.fround(max[0]), Math.fround(max[2]), Math.fround(-min[1])];
    accessors.push({
      name: "positions", bufferView: viewOf("positions"), componentType: quant ? SHORT : FLOAT, type: "VEC3", count: spool.vertices,
      min: quant ? lo.map((v, k) => quantize(v, quant, k)) : lo,
      max: quant ? hi.map((v, k) => quantize(v, quant, k)) : hi,
    });
    if (withIds) accessors.push({ name: "feature ids", bufferView: viewOf("feature ids"), componentType: FLOAT, type: "SCALAR", count: spool.vertices });
    let faceOffset = 0;
    for (let c = 0; c < 3; c++) {
      const n = spool.triangles[c];
      if (n === 0) continue;
      accessors.push({ name: FACE_CLASSES[c], bufferView: viewOf(FACE_CLASSES[c]), componentType: UNSIGNED_INT, type: "SCALAR", count: n * 3 });
      const { name, baseColorFactor, roughnessFactor } = MATERIALS[c];
      materials.push({ name, pbrMetallicRoughness: { baseColorFactor, metallicFactor: 0, roughnessFactor }, doubleSided: false });
      primitives.push({
        attributes: withIds ? { POSITION: 0, _FEATURE_ID_0: 1 } : { POSITION: 0 },
        indices: accessors.length - 1, material: materials.length - 1, mode: TRIANGLES,
        ...(featureIds ? { extensions: { EXT_mesh_features: { featureIds } } } : {}),
      });
      extrasPrims.push({ class: FACE_CLASSES[c], faceOffset, faceCount: n });
      faceOffset += n;
    }
  }
  const extras: GlbCityExtras = {
    crs: meta.crs,
    origin: meta.crs.origin,
    upAxis: "Y",
    faceMarkers: tris > 0 ? { bufferView: viewOf("faceMarkers"), count: tris, componentType: GL_INT } : null,
    primitives: extrasPrims,
    primitiveFaceOffsets: extrasPrims.map((p) => p.faceOffset),
    buildings: spool.buildings,
    ...(meta.tiles !== undefined ? { tiles: meta.tiles } : {}),
    markerConvention: MARKER_CONVENTION,
  };
  const json: Record<string, unknown> = {
    asset: { version: "2.0", generator: "citymesh", extras: { citymesh: extras } },
    scene: 0,
    scenes: [tris > 0 ? { name: "city", nodes: [0] } : { name: "city" }],
  };
  if (tris > 0) {
    const required = [...(quant ? ["KHR_mesh_quantization"] : []), ...(enc ? ["EXT_meshopt_compression"] : [])];
    const used = [...(withIds ? ["EXT_mesh_features", "EXT_structural_metadata"] : []), ...required];
    if (used.length) json.extensionsUsed = used;
    // The decoder is needed to read anything: no uncompressed copy is stored (fallback buffer without data).
    if (required.length) json.extensionsRequired = required;
    if (table) {
      const first = parts.findIndex((p) => p.align === 8);
      json.extensions = { EXT_structural_metadata: { schema, propertyTables: [{ name: "buildings", class: "building", count: N, properties: table.properties(first) }] } };
    }
    Object.assign(json, {
      // The root node carries the origin (glTF y-up: east, up, −north), so a tool that applies
      // node transforms puts the mesh at its CRS coordinates while positions stay small float32;
      // the mesh sits on a child node of its own, untransformed (our viewer reads it as before).
      // Quantized, the city node maps the integers back to metres.
      nodes: [{ name: "origin", translation: [meta.crs.origin[0], 0, -meta.crs.origin[1]], children: [1] }, quant
        ? { name: "city", mesh: 0, translation: quant.origin, scale: quant.step }
        : { name: "city", mesh: 0 }],
      meshes: [{ name: "city", primitives }],
      materials,
      accessors,
      bufferViews,
      buffers: enc
        ? [{ byteLength: offset }, { byteLength: rawOffset, extensions: { EXT_meshopt_compression: { fallback: true } } }]
        : [{ byteLength: offset }],
    });
  }
  return { json, parts, offsets, binBytes: offset };
}

/** The glTF JSON of a spool's GLB, with the BIN chunk length (tests). */
export function glbJson(spool: Spool, meta: WriteMeta): { json: Record<string, unknown>; binBytes: number } {
  const { json, binBytes } = planGlb(spool, meta);
  return { json, binBytes };
}

/** The sidecar of a GLB (`<out>.crs.json`): its CRS and origin for tools that ignore glTF extras. */
export const crsSidecarOf = (out: string): string => `${out}.crs.json`;

/** Writes the sidecar: CRS name, EPSG code, proj4, origin and how glTF positions map to CRS coordinates. */
export function writeCrsSidecar(out: string, crs: WriteMeta["crs"], quant?: Quantization): void {
  const epsg = /^EPSG:(\d+)$/i.exec(crs.name);
  const body = {
    crs: crs.name,
    epsg: epsg ? Number(epsg[1]) : null,
    proj4: crs.proj4,
    sourceCrs: crs.sourceCrs,
    origin: crs.origin,
    units: "metre",
    axes: "glTF (x, y, z) = (easting - origin[0], height, -(northing - origin[1])); the root node's translation [origin[0], 0, -origin[1]] adds the origin back",
    ...(quant ? {
      quantization: {
        extension: "KHR_mesh_quantization",
        stepMetres: quant.step,
        positions: "16-bit integers q: glTF (x, y, z) = q * stepMetres + quantizationOrigin (the city node's scale and translation)",
        quantizationOrigin: quant.origin,
      },
    } : {}),
  };
  writeAtomically(crsSidecarOf(out), (o) => o.write(JSON.stringify(body, null, 1) + "\n"));
}

/**
 * Begins the GLB of a merge into `out` before the merge: its temp file beside `out`, with room for
 * the GLB header, the JSON chunk and the BIN chunk's header, so the merge spools the positions (the
 * first part of the BIN chunk, the largest) straight to where they belong and writeGlb writes the
 * rest around them: the positions are written once instead of spooled and then copied (on a city of
 * 1 M buildings, 227 of the 724 MB; writes cost about 2 ms per MB on the machines we measured).
 * The room is what the JSON could take at most, computed from the feature table's columns with
 * every count, offset and bound at its widest; the JSON written then is padded with spaces to fill
 * it (JSON allows trailing white space; glTF pads the JSON chunk with spaces). So the file has a few
 * hundred bytes of spaces more than a tightly written one, the same for the same city whatever the
 * worker count or store.
 */
export function startGlbInPlace(out: string, meta: WriteMeta, buildings: number): GlbInPlace {
  const table = new FeatureTable(meta.buildingsFile, buildings, meta.featureProperties ?? []);
  try {
    const offset = glbPositionsOffset(meta, buildings, table.columns);
    return { file: beginGlbFile(out), offset, table };
  } catch (e) {
    table.close();
    throw e;
  }
}

/**
 * Where the positions of a GLB begun in place start: after the room for its header and JSON,
 * which depends on the feature table's columns (and on nothing the merge finds later).
 */
export function glbPositionsOffset(meta: WriteMeta, buildings: number, columns: readonly FeatureColumn[]): number {
  const wide = 0xffffffff, far = -3.4028234663852886e38;
  const spool: Spool = { dir: "", vertices: wide, triangles: [wide, wide, wide], buildings, min: [far, far, far], max: [far, far, far], features: true };
  const standIn: TablePlan = {
    files: columns.flatMap((c) => [{ name: c.id, bytes: wide }, ...(c.type === "STRING" ? [{ name: `${c.id} offsets`, bytes: wide }] : [])]),
    properties: () => Object.fromEntries(columns.map((c) => [c.id, { values: wide, ...(c.type === "STRING" ? { stringOffsets: wide, stringOffsetType: "UINT32" } : {}) }])),
    schema: schemaOf(columns),
  };
  const { json } = planGlb(spool, meta, undefined, () => standIn);
  const room = Buffer.byteLength(JSON.stringify(json), "utf8") + 256;
  return 20 + Math.ceil(room / 8) * 8 + 8;
}

/** The empty temp file of a GLB begun in place, beside `out`. */
export function beginGlbFile(out: string): string {
  const file = tempName(out);
  try {
    fs.writeFileSync(file, new Uint8Array(0));
  } catch (e) {
    throw outputWriteError(out, e);
  }
  return file;
}

/** Closes a GLB's table if it is a side file opened here (a table made by a thread has nothing to close). */
export function closeGlbTable(at: GlbInPlace): void {
  if (at.table instanceof FeatureTable) at.table.close();
}

/** Writes `out` as GLB from the spool (atomically), and its CRS sidecar. Returns the GLB's size in bytes. */
export function writeGlb(spool: Spool, out: string, meta: WriteMeta): number | Promise<number> {
  const compression = meta.glbCompression ?? "none";
  if (meta.glbInPlace) {
    if (compression !== "none") throw new CityMeshError("output", `Cannot write ${out}: a GLB begun in place is not compressed`, { file: out });
    const at = meta.glbInPlace;
    const done = (table: TablePlan | undefined, failed?: unknown) => {
      if (failed !== undefined) {
        fs.rmSync(at.file, { force: true });
        throw failed;
      }
      const bytes = writeGlbInPlace(spool, out, meta, at, table);
      writeCrsSidecar(out, meta.crs);
      return bytes;
    };
    // A table made by a thread meanwhile is awaited; one opened here is streamed now.
    if (at.table instanceof FeatureTable) return done(undefined);
    return at.table.then((t) => done(tablePlan(t)), (e) => done(undefined, e ?? new Error("the feature table failed")));
  }
  const quant = compression.includes("quantize") && spool.features ? quantizationOf(spool) : undefined;
  if (!compression.includes("meshopt")) {
    const bytes = writeGlbFile(spool, out, meta);
    writeCrsSidecar(out, meta.crs, quant);
    return bytes;
  }
  return loadMeshoptEncoder().then((enc) => {
    const bytes = writeGlbFile(spool, out, meta, enc);
    writeCrsSidecar(out, meta.crs, quant);
    return bytes;
  });
}

function writeGlbFile(spool: Spool, out: string, meta: WriteMeta, enc?: MeshoptEncoderApi): number {
  return writeGlbPlanned(out, planGlb(spool, meta, enc));
}

function writeGlbPlanned(out: string, plan: GlbPlan): number {
  const { json, parts, offsets, binBytes } = plan;
  let jsonBytes = Buffer.from(JSON.stringify(json), "utf8");
  const pad = (4 - (jsonBytes.length % 4)) % 4;
  if (pad) jsonBytes = Buffer.concat([jsonBytes, Buffer.alloc(pad, 0x20)]);
  const binTotal = binBytes + ((4 - (binBytes % 4)) % 4);
  const total = 12 + 8 + jsonBytes.length + (binTotal > 0 ? 8 + binTotal : 0);
  if (total > 0xffffffff) {
    throw new CityMeshError("output", `Cannot write ${out}: the mesh needs ${total} bytes, over GLB's 4 GiB limit; choose PLY`, { file: out });
  }
  return writeAtomically(out, (o) => {
    const head = new Uint32Array([GLB_MAGIC, 2, total, jsonBytes.length, CHUNK_JSON]);
    o.write(head);
    o.write(jsonBytes);
    if (binTotal === 0) return;
    o.write(new Uint32Array([binTotal, CHUNK_BIN]));
    const start = o.bytes;
    parts.forEach((p, k) => {
      const gap = offsets[k] - (o.bytes - start);
      if (gap > 0) o.write(new Uint8Array(gap));
      p.emit(o);
    });
    if (binTotal > binBytes) o.write(new Uint8Array(binTotal - binBytes));
    if (o.bytes !== total) throw new CityMeshError("output", `Cannot write ${out}: wrote ${o.bytes} of ${total} bytes (merge files changed?)`, { file: out });
  });
}

/** The GLB file's 20-byte header and JSON chunk header, the JSON padded with spaces to `jsonBytes`, and the BIN chunk's header. */
function glbHead(json: Buffer, jsonBytes: number, total: number, binTotal: number): Buffer {
  const head = Buffer.alloc(20 + jsonBytes + (binTotal > 0 ? 8 : 0), 0x20);
  head.writeUInt32LE(GLB_MAGIC, 0);
  head.writeUInt32LE(2, 4);
  head.writeUInt32LE(total, 8);
  head.writeUInt32LE(jsonBytes, 12);
  head.writeUInt32LE(CHUNK_JSON, 16);
  json.copy(head, 20);
  if (binTotal > 0) {
    head.writeUInt32LE(binTotal, 20 + jsonBytes);
    head.writeUInt32LE(CHUNK_BIN, 24 + jsonBytes);
  }
  return head;
}

/**
 * The GLB of a merge begun by startGlbInPlace: header and JSON written into the room before the
 * positions, the other parts appended after them, the file renamed to `out`. A JSON larger than the
 * room (not expected: the room is its widest form) or a mesh without triangles (no BIN chunk) is
 * written the ordinary way, the positions copied from the temp file.
 */
function writeGlbInPlace(spool: Spool, out: string, meta: WriteMeta, at: GlbInPlace, made?: TablePlan): number {
  const { file, offset } = at;
  let plan: GlbPlan;
  try {
    plan = planGlb(spool, meta, undefined, (sp) => made ?? glbTableOf(sp, meta, at.table as FeatureTable));
  } finally {
    closeGlbTable(at);
  }
  const { json, parts, offsets, binBytes } = plan;
  const text = Buffer.from(JSON.stringify(json), "utf8");
  const jsonBytes = offset - 28;
  const binTotal = binBytes + ((4 - (binBytes % 4)) % 4);
  if (binTotal === 0 || text.length > jsonBytes || parts[0]?.name !== "positions" || offsets[0] !== 0) {
    const positions = parts.find((p) => p.name === "positions");
    if (positions) positions.emit = (o) => copyRange(o, file, offset, spool.vertices * 12);
    try {
      return writeGlbPlanned(out, plan);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }
  const total = offset + binTotal;
  let fd: number | undefined;
  try {
    if (total > 0xffffffff) throw new CityMeshError("output", `Cannot write ${out}: the mesh needs ${total} bytes, over GLB's 4 GiB limit; choose PLY`, { file: out });
    const written = fs.statSync(file).size;
    if (written !== offset + spool.vertices * 12) throw new CityMeshError("output", `Cannot write ${out}: its positions file has ${written} bytes, expected ${offset + spool.vertices * 12} (merge files changed?)`, { file: out });
    fd = fs.openSync(file, "r+");
    const head = glbHead(text, jsonBytes, total, binTotal);
    for (let off = 0; off < head.length; ) off += fs.writeSync(fd, head, off, head.length - off, off);
    fs.closeSync(fd);
    fd = fs.openSync(file, "a");
    const o = new OutFile(fd, 1 << 21);
    o.bytes = written;
    const start = offset;
    for (let k = 1; k < parts.length; k++) {
      const gap = offsets[k] - (o.bytes - start);
      if (gap > 0) o.write(new Uint8Array(gap));
      parts[k].emit(o);
    }
    if (binTotal > binBytes) o.write(new Uint8Array(binTotal - binBytes));
    o.flush();
    if (o.bytes !== total) throw new CityMeshError("output", `Cannot write ${out}: wrote ${o.bytes} of ${total} bytes (merge files changed?)`, { file: out });
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(file, out);
    return total;
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing
      }
    }
    fs.rmSync(file, { force: true });
    throw outputWriteError(out, e);
  }
}

/** Appends `length` bytes of `file` from `start` on. */
function copyRange(o: Sink, file: string, start: number, length: number): void {
  const fd = fs.openSync(file, "r");
  try {
    const buf = new Uint8Array(CHUNK_BYTES);
    for (let done = 0; done < length; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, length - done), start + done);
      if (n === 0) throw new CityMeshError("output", `${file} ends early (merge files changed?)`, { file });
      o.write(buf.subarray(0, n));
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
