// Which points fall on which building, kept out of memory: each point inside a footprint is
// appended as (building, z, class) to one of a few spill files, by building number, so one file
// holds every point of its buildings. finish() then reads the files one at a time and takes each
// building's percentile. Memory holds one file's records (the bucket width is chosen from the
// clouds' point counts so a file stays near BUCKET_RECORDS) and a write buffer per file.
import fs from "fs";
import type { Footprints } from "../types";
import { buildingBoxes } from "../geometry/footprintBuilder";
import { gridOfBoxes, type Buckets } from "../geometry/spatialGrid";
import { percentileOf } from "./percentile";

/** Records per spill file aimed at (about 18 MB in memory when it is read back). */
export const BUCKET_RECORDS = 2_000_000;
const MAX_BUCKETS = 256;
const BLOCK = 16384;

export const CLASS_GROUND = 2, CLASS_BUILDING = 6;
/** Low and high noise (ASPRS 7, 18): never a roof. */
const isNoise = (c: number) => c === 7 || c === 18;

export interface RoofHeights {
  /** Per building: the percentile of its roof points (absolute, mesh CRS), NaN when it had none. */
  roofZ: Float64Array;
  /** Per building: how many points the percentile was taken of. */
  points: Uint32Array;
  /** True when the clouds are classified (some point on a footprint is class 6): only class 6 points count then. */
  classified: boolean;
}

class SpillFile {
  readonly b = new Uint32Array(BLOCK);
  readonly z = new Float32Array(BLOCK);
  readonly c = new Uint8Array(BLOCK);
  n = 0;
  records = 0;
  constructor(readonly file: string, readonly bucket: number) { fs.writeFileSync(file, ""); }
  push(b: number, z: number, c: number): void {
    this.b[this.n] = b; this.z[this.n] = z; this.c[this.n] = c;
    if (++this.n === BLOCK) this.flush();
  }
  flush(): void {
    if (!this.n) return;
    const head = new Uint32Array([this.n]);
    fs.appendFileSync(this.file, Buffer.concat([new Uint8Array(head.buffer), new Uint8Array(this.b.buffer, 0, 4 * this.n), new Uint8Array(this.z.buffer, 0, 4 * this.n), this.c.subarray(0, this.n)]));
    this.records += this.n;
    this.n = 0;
  }
}

export class RoofPoints {
  private readonly index: Buckets;
  private readonly boxes: Float64Array;
  private readonly perBucket: number;
  private readonly spills: SpillFile[] = [];
  private sawClass6 = false;
  /** Points found on a footprint. */
  onBuildings = 0;

  /**
   * `f`: the footprints (local coordinates); `expectedPoints`: the clouds' total point count (their
   * headers), which sets how many buildings share a spill file; files go to `dir`, named `${stem}-<k>.bin`.
   */
  constructor(private readonly f: Footprints, expectedPoints: number, private readonly stem: string) {
    this.boxes = buildingBoxes(f);
    this.index = gridOfBoxes(this.boxes, f.count);
    const files = Math.min(MAX_BUCKETS, Math.max(1, Math.ceil(expectedPoints / BUCKET_RECORDS)));
    this.perBucket = Math.max(1, Math.ceil(f.count / files));
  }

  /** Adds the non-ground, non-noise points of a chunk (local coordinates). */
  add(x: Float64Array, y: Float64Array, z: Float64Array, cls: Uint8Array, count: number): void {
    const { index, boxes } = this;
    for (let k = 0; k < count; k++) {
      const c = cls[k];
      if (c === CLASS_GROUND || isNoise(c)) continue;
      const px = x[k], py = y[k];
      const cell = index.at(index.cell(px), index.cell(py));
      if (cell < 0) continue;
      for (let m = index.start[cell]; m < index.start[cell + 1]; m++) {
        const b = index.ids[m];
        if (px < boxes[4 * b] || px > boxes[4 * b + 2] || py < boxes[4 * b + 1] || py > boxes[4 * b + 3]) continue;
        if (!this.inside(b, px, py)) continue;
        if (c === CLASS_BUILDING) this.sawClass6 = true;
        this.spill(b).push(b, z[k], c);
        this.onBuildings++;
      }
    }
  }

  /** Even-odd over every ring of the building: inside one of its polygons and not in a hole. */
  private inside(b: number, px: number, py: number): boolean {
    const f = this.f, xy = f.xy;
    let odd = false;
    for (let r = f.polyStart[f.buildingStart[b]]; r < f.polyStart[f.buildingStart[b + 1]]; r++) {
      const s = f.ringStart[r], e = f.ringStart[r + 1];
      for (let i = s, j = e - 1; i < e; j = i++) {
        const yi = xy[2 * i + 1], yj = xy[2 * j + 1];
        if ((yi > py) !== (yj > py) && px < xy[2 * j] + ((py - yj) * (xy[2 * i] - xy[2 * j])) / (yi - yj)) odd = !odd;
      }
    }
    return odd;
  }

  private spill(b: number): SpillFile {
    const k = Math.floor(b / this.perBucket);
    return (this.spills[k] ??= new SpillFile(`${this.stem}-${k}.bin`, k));
  }

  /** Each building's p-th percentile, file by file; the spill files are removed. */
  finish(p: number): RoofHeights {
    const n = this.f.count, roofZ = new Float64Array(n).fill(NaN), points = new Uint32Array(n);
    const classified = this.sawClass6;
    for (const s of this.spills) {
      if (!s) continue;
      s.flush();
      const buf = fs.readFileSync(s.file);
      fs.rmSync(s.file, { force: true });
      // Counting sort by building over the file's records, keeping the points that count.
      const lo = s.bucket * this.perBucket, hi = Math.min(n, lo + this.perBucket);
      const start = new Uint32Array(hi - lo + 1);
      const blocks: [Uint32Array, Float32Array, Uint8Array][] = [];
      for (let at = 0; at < buf.length;) {
        const m = buf.readUInt32LE(at);
        const bs = new Uint32Array(buf.buffer.slice(buf.byteOffset + at + 4, buf.byteOffset + at + 4 + 4 * m));
        const zs = new Float32Array(buf.buffer.slice(buf.byteOffset + at + 4 + 4 * m, buf.byteOffset + at + 4 + 8 * m));
        const cs = buf.subarray(at + 4 + 8 * m, at + 4 + 9 * m);
        blocks.push([bs, zs, cs]);
        at += 4 + 9 * m;
      }
      const counts = (c: number) => !classified || c === CLASS_BUILDING;
      for (const [bs, , cs] of blocks) for (let k = 0; k < bs.length; k++) if (counts(cs[k])) start[bs[k] - lo + 1]++;
      for (let i = 0; i < hi - lo; i++) start[i + 1] += start[i];
      const zs = new Float32Array(start[hi - lo]), fill = start.slice(0, hi - lo);
      for (const [bs, zb, cs] of blocks) for (let k = 0; k < bs.length; k++) if (counts(cs[k])) zs[fill[bs[k] - lo]++] = zb[k];
      for (let b = lo; b < hi; b++) {
        const a = start[b - lo], e = start[b - lo + 1];
        points[b] = e - a;
        if (e > a) roofZ[b] = percentileOf(zs, a, e, p);
      }
    }
    return { roofZ, points, classified };
  }

  /** Removes the spill files (after a failure; finish() removes them itself). */
  discard(): void {
    for (const s of this.spills) if (s) fs.rmSync(s.file, { force: true });
  }
}
