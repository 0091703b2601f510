// Exact helpers for one footprint ring as the validator sees it: a flat Float64Array
// [x0,y0,x1,y1,…], open (last point ≠ first). Orientation is predicates.ts's orient (exact,
// counter-clockwise positive), the one convention of the geometry kit: footprints have many
// near-collinear vertices, where a plain floating-point cross product gives the wrong sign and
// calls a valid ring self-intersecting.
import { orient } from "./predicates";
import { ringArea as ringAreaRange } from "./footprintBuilder";

/** Signed area (shoelace), positive for counter-clockwise. Computed relative to the first point so large projected coordinates keep their precision. */
export function ringArea(xy: Float64Array): number {
  return ringAreaRange(xy, 0, xy.length >> 1);
}

export function reverseRing(xy: Float64Array): void {
  const n = xy.length >> 1;
  for (let i = 0, j = n - 1; i < j; i++, j--) {
    const x = xy[2 * i];
    const y = xy[2 * i + 1];
    xy[2 * i] = xy[2 * j];
    xy[2 * i + 1] = xy[2 * j + 1];
    xy[2 * j] = x;
    xy[2 * j + 1] = y;
  }
}

/** True when every point lies on one line (exactly). */
export function allCollinear(xy: Float64Array): boolean {
  const n = xy.length >> 1;
  let j = 1;
  while (j < n && xy[2 * j] === xy[0] && xy[2 * j + 1] === xy[1]) j++;
  for (let k = j + 1; k < n; k++) {
    if (orient(xy[0], xy[1], xy[2 * j], xy[2 * j + 1], xy[2 * k], xy[2 * k + 1]) !== 0) return false;
  }
  return true;
}

/**
 * Removes spikes: a vertex whose neighbours lie on one line through it with the path turning
 * back (a zero-width excursion). Removing one can expose another, so this works from a queue
 * over a linked list, O(n). Returns the cleaned ring and how many vertices were removed.
 */
export function removeSpikes(xy: Float64Array): { ring: Float64Array; removed: number } {
  const n = xy.length >> 1;
  if (n < 3 || !hasSpike(xy)) return { ring: xy, removed: 0 };
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    prev[i] = (i + n - 1) % n;
    next[i] = (i + 1) % n;
  }
  const queue: number[] = [];
  for (let i = 0; i < n; i++) queue.push(i);
  let left = n;
  let removed = 0;
  const kill = (v: number) => {
    const p = prev[v];
    const q = next[v];
    next[p] = q;
    prev[q] = p;
    alive[v] = 0;
    left--;
    removed++;
    queue.push(p, q);
  };
  while (queue.length && left >= 3) {
    const v = queue.pop()!;
    if (!alive[v]) continue;
    const p = prev[v];
    const q = next[v];
    const px = xy[2 * p], py = xy[2 * p + 1];
    const vx = xy[2 * v], vy = xy[2 * v + 1];
    const qx = xy[2 * q], qy = xy[2 * q + 1];
    if (vx === px && vy === py) {
      kill(v); // duplicate exposed by an earlier removal
      continue;
    }
    if (orient(px, py, vx, vy, qx, qy) !== 0) continue;
    // Collinear: a spike when the direction reverses at v.
    if ((vx - px) * (qx - vx) + (vy - py) * (qy - vy) < 0) kill(v);
  }
  if (removed === 0) return { ring: xy, removed };
  const out = new Float64Array(2 * left);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (!alive[i]) continue;
    out[k++] = xy[2 * i];
    out[k++] = xy[2 * i + 1];
  }
  return { ring: out, removed };
}

/**
 * True when some vertex is a spike or repeats its predecessor: the queue below removes nothing
 * otherwise (it only removes such vertices, and only a removal makes new ones), so most rings
 * are answered here without the queue's arrays.
 */
function hasSpike(xy: Float64Array): boolean {
  const n = xy.length >> 1;
  for (let v = 0; v < n; v++) {
    const p = v === 0 ? n - 1 : v - 1, q = v + 1 === n ? 0 : v + 1;
    const px = xy[2 * p], py = xy[2 * p + 1], vx = xy[2 * v], vy = xy[2 * v + 1], qx = xy[2 * q], qy = xy[2 * q + 1];
    if (vx === px && vy === py) return true;
    if (orient(px, py, vx, vy, qx, qy) === 0 && (vx - px) * (qx - vx) + (vy - py) * (qy - vy) < 0) return true;
  }
  return false;
}

/**
 * Winding-number point-in-ring test with exact orientation.
 * Returns 1 inside, -1 outside, 0 on the boundary.
 */
