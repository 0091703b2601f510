// Indexed mesh under construction. Vertices are welded by exact position (no tolerance):
// the clean-up made every shared position bit-identical, so equality is the right test.
import type { TileMesh } from "../types";
import { PointIndex } from "../geometry/pointIndex";

export class MeshBuilder {
  private readonly points = new PointIndex(3, 4096);
  private f = new Int32Array(3 * 8192);
  private m = new Int32Array(8192);
  private nf = 0;

  get vertexCount(): number { return this.points.count; }
  get faceCount(): number { return this.nf; }

  vertex(x: number, y: number, z: number): number {
    return this.points.id(x, y, z);
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
  x(i: number): number { return this.points.x(i); }
  y(i: number): number { return this.points.y(i); }

  finish(seam: (i: number) => boolean): TileMesh {
    const nv = this.points.count;
    const s = new Uint8Array(nv);
    for (let i = 0; i < nv; i++) s[i] = seam(i) ? 1 : 0;
    return { vertices: this.points.coords.slice(0, 3 * nv), faces: this.f.slice(0, 3 * this.nf), markers: this.m.slice(0, this.nf), seam: s };
  }
}
