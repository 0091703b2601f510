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
  /** A stable id of the footprint vertex at v (the cache key), or -1 when none. */
  vertexId(vx: number, vy: number): number;
  /** Neighbour points w of v along footprint edges, as x,y pairs (any order, no duplicates). */
  neighbours(vx: number, vy: number): number[];
  /** Building on the left of the directed edge a→b (its owner), or -1. */
  leftOf(ax: number, ay: number, bx: number, by: number): number;
  roofZ(b: number): number;
  groundZ(x: number, y: number): number;
}

interface Corner {
  /** Neighbour points in counter-clockwise order around v. */
  w: number[];
  /** sectorZ[k]: height of the sector from direction k to direction k+1 (counter-clockwise). */
  sectorZ: number[];
}

/** Half-plane of a direction (0: angle in [0, π), 1: [π, 2π)), for an exact angular sort. */
const half = (dx: number, dy: number) => (dy > 0 || (dy === 0 && dx > 0) ? 0 : 1);

export class Corners {
  private readonly cache = new Map<number, Corner>();
  constructor(private readonly src: CornerSource) {}

  private corner(vx: number, vy: number): Corner {
    const key = this.src.vertexId(vx, vy);
    let c = key >= 0 ? this.cache.get(key) : undefined;
    if (c) return c;
    const nb = this.src.neighbours(vx, vy);
    const idx = Array.from({ length: nb.length / 2 }, (_, k) => k);
    idx.sort((a, b) => {
      const ax = nb[2 * a] - vx, ay = nb[2 * a + 1] - vy, bx = nb[2 * b] - vx, by = nb[2 * b + 1] - vy;
      const ha = half(ax, ay), hb = half(bx, by);
      if (ha !== hb) return ha - hb;
      return -orient(vx, vy, nb[2 * a], nb[2 * a + 1], nb[2 * b], nb[2 * b + 1]);
    });
    const w: number[] = [];
    for (const k of idx) w.push(nb[2 * k], nb[2 * k + 1]);
    const n = idx.length, sectorZ: number[] = [];
    const zg = this.src.groundZ(vx, vy);
    for (let k = 0; k < n; k++) {
      // The sector after direction k lies left of v→w_k and right of v→w_{k+1}.
      const k1 = (k + 1) % n;
      let b = this.src.leftOf(vx, vy, w[2 * k], w[2 * k + 1]);
      if (b < 0) b = this.src.leftOf(w[2 * k1], w[2 * k1 + 1], vx, vy);
      sectorZ.push(b < 0 ? zg : this.src.roofZ(b));
    }
    c = { w, sectorZ };
    if (key >= 0) this.cache.set(key, c);
    return c;
  }

  /** Heights strictly inside (lo, hi) at which the wall on edge v→w must split its vertical edge at v. */
  splits(vx: number, vy: number, wx: number, wy: number, lo: number, hi: number): number[] {
    const c = this.corner(vx, vy), n = c.sectorZ.length, z = c.sectorZ;
    let k = -1;
    for (let i = 0; i < n; i++) if (c.w[2 * i] === wx && c.w[2 * i + 1] === wy) { k = i; break; }
    if (k < 0 || n < 2) return [];
    const levels = [...new Set([...z, lo, hi])].filter((h) => h >= lo && h <= hi).sort((a, b) => a - b);
    const out: number[] = [];
    let prev = -2;
    for (let i = 0; i + 1 < levels.length; i++) {
      const p = this.partner(z, n, k, levels[i], levels[i + 1]);
      if (i > 0 && p !== prev) out.push(levels[i]);
      prev = p;
    }
    return out;
  }

  /** The wall paired with wall k over the height interval [a, b]: walk through sectors solid there. */
  private partner(z: number[], n: number, k: number, a: number, b: number): number {
    // Wall k lies between sector k-1 (clockwise side) and sector k (counter-clockwise side).
    const cw = z[(k - 1 + n) % n], ccw = z[k];
    const step = ccw >= b && cw <= a ? 1 : cw >= b && ccw <= a ? -1 : 0;
    if (step === 0) return -1; // the wall does not cover [a, b]
    let j = k;
    for (let guard = 0; guard < n; guard++) {
      j = (j + step + n) % n;
      const beyond = step === 1 ? z[j] : z[(j - 1 + n) % n];
      if (beyond <= a) return j; // the next sector is open at [a, b]: wall j closes the solid run
    }
    return -1;
  }
}
