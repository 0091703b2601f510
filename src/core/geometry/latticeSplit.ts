// Pass 4 of the clean-up: every footprint edge is split where it crosses a lattice line, then
// into pieces no longer than the lattice spacing. Tile edges are lattice lines, so after this
// no footprint edge crosses a tile edge: the point where a building crosses a seam is already
// a vertex of its footprint, computed once, and both tiles use that same vertex.
// Points are computed from the edge's endpoints in a canonical (lexicographic) order, so the
// two buildings sharing a wall get bit-identical split points.
import type { Footprints } from "../types";
import { FootprintBuilder } from "./footprintBuilder";
import { type Lattice, latticeX, latticeY, snapCoord } from "./lattice";

export function splitAtLattice(f: Footprints, l: Lattice, tol: number): Footprints {
  const out = new FootprintBuilder();
  const pts: number[] = [];
  const maxLen = l.h - 2 * tol; // snapping may lengthen a piece by up to a tolerance at each end
  const lx = (i: number) => latticeX(l, i), ly = (j: number) => latticeY(l, j);
  const sx = (v: number) => snapCoord(v, l.x0, l.h, tol, lx), sy = (v: number) => snapCoord(v, l.y0, l.h, tol, ly);
  for (let b = 0; b < f.count; b++) {
    for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++) {
      for (let r = f.polyStart[p]; r < f.polyStart[p + 1]; r++) {
        const s = f.ringStart[r], e = f.ringStart[r + 1];
        out.beginRing();
        for (let i = s; i < e; i++) {
          const j = i + 1 < e ? i + 1 : s;
          const px = f.xy[2 * i], py = f.xy[2 * i + 1], qx = f.xy[2 * j], qy = f.xy[2 * j + 1];
          const flip = qx < px || (qx === px && qy < py);
          const ax = flip ? qx : px, ay = flip ? qy : py, bx = flip ? px : qx, by = flip ? py : qy;
          pts.length = 0;
          pts.push(0, ax, ay);
          crossings(ax, ay, bx, by, l, sx, sy, pts);
          pts.push(1, bx, by);
          const pieces = subdivide(pts, maxLen, sx, sy);
          // pieces holds x,y from a to b; emit in the edge's own direction, without its end point.
          const n = pieces.length / 2;
          if (!flip) for (let k = 0; k < n - 1; k++) out.addPoint(pieces[2 * k], pieces[2 * k + 1]);
          else for (let k = n - 1; k > 0; k--) out.addPoint(pieces[2 * k], pieces[2 * k + 1]);
        }
        out.endRing();
      }
      out.endPolygon();
    }
    out.endBuilding(f.height[b], f.featureIndex[b]);
  }
  return out.finish();
}

/** Appends (t, x, y) for each lattice line crossing strictly inside a→b (a < b lexicographically), sorted by t. */
function crossings(ax: number, ay: number, bx: number, by: number, l: Lattice, sx: (v: number) => number, sy: (v: number) => number, pts: number[]): void {
  const found: number[] = [];
  if (ax !== bx) {
    for (let i = Math.floor((ax - l.x0) / l.h) + 1; ; i++) {
      const X = latticeX(l, i);
      if (X <= ax) continue;
      if (X >= bx) break;
      const t = (X - ax) / (bx - ax);
      found.push(t, X, sy(ay + t * (by - ay)));
    }
  }
  if (ay !== by) {
    const lo = Math.min(ay, by), hi = Math.max(ay, by);
    for (let j = Math.floor((lo - l.y0) / l.h) + 1; ; j++) {
      const Y = latticeY(l, j);
      if (Y <= lo) continue;
      if (Y >= hi) break;
      const t = (Y - ay) / (by - ay);
      found.push(t, sx(ax + t * (bx - ax)), Y);
    }
  }
  const order = Array.from({ length: found.length / 3 }, (_, k) => k).sort((u, v) => found[3 * u] - found[3 * v]);
  for (const k of order) {
    const x = found[3 * k + 1], y = found[3 * k + 2];
    const n = pts.length;
    if ((x === pts[n - 2] && y === pts[n - 1]) || (x === ax && y === ay) || (x === bx && y === by)) continue;
    pts.push(found[3 * k], x, y);
  }
}

/** Turns (t, x, y) breakpoints into x,y points with every piece no longer than maxLen. */
function subdivide(pts: number[], maxLen: number, sx: (v: number) => number, sy: (v: number) => number): number[] {
  const out: number[] = [pts[1], pts[2]];
  for (let k = 3; k < pts.length; k += 3) {
    const x0 = pts[k - 2], y0 = pts[k - 1], x1 = pts[k + 1], y1 = pts[k + 2];
    const len = Math.hypot(x1 - x0, y1 - y0);
    const parts = Math.ceil(len / maxLen);
    for (let m = 1; m < parts; m++) {
      const x = sx(x0 + ((x1 - x0) * m) / parts), y = sy(y0 + ((y1 - y0) * m) / parts);
      const n = out.length;
      if (x !== out[n - 2] || y !== out[n - 1]) out.push(x, y);
    }
    const n = out.length;
    if (x1 !== out[n - 2] || y1 !== out[n - 1]) out.push(x1, y1);
  }
  return out;
}
