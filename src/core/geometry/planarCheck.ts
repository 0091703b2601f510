// The guarantee the tile mesher relies on, checked rather than assumed: edges of the arrangement
// on integer coordinates cross nowhere, overlap nowhere, and pass through no vertex. Snap
// rounding proves it; this check makes a violation (a bug, never seen) cost the buildings on
// the edges concerned — dropped with a diagnostic — instead of a failed tile.
import { onSegment, properCross } from "./predicates";
import { Buckets, boxCells, segmentBoxes } from "./spatialGrid";

/** Indices of edges (u[e], v[e] into integer vertex coordinates V) that cross, overlap or pass through a vertex. */
export function planarDefects(V: ArrayLike<number>, u: ArrayLike<number>, v: ArrayLike<number>, edges: number): number[] {
  let sum = 0;
  for (let e = 0; e < edges; e++) sum += Math.abs(V[2 * u[e]] - V[2 * v[e]]) + Math.abs(V[2 * u[e] + 1] - V[2 * v[e] + 1]);
  const size = Math.max(64, Math.ceil(edges ? (2 * sum) / edges : 64));
  const box = segmentBoxes(V, u, v, 1, edges);
  const cells = new Buckets(size, boxCells(size, box, edges));
  const bad = new Set<number>();
  /** True when point p lies on the open segment a–b. */
  const inside = (a: number, b: number, p: number) =>
    !(V[2 * p] === V[2 * a] && V[2 * p + 1] === V[2 * a + 1]) && !(V[2 * p] === V[2 * b] && V[2 * p + 1] === V[2 * b + 1]) && onSegment(V[2 * a], V[2 * a + 1], V[2 * b], V[2 * b + 1], V[2 * p], V[2 * p + 1]);
  for (let c = 0; c < cells.cellCount; c++) {
    for (let m = cells.start[c]; m < cells.start[c + 1]; m++) {
      const e = cells.ids[m], a = u[e], b = v[e];
      const x0 = box[4 * e], y0 = box[4 * e + 1], x1 = box[4 * e + 2], y1 = box[4 * e + 3];
      for (let q = m + 1, end = cells.start[c + 1]; q < end; q++) {
        const f = cells.ids[q];
        // Boxes apart: nothing to test (most pairs in a cell).
        if (box[4 * f + 2] < x0 || box[4 * f] > x1 || box[4 * f + 3] < y0 || box[4 * f + 1] > y1) continue;
        const p = u[f], r = v[f];
        if (properCross(V[2 * a], V[2 * a + 1], V[2 * b], V[2 * b + 1], V[2 * p], V[2 * p + 1], V[2 * r], V[2 * r + 1]) || inside(a, b, p) || inside(a, b, r) || inside(p, r, a) || inside(p, r, b)) { bad.add(e); bad.add(f); }
      }
    }
  }
  return [...bad].sort((p, q) => p - q);
}
