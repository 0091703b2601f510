// Indexed mesh under construction. Vertices are welded by exact position (no tolerance):
// the clean-up made every shared position bit-identical, so equality is the right test.
//
// No position is hashed here. Every wall and roof vertex, and every ground vertex at a footprint
// corner, stands above one of the tile's footprint vertices (ids of the tile's 2D PointIndex,
// `base`), so a vertex is found by walking the short chain of vertices already made above that
// footprint vertex (ground, roofs, wall splits: a handful) and comparing z. Ground points that
// are no footprint vertex are distinct in 2D and made once each (`fresh`). A 3D hash table of
// every vertex was the tile kernel's largest cost (hashing six float words, probing, rehashing).
// Ids are given in order of first request, exactly as the hash table gave them.
import type { TileMesh } from "../types";
import type { PointIndex } from "../geometry/pointIndex";

export class MeshBuilder {
  private xyz: Float64Array;
  /** Footprint vertex under mesh vertex i, or -1 (a ground point that is none). */
  private under: Int32Array;
  /** Next mesh vertex above the same footprint vertex (a chain per footprint vertex), or -1. */
  private next: Int32Array;
  /** Footprint vertex → the latest mesh vertex made above it, or -1. */
  private readonly head: Int32Array;
  private nv = 0;
  private f: Int32Array;
  private m: Int32Array;
  private nf = 0;

  /**
   * `base`: the tile's footprint vertices (2D). `vertices`, `faces`: expected counts, so the
   * arrays are sized once (they still grow when the guess is short).
   */
  constructor(private readonly base: PointIndex, vertices = 1024, faces = 2048) {
    this.head = new Int32Array(base.count).fill(-1);
    this.xyz = new Float64Array(3 * Math.max(16, vertices));
    this.under = new Int32Array(Math.max(16, vertices));
    this.next = new Int32Array(Math.max(16, vertices));
    this.f = new Int32Array(3 * Math.max(16, faces));
    this.m = new Int32Array(Math.max(16, faces));
  }

  get vertexCount(): number { return this.nv; }
  get faceCount(): number { return this.nf; }

  /** The vertex at height z above footprint vertex v (a `base` id), added when new. */
  at(v: number, z: number): number {
    z += 0; // -0 → 0, as the position's stored coordinates
    const c = this.xyz;
    for (let k = this.head[v]; k >= 0; k = this.next[k]) if (c[3 * k + 2] === z) return k;
    const i = this.add(this.base.x(v), this.base.y(v), z, v);
    this.next[i] = this.head[v];
    this.head[v] = i;
    return i;
  }

  /** A new vertex at (x, y, z), which the caller knows to be at no footprint vertex and not yet made. */
  fresh(x: number, y: number, z: number): number {
    return this.add(x + 0, y + 0, z + 0, -1);
  }

  private add(x: number, y: number, z: number, v: number): number {
    if (this.nv === this.under.length) this.growVertices();
    const i = this.nv++;
    this.xyz[3 * i] = x; this.xyz[3 * i + 1] = y; this.xyz[3 * i + 2] = z;
    this.under[i] = v;
    return i;
  }

  private growVertices(): void {
    const n = 2 * this.under.length;
    const xyz = new Float64Array(3 * n); xyz.set(this.xyz); this.xyz = xyz;
    const u = new Int32Array(n); u.set(this.under); this.under = u;
    const nx = new Int32Array(n); nx.set(this.next); this.next = nx;
  }

  triangle(a: number, b: number, c: number, marker: number): void {
    if (a === b || b === c || a === c) return;
    if (3 * this.nf === this.f.length) {
      const g = new Int32Array(this.f.length * 2); g.set(this.f); this.f = g;
      const h = new Int32Array(this.m.length * 2); h.set(this.m); this.m = h;
    }
    this.f[3 * this.nf] = a; this.f[3 * this.nf + 1] = b; this.f[3 * this.nf + 2] = c;
    this.m[this.nf++] = marker;
  }

  /** Position of vertex i (for seam classification). */
  x(i: number): number { return this.xyz[3 * i]; }
  y(i: number): number { return this.xyz[3 * i + 1]; }
  /** The footprint vertex under vertex i, or -1. */
  footprintVertex(i: number): number { return this.under[i]; }

  finish(seam: (i: number) => boolean): TileMesh {
    const nv = this.nv;
    const s = new Uint8Array(nv);
    for (let i = 0; i < nv; i++) s[i] = seam(i) ? 1 : 0;
    return { vertices: this.xyz.slice(0, 3 * nv), faces: this.f.slice(0, 3 * this.nf), markers: this.m.slice(0, this.nf), seam: s };
  }
}
