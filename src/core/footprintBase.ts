// A building's base on a DEM: the lowest ground under its whole footprint. That is the lowest of
// (1) the surface at its vertices, (2) the surface where its edges cross the DEM's rows and columns
// of cell centres (between those the bilinear surface along an edge is nearly linear), and
// (3) every DEM cell whose centre lies inside the footprint (holes excluded). (3) is found by
// scanlines over the cell rows of the footprint's bounding box, even-odd over all rings of a
// polygon, so the cost follows the footprint's area in cells, never the DEM's size.
import type { Footprints } from "./types";
import type { GroundSurface } from "./groundHeight";

export interface FootprintBase {
  /** Lowest ground under the footprint. */
  z: number;
  /** Highest ground at its vertices: above base + height the roof sinks below the ground there and no wall can close it. */
  highest: number;
  /** Some of it was nodata in the file (filled from neighbours). */
  nodata: boolean;
  /** Some of it lies beyond every DEM (held at the edge). */
  outside: boolean;
  /** Something else to tell about this base (a point cloud's ground far from the building). */
  note?: { code: string; message: string };
}

export function footprintBase(g: GroundSurface, f: Footprints, b: number): FootprintBase {
  const r0 = f.polyStart[f.buildingStart[b]], r1 = f.polyStart[f.buildingStart[b + 1]];
  const v0 = f.ringStart[r0], v1 = f.ringStart[r1];
  const [ox, oy] = g.origin;
  let z = Infinity, nodata = false, outside = false;
  let highest = -Infinity;
  const point = (x: number, y: number) => {
    const h = g.z(x, y); // one trip into the DEM's CRS; lastSource and lastNearHole are about this point
    if (g.lastSource < 0) outside = true;
    else if (g.lastNearHole()) nodata = true;
    if (h < z) z = h;
    return h;
  };
  const tmp = new Float64Array(2);
  const carried = (x: number, y: number, k: number) => {
    const fwd = g.crss[k].fwd;
    if (fwd) fwd(x + ox, y + oy, tmp); else { tmp[0] = x + ox; tmp[1] = y + oy; }
    return tmp;
  };
  // (1) vertices.
  for (let i = v0; i < v1; i++) highest = Math.max(highest, point(f.xy[2 * i], f.xy[2 * i + 1]));

  // The footprint's vertices in each DEM's pixel space (integer = cell centre).
  const n = v1 - v0, single = g.sources.length === 1;
  const px = new Float64Array(n), py = new Float64Array(n);
  for (let s = 0; s < g.sources.length; s++) {
    const d = g.sources[s].dem, { cx, cy, dx, dy } = d.grid;
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const p = carried(f.xy[2 * (v0 + i)], f.xy[2 * (v0 + i) + 1], g.sources[s].crs);
      px[i] = (p[0] - cx) / dx; py[i] = (p[1] - cy) / dy;
      minX = Math.min(minX, px[i]); maxX = Math.max(maxX, px[i]); minY = Math.min(minY, py[i]); maxY = Math.max(maxY, py[i]);
    }
    // Past this DEM's cells (its outer half cell included)? Nothing of it lies under the footprint.
    if (maxX < -0.5 || minX > d.width - 0.5 || maxY < -0.5 || minY > d.height - 0.5) continue;

    // (2) edge crossings with the lines through cell centres.
    for (let r = r0; r < r1; r++) {
      const s0 = f.ringStart[r] - v0, s1 = f.ringStart[r + 1] - v0;
      for (let i = s0; i < s1; i++) {
        const j = i + 1 < s1 ? i + 1 : s0;
        const ax = f.xy[2 * (v0 + i)], ay = f.xy[2 * (v0 + i) + 1], bx = f.xy[2 * (v0 + j)], by = f.xy[2 * (v0 + j) + 1];
        const cross = (a: number, c: number) => {
          if (a === c) return;
          const lo = Math.ceil(Math.min(a, c)), hi = Math.floor(Math.max(a, c));
          for (let k = lo; k <= hi; k++) {
            const t = (k - a) / (c - a);
            if (!(t > 0 && t < 1)) continue;
            if (single) {
              // One DEM: the crossing in its own CRS directly (the edge's image is straight at a building's scale), no reprojection.
              const X = cx + (px[i] + (px[j] - px[i]) * t) * dx, Y = cy + (py[i] + (py[j] - py[i]) * t) * dy;
              if (!d.covers(X, Y)) { outside = true; continue; }
              const h = d.sample(X, Y);
              if (h < z) z = h;
              if (d.nearHole(X, Y)) nodata = true;
            } else point(ax + (bx - ax) * t, ay + (by - ay) * t);
          }
        };
        cross(px[i], px[j]);
        cross(py[i], py[j]);
      }
    }

    // (3) cell centres inside, row by row.
    const jLo = Math.max(0, Math.ceil(minY)), jHi = Math.min(d.height - 1, Math.floor(maxY));
    const xs: number[] = [];
    for (let row = jLo; row <= jHi; row++) {
      for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++) {
        xs.length = 0;
        for (let r = f.polyStart[p]; r < f.polyStart[p + 1]; r++) {
          const s0 = f.ringStart[r] - v0, s1 = f.ringStart[r + 1] - v0;
          for (let i = s0; i < s1; i++) {
            const j = i + 1 < s1 ? i + 1 : s0;
            // Half-open rule: a vertex on the scanline counts once.
            if ((py[i] <= row) !== (py[j] <= row)) xs.push(px[i] + ((row - py[i]) * (px[j] - px[i])) / (py[j] - py[i]));
          }
        }
        xs.sort((a, c) => a - c);
        for (let k = 0; k + 1 < xs.length; k += 2) {
          const iLo = Math.max(0, Math.ceil(xs[k])), iHi = Math.min(d.width - 1, Math.floor(xs[k + 1]));
          for (let col = iLo; col <= iHi; col++) {
            if (g.sources.length > 1 && claimedBefore(g, s, d.grid.cx + col * d.grid.dx, d.grid.cy + row * d.grid.dy)) continue;
            const cell = row * d.width + col;
            if (d.values[cell] < z) z = d.values[cell];
            if (d.hole && d.hole[cell]) nodata = true;
          }
        }
      }
    }
  }
  return { z, highest, nodata, outside };
}

/** True when a cell centre (X, Y) of DEM s lies in an earlier DEM of the mosaic, which wins there. */
function claimedBefore(g: GroundSurface, s: number, X: number, Y: number): boolean {
  if (s === 0) return false;
  const k = g.sources[s].crs, inv = g.crss[k].inv, w = new Float64Array(2), p = new Float64Array(2);
  if (inv) inv(X, Y, w); else { w[0] = X; w[1] = Y; }
  for (let e = 0; e < s; e++) {
    const ke = g.sources[e].crs;
    if (ke === k) { p[0] = X; p[1] = Y; } else { const f = g.crss[ke].fwd; if (f) f(w[0], w[1], p); else { p[0] = w[0]; p[1] = w[1]; } }
    if (g.sources[e].dem.covers(p[0], p[1])) return true;
  }
  return false;
}