export function pointInRing(x: number, y: number, xy: Float64Array): number {
  const n = xy.length >> 1;
  let wn = 0;
  for (let i = 0; i < n; i++) {
    const j = i + 1 === n ? 0 : i + 1;
    const ax = xy[2 * i], ay = xy[2 * i + 1];
    const bx = xy[2 * j], by = xy[2 * j + 1];
    const o = orient(ax, ay, bx, by, x, y);
    if (o === 0 && x >= Math.min(ax, bx) && x <= Math.max(ax, bx) && y >= Math.min(ay, by) && y <= Math.max(ay, by)) return 0;
    // Upward edge with the point on its left: +1; downward with it on its right: −1.
    if (ay <= y) {
      if (by > y && o > 0) wn++;
    } else if (by <= y && o < 0) wn--;
  }
  return wn !== 0 ? 1 : -1;
}

export interface Intersection {
  /** Ring index and edge index (edge i joins point i and i+1) of the two edges. */
  ringA: number;
  edgeA: number;
  ringB: number;
  edgeB: number;
  /** A point near the problem, for the message. */
  x: number;
  y: number;
}

/**
 * The edge arrays of findIntersection, kept from call to call: the reader checks every polygon of
 * a city, and fresh arrays for each (four per polygon) were a large part of its garbage. Only
 * the first E entries of a call are read.
 */
const newEdgeScratch = (n: number) => ({ ringOf: new Uint32Array(n), edgeOf: new Uint32Array(n), ex: new Float64Array(4 * n) /* x0,y0,x1,y1 per edge */, ringLen: new Uint32Array(n) });
let edgeScratch = newEdgeScratch(64);
const KEPT_EDGES = 1 << 16;

/**
 * Finds one pair of intersecting edges among the rings of a polygon, or null.
 * Invalid: a proper crossing or a collinear overlap anywhere; within one ring also a touch
 * (a vertex on a non-adjacent edge, OGC's self-tangency). Touches between different rings (a
 * hole touching its shell at a point) are allowed.
 *
 * Edges are bucketed in a uniform grid of about one cell per edge, each edge walked only through
 * the cells its segment crosses, and only edges sharing a cell are compared: close to linear for
 * footprints (a 100k-vertex ring takes milliseconds), where the all-pairs test would be O(n²).
 */
export function findIntersection(rings: Float64Array[]): Intersection | null {
  let E = 0;
  for (const r of rings) E += r.length >> 1;
  let arrays = edgeScratch;
  if (E > arrays.ringOf.length) {
    arrays = newEdgeScratch(Math.max(E, 2 * arrays.ringOf.length));
    if (E <= KEPT_EDGES) edgeScratch = arrays; // a huge ring's arrays are not kept for the rest of the read
  }
  const { ringOf, edgeOf, ex, ringLen } = arrays;
  let e = 0;
  let xmin = Infinity, ymin = Infinity, xmax = -Infinity, ymax = -Infinity;
  for (let r = 0; r < rings.length; r++) {
    const xy = rings[r];
    const n = xy.length >> 1;
    for (let i = 0; i < n; i++, e++) {
      const j = i + 1 === n ? 0 : i + 1;
      ringOf[e] = r;
      edgeOf[e] = i;
      ringLen[e] = n;
      ex[4 * e] = xy[2 * i];
      ex[4 * e + 1] = xy[2 * i + 1];
      ex[4 * e + 2] = xy[2 * j];
      ex[4 * e + 3] = xy[2 * j + 1];
      if (xy[2 * i] < xmin) xmin = xy[2 * i];
      if (xy[2 * i] > xmax) xmax = xy[2 * i];
      if (xy[2 * i + 1] < ymin) ymin = xy[2 * i + 1];
      if (xy[2 * i + 1] > ymax) ymax = xy[2 * i + 1];
    }
  }
  const test = (a: number, b: number): Intersection | null => {
    if (!edgesIntersect(ex, a, b, ringOf, edgeOf, ringLen)) return null;
    return { ringA: ringOf[a], edgeA: edgeOf[a], ringB: ringOf[b], edgeB: edgeOf[b], x: ex[4 * a], y: ex[4 * a + 1] };
  };
  if (E <= 48) {
    for (let a = 0; a < E; a++) for (let b = a + 1; b < E; b++) {
      const hit = test(a, b);
      if (hit) return hit;
    }
    return null;
  }
  const G = Math.max(1, Math.min(2048, Math.ceil(Math.sqrt(E))));
  const w = xmax - xmin || 1;
  const h = ymax - ymin || 1;
  const cw = w / G;
  const ch = h / G;
  // Pairs (cell, edge) in growable buffers, then grouped by cell with a counting sort.
  let cap = 4 * E;
  let cells = new Uint32Array(cap);
  let edges = new Uint32Array(cap);
  let m = 0;
  const push = (c: number, ed: number) => {
    if (m === cap) {
      cap *= 2;
      const c2 = new Uint32Array(cap);
      c2.set(cells);
      cells = c2;
      const e2 = new Uint32Array(cap);
      e2.set(edges);
      edges = e2;
    }
    cells[m] = c;
    edges[m++] = ed;
  };
  const clampCol = (v: number) => Math.max(0, Math.min(G - 1, Math.floor((v - xmin) / cw)));
  const clampRow = (v: number) => Math.max(0, Math.min(G - 1, Math.floor((v - ymin) / ch)));
  const epsX = cw * 1e-7;
  const epsY = ch * 1e-7;
  for (let k = 0; k < E; k++) {
    const x0 = ex[4 * k], y0 = ex[4 * k + 1], x1 = ex[4 * k + 2], y1 = ex[4 * k + 3];
    const r0 = clampRow(Math.min(y0, y1) - epsY);
    const r1 = clampRow(Math.max(y0, y1) + epsY);
    for (let r = r0; r <= r1; r++) {
      // x-range of the segment within this row band (conservatively widened).
      let xa: number, xb: number;
      if (y0 === y1 || r0 === r1) {
        xa = Math.min(x0, x1);
        xb = Math.max(x0, x1);
      } else {
        const yb0 = Math.max(Math.min(y0, y1), ymin + r * ch);
        const yb1 = Math.min(Math.max(y0, y1), ymin + (r + 1) * ch);
        const t0 = (yb0 - y0) / (y1 - y0);
        const t1 = (yb1 - y0) / (y1 - y0);
        const xt0 = x0 + t0 * (x1 - x0);
        const xt1 = x0 + t1 * (x1 - x0);
        xa = Math.min(xt0, xt1);
        xb = Math.max(xt0, xt1);
      }
      const c0 = clampCol(xa - epsX);
      const c1 = clampCol(xb + epsX);
      for (let c = c0; c <= c1; c++) push(r * G + c, k);
    }
  }
  const start = new Uint32Array(G * G + 1);
  for (let i = 0; i < m; i++) start[cells[i] + 1]++;
  for (let c = 0; c < G * G; c++) start[c + 1] += start[c];
  const fill = start.slice(0, G * G);
  const sorted = new Uint32Array(m);
  for (let i = 0; i < m; i++) sorted[fill[cells[i]]++] = edges[i];
  for (let c = 0; c < G * G; c++) {
    for (let i = start[c]; i < start[c + 1]; i++) {
      for (let j = i + 1; j < start[c + 1]; j++) {
        const hit = test(sorted[i], sorted[j]);
        if (hit) return hit;
      }
    }
  }
  return null;
}

