// Where walls meet at a footprint vertex v, their vertical edges must match piece by piece.
// Around v the footprint edges divide the plane into sectors (a building's inside, or ground),
// each with a height (roof, or the ground at v). A wall stands on each edge between two
// sectors of different height. For any height interval, the walls covering it pair up: each
// with the next covering wall reached by walking through sectors that are solid there. A
// wall's vertical edge at v is split exactly where its partner changes, so partners share
// identical pieces — manifold where the geometry allows it, and where buildings only touch
// at a corner they stay separate (no edge used four times).
import { orient } from "../geometry/predicates";

export interface CornerSource {
  /** Number of footprint vertices (ids 0..count-1). */
  readonly vertexCount: number;
  x(v: number): number;
  y(v: number): number;
  /** Neighbour vertices w of v along footprint edges, into `out` (cleared first; any order, no duplicates). */
  neighbours(v: number, out: number[]): void;
  /** Building on the left of the directed edge a→b (vertex ids; its owner), or -1. */
  leftOf(a: number, b: number): number;
  roofZ(b: number): number;
  groundZ(x: number, y: number): number;
}

/** Half-plane of a direction (0: angle in [0, π), 1: [π, 2π)), for an exact angular sort. */
const half = (dx: number, dy: number) => (dy > 0 || (dy === 0 && dx > 0) ? 0 : 1);

/**
 * The corners met so far, in flat arrays (no object or array per corner): corner v's neighbours in
 * counter-clockwise order are w[start[v] .. start[v] + len[v]), and z[start[v] + k] is the height
 * of the sector from direction k to direction k+1.
 */
export class Corners {
  private readonly start: Int32Array;
  private readonly len: Int32Array;
  private w = new Int32Array(256);
  private z = new Float64Array(256);
  private used = 0;
  // Scratch, reused by every call.
  private readonly nb: number[] = [];
  private readonly levels: number[] = [];
  /** Scratch for the walls: the two vertical sides of a wall and their vertices. */
  readonly sideP: number[] = [];
  readonly sideQ: number[] = [];
  readonly ladderP: number[] = [];
  readonly ladderQ: number[] = [];

  constructor(private readonly src: CornerSource) {
    this.start = new Int32Array(src.vertexCount).fill(-1);
    this.len = new Int32Array(src.vertexCount);
  }

  /** Computes corner v into the flat arrays once. */
  private corner(v: number): void {
    if (this.start[v] >= 0) return;
    const src = this.src, nb = this.nb;
    src.neighbours(v, nb);
    const vx = src.x(v), vy = src.y(v), n = nb.length;
    // Stable insertion sort by angle around v (the same order as a stable sort with this comparator).
    for (let a = 1; a < n; a++) {
      const wa = nb[a];
      let b = a - 1;
      while (b >= 0 && this.before(vx, vy, wa, nb[b])) { nb[b + 1] = nb[b]; b--; }
      nb[b + 1] = wa;
    }
    if (this.used + n > this.w.length) {
      let cap = 2 * this.w.length;
      while (cap < this.used + n) cap *= 2;
      const w = new Int32Array(cap); w.set(this.w); this.w = w;
      const z = new Float64Array(cap); z.set(this.z); this.z = z;
    }
    const at = this.used;
    const zg = src.groundZ(vx, vy);
    for (let k = 0; k < n; k++) {
      // The sector after direction k lies left of v→w_k and right of v→w_{k+1}.
      const k1 = (k + 1) % n;
      let b = src.leftOf(v, nb[k]);
      if (b < 0) b = src.leftOf(nb[k1], v);
      this.w[at + k] = nb[k];
      this.z[at + k] = b < 0 ? zg : src.roofZ(b);
    }
    this.start[v] = at;
    this.len[v] = n;
    this.used += n;
  }

  /** True when direction v→a comes strictly before v→b counter-clockwise from the +x axis. */
  private before(vx: number, vy: number, a: number, b: number): boolean {
    const src = this.src, axx = src.x(a), ayy = src.y(a), bxx = src.x(b), byy = src.y(b);
    const ha = half(axx - vx, ayy - vy), hb = half(bxx - vx, byy - vy);
    if (ha !== hb) return ha < hb;
    return orient(vx, vy, axx, ayy, bxx, byy) > 0;
  }

  /**
   * Appends to `out` the heights strictly inside (lo, hi), ascending, at which the wall on edge
   * v→w must split its vertical edge at v (v, w: vertex ids).
   */
  splits(v: number, w: number, lo: number, hi: number, out: number[]): void {
    this.corner(v);
    const at = this.start[v], n = this.len[v], z = this.z;
    let k = -1;
    for (let i = 0; i < n; i++) if (this.w[at + i] === w) { k = i; break; }
    if (k < 0 || n < 2) return;
    // The distinct heights in [lo, hi] among the sectors' and lo and hi, ascending.
    const levels = this.levels;
    levels.length = 0;
    for (let i = 0; i < n; i++) levels.push(z[at + i]);
    levels.push(lo, hi);
    let m = 0;
    for (let i = 0; i < levels.length; i++) {
      const h = levels[i];
      if (!(h >= lo && h <= hi)) continue;
      let p = m++;
      while (p > 0 && levels[p - 1] > h) { levels[p] = levels[p - 1]; p--; }
      levels[p] = h;
    }
    let d = 0;
    for (let i = 0; i < m; i++) if (d === 0 || levels[i] !== levels[d - 1]) levels[d++] = levels[i];
    let prev = -2;
    for (let i = 0; i + 1 < d; i++) {
      const p = this.partner(at, n, k, levels[i], levels[i + 1]);
      if (i > 0 && p !== prev) out.push(levels[i]);
      prev = p;
    }
  }

  /** The wall paired with wall k over the height interval [a, b]: walk through sectors solid there. */
  private partner(at: number, n: number, k: number, a: number, b: number): number {
    const z = this.z;
    // Wall k lies between sector k-1 (clockwise side) and sector k (counter-clockwise side).
    const cw = z[at + ((k - 1 + n) % n)], ccw = z[at + k];
    const step = ccw >= b && cw <= a ? 1 : cw >= b && ccw <= a ? -1 : 0;
    if (step === 0) return -1; // the wall does not cover [a, b]
    let j = k;
    for (let guard = 0; guard < n; guard++) {
      j = (j + step + n) % n;
      const beyond = step === 1 ? z[at + j] : z[at + ((j - 1 + n) % n)];
      if (beyond <= a) return j; // the next sector is open at [a, b]: wall j closes the solid run
    }
    return -1;
  }
}
