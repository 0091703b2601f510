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
    x += 0; y += 0; z += 0; // -0 → 0, so equal positions have equal bits
    const c = this.coords, d = this.dim, mask = this.table.length - 1;
    for (let slot = hash(x, y, z, d) & mask; ; slot = (slot + 1) & mask) {
      const e = this.table[slot];
      if (e === 0) return -1;
      const i = d * (e - 1);
      if (c[i] === x && c[i + 1] === y && (d === 2 || c[i + 2] === z)) return e - 1;
    }
  }

  /** Id of the point at (x, y[, z]), added when new. */
  id(x: number, y: number, z = 0): number {
    const found = this.find(x, y, z);
    if (found >= 0) return found;
    x += 0; y += 0; z += 0;
    const d = this.dim;
    if (d * (this.count + 1) > this.coords.length) {
      const g = new Float64Array(this.coords.length * 2);
      g.set(this.coords);
      this.coords = g;
    }
    const i = d * this.count;
    this.coords[i] = x; this.coords[i + 1] = y;
    if (d === 3) this.coords[i + 2] = z;
    if (2 * (this.count + 1) > this.table.length) this.rehash(this.table.length * 2);
    this.insert(this.count);
    return this.count++;
  }

  x(i: number): number { return this.coords[this.dim * i]; }
  y(i: number): number { return this.coords[this.dim * i + 1]; }

  private insert(p: number): void {
    const c = this.coords, d = this.dim, mask = this.table.length - 1;
    let slot = hash(c[d * p], c[d * p + 1], d === 3 ? c[d * p + 2] : 0, d) & mask;
    while (this.table[slot] !== 0) slot = (slot + 1) & mask;
    this.table[slot] = p + 1;
  }

  private rehash(size: number): void {
    this.table = new Int32Array(size);
    for (let p = 0; p < this.count; p++) this.insert(p);
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
