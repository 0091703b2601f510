// Fast path for citymesh GLBs: one mesh, primitives ground/walls/roofs sharing one POSITION
// accessor, face markers in a bufferView named by asset.extras.citymesh.faceMarkers.
// Views into the file's ArrayBuffer where the layout allows it (no copy of 10M triangles).
import { markerClass, SurfaceClass, type MeshData, type MeshGroup } from "./meshData";
import { statedTiles } from "./counts";

interface Accessor { bufferView?: number; byteOffset?: number; componentType: number; count: number; type: string; min?: number[]; max?: number[] }
interface MeshoptView { buffer?: number; byteOffset?: number; byteLength: number; byteStride: number; count: number; mode: string; filter?: string }
interface BufferView { buffer?: number; byteOffset?: number; byteLength: number; byteStride?: number; extensions?: { EXT_meshopt_compression?: MeshoptView } }
interface Primitive { attributes: Record<string, number>; indices?: number; material?: number; mode?: number }
interface Gltf {
  extensionsUsed?: string[]; extensionsRequired?: string[];
  asset: { extras?: { citymesh?: Record<string, unknown> } };
  accessors?: Accessor[]; bufferViews?: BufferView[]; meshes?: { primitives: Primitive[] }[];
  materials?: { name?: string }[]; nodes?: { mesh?: number; matrix?: number[]; translation?: number[]; rotation?: number[]; scale?: number[] }[];
}

const GLB_MAGIC = 0x46546c67, CHUNK_JSON = 0x4e4f534a, CHUNK_BIN = 0x004e4942;
const F32 = 5126, U32 = 5125, U16 = 5123, I16 = 5122, U8 = 5121;

/** Splits a GLB into its JSON and the byte offset/length of its BIN chunk. */
export function readGlbChunks(buf: ArrayBuffer): { json: Gltf; binOffset: number; binLength: number } {
  const dv = new DataView(buf);
  if (buf.byteLength < 20 || dv.getUint32(0, true) !== GLB_MAGIC) throw new Error("not a GLB file (bad magic)");
  if (dv.getUint32(4, true) !== 2) throw new Error(`GLB version ${dv.getUint32(4, true)} is not 2`);
  let json: Gltf | undefined, binOffset = -1, binLength = 0;
  for (let p = 12; p + 8 <= buf.byteLength;) {
    const len = dv.getUint32(p, true), type = dv.getUint32(p + 4, true);
    if (type === CHUNK_JSON) json = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, p + 8, len))) as Gltf;
    else if (type === CHUNK_BIN && binOffset < 0) { binOffset = p + 8; binLength = len; }
    p += 8 + len;
  }
  if (!json) throw new Error("GLB has no JSON chunk");
  return { json, binOffset, binLength };
}

/** True when the file is a citymesh GLB the fast path understands. */
export function isCitymeshGlb(json: Gltf): boolean {
  const nodes = json.nodes ?? [];
  const prims = json.meshes?.length === 1 ? json.meshes[0].primitives : [];
  // The mesh's node may scale and translate int16 positions back to metres (KHR_mesh_quantization:
  // glbCompression quantize), nothing more.
  const quantized = prims.length > 0 && json.accessors?.[prims[0].attributes.POSITION]?.componentType === I16;
  const transformed = nodes.some((n) => n.mesh !== undefined && (n.matrix || n.rotation || (!quantized && (n.translation || n.scale))));
  return !!json.asset.extras?.citymesh && !transformed && prims.length > 0 &&
    prims.every((p) => (p.mode ?? 4) === 4 && p.indices !== undefined && p.attributes.POSITION === prims[0].attributes.POSITION);
}

function viewBytes(json: Gltf, buf: ArrayBuffer, binOffset: number, bv: number, extraOffset = 0): { offset: number; length: number; stride?: number } {
  const v = json.bufferViews?.[bv];
  if (!v) throw new Error(`GLB: missing bufferView ${bv}`);
  if ((v.buffer ?? 0) !== 0 || binOffset < 0) throw new Error("GLB: only the embedded BIN buffer is supported");
  return { offset: binOffset + (v.byteOffset ?? 0) + extraOffset, length: v.byteLength - extraOffset, stride: v.byteStride };
}

