// Flat roofs: each polygon of an owned building triangulated on its own (with its holes), from
// the cleaned footprint alone. It is not cut out of the tile's ground triangulation, so a
// building's roof is the same whichever tile meshes it and whatever the tile size.
// Constrained Delaunay rather than earcut: earcut drops exactly collinear vertices, and the
// clean-up deliberately puts collinear vertices on edges (shared walls, seams), which would
// leave T-junctions between roof and walls.
import type { TileInput } from "./tileInput";
import type { MeshBuilder } from "./meshBuilder";
import { classifyRegions, triangulate } from "./cdt";
import { CityMeshError } from "../errors";
import { PointIndex } from "../geometry/pointIndex";

export function meshRoof(t: TileInput, b: number, mb: MeshBuilder): void {
  const f = t.footprints, z = t.roofZ[b], marker = t.buildingCount + t.globalIndex[b];
  for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++) {
    const r0 = f.polyStart[p], r1 = f.polyStart[p + 1];
    const pts = new PointIndex(2, 64);
    const edges: [number, number][] = [];
    for (let r = r0; r < r1; r++) {
      const s = f.ringStart[r], e = f.ringStart[r + 1];
      let first = -1, prev = -1;
      for (let i = s; i < e; i++) {
        const id = pts.id(f.xy[2 * i], f.xy[2 * i + 1]);
        if (prev >= 0 && prev !== id) edges.push([prev, id]);
        if (first < 0) first = id;
        prev = id;
      }
      if (prev !== first) edges.push([prev, first]);
    }
    let cdt;
    try {
      cdt = triangulate(pts.coords.slice(0, 2 * pts.count), edges);
    } catch (e) {
      throw new CityMeshError("tile", `tile ${t.spec.id}: roof of building ${t.globalIndex[b]} (feature ${f.featureIndex[b]}) could not be triangulated (${(e as Error).message})`, { tile: t.spec.id });
    }
    // Rings run with the interior on their left; a region right of u→v is inside when v→u is a ring edge.
    const ringEdge = new Set(edges.map(([a, c]) => a * 0x100000000 + c));
    const cls = classifyRegions(cdt, (u, v) => (ringEdge.has(v * 0x100000000 + u) ? 1 : 0));
    const T = cdt.triangles, C = cdt.coords;
    for (let tri = 0; tri < cls.length; tri++) {
      if (cls[tri] !== 1) continue;
      const a = T[3 * tri], b2 = T[3 * tri + 1], c = T[3 * tri + 2];
      const va = mb.vertex(C[2 * a], C[2 * a + 1], z), vb = mb.vertex(C[2 * b2], C[2 * b2 + 1], z), vc = mb.vertex(C[2 * c], C[2 * c + 1], z);
      mb.triangle(va, vc, vb, marker); // delaunator is clockwise in y-up: flip to face up
    }
  }
}
