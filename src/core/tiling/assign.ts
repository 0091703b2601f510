// Which tile meshes which building, and what each tile needs to see. A building is meshed
// exactly once, by the tile holding a representative point strictly inside its footprint
// (not its centroid, which may fall in a courtyard or outside an L-shape).
import type { Footprints, TileSpec } from "../types";
import { buildingBoxes } from "../geometry/footprintBuilder";
import { gridOfBoxes } from "../geometry/spatialGrid";
import { type TileGrid, tileCount, tileOfPoint, tileSpec } from "./grid";

/** A point strictly inside building b: the middle of the widest interior span on the horizontal line through its first polygon's mid-height. */
export function representativePoint(f: Footprints, b: number): [number, number] {
  const p = f.buildingStart[b];
  const r0 = f.polyStart[p], r1 = f.polyStart[p + 1];
  let ymin = Infinity, ymax = -Infinity;
  for (let i = f.ringStart[r0]; i < f.ringStart[r0 + 1]; i++) {
    ymin = Math.min(ymin, f.xy[2 * i + 1]);
    ymax = Math.max(ymax, f.xy[2 * i + 1]);
  }
  const y = (ymin + ymax) / 2;
  const xs: number[] = [];
  for (let r = r0; r < r1; r++) {
    const s = f.ringStart[r], e = f.ringStart[r + 1];
    for (let i = s; i < e; i++) {
      const j = i + 1 < e ? i + 1 : s;
      const ay = f.xy[2 * i + 1], by = f.xy[2 * j + 1];
      if ((ay > y) !== (by > y)) {
        const ax = f.xy[2 * i], bx = f.xy[2 * j];
        xs.push(ax + ((y - ay) / (by - ay)) * (bx - ax));
      }
    }
  }
  xs.sort((a, b) => a - b);
  let best = -1, bestW = -1;
  for (let k = 0; k + 1 < xs.length; k += 2) if (xs[k + 1] - xs[k] > bestW) { bestW = xs[k + 1] - xs[k]; best = k; }
  if (best < 0) return [f.xy[2 * f.ringStart[r0]], f.xy[2 * f.ringStart[r0] + 1]];
  return [(xs[best] + xs[best + 1]) / 2, y];
}

export interface TilePlanEntry {
  spec: TileSpec;
  /** Buildings meshed by this tile (global indices, ascending). */
  owned: number[];
  /** Buildings this tile must see: the owned ones, those meeting its square, and their neighbours (ascending). */
  context: number[];
}

export function planTiles(f: Footprints, g: TileGrid, tol: number): TilePlanEntry[] {
  const n = tileCount(g);
  const owned: number[][] = Array.from({ length: n }, () => []);
  for (let b = 0; b < f.count; b++) {
    const [x, y] = representativePoint(f, b);
    owned[tileOfPoint(g, x, y)].push(b);
  }
  const boxes = buildingBoxes(f);
  const grid = gridOfBoxes(boxes, f.count);
  const plan: TilePlanEntry[] = [];
  const hits: number[] = [];
  for (let t = 0; t < n; t++) {
    const spec = tileSpec(g, t);
    const set = new Set<number>(owned[t]);
    const addTouching = (x0: number, y0: number, x1: number, y1: number) => {
      grid.query(x0 - tol, y0 - tol, x1 + tol, y1 + tol, hits);
      for (const c of hits) if (boxes[4 * c] <= x1 + tol && boxes[4 * c + 2] >= x0 - tol && boxes[4 * c + 1] <= y1 + tol && boxes[4 * c + 3] >= y0 - tol) set.add(c);
    };
    const [x0, y0, x1, y1] = spec.bounds;
    addTouching(x0, y0, x1, y1);
    // A neighbour of an owned building whose box lies inside the tile's square meets the square
    // (grown by tol) itself, so the query above found it: only owned buildings reaching out of
    // the square need a query of their own (New York: 4,233 of 101,971 buildings).
    for (const b of owned[t]) {
      const bx0 = boxes[4 * b], by0 = boxes[4 * b + 1], bx1 = boxes[4 * b + 2], by1 = boxes[4 * b + 3];
      if (bx0 < x0 || by0 < y0 || bx1 > x1 || by1 > y1) addTouching(bx0, by0, bx1, by1);
    }
    plan.push({ spec, owned: owned[t], context: [...set].sort((a, b) => a - b) });
  }
  return plan;
}
