// The CityJSON writers' view of the spool's buildings: LoD1 prisms rebuilt from each building's
// roof. The spool's walls cannot serve as a solid's walls: a wall shared with a taller neighbour
// is built once, by the neighbour and only above this roof, and walls stand on the terrain, not on
// the building's base. So each building's solid is its roof (the spool's triangles, facing up), a
// vertical quad under every boundary edge of the roof down to the base, and the roof mirrored to
// the base (orientation reversed) as its ground: closed and outward by construction.
//
// The base is the lowest bottom of the building's own walls (plan.ts puts buildings on the lowest
// ground at their footprint's vertices, and that corner's wall reaches it). A building with no
// walls of its own (enclosed by taller ones) stands on the city's lowest point, which is the flat
// ground without a DEM.
//
// Memory: per-building counts (two arrays of N), then buildings in batches of consecutive indices
// whose roofs together stay under a triangle budget; each batch reads the roof and wall files once.
import fs from "node:fs";
import { CityMeshError } from "../../errors";
import { CHUNK_BYTES, i32, readChunks, u32 } from "../io";
import { indexFile, markerFile, positionsFile, type Spool } from "../spool";

/** CityJSON vertices are integers: millimetres (transform.scale 0.001) from the mesh's origin. */
export const SCALE = 0.001;
export const quantize = (v: number): number => Math.round(v / SCALE);

/**
 * Quantized positions of spool vertices by random access, through a direct-mapped cache of pages
 * (faces mostly refer to vertices of their own tile, which sit together in the file). A page is
 * quantized once when read. io.ts's PositionPages (an LRU over a Map) cost a tenth of the write.
 */
export class QuantizedPositions {
  static readonly PAGE_VERTICES = 1 << 14;
  static readonly SLOTS = 128; // × 16384 vertices × 12 bytes: 24 MB
  private readonly fd: number;
  private readonly slotPage = new Int32Array(QuantizedPositions.SLOTS).fill(-1);
  private readonly slots: Int32Array[] = [];
  private readonly raw = new Float64Array(QuantizedPositions.PAGE_VERTICES * 3);

  constructor(private readonly spool: Spool) {
    this.fd = fs.openSync(positionsFile(spool), "r");
  }

  /** Coordinate k (0 x, 1 y, 2 z) of vertex v in millimetres. */
  q(v: number, k: number): number {
    const P = QuantizedPositions.PAGE_VERTICES, p = (v / P) | 0, slot = p % QuantizedPositions.SLOTS;
    if (this.slotPage[slot] !== p) this.load(p, slot);
    return this.slots[slot][(v - p * P) * 3 + k];
  }

  private load(p: number, slot: number): void {
    const P = QuantizedPositions.PAGE_VERTICES;
    const bytes = new Uint8Array(this.raw.buffer);
    const want = Math.min(P, this.spool.vertices - p * P) * 24;
    let got = 0;
    while (got < want) {
      const n = fs.readSync(this.fd, bytes, got, want - got, p * P * 24 + got);
      if (n === 0) throw new CityMeshError("output", `${positionsFile(this.spool)} is shorter than its ${this.spool.vertices} vertices`);
      got += n;
    }
    const page = (this.slots[slot] ??= new Int32Array(P * 3));
    for (let i = 0; i < want / 8; i++) page[i] = quantize(this.raw[i]);
    this.slotPage[slot] = p;
  }

