// A growable typed array: capacity doubles, so appending is amortised O(1) and memory stays
// within 2× the final array. Footprints are built into these, never one JS object per point.
type Typed = Float64Array | Uint32Array;

export class Growable<T extends Typed> {
  a: T;
  n = 0;

  constructor(private readonly make: (length: number) => T, capacity: number) {
    this.a = make(capacity);
  }

  reserve(extra: number): void {
    if (this.n + extra <= this.a.length) return;
    let cap = Math.max(1, this.a.length * 2);
    while (cap < this.n + extra) cap *= 2;
    this.reserveTotal(cap);
  }

  /** Room for exactly `total` values in all (when the final size is known: no doubling, and done() then copies nothing). */
  reserveTotal(total: number): void {
    if (total <= this.a.length) return;
    const b = this.make(total);
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }

  push(v: number): void {
    if (this.n === this.a.length) this.reserve(1);
    this.a[this.n++] = v;
  }

  /** What was pushed, exactly sized: the array itself when it is full (it must not be pushed to again), else a copy. */
  done(): T {
    return this.n === this.a.length ? this.a : (this.a.slice(0, this.n) as T);
  }
}

export const growableF64 = (capacity = 1024): Growable<Float64Array> => new Growable((n) => new Float64Array(n), capacity);
export const growableU32 = (capacity = 256): Growable<Uint32Array> => new Growable((n) => new Uint32Array(n), capacity);
