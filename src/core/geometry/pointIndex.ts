// Exact point index: each distinct position (2D or 3D, compared bit for bit after -0 → 0) gets
// the next integer id, and its coordinates are stored flat. Tile meshing looks up a position
// several times per vertex; a Map keyed by template strings ("x,y,z") spent most of that time
// building and hashing strings, this open-addressing table on the float bits does not.
const scratch = new Float64Array(3);
const words = new Uint32Array(scratch.buffer);

export class PointIndex {
  /** Coordinates, `dim` per point; valid up to `dim * count`. */
  coords: Float64Array;
  count = 0;
  private table: Int32Array; // point id + 1, 0 = empty

  constructor(readonly dim: 2 | 3, capacity = 1024) {
    this.coords = new Float64Array(dim * capacity);
    let size = 16;
    while (size < 2 * capacity) size *= 2;
    this.table = new Int32Array(size);
  }

  /** Id of the point at (x, y[, z]), or -1. */
  find(x: number, y: number, z = 0): number {
    return this.table[this.slot(x + 0, y + 0, z + 0)] - 1; // -0 → 0, so equal positions have equal bits
  }

  /** Id of the point at (x, y[, z]), added when new. */
  id(x: number, y: number, z = 0): number {
    x += 0; y += 0; z += 0; // -0 → 0, so equal positions have equal bits
    if (2 * (this.count + 1) > this.table.length) this.rehash(this.table.length * 2);
    const slot = this.slot(x, y, z);
    if (this.table[slot] !== 0) return this.table[slot] - 1;
    const d = this.dim;
    if (d * (this.count + 1) > this.coords.length) {
      const g = new Float64Array(this.coords.length * 2);
      g.set(this.coords);
      this.coords = g;
    }
    const i = d * this.count;
    this.coords[i] = x; this.coords[i + 1] = y;
    if (d === 3) this.coords[i + 2] = z;
    this.table[slot] = ++this.count;
    return this.count - 1;
  }

  /** The table slot holding (x, y[, z]) (already -0 → 0), or the empty slot where it would go. */
  private slot(x: number, y: number, z: number): number {
    const c = this.coords, d = this.dim, mask = this.table.length - 1;
    for (let slot = hash(x, y, z, d) & mask; ; slot = (slot + 1) & mask) {
      const e = this.table[slot];
      if (e === 0) return slot;
      const i = d * (e - 1);
      if (c[i] === x && c[i + 1] === y && (d === 2 || c[i + 2] === z)) return slot;
    }
  }

  /**
   * Forgets every point (ids start again at 0), keeping the storage, for a scratch index reused
   * per polygon; storage far larger than `expected` points need (left by a huge polygon) is
   * dropped instead, so clearing stays proportional to the polygon.
   */
  clear(expected = 0): void {
    let size = 16;
    while (size < 2 * expected) size *= 2;
    if (this.table.length > 1024 && this.table.length > 4 * size) {
      this.table = new Int32Array(size);
      this.coords = new Float64Array(this.dim * Math.max(8, size >> 1));
    } else this.table.fill(0);
    this.count = 0;
  }

  x(i: number): number { return this.coords[this.dim * i]; }
  y(i: number): number { return this.coords[this.dim * i + 1]; }

  private rehash(size: number): void {
    this.table = new Int32Array(size);
    const c = this.coords, d = this.dim;
    for (let p = 0; p < this.count; p++) this.table[this.slot(c[d * p], c[d * p + 1], d === 3 ? c[d * p + 2] : 0)] = p + 1;
  }
}

/** murmur3-style mix of the coordinates' 32-bit words, so lattice-regular coordinates spread over the table. */
function hash(x: number, y: number, z: number, dim: number): number {
  scratch[0] = x; scratch[1] = y; scratch[2] = z;
  let h = 0x9747b28c;
  for (let k = 0; k < 2 * dim; k++) {
    let w = Math.imul(words[k], 0xcc9e2d51);
    w = (w << 15) | (w >>> 17);
    h ^= Math.imul(w, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