  get vertices(): number {
    return this.spool.vertices;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Per-building facts from one pass over walls and roofs. */
export interface BuildingScan {
  /** Base height in mm (see the header), per building. */
  baseQ: Int32Array;
  /** Roof height in mm, per building (−2³¹ without a roof). */
  topQ: Int32Array;
  /** Roof triangles per building. */
  roofCount: Uint32Array;
}

/** True when building b gets a solid: it has a roof above its base. */
export const hasSolid = (s: BuildingScan, b: number): boolean => s.roofCount[b] > 0 && s.topQ[b] > s.baseQ[b];

/** Calls `each(face, a, b, c, marker)` for every triangle of class `c`, streaming index and marker files together. */
export function forEachFace(spool: Spool, c: number, each: (a: number, b: number, cc: number, marker: number) => void): void {
  if (spool.triangles[c] === 0) return;
  const faces = Math.floor(CHUNK_BYTES / 12);
  const mk = new Uint8Array(faces * 4);
  const mfd = fs.openSync(markerFile(spool, c), "r");
  try {
    readChunks(indexFile(spool, c), faces * 12, (chunk, offset) => {
      const idx = u32(chunk), nf = idx.length / 3, want = nf * 4;
      let got = 0;
      while (got < want) {
        const n = fs.readSync(mfd, mk, got, want - got, offset / 3 + got);
        if (n === 0) throw new CityMeshError("output", `${markerFile(spool, c)} is shorter than its index file`);
        got += n;
      }
      const m = i32(mk.subarray(0, want));
      for (let f = 0; f < nf; f++) each(idx[3 * f], idx[3 * f + 1], idx[3 * f + 2], m[f]);
    });
  } finally {
    fs.closeSync(mfd);
  }
}

export function scanBuildings(spool: Spool, pos: QuantizedPositions): BuildingScan {
  const N = spool.buildings;
  const baseQ = new Int32Array(N).fill(0x7fffffff);
  const topQ = new Int32Array(N).fill(-0x80000000);
  const roofCount = new Uint32Array(N);
  forEachFace(spool, 1, (a, b, c, m) => {
    if (m < 0 || m >= N) return;
    baseQ[m] = Math.min(baseQ[m], pos.q(a, 2), pos.q(b, 2), pos.q(c, 2));
  });
  forEachFace(spool, 2, (a, b, c, m) => {
    if (m < N || m >= 2 * N) return;
    roofCount[m - N]++;
    topQ[m - N] = Math.max(topQ[m - N], pos.q(a, 2), pos.q(b, 2), pos.q(c, 2));
  });
  const floor = spool.triangles[0] + spool.triangles[1] + spool.triangles[2] > 0 ? quantize(spool.min[2]) : 0;
  for (let i = 0; i < N; i++) if (baseQ[i] === 0x7fffffff) baseQ[i] = floor;
  return { baseQ, topQ, roofCount };
}

/** A batch of consecutive buildings [b0, b1): their roofs (CSR) and their walls' vertices at base height. */
export interface BuildingBatch {
  b0: number;
  b1: number;
  /** Roof triangles of building b0 + k: roofIdx[3*roofStart[k] .. 3*roofStart[k+1]). */
  roofStart: Uint32Array;
  roofIdx: Uint32Array;
  /** Per building b: xyKey(qx, qy) → spool vertex at (x, y, base of b) on one of b's own walls. */
  baseVertex: Map<number, Map<number | string, number>>;
  xyKey: (qx: number, qy: number) => number | string;
}

/** A number for (qx, qy) in mm when the city lies within ±33 km of its origin (exact below 2⁵³), else a string. */
function xyKeyOf(spool: Spool): (qx: number, qy: number) => number | string {
  const R = 2 ** 25, within = (v: number) => Math.abs(quantize(v)) < R;
  return [spool.min[0], spool.min[1], spool.max[0], spool.max[1]].every(within) ? (qx, qy) => (qx + R) * 2 * R + (qy + R) : (qx, qy) => `${qx}:${qy}`;
}

/** Default roof triangles per batch: with their walls' base vertices and text, ~100 MB at most. */
export const BATCH_TRIANGLES = 1_000_000;

/** Calls `each` per batch of consecutive buildings, in building order. */
export function forEachBatch(spool: Spool, scan: BuildingScan, pos: QuantizedPositions, each: (batch: BuildingBatch) => void, budget = BATCH_TRIANGLES): void {
  const N = spool.buildings;
  for (let b0 = 0; b0 < N; ) {
    let b1 = b0, tris = 0;
    while (b1 < N && (b1 === b0 || tris + scan.roofCount[b1] <= budget)) tris += scan.roofCount[b1++];
    const roofStart = new Uint32Array(b1 - b0 + 1);
    for (let b = b0; b < b1; b++) roofStart[b - b0 + 1] = roofStart[b - b0] + scan.roofCount[b];
    const fill = roofStart.slice(0, b1 - b0);
    const roofIdx = new Uint32Array(3 * tris);
    forEachFace(spool, 2, (a, b, c, m) => {
      const k = m - N - b0;
      if (k < 0 || k >= b1 - b0) return;
      const at = 3 * fill[k]++;
      roofIdx[at] = a; roofIdx[at + 1] = b; roofIdx[at + 2] = c;
    });
    const baseVertex = new Map<number, Map<number | string, number>>();
    const xyKey = xyKeyOf(spool);
    const keep = (m: number, v: number) => {
      if (pos.q(v, 2) !== scan.baseQ[m]) return;
      let at = baseVertex.get(m);
      if (!at) baseVertex.set(m, (at = new Map()));
      at.set(xyKey(pos.q(v, 0), pos.q(v, 1)), v);
    };
    forEachFace(spool, 1, (a, b, c, m) => {
      if (m < b0 || m >= b1) return;
      keep(m, a); keep(m, b); keep(m, c);
    });
    each({ b0, b1, roofStart, roofIdx, baseVertex, xyKey });
    b0 = b1;
  }
}

/**
 * A solid's vertex: a spool vertex (≥ 0), or base vertex k of the building (−1 − k, its
 * coordinates in PrismSet.extra) where no wall of the building has one.
 */
export type VertexRef = number;

/** One closed shell: surfaces as rings of vertex refs, and per surface its semantic (0 ground, 1 wall, 2 roof). */
export interface Prism {
  surfaces: VertexRef[][];
  values: number[];
  /**
   * The roof's boundary passes a vertex twice (rings touching at a point): the walls there share
   * one vertical edge four times, which no valid Solid has; such a prism is written as a MultiSurface.
   */
  pinched: boolean;
}

export interface PrismSet {
  /** One prism per edge-connected part of the roof (a building of several polygons has several). */
  prisms: Prism[];
  /** Base vertices not on the spool: x, y, z in mm. */
  extra: number[];
  /** Roof height minus base, mm. */
  heightQ: number;
}

export const GROUND = 0, WALL = 1, ROOF = 2;
export const SEMANTIC_SURFACES = [{ type: "GroundSurface" }, { type: "WallSurface" }, { type: "RoofSurface" }];

/** The LoD1 prisms of building b of the batch; undefined when it has no roof or no height. */
export function prismsOf(batch: BuildingBatch, b: number, scan: BuildingScan, pos: QuantizedPositions): PrismSet | undefined {
  if (!hasSolid(scan, b)) return undefined;
  const k = b - batch.b0, t0 = batch.roofStart[k], t1 = batch.roofStart[k + 1], n = t1 - t0;
  const T = batch.roofIdx.subarray(3 * t0, 3 * t1);
  const baseQ = scan.baseQ[b];
  // Directed roof edges → triangle; a roof edge whose reverse is absent bounds the roof.
  const edgeTri = new Map<number | string, number>();
  const V = pos.vertices;
  const key = V < 90_000_000 ? (a: number, c: number): number | string => a * V + c : (a: number, c: number): number | string => `${a}>${c}`;
  for (let t = 0; t < n; t++) for (let e = 0; e < 3; e++) edgeTri.set(key(T[3 * t + e], T[3 * t + ((e + 1) % 3)]), t);
  // Parts: triangles joined by an interior edge (union-find).
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => { while (parent[i] !== i) i = parent[i] = parent[parent[i]]; return i; };
  for (let t = 0; t < n; t++) {
    for (let e = 0; e < 3; e++) {
      const u = edgeTri.get(key(T[3 * t + ((e + 1) % 3)], T[3 * t + e]));
      if (u !== undefined) { const a = find(t), c = find(u); if (a !== c) parent[a] = c; }
    }
  }
  const extra: number[] = [];
  const baseOf = new Map<number, VertexRef>();
  const walls = batch.baseVertex.get(b);
  const base = (v: number): VertexRef => {
    let r = baseOf.get(v);
    if (r === undefined) {
      const qx = pos.q(v, 0), qy = pos.q(v, 1);
      r = walls?.get(batch.xyKey(qx, qy));
      if (r === undefined) { r = -1 - extra.length / 3; extra.push(qx, qy, baseQ); }
      baseOf.set(v, r);
    }
    return r;
  };
  const partOf = new Map<number, Prism>();
  const boundaryFrom = new Map<Prism, Set<number>>(); // per part: boundary vertices met so far
  const prisms: Prism[] = [];
  for (let t = 0; t < n; t++) {
    const root = find(t);
    let p = partOf.get(root);
    if (!p) { p = { surfaces: [], values: [], pinched: false }; partOf.set(root, p); prisms.push(p); boundaryFrom.set(p, new Set()); }
    const a = T[3 * t], bb = T[3 * t + 1], c = T[3 * t + 2];
    p.surfaces.push([a, bb, c]); p.values.push(ROOF);
    p.surfaces.push([base(a), base(c), base(bb)]); p.values.push(GROUND);
    // The roof faces up, so its boundary runs with the inside on the left; seen from outside
    // (the right) the wall under edge p→q runs p-base → q-base → q-top → p-top, counter-clockwise.
    for (let e = 0; e < 3; e++) {
      const u = T[3 * t + e], w = T[3 * t + ((e + 1) % 3)];
      if (edgeTri.has(key(w, u))) continue;
      p.surfaces.push([base(u), base(w), w, u]); p.values.push(WALL);
      const from = boundaryFrom.get(p)!;
      if (from.has(u)) p.pinched = true;
      from.add(u);
    }
  }
  return { prisms, extra, heightQ: scan.topQ[b] - baseQ };
}
