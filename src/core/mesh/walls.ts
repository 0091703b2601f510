// Walls of the owned buildings. For each footprint edge p→q (interior on the left):
//   - ground on the other side: a wall from the ground at p and q up to the roof;
//   - another building on the other side (the clean-up made shared walls identical edges):
//     only the part above the lower roof, emitted by the taller building; none if equal.
// A wall's vertical sides are split where the walls meeting it at that corner require (see
// corners.ts), so walls, roofs and the ground meet vertex to vertex (no T-junctions).
import type { TileInput } from "./tileInput";
import type { MeshBuilder } from "./meshBuilder";
import type { Corners } from "./corners";
import { PointIndex } from "../geometry/pointIndex";

/**
 * Lookups over the tile's buildings: which building lies across each directed edge, and who has a
 * vertex where. Positions are interned once in a PointIndex; all lookups go through vertex ids.
 */
export class Adjacency {
  /** The tile's distinct footprint vertices. */
  readonly points = new PointIndex(2);
  /** Directed edge (vertex id a, vertex id b) as a·n + b → the building on its left. */
  private readonly edgeOwner = new Map<number, number>();
  /** CSR by vertex id: [building, footprint point index] pairs having that vertex. */
  private readonly usersStart: Int32Array;
  private readonly users: Int32Array;
  /** Footprint point index → vertex id. */
  readonly idOf: Int32Array;

  constructor(private readonly t: TileInput) {
    const f = t.footprints, np = f.xy.length >> 1;
    const idOf = (this.idOf = new Int32Array(np)), buildingOf = new Int32Array(np);
    for (let b = 0; b < f.count; b++) {
      for (let i = f.ringStart[f.polyStart[f.buildingStart[b]]]; i < f.ringStart[f.polyStart[f.buildingStart[b + 1]]]; i++) {
        idOf[i] = this.points.id(f.xy[2 * i], f.xy[2 * i + 1]);
        buildingOf[i] = b;
      }
    }
    const n = this.points.count;
    this.usersStart = new Int32Array(n + 1);
    for (let i = 0; i < np; i++) this.usersStart[idOf[i] + 1] += 2;
    for (let v = 0; v < n; v++) this.usersStart[v + 1] += this.usersStart[v];
    this.users = new Int32Array(this.usersStart[n]);
    const fill = this.usersStart.slice(0, n);
    for (let r = 0; r + 1 < f.ringStart.length; r++) {
      const s = f.ringStart[r], e = f.ringStart[r + 1];
      for (let i = s; i < e; i++) {
        const j = i + 1 < e ? i + 1 : s;
        this.edgeOwner.set(idOf[i] * n + idOf[j], buildingOf[i]);
        this.users[fill[idOf[i]]++] = buildingOf[i];
        this.users[fill[idOf[i]]++] = i;
      }
    }
  }

  /** Id of the footprint vertex at (x, y), or -1 when no footprint has a vertex there. */
  vertexId(x: number, y: number): number {
    return this.points.find(x, y);
  }

  /** True when only one footprint point lies at vertex v: one ring passes, so no wall meets another there. */
  alone(v: number): boolean {
    return this.usersStart[v + 1] - this.usersStart[v] === 2;
  }

  /**
   * True when a building having vertex v has its roof strictly between lo and hi. The sectors
   * around v are the insides of those buildings and the ground, so when this is false (and the
   * ground at v is not strictly between either) no wall meeting v ends inside (lo, hi), and a wall
   * spanning lo..hi needs no split there: the corner analysis can be skipped.
   */
  roofBetween(v: number, lo: number, hi: number): boolean {
    const z = this.t.roofZ;
    for (let k = this.usersStart[v]; k < this.usersStart[v + 1]; k += 2) { const h = z[this.users[k]]; if (h > lo && h < hi) return true; }
    return false;
  }

  /** The building on the left of the directed edge between vertex ids a→b, or -1. */
  ownerOf(a: number, b: number): number {
    return this.edgeOwner.get(a * this.points.count + b) ?? -1;
  }

  /** True when a building that is not owned by this tile has vertex v. */
  hasForeignUser(v: number): boolean {
    for (let k = this.usersStart[v]; k < this.usersStart[v + 1]; k += 2) if (!this.t.owned[this.users[k]]) return true;
    return false;
  }

  /** Neighbour points of (x, y) along footprint edges, each once. */
  neighbours(x: number, y: number): number[] {
    const v = this.points.find(x, y), out: number[] = [];
    if (v < 0) return out;
    const f = this.t.footprints, seen: number[] = [];
    for (let k = this.usersStart[v]; k < this.usersStart[v + 1]; k += 2) {
      const i = this.users[k + 1], r = this.ringOf(i);
      const s = f.ringStart[r], e = f.ringStart[r + 1];
      for (const m of [i > s ? i - 1 : e - 1, i + 1 < e ? i + 1 : s]) {
        const w = this.points.find(f.xy[2 * m], f.xy[2 * m + 1]);
        if (!seen.includes(w)) { seen.push(w); out.push(f.xy[2 * m], f.xy[2 * m + 1]); }
      }
    }
    return out;
  }

