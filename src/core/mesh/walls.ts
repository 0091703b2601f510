// Walls of the owned buildings. For each footprint edge p→q (interior on the left):
//   - ground on the other side: a wall from the ground at p and q up to the roof;
//   - another building on the other side (the clean-up made shared walls identical edges):
//     only the part above the lower roof, emitted by the taller building; none if equal.
// A wall's vertical sides are split where the walls meeting it at that corner require (see
// corners.ts), so walls, roofs and the ground meet vertex to vertex (no T-junctions).
import type { TileInput } from "./tileInput";
import type { MeshBuilder } from "./meshBuilder";
import type { Corners } from "./corners";

/** Lookups over the tile's buildings: which building lies across each directed edge, and who has a vertex where. */
export class Adjacency {
  /** "ax,ay,bx,by" of a directed edge → its building. */
  private readonly edgeOwner = new Map<string, number>();
  /** "x,y" → [building, point index] pairs having that vertex. */
  readonly vertexUsers = new Map<string, number[]>();

  constructor(private readonly t: TileInput) {
    const f = t.footprints;
    for (let b = 0; b < f.count; b++) {
      for (let r = f.polyStart[f.buildingStart[b]]; r < f.polyStart[f.buildingStart[b + 1]]; r++) {
        const s = f.ringStart[r], e = f.ringStart[r + 1];
        for (let i = s; i < e; i++) {
          const j = i + 1 < e ? i + 1 : s;
          this.edgeOwner.set(`${f.xy[2 * i]},${f.xy[2 * i + 1]},${f.xy[2 * j]},${f.xy[2 * j + 1]}`, b);
          const k = `${f.xy[2 * i]},${f.xy[2 * i + 1]}`;
          const u = this.vertexUsers.get(k);
          if (u) u.push(b, i); else this.vertexUsers.set(k, [b, i]);
        }
      }
    }
  }

  /** The building across the directed edge a→b from its owner (the owner of b→a), or -1 for ground. */
  across(ax: number, ay: number, bx: number, by: number): number {
    return this.edgeOwner.get(`${bx},${by},${ax},${ay}`) ?? -1;
  }

  /** Neighbour points of (x, y) along footprint edges, each once. */
  neighbours(x: number, y: number): number[] {
    const users = this.vertexUsers.get(`${x},${y}`) ?? [];
    const f = this.t.footprints, out: number[] = [], seen = new Set<string>();
    for (let k = 0; k < users.length; k += 2) {
      const i = users[k + 1], r = this.ringOf(i);
      const s = f.ringStart[r], e = f.ringStart[r + 1];
      for (const n of [i > s ? i - 1 : e - 1, i + 1 < e ? i + 1 : s]) {
        const key = `${f.xy[2 * n]},${f.xy[2 * n + 1]}`;
        if (!seen.has(key)) { seen.add(key); out.push(f.xy[2 * n], f.xy[2 * n + 1]); }
      }
    }
    return out;
  }

  /** Building on the left of the directed edge a→b (its owner), or -1. */
  leftOf(ax: number, ay: number, bx: number, by: number): number {
    return this.edgeOwner.get(`${ax},${ay},${bx},${by}`) ?? -1;
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
    for (let i = s; i < e; i++) {
      const j = i + 1 < e ? i + 1 : s;
      const px = f.xy[2 * i], py = f.xy[2 * i + 1], qx = f.xy[2 * j], qy = f.xy[2 * j + 1];
      const other = adj.across(px, py, qx, qy);
      let loP: number, loQ: number;
      if (other >= 0) {
        if (t.roofZ[other] >= top) continue; // the taller neighbour (or nobody, if equal) builds this wall
        loP = loQ = t.roofZ[other];
      } else {
        loP = Math.min(zAt(px, py), top);
        loQ = Math.min(zAt(qx, qy), top);
        if (loP === top && loQ === top) continue;
      }
      const sideP = [loP, ...corners.splits(px, py, qx, qy, loP, top), top];
      const sideQ = [loQ, ...corners.splits(qx, qy, px, py, loQ, top), top];
      ladder(mb, px, py, sideP, qx, qy, sideQ, marker);
    }
  }
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
