// Exact welding of seam vertices across tiles. Two vertices weld only when x, y and z are
// bit-identical float64 (no tolerance: tiles snap their shared boundary points to the same
// doubles, so any difference is a real difference) and, when the spool is un-welded by feature,
// they belong to the same building (or both to the ground). Note -0 and +0 differ bitwise and do
// not weld.
// An open-addressing hash table on typed arrays (linear probing, power-of-two capacity, at most
// half full): no string key and no Map entry per seam vertex, so no garbage per vertex. It replaced
// a Map keyed by the vertex's bytes as a 12-character string, whose key building and hashing took
// 4 % of the merge of a 128,000-building city. Memory: 32 bytes per slot, 64-128 per entry.

const EMPTY = 0xffffffff;

export class SeamMap {
  /** Per slot: the key's six 32-bit words (x, y, z as float64 bits), its building, its value. */
  private words: Uint32Array;
  private building: Int32Array;
  private value: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1 << 12) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.words = new Uint32Array(cap * 6);
    this.building = new Int32Array(cap);
    this.value = new Uint32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /**
   * The value stored for the vertex v of `u32` (a Uint32Array view of a Float64Array of x,y,z
   * triples) and building b, or, when there is none, stores `fresh` for it and returns -1.
   */
  getOrSet(u32: Uint32Array, v: number, b: number, fresh: number): number {
    const o = v * 6;
    const w0 = u32[o], w1 = u32[o + 1], w2 = u32[o + 2], w3 = u32[o + 3], w4 = u32[o + 4], w5 = u32[o + 5];
    let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 15) ^ w1, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 13) ^ w2, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 16) ^ w3, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 15) ^ w4, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ w5, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16) ^ b, 0x85ebca6b);
    h ^= h >>> 13;
    const { words, building, value, mask } = this;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const got = value[s];
      if (got === EMPTY) {
        const k = s * 6;
        words[k] = w0; words[k + 1] = w1; words[k + 2] = w2; words[k + 3] = w3; words[k + 4] = w4; words[k + 5] = w5;
        building[s] = b;
        value[s] = fresh;
        if (++this.count * 2 > mask + 1) this.grow();
        return -1;
      }
      const k = s * 6;
      if (words[k] === w0 && words[k + 1] === w1 && words[k + 2] === w2 && words[k + 3] === w3 && words[k + 4] === w4 && words[k + 5] === w5 && building[s] === b) return got;
    }
  }

  private grow(): void {
    const { words, building, value } = this;
    const cap = (this.mask + 1) * 2;
    this.words = new Uint32Array(cap * 6);
    this.building = new Int32Array(cap);
    this.value = new Uint32Array(cap).fill(EMPTY);
    this.mask = cap - 1;
    this.count = 0;
    for (let s = 0; s < value.length; s++) if (value[s] !== EMPTY) this.getOrSet(words, s, building[s], value[s]);
  }
}
