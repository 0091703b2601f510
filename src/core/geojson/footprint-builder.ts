// Flat growable buffers that the reader appends footprints to while a file streams in.
import type { Footprints } from "../types";
import { ringArea } from "./ring";
import { growableF64, growableU32 } from "../growable";

export class FootprintBuilder {
  readonly xy = growableF64(1 << 14);
  readonly ringStart = growableU32(1 << 10);
  readonly polyStart = growableU32(1 << 10);
  readonly buildingStart = growableU32(1 << 10);
  readonly height = growableF64(1 << 10);
  readonly featureIndex = growableU32(1 << 10);
  /** 1-based line and column of each building's feature in the source text (0 = unknown), two per building. */
  readonly position = growableU32(1 << 11);
  readonly ids: (string | number | null)[] = [];

  constructor() {
    this.ringStart.push(0);
    this.polyStart.push(0);
    this.buildingStart.push(0);
  }

  get count(): number {
    return this.height.n;
  }

  get points(): number {
    return this.xy.n >> 1;
  }

  /** Appends one building: polygons of [outer, ...holes] open rings; line and column locate its feature in the source. */
  add(polygons: Float64Array[][], height: number, featureIndex: number, id: string | number | null, line = 0, column = 0): number {
    for (const rings of polygons) {
      for (const r of rings) {
        this.xy.reserve(r.length);
        this.xy.a.set(r, this.xy.n);
        this.xy.n += r.length;
        this.ringStart.push(this.xy.n >> 1);
      }
      this.polyStart.push(this.ringStart.n - 1);
    }
    this.buildingStart.push(this.polyStart.n - 1);
    this.height.push(height);
    this.featureIndex.push(featureIndex);
    this.position.push(line);
    this.position.push(column);
    this.ids.push(id);
    return this.count - 1;
  }

  /** All coordinates (x,y pairs) written so far, as a view. */
  coords(): Float64Array {
    return this.xy.a.subarray(0, this.xy.n);
  }

  /** Footprint area of building b (outer rings minus holes; holes are clockwise so their area is negative). */
  area(b: number): number {
    const xy = this.xy.a;
    let s = 0;
    for (let p = this.buildingStart.a[b]; p < this.buildingStart.a[b + 1]; p++) {
      for (let r = this.polyStart.a[p]; r < this.polyStart.a[p + 1]; r++) {
        s += ringArea(xy.subarray(2 * this.ringStart.a[r], 2 * this.ringStart.a[r + 1]));
      }
    }
    return s;
  }

  /**
   * Exact-size Footprints holding the buildings with keep[b] = 1 (all when keep is omitted), with
   * their ids and feature positions (line, column per kept building).
   */
  finish(keep?: Uint8Array): { footprints: Footprints; ids: (string | number | null)[]; positions: Uint32Array; newIndex: Int32Array } {
    const count = this.count;
    const newIndex = new Int32Array(count).fill(-1);
    let nb = 0, np = 0, nr = 0, nx = 0;
    const bs = this.buildingStart.a, ps = this.polyStart.a, rs = this.ringStart.a;
    for (let b = 0; b < count; b++) {
      if (keep && !keep[b]) continue;
      newIndex[b] = nb++;
      np += bs[b + 1] - bs[b];
      nr += ps[bs[b + 1]] - ps[bs[b]];
      nx += 2 * (rs[ps[bs[b + 1]]] - rs[ps[bs[b]]]);
    }
    const f: Footprints = {
      count: nb,
      xy: new Float64Array(nx),
      ringStart: new Uint32Array(nr + 1),
      polyStart: new Uint32Array(np + 1),
      buildingStart: new Uint32Array(nb + 1),
      height: new Float64Array(nb),
      featureIndex: new Uint32Array(nb),
    };
    const ids: (string | number | null)[] = [];
    const positions = new Uint32Array(2 * nb);
    let ob = 0, op = 0, or = 0, ox = 0;
    for (let b = 0; b < count; b++) {
      if (newIndex[b] < 0) continue;
      for (let p = bs[b]; p < bs[b + 1]; p++) {
        for (let r = ps[p]; r < ps[p + 1]; r++) {
          const len = 2 * (rs[r + 1] - rs[r]);
          f.xy.set(this.xy.a.subarray(2 * rs[r], 2 * rs[r] + len), ox);
          ox += len;
          f.ringStart[++or] = ox >> 1;
        }
        f.polyStart[++op] = or;
      }
      f.buildingStart[++ob] = op;
      f.height[ob - 1] = this.height.a[b];
      f.featureIndex[ob - 1] = this.featureIndex.a[b];
      positions[2 * ob - 2] = this.position.a[2 * b];
      positions[2 * ob - 1] = this.position.a[2 * b + 1];
      ids.push(this.ids[b]);
    }
    return { footprints: f, ids, positions, newIndex };
  }
}
