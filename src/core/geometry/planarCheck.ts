// The guarantee the tile mesher relies on, checked rather than assumed: edges of the arrangement
// on integer coordinates cross nowhere, overlap nowhere, and pass through no vertex. Snap
// rounding proves it; this check makes a violation (a bug, never seen) cost the buildings on
// the edges concerned — dropped with a diagnostic — instead of a failed tile.
import { onSegment, properCross } from "./predicates";
import { Buckets } from "./spatialGrid";

/** Indices of edges (u[e], v[e] into integer vertex coordinates V) that cross, overlap or pass through a vertex. */
export function planarDefects(V: ArrayLike<number>, u: ArrayLike<number>, v: ArrayLike<number>, edges: number): number[] {
  const X = (p: number) => V[2 * p], Y = (p: number) => V[2 * p + 1];
  let sum = 0;
  for (let e = 0; e < edges; e++) sum += Math.abs(X(u[e]) - X(v[e])) + Math.abs(Y(u[e]) - Y(v[e]));
  const cells = new Buckets(Math.max(64, Math.ceil(edges ? (2 * sum) / edges : 64)), edges, (e, o) => {
    o[0] = Math.min(X(u[e]), X(v[e])); o[1] = Math.min(Y(u[e]), Y(v[e])); o[2] = Math.max(X(u[e]), X(v[e])); o[3] = Math.max(Y(u[e]), Y(v[e]));
  });
  const bad = new Set<number>();
  /** True when point p lies on the open segment a–b. */
  const inside = (a: number, b: number, p: number) =>
    !(X(p) === X(a) && Y(p) === Y(a)) && !(X(p) === X(b) && Y(p) === Y(b)) && onSegment(X(a), Y(a), X(b), Y(b), X(p), Y(p));
  for (let c = 0; c < cells.cellCount; c++) {
    for (let m = cells.start[c]; m < cells.start[c + 1]; m++) {
      const e = cells.ids[m], a = u[e], b = v[e];
      for (let q = m + 1; q < cells.start[c + 1]; q++) {
        const f = cells.ids[q], p = u[f], r = v[f];
        // Boxes apart: nothing to test (most pairs in a cell).
        if (Math.max(X(p), X(r)) < Math.min(X(a), X(b)) || Math.min(X(p), X(r)) > Math.max(X(a), X(b)) || Math.max(Y(p), Y(r)) < Math.min(Y(a), Y(b)) || Math.min(Y(p), Y(r)) > Math.max(Y(a), Y(b))) continue;
        if (properCross(X(a), Y(a), X(b), Y(b), X(p), Y(p), X(r), Y(r)) || inside(a, b, p) || inside(a, b, r) || inside(p, r, a) || inside(p, r, b)) { bad.add(e); bad.add(f); }
      }
    }
  }
  return [...bad].sort((p, q) => p - q);
}
