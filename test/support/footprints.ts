// Small hand-made footprints for exact geometry tests.
import { FootprintBuilder } from "../../src/core/geometry/footprintBuilder";
import type { Footprints } from "../../src/core/types";

/** Buildings as [rings (flat xy, outer CCW then holes CW), height]. */
export function footprints(buildings: [number[][], number][]): Footprints {
  const fb = new FootprintBuilder();
  buildings.forEach(([rings, h], i) => {
    for (const r of rings) fb.addRing(r);
    fb.endPolygon();
    fb.endBuilding(h, i);
  });
  return fb.finish();
}

export const rect = (x0: number, y0: number, x1: number, y1: number): number[] => [x0, y0, x1, y0, x1, y1, x0, y1];
/** Clockwise rectangle, for holes. */
export const rectCW = (x0: number, y0: number, x1: number, y1: number): number[] => [x0, y0, x0, y1, x1, y1, x1, y0];

export function ringsOf(f: Footprints, b: number): number[][][] {
  const out: number[][][] = [];
  for (let r = f.polyStart[f.buildingStart[b]]; r < f.polyStart[f.buildingStart[b + 1]]; r++) {
    const ring: number[][] = [];
    for (let i = f.ringStart[r]; i < f.ringStart[r + 1]; i++) ring.push([f.xy[2 * i], f.xy[2 * i + 1]]);
    out.push(ring);
  }
  return out;
}

/** Brute force even-odd: is (x, y) inside a building made of flat-xy rings (outer and holes alike)? */
export function insideRings(rings: number[][], x: number, y: number): boolean {
  let inside = false;
  for (const r of rings) for (let i = 0, n = r.length / 2; i < n; i++) {
    const j = (i + 1) % n, ax = r[2 * i], ay = r[2 * i + 1], bx = r[2 * j], by = r[2 * j + 1];
    if ((ay > y) !== (by > y) && x < ax + ((y - ay) * (bx - ax)) / (by - ay)) inside = !inside;
  }
  return inside;
}
