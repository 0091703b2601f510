// Overlapping footprints (pass 2 of the clean-up). Each overlap goes to one building — the
// taller (tie: the lower index, so the result is deterministic) — and is cut out of the
// others with a polygon difference. Touching is far more common than overlapping, so an
// exact test runs first and the (slow) boolean operation only runs for real overlaps.
import polygonClipping from "polygon-clipping";
import type { Footprints } from "../types";
import { FootprintBuilder, buildingBoxes, ringArea } from "./footprintBuilder";
import { gridOfBoxes } from "./spatialGrid";
import { orient, pointInRings, properCross } from "./predicates";
import { type Lattice, latticeX, latticeY, snapCoord } from "./lattice";
import { removeSpikes } from "./spikes";

type Ring = [number, number][];
type Poly = Ring[];

/** A building as polygons of open rings in flat xy arrays. */
interface Shape {
  xy: Float64Array;
  ringStart: Uint32Array; // rings of all polygons, in order
  polyStart: Uint32Array; // polygon → first ring; length polys+1
}

function shapeOf(f: Footprints, b: number): Shape {
  const p0 = f.buildingStart[b], p1 = f.buildingStart[b + 1];
  const r0 = f.polyStart[p0], r1 = f.polyStart[p1];
  const s0 = f.ringStart[r0];
  return {
    xy: f.xy.subarray(2 * s0, 2 * f.ringStart[r1]),
    ringStart: Uint32Array.from(f.ringStart.subarray(r0, r1 + 1), (v) => v - s0),
    polyStart: Uint32Array.from(f.polyStart.subarray(p0, p1 + 1), (v) => v - r0),
  };
}

const ringCount = (s: Shape) => s.ringStart.length - 1;

/** Calls fn(ax, ay, bx, by) for every edge of the shape. */
function forEdges(s: Shape, fn: (ax: number, ay: number, bx: number, by: number) => boolean | void): boolean {
  for (let r = 0; r < ringCount(s); r++) {
    const a = s.ringStart[r], e = s.ringStart[r + 1], n = e - a;
    for (let k = 0; k < n; k++) {
      const i = a + k, j = a + ((k + 1) % n);
      if (fn(s.xy[2 * i], s.xy[2 * i + 1], s.xy[2 * j], s.xy[2 * j + 1])) return true;
    }
  }
  return false;
}

/** True when the interiors of two shapes overlap (touching along edges or at points does not count). */
export function interiorsOverlap(a: Shape, b: Shape): boolean {
  const inside = (s: Shape, x: number, y: number) => pointInRings(s.xy, s.ringStart, 0, ringCount(s), x, y) === 1;
  // A vertex strictly inside the other footprint.
  for (let i = 0; i < a.xy.length; i += 2) if (inside(b, a.xy[i], a.xy[i + 1])) return true;
  for (let i = 0; i < b.xy.length; i += 2) if (inside(a, b.xy[i], b.xy[i + 1])) return true;
  // Edges crossing, or running along each other in the same direction (both interiors on the same side).
  const crossOrSame = forEdges(a, (ax, ay, bx, by) =>
    forEdges(b, (cx, cy, dx, dy) => {
      if (properCross(ax, ay, bx, by, cx, cy, dx, dy)) return true;
      if (orient(ax, ay, bx, by, cx, cy) === 0 && orient(ax, ay, bx, by, dx, dy) === 0) {
        const ux = bx - ax, uy = by - ay;
        if (ux * (dx - cx) + uy * (dy - cy) <= 0) return false;
        const t0 = 0, t1 = ux * ux + uy * uy;
        const s0 = ux * (cx - ax) + uy * (cy - ay), s1 = ux * (dx - ax) + uy * (dy - ay);
        return Math.min(t1, s1) > Math.max(t0, s0);
      }
      return false;
    }),
  );
  if (crossOrSame) return true;
  // An edge passing through the other's interior between two of its vertices.
  return forEdges(a, (ax, ay, bx, by) => inside(b, (ax + bx) / 2, (ay + by) / 2)) || forEdges(b, (ax, ay, bx, by) => inside(a, (ax + bx) / 2, (ay + by) / 2));
}

function toPolys(s: Shape): Poly[] {
  const polys: Poly[] = [];
  for (let p = 0; p + 1 < s.polyStart.length; p++) {
    const poly: Poly = [];
    for (let r = s.polyStart[p]; r < s.polyStart[p + 1]; r++) {
      const ring: Ring = [];
      for (let i = s.ringStart[r]; i < s.ringStart[r + 1]; i++) ring.push([s.xy[2 * i], s.xy[2 * i + 1]]);
      ring.push(ring[0]);
      poly.push(ring);
    }
    polys.push(poly);
  }
  return polys;
}

export interface OverlapResult {
  footprints: Footprints;
  /** For each output building, its index in the input. */
  kept: Uint32Array;
}

