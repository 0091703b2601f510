// How much of a build's ground lies beyond its DEM(s), measured in the planner before any tile
// is meshed: each tile's area is sampled on a grid as fine as the ground's elements (coarser when
// that would exceed MAX_SAMPLES points), counting the points no DEM covers. The tiles' own ground
// vertices are not known until they are meshed; these samples stand in for them.
import type { GroundSurface } from "./groundHeight";

/** Samples at most (a city at 10 m elements is far below: 10 km × 10 km is a million points). */
export const MAX_SAMPLES = 1_000_000;

export interface GroundOutside { points: number; sampled: number; tiles: number; spacing: number }

export function groundOutside(g: GroundSurface, tiles: readonly (readonly [number, number, number, number])[], meshSize: number): GroundOutside {
  let area = 0;
  for (const [x0, y0, x1, y1] of tiles) area += (x1 - x0) * (y1 - y0);
  let spacing = Math.max(meshSize, 0.5);
  if (area / (spacing * spacing) > MAX_SAMPLES) spacing = Math.ceil(Math.sqrt(area / MAX_SAMPLES));
  let points = 0, sampled = 0, hit = 0;
  for (const [x0, y0, x1, y1] of tiles) {
    const nx = Math.max(1, Math.ceil((x1 - x0) / spacing)), ny = Math.max(1, Math.ceil((y1 - y0) / spacing));
    let out = 0;
    // Cell edges and corners included: the tile's boundary is ground too.
    for (let j = 0; j <= ny; j++) {
      const y = y0 + ((y1 - y0) * j) / ny;
      for (let i = 0; i <= nx; i++) if (g.sourceAt(x0 + ((x1 - x0) * i) / nx, y) < 0) out++;
    }
    sampled += (nx + 1) * (ny + 1);
    points += out;
    if (out > 0) hit++;
  }
  return { points, sampled, tiles: hit, spacing };
}
