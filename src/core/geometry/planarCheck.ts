// The guarantee the tile mesher relies on, checked rather than assumed: edges of the arrangement
// on integer coordinates cross nowhere, overlap nowhere, and pass through no vertex. Snap
// rounding proves it; this check makes a violation (a bug, never seen) cost the buildings on
// the edges concerned — dropped with a diagnostic — instead of a failed tile.
import { onSegment, properCross } from "./predicates";
import { Buckets, segmentCells } from "./spatialGrid";

/** Indices of edges (u[e], v[e] into integer vertex coordinates V) that cross, overlap or pass through a vertex. */
export function planarDefects(V: ArrayLike<number>, u: ArrayLike<number>, v: ArrayLike<number>, edges: number): number[] {
  let sum = 0;
  for (let e = 0; e < edges; e++) sum += Math.abs(V[2 * u[e]] - V[2 * v[e]]) + Math.abs(V[2 * u[e] + 1] - V[2 * v[e] + 1]);
  const size = Math.max(64, Math.ceil(edges ? (2 * sum) / edges : 64));
  const cells = new Buckets(size, segmentCells(size, V, u, v, 1, edges));
  const bad = new Set<number>();
  /** True when point p lies on the open segment a–b. */
  const inside = (a: number, b: number, p: number) =>
    !(V[2 * p] === V[2 * a] && V[2 * p + 1] === V[2 * a + 1]) && !(V[2 * p] === V[2 * b] && V[2 * p + 1] === V[2 * b + 1]) && onSegment(V[2 * a], V[2 * a + 1], V[2 * b], V[2 * b + 1], V[2 * p], V[2 * p + 1]);
  for (let c = 0; c < cells.cellCount; c++) {
    for (let m = cells.start[c]; m < cells.start[c + 1]; m++) {
      const e = cells.ids[m], a = u[e], b = v[e];
      for (let q = m + 1; q < cells.start[c + 1]; q++) {
        const f = cells.ids[q], p = u[f], r = v[f];
        // Boxes apart: nothing to test (most pairs in a cell).
        if (Math.max(V[2 * p], V[2 * r]) < Math.min(V[2 * a], V[2 * b]) || Math.min(V[2 * p], V[2 * r]) > Math.max(V[2 * a], V[2 * b]) || Math.max(V[2 * p + 1], V[2 * r + 1]) < Math.min(V[2 * a + 1], V[2 * b + 1]) || Math.min(V[2 * p + 1], V[2 * r + 1]) > Math.max(V[2 * a + 1], V[2 * b + 1])) continue;
        if (properCross(V[2 * a], V[2 * a + 1], V[2 * b], V[2 * b + 1], V[2 * p], V[2 * p + 1], V[2 * r], V[2 * r + 1]) || inside(a, b, p) || inside(a, b, r) || inside(p, r, a) || inside(p, r, b)) { bad.add(e); bad.add(f); }
      }
    }
  }
  return [...bad].sort((p, q) => p - q);
}
