// Tile inputs as bytes, so the planner can spill every tile's input to one scratch file and a
// worker reads back just its own slice: the main thread never holds the city's footprints
// while tiles are built (its memory stays flat as the city grows).
// Layout: "CMTI", u32 header length, JSON header (scalars and array lengths), then the typed
// arrays in a fixed order, each starting on an 8-byte boundary.
import type { Footprints } from "../types";
import type { TileInput } from "./tileInput";

const MAGIC = 0x49544d43; // "CMTI" little-endian

// The arrays, in file order, with their element types: one list, so writer and reader agree.
const FOOTPRINT_ARRAYS = [
  ["xy", Float64Array], ["ringStart", Uint32Array], ["polyStart", Uint32Array], ["buildingStart", Uint32Array],
  ["height", Float64Array], ["featureIndex", Uint32Array],
] as const;
const TILE_ARRAYS = [["globalIndex", Uint32Array], ["owned", Uint8Array], ["roofZ", Float64Array]] as const;
const ARRAYS = [...FOOTPRINT_ARRAYS, ...TILE_ARRAYS];

function arraysOf(t: TileInput): (Float64Array | Uint32Array | Uint8Array)[] {
  return [...FOOTPRINT_ARRAYS.map(([name]) => t.footprints[name]), ...TILE_ARRAYS.map(([name]) => t[name])];
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeTileInput(t: TileInput): Uint8Array {
  const arrays = arraysOf(t);
  const header = new TextEncoder().encode(JSON.stringify({
    spec: t.spec, lattice: t.lattice, snapTolerance: t.snapTolerance, maxMeshSize: t.maxMeshSize, buildingCount: t.buildingCount,
    ground: t.ground, count: t.footprints.count, lengths: arrays.map((a) => a.length),
  }));
  let size = align8(8 + header.length);
  for (const a of arrays) size = align8(size + a.byteLength);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, header.length, true);
  out.set(header, 8);
  let at = align8(8 + header.length);
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at = align8(at + a.byteLength);
  }
  return out;
}

/** The tile input in `bytes` (its arrays are views on `bytes`' buffer; `bytes` must start 8-byte aligned). */
export function decodeTileInput(bytes: Uint8Array): TileInput {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || dv.getUint32(0, true) !== MAGIC) throw new Error("not a citymesh tile input (bad magic)");
  const hlen = dv.getUint32(4, true);
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen))) as Omit<TileInput, "footprints" | "globalIndex" | "owned" | "roofZ"> & { count: number; lengths: number[] };
  if (bytes.byteOffset % 8) throw new Error("tile input bytes must be 8-byte aligned");
  let at = align8(8 + hlen);
  const arrays: Record<string, Float64Array | Uint32Array | Uint8Array> = {};
  for (const [k, [name, Ctor]] of ARRAYS.entries()) {
    const n = h.lengths[k];
    if (at + n * Ctor.BYTES_PER_ELEMENT > bytes.byteLength) throw new Error(`tile input truncated in ${name}`);
    arrays[name] = new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + at, n);
    at = align8(at + arrays[name].byteLength);
  }
  const footprints = { count: h.count, ...Object.fromEntries(FOOTPRINT_ARRAYS.map(([name]) => [name, arrays[name]])) } as unknown as Footprints;
  const { globalIndex, owned, roofZ } = arrays as unknown as Pick<TileInput, "globalIndex" | "owned" | "roofZ">;
  return {
    spec: h.spec, lattice: h.lattice, snapTolerance: h.snapTolerance, maxMeshSize: h.maxMeshSize, buildingCount: h.buildingCount, ground: h.ground,
    footprints, globalIndex, owned, roofZ,
  };
}
