// Growable builder for Footprints: appends points, rings, polygons and buildings into
// doubling typed arrays, so a city of millions of buildings never becomes millions of objects.
// The one builder of footprints: the reader streams a file into it (addBuilding, coords to
// project in place, finish with the buildings to keep), the clean-up and the tiler rebuild
// footprints ring by ring.
import type { Footprints } from "../types";
import { growableF64, growableU32 } from "../growable";

/** How many points, rings, polygons and buildings some footprints hold. */
export interface FootprintSizes { points: number; rings: number; polys: number; buildings: number }

/** The sizes of `parts` together (footprints joined or put back together from them). */
export function footprintSizes(parts: readonly Footprints[]): FootprintSizes {
  let points = 0, rings = 0, polys = 0, buildings = 0;
  for (const p of parts) { points += p.xy.length >> 1; rings += p.ringStart.length - 1; polys += p.polyStart.length - 1; buildings += p.count; }
  return { points, rings, polys, buildings };
}

export class FootprintBuilder {
  private xy = growableF64(4096);
  private ringStart = growableU32();
  private polyStart = growableU32();
  private buildingStart = growableU32();
  private height = growableF64(256);
  private featureIndex = growableU32();
  private points = 0;
  private rings = 0;
  private polys = 0;
  private openRingAt = -1;

  constructor() {
    this.ringStart.push(0);
    this.polyStart.push(0);
    this.buildingStart.push(0);
  }

  /** Number of buildings finished so far. */
  get count(): number { return this.height.n; }

  addPoint(x: number, y: number): void {
    this.xy.push(x);
    this.xy.push(y);
    this.points++;
  }

  /** Starts a ring; points added until endRing() belong to it. */
  beginRing(): void { this.openRingAt = this.points; }

  /** Ends the open ring. Returns false (and drops the points) when it has fewer than 3 points. */
  endRing(): boolean {
    const n = this.points - this.openRingAt;
    if (n < 3) { this.dropPoints(n); return false; }
    this.rings++;
    this.ringStart.push(this.points);
    return true;
  }

  /** Adds a whole ring from a flat xy array (open ring). */
  addRing(xy: ArrayLike<number>, from = 0, to = xy.length): boolean {
    this.beginRing();
    for (let i = from; i < to; i += 2) this.addPoint(xy[i], xy[i + 1]);
    return this.endRing();
  }

  /** Closes the polygon made of the rings added since the last endPolygon(); false when it has none. */
  endPolygon(): boolean {
    if (this.rings === this.ringsAtPolyStart) return false;
    this.polys++;
    this.polyStart.push(this.rings);
    this.ringsAtPolyStart = this.rings;
    return true;
  }
  private ringsAtPolyStart = 0;
  private polysAtBuildingStart = 0;

  /** Drops the rings added since the last endPolygon() (e.g. when the outer ring was rejected). */
  discardPolygon(): void {
    const keepRings = this.ringsAtPolyStart;
    const keepPoints = this.ringStart.a[keepRings];
    this.dropPoints(this.points - keepPoints);
    this.ringStart.n = keepRings + 1;
    this.rings = keepRings;
  }

  /** Closes the building made of the polygons since the last endBuilding(); false (nothing added) when it has none. */
  endBuilding(height: number, featureIndex: number): boolean {
    if (this.polys === this.polysAtBuildingStart) return false;
    this.buildingStart.push(this.polys);
    this.polysAtBuildingStart = this.polys;
    this.height.push(height);
    this.featureIndex.push(featureIndex);
    return true;
  }

  /** Appends one building of polygons [outer, ...holes] (open rings, flat xy); returns its index. */
  addBuilding(polygons: ArrayLike<number>[][], height: number, featureIndex: number): number {
    for (const rings of polygons) {
      for (const r of rings) this.addRing(r);
      this.endPolygon();
    }
    this.endBuilding(height, featureIndex);
    return this.count - 1;
  }

