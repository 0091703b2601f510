// Flat roofs: each polygon of an owned building triangulated on its own (with its holes), from
// the cleaned footprint alone. It is not cut out of the tile's ground triangulation, so a
// building's roof is the same whichever tile meshes it and whatever the tile size.
// Constrained Delaunay rather than earcut: earcut drops exactly collinear vertices, and the
// clean-up deliberately puts collinear vertices on edges (shared walls, seams), which would
// leave T-junctions between roof and walls. Where Constrainautor gives up (near-degenerate
// rings), earcut plus Delaunay flips is the checked fallback (earcutRoof).
import type { TileInput } from "./tileInput";
import type { MeshBuilder } from "./meshBuilder";
import { classifyRegions, triangulate } from "./cdt";
import { CityMeshError } from "../errors";
import { PointIndex } from "../geometry/pointIndex";
import earcut from "earcut";
import Constrainautor from "@kninnug/constrainautor";

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
      // Constrainautor gives up on some near-degenerate rings (found by fuzzing: a 4 km sliver whose
      // sides are chains of almost collinear lattice split points). Earcut is used for those when it
      // keeps every vertex (no T-junction with the walls) and covers exactly the polygon's area.
      if (earcutRoof(f, p, z, marker, mb)) continue;
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

/**
 * Roof polygon `p` (outer ring and holes) by earcut, added to `mb` only when every ring vertex is
 * used, no triangle is reversed and the triangles' area equals the polygon's (relative 1e-9).
 * Coordinates relative to the first vertex for precision. Returns false (nothing added) otherwise.
 */
function earcutRoof(f: TileInput["footprints"], p: number, z: number, marker: number, mb: MeshBuilder): boolean {
  const r0 = f.polyStart[p], r1 = f.polyStart[p + 1];
  const s0 = f.ringStart[r0], n = f.ringStart[r1] - s0;
  const x0 = f.xy[2 * s0], y0 = f.xy[2 * s0 + 1];
  const local = new Array<number>(2 * n);
  for (let i = 0; i < n; i++) { local[2 * i] = f.xy[2 * (s0 + i)] - x0; local[2 * i + 1] = f.xy[2 * (s0 + i) + 1] - y0; }
  const holes: number[] = [];
  for (let r = r0 + 1; r < r1; r++) holes.push(f.ringStart[r] - s0);
  const tri = earcut(local, holes, 2);
  if (new Set(tri).size !== n) return false;
  const area2 = (a: number, b: number, c: number) => (local[2 * b] - local[2 * a]) * (local[2 * c + 1] - local[2 * a + 1]) - (local[2 * c] - local[2 * a]) * (local[2 * b + 1] - local[2 * a + 1]);
  let sum = 0;
  for (let k = 0; k < tri.length; k += 3) {
    const a = area2(tri[k], tri[k + 1], tri[k + 2]);
    if (a < 0) return false;
    sum += a;
  }
  let poly = 0;
  for (let r = r0; r < r1; r++) {
    const s = f.ringStart[r] - s0, e = f.ringStart[r + 1] - s0;
    for (let i = s; i < e; i++) { const j = i + 1 < e ? i + 1 : s; poly += local[2 * i] * local[2 * j + 1] - local[2 * j] * local[2 * i + 1]; }
  }
  if (!(poly > 0 && Math.abs(sum - poly) <= 1e-9 * poly)) return false;
  // Earcut clips ears, so a chain of almost collinear vertices becomes needles: flip the interior
  // edges to constrained Delaunay (the ring edges are all already in the triangulation).
  const nt = tri.length / 3;
  const triangles = new Uint32Array(tri.length), halfedges = new Int32Array(tri.length).fill(-1);
  for (let k = 0; k < nt; k++) { triangles[3 * k] = tri[3 * k]; triangles[3 * k + 1] = tri[3 * k + 2]; triangles[3 * k + 2] = tri[3 * k + 1]; } // delaunator's winding
  const byEdge = new Map<number, number>();
  for (let e = 0; e < tri.length; e++) {
    const a = triangles[e], b = triangles[e % 3 === 2 ? e - 2 : e + 1];
    const o = byEdge.get(b * 0x100000000 + a);
    if (o !== undefined) { halfedges[e] = o; halfedges[o] = e; byEdge.delete(b * 0x100000000 + a); } else byEdge.set(a * 0x100000000 + b, e);
  }
  const coords = Float64Array.from(local);
  try {
    const con = new Constrainautor({ coords, triangles, halfedges, hull: [] }); // hull: in the type only, never read
    for (let e = 0; e < tri.length; e++) if (halfedges[e] < 0) con.constrainOne(triangles[e], triangles[e % 3 === 2 ? e - 2 : e + 1]);
    con.delaunify(true);
  } catch {
    // keep earcut's triangles as they are: valid, only less well shaped
  }
  const v = (i: number) => mb.vertex(f.xy[2 * (s0 + i)], f.xy[2 * (s0 + i) + 1], z);
  for (let k = 0; k < nt; k++) mb.triangle(v(triangles[3 * k]), v(triangles[3 * k + 2]), v(triangles[3 * k + 1]), marker); // counter-clockwise: faces up
  return true;
}