function readIndices(json: Gltf, buf: ArrayBuffer, binOffset: number, acc: Accessor, out: Uint32Array, at: number): void {
  const { offset } = viewBytes(json, buf, binOffset, acc.bufferView!, acc.byteOffset ?? 0);
  const n = acc.count;
  if (acc.componentType === U32 && offset % 4 === 0) out.set(new Uint32Array(buf, offset, n), at);
  else if (acc.componentType === U16 && offset % 2 === 0) out.set(new Uint16Array(buf, offset, n), at);
  else if (acc.componentType === U8) out.set(new Uint8Array(buf, offset, n), at);
  else {
    const dv = new DataView(buf, offset);
    const size = acc.componentType === U32 ? 4 : 2;
    for (let i = 0; i < n; i++) out[at + i] = size === 4 ? dv.getUint32(4 * i, true) : dv.getUint16(2 * i, true);
  }
}

/** The meshopt decoder's one function we use (npm meshoptimizer: WASM, or its plain-JS reference). */
export interface MeshoptDecoderApi {
  decodeGltfBuffer(target: Uint8Array, count: number, size: number, source: Uint8Array, mode: string, filter?: string): void;
}

/** True when the GLB stores bufferViews with EXT_meshopt_compression (citymesh's glbCompression meshopt). */
export const isMeshoptGlb = (json: Gltf): boolean => !!json.extensionsUsed?.includes("EXT_meshopt_compression");

/**
 * EXT_meshopt_compression undone: one new buffer holding the BIN chunk's own bytes, then every
 * compressed view decoded (at its offset in the data-less fallback buffer); the JSON's views are
 * pointed at it, so the fast path reads the result like an uncompressed citymesh GLB.
 */
export function decodeMeshoptGlb(buf: ArrayBuffer, dec: MeshoptDecoderApi): { json: Gltf; buf: ArrayBuffer; binOffset: number } {
  const { json, binOffset, binLength } = readGlbChunks(buf);
  const views = json.bufferViews ?? [];
  const base = Math.ceil(Math.max(0, binLength) / 8) * 8;
  let rawEnd = 0;
  for (const v of views) if (v.extensions?.EXT_meshopt_compression) rawEnd = Math.max(rawEnd, (v.byteOffset ?? 0) + v.byteLength);
  const out = new ArrayBuffer(base + rawEnd);
  const bytes = new Uint8Array(out);
  if (binOffset >= 0) bytes.set(new Uint8Array(buf, binOffset, binLength), 0);
  for (const v of views) {
    const m = v.extensions?.EXT_meshopt_compression;
    if (!m) continue;
    const at = base + (v.byteOffset ?? 0);
    const target = new Uint8Array(out, at, m.count * m.byteStride);
    dec.decodeGltfBuffer(target, m.count, m.byteStride, new Uint8Array(buf, binOffset + (m.byteOffset ?? 0), m.byteLength), m.mode, m.filter ?? "NONE");
    v.buffer = 0;
    v.byteOffset = at;
    delete v.extensions;
  }
  return { json, buf: out, binOffset: 0 };
}

