// Exact geometric predicates. Footprint coordinates are snapped to a millimetre grid, and
// touching buildings share edges exactly, so collinear and on-edge cases are the norm:
// floating-point sign tests would misclassify them; robust-predicates' orient2d does not.
import { orient2d } from "robust-predicates";

/** > 0 if c is left of a→b (counter-clockwise), < 0 right, 0 collinear. Exact. */
export function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  // robust-predicates' orient2d is positive for clockwise; flip to the usual convention.
  return -orient2d(ax, ay, bx, by, cx, cy);
}

/** True when p lies on the closed segment a–b. Exact. */
export function onSegment(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  if (orient(ax, ay, bx, by, px, py) !== 0) return false;
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by);
}

/** True when the open segments a–b and c–d cross at a single interior point of both. Exact. */
export function properCross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): boolean {
  const o1 = orient(ax, ay, bx, by, cx, cy), o2 = orient(ax, ay, bx, by, dx, dy);
  if (o1 === 0 || o2 === 0 || (o1 > 0) === (o2 > 0)) return false;
  const o3 = orient(cx, cy, dx, dy, ax, ay), o4 = orient(cx, cy, dx, dy, bx, by);
  return o3 !== 0 && o4 !== 0 && (o3 > 0) !== (o4 > 0);
}

/**
 * Where (x, y) lies relative to the rings [ringFrom, ringTo) of a footprint (outer + holes, any
 * mix of polygons): 1 inside, 0 outside, -1 on an edge. Even-odd rule, exact on boundaries.
 */
export function pointInRings(xy: ArrayLike<number>, ringStart: ArrayLike<number>, ringFrom: number, ringTo: number, x: number, y: number): number {
  let inside = false;
  for (let r = ringFrom; r < ringTo; r++) {
    const s = ringStart[r], e = ringStart[r + 1], n = e - s;
    for (let k = 0; k < n; k++) {
      const i = s + k, j = s + ((k + 1) % n);
      const ax = xy[2 * i], ay = xy[2 * i + 1], bx = xy[2 * j], by = xy[2 * j + 1];
      if ((ay > y) !== (by > y)) {
        const o = orient(ax, ay, bx, by, x, y);
        if (o === 0) return -1;
        // Upward edge with the point on its left, or downward edge with it on the right: a crossing to the right.
        if ((o > 0) === (by > ay)) inside = !inside;
      } else if (ay === y && by === y && Math.min(ax, bx) <= x && x <= Math.max(ax, bx)) return -1;
      else if (ax === x && ay === y) return -1;
    }
  }
  return inside ? 1 : 0;
}
