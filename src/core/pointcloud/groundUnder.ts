// A building's base from the point cloud's ground: a low percentile (default 10, as 3dfier) of
// the ground measured around it. Under a building a LiDAR survey has no ground points, so the
// cells that count are those with ground points whose centres lie inside the footprint or
// within `radius` of its outline (3dfier lifts a base from the points within a radius of the
// footprint's vertices; the whole outline is used here, so a long wall counts all along).
// When no measured cell is that close (a building in a gap of the survey), the filled cells
// inside the footprint stand in, and the caller says so.
import type { Footprints } from "../types";
import { percentileOf } from "./percentile";

/** How far around a footprint measured ground counts for its base, metres (3dfier's building_radius_vertex_elevation). */
export const GROUND_RADIUS = 3;

export interface Terrain {
  values: Float32Array;
  measured: Uint8Array;
  west: number; north: number; cellSize: number; width: number; height: number;
}

export interface GroundUnder { z: number; cells: number; measured: boolean }

export function groundUnder(t: Terrain, f: Footprints, b: number, radius: number, p: number, scratch: { buf: Float32Array }): GroundUnder {
  const v0 = f.ringStart[f.polyStart[f.buildingStart[b]]], v1 = f.ringStart[f.polyStart[f.buildingStart[b + 1]]];
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = v0; i < v1; i++) {
    const x = f.xy[2 * i], y = f.xy[2 * i + 1];
    if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
  }
  const { cellSize: s, west, north, width, height } = t;
  const i0 = Math.max(0, Math.floor((x0 - radius - west) / s)), i1 = Math.min(width - 1, Math.floor((x1 + radius - west) / s));
  const j0 = Math.max(0, Math.floor((north - y1 - radius) / s)), j1 = Math.min(height - 1, Math.floor((north - y0 + radius) / s));
  const r2 = radius * radius;
  let near = 0, inside = 0;
  const cap = (i1 - i0 + 1) * (j1 - j0 + 1);
  if (scratch.buf.length < 2 * cap) scratch.buf = new Float32Array(2 * cap);
  const buf = scratch.buf; // measured cells from 0 up, filled cells inside from cap up
  for (let j = j0; j <= j1; j++) {
    const cy = north - (j + 0.5) * s;
    for (let i = i0; i <= i1; i++) {
      const cx = west + (i + 0.5) * s, c = j * width + i;
      let odd = false, d2 = Infinity;
      for (let r = f.polyStart[f.buildingStart[b]]; r < f.polyStart[f.buildingStart[b + 1]]; r++) {
        const rs = f.ringStart[r], re = f.ringStart[r + 1];
        for (let a = rs, q = re - 1; a < re; q = a++) {
          const ax = f.xy[2 * q], ay = f.xy[2 * q + 1], bx = f.xy[2 * a], by = f.xy[2 * a + 1];
          if ((by > cy) !== (ay > cy) && cx < ax + ((cy - ay) * (bx - ax)) / (by - ay)) odd = !odd;
          const ex = bx - ax, ey = by - ay, len2 = ex * ex + ey * ey;
          const u = len2 > 0 ? Math.min(1, Math.max(0, ((cx - ax) * ex + (cy - ay) * ey) / len2)) : 0;
          const dx = ax + u * ex - cx, dy = ay + u * ey - cy;
          d2 = Math.min(d2, dx * dx + dy * dy);
        }
      }
      if (t.measured[c] && (odd || d2 <= r2)) buf[near++] = t.values[c];
      else if (odd) buf[cap + inside++] = t.values[c];
    }
  }
  if (near > 0) return { z: percentileOf(buf, 0, near, p), cells: near, measured: true };
  if (inside > 0) return { z: percentileOf(buf, cap, cap + inside, p), cells: inside, measured: false };
  // A footprint smaller than a cell, far from any measured one: the cell under its first vertex.
  const i = Math.min(width - 1, Math.max(0, Math.floor((f.xy[2 * v0] - west) / s))), j = Math.min(height - 1, Math.max(0, Math.floor((north - f.xy[2 * v0 + 1]) / s)));
  return { z: t.values[j * width + i], cells: 1, measured: false };
}
