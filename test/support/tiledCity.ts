// Synthetic tiled city for the merge and writer tests, the viewer's tile-count test and the merge
// bench: a TX×TY grid of tiles, each a k×k grid of ground cells (two triangles per cell) plus one
// box building. Ground points on tile borders are seam vertices; their coordinates are computed
// from the global grid index, so neighbouring tiles produce bit-identical doubles, as the tiled
// builder does.
import type { TileMesh } from "../../src/core/types";

/**
 * Writes a box building into a mesh's arrays: 8 vertices from vertex v0 (corners (x0, y0), (x1, y0),
 * (x1, y1), (x0, y1) at z0, then the same at z0 + h) and, from face f0, 8 wall faces marked `wall`
 * and 2 roof faces marked `roof`, counter-clockwise seen from outside. Returns the next free face.
 */
export function putBox(mesh: Pick<TileMesh, "vertices" | "faces" | "markers">, v0: number, f0: number, [x0, y0, x1, y1]: [number, number, number, number], z0: number, h: number, wall: number, roof: number): number {
  const z1 = z0 + h;
  mesh.vertices.set([x0, y0, z0, x1, y0, z0, x1, y1, z0, x0, y1, z0, x0, y0, z1, x1, y0, z1, x1, y1, z1, x0, y1, z1], v0 * 3);
  let f = f0;
  const q = (a: number, b: number, c: number, d: number, mk: number) => {
    mesh.faces.set([v0 + a, v0 + b, v0 + c, v0 + a, v0 + c, v0 + d], f * 3);
    mesh.markers[f] = mesh.markers[f + 1] = mk;
    f += 2;
  };
  q(0, 1, 5, 4, wall);
  q(1, 2, 6, 5, wall);
  q(2, 3, 7, 6, wall);
  q(3, 0, 4, 7, wall);
  q(4, 5, 6, 7, roof);
  return f;
}

export interface SyntheticCity {
  tiles: TileMesh[];
  buildings: number;
  /** Expected counts after an exact weld. */
  vertices: number;
  triangles: number;
  /** Expected triangles per class: ground, walls, roofs. */
  classes: [number, number, number];
}

export function syntheticCity(tx: number, ty: number, k: number, size = 100): SyntheticCity {
  const step = size / k;
  const buildings = tx * ty;
  const tiles: TileMesh[] = [];
  for (let ry = 0; ry < ty; ry++) {
    for (let cx = 0; cx < tx; cx++) {
      const b = ry * tx + cx;
      const gn = (k + 1) * (k + 1);
      const n = gn + 8;
      const m = 2 * k * k + 10;
      const vertices = new Float64Array(n * 3);
      const seam = new Uint8Array(n);
      const faces = new Int32Array(m * 3);
      const markers = new Int32Array(m);
      for (let j = 0; j <= k; j++) {
        for (let i = 0; i <= k; i++) {
          const v = j * (k + 1) + i;
          vertices[3 * v] = (cx * k + i) * step;
          vertices[3 * v + 1] = (ry * k + j) * step;
          vertices[3 * v + 2] = Math.sin((cx * k + i) * 0.1) * 0.25; // gentle terrain, same on both sides of a seam
          seam[v] = i === 0 || j === 0 || i === k || j === k ? 1 : 0;
        }
      }
      let f = 0;
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < k; i++) {
          const a = j * (k + 1) + i;
          faces.set([a, a + 1, a + k + 2, a, a + k + 2, a + k + 1], f * 3);
          markers[f] = markers[f + 1] = (i + j) % 7 === 0 ? -1 : -2;
          f += 2;
        }
      }
      // A box building in the middle of the tile (not welded: not on a seam).
      const x0 = cx * size + size * 0.3, x1 = cx * size + size * 0.6;
      const y0 = ry * size + size * 0.3, y1 = ry * size + size * 0.7;
      putBox({ vertices, faces, markers }, gn, f, [x0, y0, x1, y1], 0, 10 + b, b, buildings + b);
      tiles.push({ vertices, faces, markers, seam });
    }
  }
  const ground = 2 * k * k * tx * ty;
  return {
    tiles,
    buildings,
    vertices: (tx * k + 1) * (ty * k + 1) + 8 * tx * ty,
    triangles: ground + 10 * tx * ty,
    classes: [ground, 8 * tx * ty, 2 * tx * ty],
  };
}
