// Indexed mesh under construction. Vertices are welded by exact position (no tolerance):
// the clean-up made every shared position bit-identical, so equality is the right test.
import type { TileMesh } from "../types";

export class MeshBuilder {
  private v = new Float64Array(3 * 4096);
  private f = new Int32Array(3 * 8192);
  private m = new Int32Array(8192);
  private nv = 0;
  private nf = 0;
  private readonly index = new Map<string, number>();

  get vertexCount(): number { return this.nv; }
  get faceCount(): number { return this.nf; }

  vertex(x: number, y: number, z: number): number {
    z += 0; // -0 → 0, so equal positions have equal keys and bytes
    const key = `${x},${y},${z}`;
    const found = this.index.get(key);
    if (found !== undefined) return found;
    if (3 * this.nv === this.v.length) { const g = new Float64Array(this.v.length * 2); g.set(this.v); this.v = g; }
    this.v[3 * this.nv] = x; this.v[3 * this.nv + 1] = y; this.v[3 * this.nv + 2] = z;
    this.index.set(key, this.nv);
    return this.nv++;
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
  x(i: number): number { return this.v[3 * i]; }
  y(i: number): number { return this.v[3 * i + 1]; }

  finish(seam: (i: number) => boolean): TileMesh {
    const s = new Uint8Array(this.nv);
    for (let i = 0; i < this.nv; i++) s[i] = seam(i) ? 1 : 0;
    return { vertices: this.v.slice(0, 3 * this.nv), faces: this.f.slice(0, 3 * this.nf), markers: this.m.slice(0, this.nf), seam: s };
  }
}
