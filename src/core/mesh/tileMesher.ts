// Meshes one tile: its ground, then the roofs and walls of the buildings it owns. Output is a
// deterministic function of the TileInput alone (no iteration over hash maps feeds the order),
// so the same input gives byte-identical tiles whatever the order tiles are built in.
import type { TileMesh } from "../types";
import type { TileInput } from "./tileInput";
import { MeshBuilder } from "./meshBuilder";
import { meshGround } from "./ground";
import { meshRoof } from "./roofs";
import { Adjacency, meshWalls } from "./walls";
import { Corners } from "./corners";

export type HeightAt = (x: number, y: number) => number;

export const flatGround: HeightAt = () => 0;

export function meshTile(t: TileInput, zAt: HeightAt = flatGround): TileMesh {
  const adj = new Adjacency(t);
  const np = t.footprints.xy.length >> 1;
  // Sized from the footprint points: each has a ground, a roof and a wall-top vertex or so, and
  // four triangles (two of a wall, about one of the roof and one of the ground).
  const mb = new MeshBuilder(adj.points, 3 * np + 1024, 4 * np + 2048);
  const points = adj.points;
  const corners = new Corners({
    vertexCount: points.count,
    x: (v) => points.x(v),
    y: (v) => points.y(v),
    neighbours: (v, out) => adj.neighbours(v, out),
    leftOf: (a, b) => adj.ownerOf(a, b),
    roofZ: (b) => t.roofZ[b],
    groundZ: zAt,
  });
  meshGround(t, mb, zAt, (x, y) => adj.vertexId(x, y), adj.idOf);
  const f = t.footprints;
  for (let b = 0; b < f.count; b++) {
    if (!t.owned[b]) continue;
    meshRoof(t, b, mb, adj.idOf);
    meshWalls(t, b, adj, corners, mb, zAt);
  }
  // A vertex may appear in another tile's mesh when it lies on or beyond this tile's edge, or
  // on a footprint meshed by another tile (the ground around it, or a touching building).
  const [xmin, ymin, xmax, ymax] = t.spec.bounds;
  return mb.finish((i) => {
    const x = mb.x(i), y = mb.y(i);
    if (x <= xmin || x >= xmax || y <= ymin || y >= ymax) return true;
    const v = mb.footprintVertex(i);
    return v >= 0 && adj.hasForeignUser(v);
  });
}