  /** All coordinates (x, y pairs) added so far, as a view (the reader projects them in place). */
  coords(): Float64Array {
    return this.xy.a.subarray(0, this.xy.n);
  }

  /** The feature index of building b added so far. */
  featureIndexOf(b: number): number { return this.featureIndex.a[b]; }

  /** Points added so far. */
  get pointCount(): number { return this.points; }

  /** Footprint area of building b added so far (outer rings minus holes). */
  area(b: number): number {
    const bs = this.buildingStart.a, ps = this.polyStart.a, rs = this.ringStart.a;
    let a = 0;
    for (let p = bs[b]; p < bs[b + 1]; p++) for (let r = ps[p]; r < ps[p + 1]; r++) a += ringArea(this.xy.a, rs[r], rs[r + 1]);
    return a;
  }

  /** Copies building b of `src` unchanged. */
  copyBuilding(src: Footprints, b: number): void {
    for (let p = src.buildingStart[b]; p < src.buildingStart[b + 1]; p++) {
      for (let r = src.polyStart[p]; r < src.polyStart[p + 1]; r++) this.addRing(src.xy, src.ringStart[r] * 2, src.ringStart[r + 1] * 2);
      this.endPolygon();
    }
    this.endBuilding(src.height[b], src.featureIndex[b]);
  }

  private dropPoints(n: number): void {
    this.points -= n;
    this.xy.n -= 2 * n;
  }

  finish(): Footprints {
    if (this.rings !== this.ringsAtPolyStart || this.polys !== this.polysAtBuildingStart) throw new Error("FootprintBuilder: unfinished polygon or building");
    return {
      count: this.height.n,
      xy: this.xy.done(),
      ringStart: this.ringStart.done(),
      polyStart: this.polyStart.done(),
      buildingStart: this.buildingStart.done(),
      height: this.height.done(),
      featureIndex: this.featureIndex.done(),
    };
  }

  /** Footprints of the buildings with keep[b] = 1, and each added building's new index (-1: dropped). */
  finishKept(keep: Uint8Array): { footprints: Footprints; newIndex: Int32Array } {
    return keptBuildings(this.finish(), keep);
  }
}

/** The buildings of `f` with keep[b] = 1, and each building's new index (-1: dropped). */
export function keptBuildings(f: Footprints, keep: Uint8Array): { footprints: Footprints; newIndex: Int32Array } {
  const newIndex = new Int32Array(f.count).fill(-1), list: number[] = [];
  for (let b = 0; b < f.count; b++) if (keep[b]) { newIndex[b] = list.length; list.push(b); }
  return { footprints: copyBuildings(f, list), newIndex };
}

/**
 * Buildings list[0], list[1], … of `src`, in that order, as footprints of their own: what a
 * FootprintBuilder given copyBuilding(src, b) for each would finish with, array for array.
 */
export function copyBuildings(src: Footprints, list: ArrayLike<number>): Footprints {
  return gatherBuildings(list.length, () => src, (k) => list[k]);
}

/**
 * Building k (0 ≤ k < count) is building buildingOf(k) of sourceOf(k): the footprints a
 * FootprintBuilder fed copyBuilding for each would finish with, made by block copies into
 * arrays of their final size. The builder pushes point by point into doubling arrays and copies
 * them once more at the end; the tile inputs, the clean-up's parts and their reassembly copy
 * every building of the city this way (New York: copyBuilding and its pushes were 0.4 s of the
 * planner's serial end). Footprints hold no ring under 3 points, polygon without rings or
 * building without polygons (the builder drops those); a source that does is copied through the
 * builder, so the result is the builder's either way.
 */