  /** Building on the left of the directed edge a→b (its owner), or -1. */
  leftOf(ax: number, ay: number, bx: number, by: number): number {
    const a = this.points.find(ax, ay), b = this.points.find(bx, by);
    if (a < 0 || b < 0) return -1;
    return this.edgeOwner.get(a * this.points.count + b) ?? -1;
  }

  private ringOf(i: number): number {
    const rs = this.t.footprints.ringStart;
    let lo = 0, hi = rs.length - 2;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (rs[mid] <= i) lo = mid; else hi = mid - 1; }
    return lo;
  }
}

export function meshWalls(t: TileInput, b: number, adj: Adjacency, corners: Corners, mb: MeshBuilder, zAt: (x: number, y: number) => number): void {
  const f = t.footprints, top = t.roofZ[b], marker = t.globalIndex[b];
  for (let r = f.polyStart[f.buildingStart[b]]; r < f.polyStart[f.buildingStart[b + 1]]; r++) {
    const s = f.ringStart[r], e = f.ringStart[r + 1];
    // The last whole wall's side at q (bottom and top vertex), which the next wall's side at p reuses
    // when it is the same vertical edge: a wall's side is half of a city's vertex lookups.
    let lastQ = -1, lastLo = 0, lastBottom = -1, lastTop = -1;
    for (let i = s; i < e; i++) {
      const j = i + 1 < e ? i + 1 : s;
      const px = f.xy[2 * i], py = f.xy[2 * i + 1], qx = f.xy[2 * j], qy = f.xy[2 * j + 1];
      const vp = adj.idOf[i], vq = adj.idOf[j];
      const other = adj.ownerOf(vq, vp); // the building across p→q, or ground
      let loP: number, loQ: number;
      if (other >= 0) {
        if (t.roofZ[other] >= top) continue; // the taller neighbour (or nobody, if equal) builds this wall
        loP = loQ = t.roofZ[other];
      } else {
        loP = Math.min(zAt(px, py), top);
        loQ = Math.min(zAt(qx, qy), top);
        if (loP === top && loQ === top) continue;
      }
      // Where one ring alone passes a vertex, its two walls are the only ones there and meet
      // whole: no splits (most vertices of a city; measured on New York, the corner analysis
      // took a fifth of the tile time). Nor where no sector height there falls strictly inside
      // the wall's span (neighbours of equal or greater height: a terrace's shared corners).
      const wholeP = whole(adj, vp, px, py, loP, top, zAt), wholeQ = whole(adj, vq, qx, qy, loQ, top, zAt);
      if (wholeP && wholeQ) {
        // The panel p-bottom → q-bottom → q-top → p-top as two triangles (what ladder gives for two sides of one piece).
        const reuse = i === lastQ && loP === lastLo;
        const pb = reuse ? lastBottom : mb.vertex(px, py, loP), pt = reuse ? lastTop : mb.vertex(px, py, top);
        const qb = mb.vertex(qx, qy, loQ), qt = mb.vertex(qx, qy, top);
        mb.triangle(pb, qb, qt, marker);
        mb.triangle(pb, qt, pt, marker);
        lastQ = j; lastLo = loQ; lastBottom = qb; lastTop = qt;
        continue;
      }
      const sideP = wholeP ? [loP, top] : [loP, ...corners.splits(px, py, qx, qy, loP, top), top];
      const sideQ = wholeQ ? [loQ, top] : [loQ, ...corners.splits(qx, qy, px, py, loQ, top), top];
      ladder(mb, px, py, sideP, qx, qy, sideQ, marker);
    }
  }
}

/** True when the vertical side of a wall spanning lo..hi at vertex v (at x, y) needs no split (see Adjacency.roofBetween). */
function whole(adj: Adjacency, v: number, x: number, y: number, lo: number, hi: number, zAt: (x: number, y: number) => number): boolean {
  if (adj.alone(v)) return true;
  if (adj.roofBetween(v, lo, hi)) return false;
  const zg = zAt(x, y);
  return !(zg > lo && zg < hi);
}

/**
 * Triangulates the wall panel between the vertical sides at p and q, each given as ascending
 * heights, by zipping up from the bottom. Seen from outside (the right of p→q) the panel runs
 * p-bottom → q-bottom → q-top → p-top, counter-clockwise.
 */
function ladder(mb: MeshBuilder, px: number, py: number, zp: number[], qx: number, qy: number, zq: number[], marker: number): void {
  const P = zp.map((z) => mb.vertex(px, py, z)), Q = zq.map((z) => mb.vertex(qx, qy, z));
  let i = 0, j = 0;
  while (i < P.length - 1 || j < Q.length - 1) {
    const advanceQ = i === P.length - 1 || (j < Q.length - 1 && zq[j + 1] <= zp[i + 1]);
    if (advanceQ) { mb.triangle(P[i], Q[j], Q[j + 1], marker); j++; }
    else { mb.triangle(P[i], Q[j], P[i + 1], marker); i++; }
  }
}
