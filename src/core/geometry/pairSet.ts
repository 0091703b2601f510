// A set of ordered pairs of non-negative 32-bit integers (directed edges between point ids), in
// one open-addressing table of typed arrays. The mesher keyed JS Sets by a·2³² + b: numbers
// above 2³¹ are heap doubles there, each insert allocated and hashed one, and the ground's
// edge sets were a tenth of a tile's time on New York.

export class PairSet {
  private keysA: Int32Array;
  private keysB: Int32Array; // -1 = empty slot
  size = 0;

  constructor(capacity = 256) {
    let n = 16;
    while (n < 2 * capacity) n *= 2;
    this.keysA = new Int32Array(n);
    this.keysB = new Int32Array(n).fill(-1);
  }

  has(a: number, b: number): boolean {
    return this.keysB[this.slot(a, b)] >= 0;
  }

  /** Adds (a, b); returns false when it was already there. */
  add(a: number, b: number): boolean {
    if (2 * (this.size + 1) > this.keysB.length) this.grow();
    const s = this.slot(a, b);
    if (this.keysB[s] >= 0) return false;
    this.keysA[s] = a;
    this.keysB[s] = b;
    this.size++;
    return true;
  }

  /**
   * Removes every pair, keeping the storage, for a scratch set reused per polygon; storage far
   * larger than `expected` pairs need is dropped instead (see PointIndex.clear).
   */
  clear(expected = 0): void {
    let n = 16;
    while (n < 2 * expected) n *= 2;
    if (this.keysB.length > 1024 && this.keysB.length > 4 * n) {
      this.keysA = new Int32Array(n);
      this.keysB = new Int32Array(n).fill(-1);
    } else this.keysB.fill(-1);
    this.size = 0;
  }

  /** The slot holding (a, b), or the empty slot where it would go (linear probing). */
  private slot(a: number, b: number): number {
    const A = this.keysA, B = this.keysB, mask = B.length - 1;
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      if (B[s] < 0 || (B[s] === b && A[s] === a)) return s;
    }
  }

  private grow(): void {
    const A = this.keysA, B = this.keysB;
    this.keysA = new Int32Array(2 * A.length);
    this.keysB = new Int32Array(2 * B.length).fill(-1);
    for (let s = 0; s < B.length; s++) {
      if (B[s] < 0) continue;
      const t = this.slot(A[s], B[s]);
      this.keysA[t] = A[s];
      this.keysB[t] = B[s];
    }
  }
}