export function gatherBuildings(count: number, sourceOf: (k: number) => Footprints, buildingOf: (k: number) => number): Footprints {
  let points = 0, rings = 0, polys = 0;
  for (let k = 0; k < count; k++) {
    const f = sourceOf(k), b = buildingOf(k);
    const q0 = f.buildingStart[b], q1 = f.buildingStart[b + 1];
    if (q1 <= q0) return gatherByBuilder(count, sourceOf, buildingOf);
    for (let q = q0; q < q1; q++) {
      const r0 = f.polyStart[q], r1 = f.polyStart[q + 1];
      if (r1 <= r0) return gatherByBuilder(count, sourceOf, buildingOf);
      for (let r = r0; r < r1; r++) if (f.ringStart[r + 1] - f.ringStart[r] < 3) return gatherByBuilder(count, sourceOf, buildingOf);
    }
    points += f.ringStart[f.polyStart[q1]] - f.ringStart[f.polyStart[q0]];
    rings += f.polyStart[q1] - f.polyStart[q0];
    polys += q1 - q0;
  }
  const xy = new Float64Array(2 * points), ringStart = new Uint32Array(rings + 1), polyStart = new Uint32Array(polys + 1), buildingStart = new Uint32Array(count + 1);
  const height = new Float64Array(count), featureIndex = new Uint32Array(count);
  let P = 0, R = 0, Q = 0;
  for (let k = 0; k < count; k++) {
    const f = sourceOf(k), b = buildingOf(k);
    const q0 = f.buildingStart[b], q1 = f.buildingStart[b + 1];
    const r0 = f.polyStart[q0], r1 = f.polyStart[q1];
    const p0 = f.ringStart[r0], p1 = f.ringStart[r1];
    xy.set(f.xy.subarray(2 * p0, 2 * p1), 2 * P);
    for (let r = r0; r < r1; r++) ringStart[R + r - r0 + 1] = f.ringStart[r + 1] - p0 + P;
    for (let q = q0; q < q1; q++) polyStart[Q + q - q0 + 1] = f.polyStart[q + 1] - r0 + R;
    P += p1 - p0; R += r1 - r0; Q += q1 - q0;
    buildingStart[k + 1] = Q;
    height[k] = f.height[b];
    featureIndex[k] = f.featureIndex[b];
  }
  return { count, xy, ringStart, polyStart, buildingStart, height, featureIndex };
}

function gatherByBuilder(count: number, sourceOf: (k: number) => Footprints, buildingOf: (k: number) => number): Footprints {
  const out = new FootprintBuilder();
  for (let k = 0; k < count; k++) out.copyBuilding(sourceOf(k), buildingOf(k));
  return out.finish();
}

/** Bounding boxes of every building, [xmin, ymin, xmax, ymax] × count. */
export function buildingBoxes(f: Footprints): Float64Array {
  const out = new Float64Array(f.count * 4);
  for (let b = 0; b < f.count; b++) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const p0 = f.ringStart[f.polyStart[f.buildingStart[b]]], p1 = f.ringStart[f.polyStart[f.buildingStart[b + 1]]];
    for (let i = p0; i < p1; i++) {
      const x = f.xy[2 * i], y = f.xy[2 * i + 1];
      if (x < x0) x0 = x; if (x > x1) x1 = x;
      if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    out[4 * b] = x0; out[4 * b + 1] = y0; out[4 * b + 2] = x1; out[4 * b + 3] = y1;
  }
  return out;
}

/** Signed area of a ring stored in xy between point indices [from, to). Positive for counter-clockwise. */
export function ringArea(xy: ArrayLike<number>, from: number, to: number): number {
  let a = 0;
  const n = to - from;
  // Relative to the first point, so large coordinates do not cancel catastrophically.
  const ox = xy[2 * from], oy = xy[2 * from + 1];
  for (let k = 0; k < n; k++) {
    const i = from + k, j = from + ((k + 1) % n);
    a += (xy[2 * i] - ox) * (xy[2 * j + 1] - oy) - (xy[2 * j] - ox) * (xy[2 * i + 1] - oy);
  }
  return a / 2;
}

/** Footprint area of building b (outer rings minus holes). */
export function buildingArea(f: Footprints, b: number): number {
  let a = 0;
  for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++)
    for (let r = f.polyStart[p]; r < f.polyStart[p + 1]; r++) a += ringArea(f.xy, f.ringStart[r], f.ringStart[r + 1]);
  return a;
}