function edgesIntersect(ex: Float64Array, a: number, b: number, ringOf: Uint32Array, edgeOf: Uint32Array, ringLen: Uint32Array): boolean {
  const sameRing = ringOf[a] === ringOf[b];
  if (sameRing) {
    const n = ringLen[a];
    const ia = edgeOf[a];
    const ib = edgeOf[b];
    // Adjacent edges share a vertex; with spikes removed they cannot overlap.
    if ((ia + 1) % n === ib || (ib + 1) % n === ia) return false;
  }
  const ax = ex[4 * a], ay = ex[4 * a + 1], bx = ex[4 * a + 2], by = ex[4 * a + 3];
  const cx = ex[4 * b], cy = ex[4 * b + 1], dx = ex[4 * b + 2], dy = ex[4 * b + 3];
  // Cheap bounding-box rejection first.
  if (Math.max(ax, bx) < Math.min(cx, dx) || Math.max(cx, dx) < Math.min(ax, bx)) return false;
  if (Math.max(ay, by) < Math.min(cy, dy) || Math.max(cy, dy) < Math.min(ay, by)) return false;
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true;
  if (o1 === 0 && o2 === 0) {
    // Collinear: overlap of positive length?
    const useX = Math.abs(bx - ax) >= Math.abs(by - ay);
    const a0 = useX ? Math.min(ax, bx) : Math.min(ay, by);
    const a1 = useX ? Math.max(ax, bx) : Math.max(ay, by);
    const c0 = useX ? Math.min(cx, dx) : Math.min(cy, dy);
    const c1 = useX ? Math.max(cx, dx) : Math.max(cy, dy);
    if (Math.min(a1, c1) > Math.max(a0, c0)) return true;
    return sameRing && Math.min(a1, c1) === Math.max(a0, c0);
  }
  if (!sameRing) return false;
  // Same ring, non-adjacent: any touch is a self-tangency.
  const on = (o: number, px: number, py: number, qx: number, qy: number, rx: number, ry: number) =>
    o === 0 && rx >= Math.min(px, qx) && rx <= Math.max(px, qx) && ry >= Math.min(py, qy) && ry <= Math.max(py, qy);
  return on(o1, ax, ay, bx, by, cx, cy) || on(o2, ax, ay, bx, by, dx, dy) || on(o3, cx, cy, dx, dy, ax, ay) || on(o4, cx, cy, dx, dy, bx, by);
}
