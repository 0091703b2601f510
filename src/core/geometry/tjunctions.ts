// Pass 3 of the clean-up: no T-junctions. Where a vertex of one footprint lies on (or within
// the snap tolerance of) an edge of another — a terraced house whose wall is split where the
// neighbour's wall ends — that edge gets the vertex too. Afterwards two footprints that share
// a wall share exactly the same sub-edges, so walls and ground meet vertex to vertex.
import type { Footprints } from "../types";
import { FootprintBuilder } from "./footprintBuilder";
import { orient } from "./predicates";

export function splitAtVertices(f: Footprints, tol: number): Footprints {
  const nPts = f.xy.length / 2;
  if (nPts === 0) return f;
  // Bucket every vertex in a grid of about the mean edge length.
  let sumLen = 0;
  for (let r = 0; r + 1 < f.ringStart.length; r++) {
    const s = f.ringStart[r], e = f.ringStart[r + 1];
    for (let i = s; i < e; i++) {
      const j = i + 1 < e ? i + 1 : s;
      sumLen += Math.hypot(f.xy[2 * j] - f.xy[2 * i], f.xy[2 * j + 1] - f.xy[2 * i + 1]);
    }
  }
  const cell = Math.max(tol * 16, (sumLen / nPts) * 2);
  const buckets = new Map<number, number[]>();
  const key = (i: number, j: number) => i * 0x200000 + j;
  for (let p = 0; p < nPts; p++) {
    const k = key(Math.floor(f.xy[2 * p] / cell), Math.floor(f.xy[2 * p + 1] / cell));
    const list = buckets.get(k);
    if (list) list.push(p); else buckets.set(k, [p]);
  }

  const out = new FootprintBuilder();
  const tol2 = tol * tol;
  const hits: number[] = []; // t, x, y triples
  let changed = false;
  for (let b = 0; b < f.count; b++) {
    for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++) {
      for (let r = f.polyStart[p]; r < f.polyStart[p + 1]; r++) {
        const s = f.ringStart[r], e = f.ringStart[r + 1];
        out.beginRing();
        for (let i = s; i < e; i++) {
          const j = i + 1 < e ? i + 1 : s;
          const ax = f.xy[2 * i], ay = f.xy[2 * i + 1], bx = f.xy[2 * j], by = f.xy[2 * j + 1];
          out.addPoint(ax, ay);
          const ux = bx - ax, uy = by - ay, len2 = ux * ux + uy * uy;
          hits.length = 0;
          const i0 = Math.floor((Math.min(ax, bx) - tol) / cell), i1 = Math.floor((Math.max(ax, bx) + tol) / cell);
          const j0 = Math.floor((Math.min(ay, by) - tol) / cell), j1 = Math.floor((Math.max(ay, by) + tol) / cell);
          for (let ci = i0; ci <= i1; ci++)
            for (let cj = j0; cj <= j1; cj++) {
              const list = buckets.get(key(ci, cj));
              if (!list) continue;
              for (const q of list) {
                const x = f.xy[2 * q], y = f.xy[2 * q + 1];
                if ((x === ax && y === ay) || (x === bx && y === by)) continue;
                const t = ((x - ax) * ux + (y - ay) * uy) / len2;
                if (!(t > 0 && t < 1)) continue;
                const dx = ax + t * ux - x, dy = ay + t * uy - y;
                if (dx * dx + dy * dy >= tol2 && orient(ax, ay, bx, by, x, y) !== 0) continue;
                hits.push(t, x, y);
              }
            }
          if (hits.length === 0) continue;
          changed = true;
          const order = Array.from({ length: hits.length / 3 }, (_, k) => k).sort((u, v) => hits[3 * u] - hits[3 * v] || hits[3 * u + 1] - hits[3 * v + 1] || hits[3 * u + 2] - hits[3 * v + 2]);
          let px = ax, py = ay;
          for (const k of order) {
            const x = hits[3 * k + 1], y = hits[3 * k + 2];
            if (x === px && y === py) continue;
            out.addPoint(x, y);
            px = x; py = y;
          }
        }
        out.endRing();
      }
      out.endPolygon();
    }
    out.endBuilding(f.height[b], f.featureIndex[b]);
  }
  return changed ? out.finish() : f;
}