/** Parses a citymesh GLB (see isCitymeshGlb) into one indexed mesh with one group per primitive. */
export function parseCitymeshGlb(buf: ArrayBuffer, decoded?: { json: Gltf; binOffset: number }): MeshData {
  const { json, binOffset } = decoded ?? readGlbChunks(buf);
  if (!isCitymeshGlb(json)) throw new Error("not a citymesh GLB");
  if (!decoded && isMeshoptGlb(json)) throw new Error("GLB: EXT_meshopt_compression: decode it first (decodeMeshoptGlb)");
  const extras = json.asset.extras!.citymesh!;
  const prims = json.meshes![0].primitives;
  const accs = json.accessors ?? [];
  const posAcc = accs[prims[0].attributes.POSITION];
  const quantized = posAcc.componentType === I16;
  if ((posAcc.componentType !== F32 && !quantized) || posAcc.type !== "VEC3") throw new Error("GLB: POSITION must be float32 or int16 (KHR_mesh_quantization) VEC3");
  const pv = viewBytes(json, buf, binOffset, posAcc.bufferView!, posAcc.byteOffset ?? 0);
  let positions: Float32Array;
  const node = (json.nodes ?? []).find((n) => n.mesh !== undefined);
  if (quantized) {
    // Back to metres through the mesh node's scale and translation, as any glTF reader does.
    const s = node?.scale ?? [1, 1, 1], t = node?.translation ?? [0, 0, 0];
    positions = new Float32Array(3 * posAcc.count);
    const dv = new DataView(buf, pv.offset), stride = pv.stride ?? 6;
    for (let i = 0; i < posAcc.count; i++) for (let k = 0; k < 3; k++) positions[3 * i + k] = dv.getInt16(i * stride + 2 * k, true) * s[k] + t[k];
  } else if ((!pv.stride || pv.stride === 12) && pv.offset % 4 === 0) positions = new Float32Array(buf, pv.offset, 3 * posAcc.count);
  else {
    positions = new Float32Array(3 * posAcc.count);
    const dv = new DataView(buf, pv.offset), stride = pv.stride ?? 12;
    for (let i = 0; i < posAcc.count; i++) for (let k = 0; k < 3; k++) positions[3 * i + k] = dv.getFloat32(i * stride + 4 * k, true);
  }

  const buildings = Number(extras.buildings ?? 0);
  let markers: Int32Array | undefined;
  const fm = extras.faceMarkers as { bufferView?: number; count?: number; byteOffset?: number } | undefined;
  if (fm && typeof fm.bufferView === "number") {
    const mv = viewBytes(json, buf, binOffset, fm.bufferView, fm.byteOffset ?? 0);
    const count = fm.count ?? mv.length / 4;
    markers = mv.offset % 4 === 0 ? new Int32Array(buf, mv.offset, count) : new Int32Array(buf.slice(mv.offset, mv.offset + 4 * count));
  }

  // One index buffer, primitives concatenated in file order (ground, walls, roofs): the same
  // order as the face markers, so face f of the index buffer has marker f.
  // Our writer puts uint32 ground|walls|roofs indices back to back: then the file's bytes are the
  // index buffer as they are (10M triangles: 120 MB not copied).
  const total = prims.reduce((s, p) => s + accs[p.indices!].count, 0);
  const spans = prims.map((p) => ({ acc: accs[p.indices!], at: viewBytes(json, buf, binOffset, accs[p.indices!].bufferView!, accs[p.indices!].byteOffset ?? 0).offset }));
  const contiguous = spans.every((s, k) => s.acc.componentType === U32 && s.at % 4 === 0 && (k === 0 || s.at === spans[k - 1].at + 4 * spans[k - 1].acc.count));
  const index = contiguous ? new Uint32Array(buf, spans[0].at, total) : new Uint32Array(total);
  const groups: MeshGroup[] = [];
  let at = 0;
  prims.forEach((p, k) => {
    const acc = accs[p.indices!];
    if (acc.componentType !== U32 && acc.componentType !== U16 && acc.componentType !== U8) throw new Error(`GLB: index type ${acc.componentType}`);
    if (!contiguous) readIndices(json, buf, binOffset, acc, index, at);
    groups.push({ start: at, count: acc.count, cls: primitiveClass(json, p, k, prims.length, markers, at / 3, buildings) });
    at += acc.count;
  });
  for (let i = 0; i < total; i++) if (index[i] >= posAcc.count) throw new Error(`GLB: index ${index[i]} out of range`);
  if (markers && markers.length !== total / 3) markers = undefined; // unusable for picking
  const bounds = posAcc.min && posAcc.max ? [...posAcc.min, ...posAcc.max] : undefined;
  return { positions, index, groups, markers, buildings, bounds, extras, tiles: statedTiles(extras.tiles) };
}

/**
 * Surface class of a primitive: extras.citymesh.primitives[k].class as the writer states it,
 * else its first face marker, else its material name, else its position (ground, walls, roofs).
 */
function primitiveClass(json: Gltf, p: Primitive, k: number, n: number, markers: Int32Array | undefined, face: number, buildings: number): SurfaceClass {
  const stated = (json.asset.extras?.citymesh?.primitives as { class?: string }[] | undefined)?.[k]?.class;
  const name = (stated ?? (p.material !== undefined ? json.materials?.[p.material]?.name : undefined) ?? "").toLowerCase();
  if (!stated && markers && face < markers.length) return markerClass(markers[face], buildings);
  if (name.includes("ground") || name.includes("terrain")) return SurfaceClass.Ground;
  if (name.includes("wall")) return SurfaceClass.Wall;
  if (name.includes("roof")) return SurfaceClass.Roof;
  return n === 3 ? ([SurfaceClass.Ground, SurfaceClass.Wall, SurfaceClass.Roof][k]) : SurfaceClass.Other;
}
