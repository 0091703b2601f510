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
 * Everything is in typed arrays sized from the footprint point count: no Map, no per-call array
 * (a Map keyed by a·n + b and a neighbour list per corner were a tenth of New York's tile time).
 */
export class Adjacency {
  /** The tile's distinct footprint vertices. */
  readonly points: PointIndex;
  /** CSR by vertex id: [building, footprint point index] pairs having that vertex. */
  private readonly usersStart: Int32Array;
  private readonly users: Int32Array;
  /** Footprint point index → vertex id. */
  readonly idOf: Int32Array;
  /** Footprint point index → the next and the previous point index along its ring. */
  private readonly nextOf: Int32Array;
  private readonly prevOf: Int32Array;

  constructor(private readonly t: TileInput) {
    const f = t.footprints, np = f.xy.length >> 1;
    this.points = new PointIndex(2, Math.max(16, np));
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
    this.nextOf = new Int32Array(np);
    this.prevOf = new Int32Array(np);
    const fill = this.usersStart.slice(0, n);
    // Users of a vertex in ring order, so ownerOf's last match is the last ring with that edge.
    for (let r = 0; r + 1 < f.ringStart.length; r++) {
      const s = f.ringStart[r], e = f.ringStart[r + 1];
      for (let i = s; i < e; i++) {
        this.nextOf[i] = i + 1 < e ? i + 1 : s;
        this.prevOf[i] = i > s ? i - 1 : e - 1;
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

  /**
   * The building on the left of the directed edge between vertex ids a→b, or -1: a ring through a
   * whose next vertex is b. Should two rings have that edge, the last ring's building, as a table
   * filled in ring order would hold.
   */
  ownerOf(a: number, b: number): number {
    let owner = -1;
    for (let k = this.usersStart[a]; k < this.usersStart[a + 1]; k += 2) if (this.idOf[this.nextOf[this.users[k + 1]]] === b) owner = this.users[k];
    return owner;
  }

  /** True when a building that is not owned by this tile has vertex v. */
  hasForeignUser(v: number): boolean {
    for (let k = this.usersStart[v]; k < this.usersStart[v + 1]; k += 2) if (!this.t.owned[this.users[k]]) return true;
    return false;
  }

  /**
   * Neighbour vertices of vertex v along footprint edges, each once, into `out` (cleared first):
   * for each ring through v (in ring order) the previous, then the next vertex.
   */
  neighbours(v: number, out: number[]): void {
    out.length = 0;
    for (let k = this.usersStart[v]; k < this.usersStart[v + 1]; k += 2) {
      const i = this.users[k + 1];
      const w0 = this.idOf[this.prevOf[i]], w1 = this.idOf[this.nextOf[i]];
      if (!out.includes(w0)) out.push(w0);
      if (!out.includes(w1)) out.push(w1);
    }
  }
}

export function meshWalls(t: TileInput, b: number, adj: Adjacency, corners: Corners, mb: MeshBuilder, zAt: (x: number, y: number) => number): void {
  const f = t.footprints, top = t.roofZ[b], marker = t.globalIndex[b];
  const sideP = corners.sideP, sideQ = corners.sideQ;
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
        const pb = reuse ? lastBottom : mb.at(vp, loP), pt = reuse ? lastTop : mb.at(vp, top);
        const qb = mb.at(vq, loQ), qt = mb.at(vq, top);
        mb.triangle(pb, qb, qt, marker);
        mb.triangle(pb, qt, pt, marker);
        lastQ = j; lastLo = loQ; lastBottom = qb; lastTop = qt;
        continue;
      }
      sideP.length = 0; sideP.push(loP);
      if (!wholeP) corners.splits(vp, vq, loP, top, sideP);
      sideP.push(top);
      sideQ.length = 0; sideQ.push(loQ);
      if (!wholeQ) corners.splits(vq, vp, loQ, top, sideQ);
      sideQ.push(top);
      ladder(mb, vp, sideP, vq, sideQ, marker, corners.ladderP, corners.ladderQ);
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
 * Triangulates the wall panel between the vertical sides at footprint vertices p and q, each
 * given as ascending heights, by zipping up from the bottom. Seen from outside (the right of
 * p→q) the panel runs p-bottom → q-bottom → q-top → p-top, counter-clockwise. P, Q: scratch.
 */
function ladder(mb: MeshBuilder, vp: number, zp: number[], vq: number, zq: number[], marker: number, P: number[], Q: number[]): void {
  P.length = 0; Q.length = 0;
  for (let k = 0; k < zp.length; k++) P.push(mb.at(vp, zp[k]));
  for (let k = 0; k < zq.length; k++) Q.push(mb.at(vq, zq[k]));
  let i = 0, j = 0;
  while (i < P.length - 1 || j < Q.length - 1) {
    const advanceQ = i === P.length - 1 || (j < Q.length - 1 && zq[j + 1] <= zp[i + 1]);
    if (advanceQ) { mb.triangle(P[i], Q[j], Q[j + 1], marker); j++; }
    else { mb.triangle(P[i], Q[j], P[i + 1], marker); i++; }
  }
}
