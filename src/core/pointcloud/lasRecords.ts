// Point records → the reader's columns. One hot loop per block of records, the same for raw LAS bytes read from
// the file and for LAZ points laz-perf decoded into its heap (both are plain LAS records).

/** Where a record's classification byte is, and which of its bits are the class. */
export function classLayout(pointFormat: number): { at: number; mask: number } {
  // Formats 0–5: byte 15, low 5 bits (the top 3 are synthetic/key-point/withheld flags); 6–10: byte 16, all 8.
  return pointFormat <= 5 ? { at: 15, mask: 0x1f } : { at: 16, mask: 0xff };
}

export interface Columns {
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  classification: Uint8Array;
}

/** Decodes `n` records of `len` bytes starting at `byteOffset` of `bytes` into `out` from index 0. */
export function decodeRecords(bytes: Uint8Array, byteOffset: number, n: number, len: number, pointFormat: number, scale: readonly number[], offset: readonly number[], out: Columns, classCounts: Float64Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { at, mask } = classLayout(pointFormat);
  const [sx, sy, sz] = scale as [number, number, number];
  const [ox, oy, oz] = offset as [number, number, number];
  const { x, y, z, classification } = out;
  for (let i = 0, o = byteOffset; i < n; i++, o += len) {
    x[i] = view.getInt32(o, true) * sx + ox;
    y[i] = view.getInt32(o + 4, true) * sy + oy;
    z[i] = view.getInt32(o + 8, true) * sz + oz;
    const c = bytes[o + at]! & mask;
    classification[i] = c;
    classCounts[c]!++;
  }
}

/** Raw integer bounds a decoded record must lie in: the header's box widened by 1 % of its size and 10 steps. */
export function rawBounds(min: readonly number[], max: readonly number[], scale: readonly number[], offset: readonly number[]): { lo: Float64Array; hi: Float64Array } | null {
  // A header without a box (all zeros, or min > max) says nothing: no check then.
  if (min.every((v, i) => v === 0 && max[i] === 0) || min.some((v, i) => !(v <= max[i]!))) return null;
  const lo = new Float64Array(3), hi = new Float64Array(3);
  for (let k = 0; k < 3; k++) {
    const s = Math.abs(scale[k]!);
    const slack = 0.01 * (max[k]! - min[k]!) + 10 * s;
    const a = (min[k]! - slack - offset[k]!) / scale[k]!, b = (max[k]! + slack - offset[k]!) / scale[k]!;
    lo[k] = Math.min(a, b);
    hi[k] = Math.max(a, b);
  }
  return { lo, hi };
}

/**
 * Index of the first of `n` records whose X, Y or Z lies outside `b`, or -1. Used on LAZ output only: a
 * damaged chunk decodes to coordinates that wander off (the arithmetic decoder does not detect damage), and
 * such points must not be delivered as if they were data.
 */
export function firstOutside(bytes: Uint8Array, byteOffset: number, n: number, len: number, b: { lo: Float64Array; hi: Float64Array }): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [lx, ly, lz] = b.lo as unknown as [number, number, number];
  const [hx, hy, hz] = b.hi as unknown as [number, number, number];
  for (let i = 0, o = byteOffset; i < n; i++, o += len) {
    const X = view.getInt32(o, true), Y = view.getInt32(o + 4, true), Z = view.getInt32(o + 8, true);
    if (X < lx || X > hx || Y < ly || Y > hy || Z < lz || Z > hz) return i;
  }
  return -1;
}