export function resolveOverlaps(
  f: Footprints,
  lattice: Lattice,
  tol: number,
  report: (b: number, severity: "warning" | "info", code: string, message: string) => void,
): OverlapResult {
  const boxes = buildingBoxes(f);
  const grid = gridOfBoxes(boxes, f.count);
  const before = (a: number, b: number) => f.height[a] > f.height[b] || (f.height[a] === f.height[b] && a < b);
  const order = Array.from({ length: f.count }, (_, i) => i).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  const replaced = new Map<number, Shape | null>();
  const shape = (b: number): Shape | null => (replaced.has(b) ? replaced.get(b)! : shapeOf(f, b));
  const cand: number[] = [];
  for (const b of order) {
    const sb = shapeOf(f, b);
    grid.query(boxes[4 * b], boxes[4 * b + 1], boxes[4 * b + 2], boxes[4 * b + 3], cand);
    const winners: Shape[] = [];
    const winnerIds: number[] = [];
    for (const c of cand) {
      if (c === b || !before(c, b)) continue;
      if (boxes[4 * c] >= boxes[4 * b + 2] || boxes[4 * c + 2] <= boxes[4 * b] || boxes[4 * c + 1] >= boxes[4 * b + 3] || boxes[4 * c + 3] <= boxes[4 * b + 1]) continue;
      const sc = shape(c);
      if (sc && interiorsOverlap(sb, sc)) { winners.push(sc); winnerIds.push(c); }
    }
    if (winners.length === 0) continue;
    const areaBefore = polysArea(toPolys(sb));
    let result: Poly[] = [];
    try {
      result = polygonClipping.difference(toPolys(sb) as never, ...(winners.map(toPolys) as never[])) as Poly[];
    } catch (e) {
      report(b, "warning", "overlap-unresolved", `overlaps building(s) ${winnerIds.join(", ")} and the overlap could not be cut out (${(e as Error).message}); building skipped`);
      replaced.set(b, null);
      continue;
    }
    const snapped = snapPolys(result, lattice, tol);
    const areaAfter = snapped ? polysArea(toPolys(snapped)) : 0;
    const others = winnerIds.map((c) => `feature ${f.featureIndex[c]}`).join(", ");
    if (!snapped) {
      report(b, "warning", "overlap-contained", `lies entirely inside taller ${others}; building skipped`);
      replaced.set(b, null);
    } else {
      // Sub-centimetre-square overlaps are digitising noise along shared walls: worth an info, not a warning.
      const lost = areaBefore - areaAfter;
      if (lost >= 0.01) report(b, "warning", "overlap", `overlaps taller ${others}; the overlap (${lost.toFixed(2)} m²) is assigned to the taller building`);
      else report(b, "info", "overlap-snapped", `touches ${others} with a sliver overlap (${lost.toExponential(1)} m²), cut away`);
      replaced.set(b, snapped);
    }
  }
  if (replaced.size === 0) return { footprints: f, kept: Uint32Array.from({ length: f.count }, (_, i) => i) };
  const out = new FootprintBuilder();
  const kept: number[] = [];
  for (let b = 0; b < f.count; b++) {
    if (!replaced.has(b)) { out.copyBuilding(f, b); kept.push(b); continue; }
    const s = replaced.get(b);
    if (!s) continue;
    for (let p = 0; p + 1 < s.polyStart.length; p++) {
      for (let r = s.polyStart[p]; r < s.polyStart[p + 1]; r++) out.addRing(s.xy, 2 * s.ringStart[r], 2 * s.ringStart[r + 1]);
      out.endPolygon();
    }
    if (out.endBuilding(f.height[b], f.featureIndex[b])) kept.push(b);
  }
  return { footprints: out.finish(), kept: Uint32Array.from(kept) };
}

function polysArea(polys: Poly[]): number {
  let a = 0;
  for (const poly of polys) for (const ring of poly) {
    const flat = ring.slice(0, -1).flat();
    a += ringArea(flat, 0, flat.length / 2);
  }
  return Math.abs(a) > 0 ? a : 0;
}

/** Snaps boolean-operation output back onto the tolerance grid and lattice; outer rings CCW, holes CW. Null when nothing is left. */
function snapPolys(polys: Poly[], l: Lattice, tol: number): Shape | null {
  const xy: number[] = [], ringStart: number[] = [0], polyStart: number[] = [0];
  const lx = (i: number) => latticeX(l, i), ly = (j: number) => latticeY(l, j);
  for (const poly of polys) {
    let rings = 0;
    for (let r = 0; r < poly.length; r++) {
      const ring: number[] = [];
      for (const [x, y] of poly[r]) {
        const sx = snapCoord(x, l.x0, l.h, tol, lx), sy = snapCoord(y, l.y0, l.h, tol, ly);
        const n = ring.length;
        if (n >= 2 && ring[n - 2] === sx && ring[n - 1] === sy) continue;
        ring.push(sx, sy);
      }
      while (ring.length >= 4 && ring[0] === ring[ring.length - 2] && ring[1] === ring[ring.length - 1]) ring.length -= 2;
      removeSpikes(ring);
      const area = ring.length >= 6 ? ringArea(ring, 0, ring.length / 2) : 0;
      if (Math.abs(area) <= tol * tol) { if (r === 0) break; continue; }
      if ((r === 0) !== area > 0) reverseRing(ring);
      xy.push(...ring);
      ringStart.push(xy.length / 2);
      rings++;
    }
    if (rings) polyStart.push(ringStart.length - 1);
  }
  if (polyStart.length === 1) return null;
  return { xy: Float64Array.from(xy), ringStart: Uint32Array.from(ringStart), polyStart: Uint32Array.from(polyStart) };
}

function reverseRing(ring: number[]): void {
  for (let i = 0, j = ring.length / 2 - 1; i < j; i++, j--) {
    const x = ring[2 * i], y = ring[2 * i + 1];
    ring[2 * i] = ring[2 * j]; ring[2 * i + 1] = ring[2 * j + 1];
    ring[2 * j] = x; ring[2 * j + 1] = y;
  }
}
