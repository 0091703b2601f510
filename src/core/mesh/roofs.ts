// Flat roofs: each polygon of an owned building triangulated on its own (with its holes), from
// the cleaned footprint alone. It is not cut out of the tile's ground triangulation, so a
// building's roof is the same whichever tile meshes it and whatever the tile size.
// Every roof uses all of its ring's vertices: the clean-up puts collinear vertices on edges
// (shared walls, seams), and a roof that skipped one would leave a T-junction with the walls.
// Three ways, cheapest first, each taken only when exact and free of needles (which float32
// output could fold): a fan for a strictly convex ring, earcut when its triangles check out (it
// drops collinear vertices, so such rings fail the check), else a constrained Delaunay
// triangulation (delaunator + Constrainautor). Measured on New York (102 k roofs): 36 % fans,
// 49 % earcut, 15 % CDTs; the roofs took half the time of a CDT for every roof.
import type { TileInput } from "./tileInput";
import type { MeshBuilder } from "./meshBuilder";
import { classifyRegions, triangulate } from "./cdt";
import { CityMeshError } from "../errors";
import { PointIndex } from "../geometry/pointIndex";
import { PairSet } from "../geometry/pairSet";
import { orient } from "../geometry/predicates";
import earcut from "earcut";
import Constrainautor from "@kninnug/constrainautor";

/** The roof of building b. `idOf`: footprint point index → the mesh builder's footprint vertex id. */
export function meshRoof(t: TileInput, b: number, mb: MeshBuilder, idOf: Int32Array): void {
  const f = t.footprints, z = t.roofZ[b], marker = t.buildingCount + t.globalIndex[b];
  for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++) {
    const r0 = f.polyStart[p], r1 = f.polyStart[p + 1];
    if (r1 - r0 === 1 && fanRoof(f, f.ringStart[r0], f.ringStart[r1], z, marker, mb, idOf)) continue;
    if (earcutRoof(f, p, z, marker, mb, idOf)) continue;
    cdtRoof(t, b, p, z, marker, mb, idOf);
  }
}

// Reused by every cdtRoof (a sixth of New York's roofs): allocating the tables for each was a
// tenth of the roofs' time. A worker meshes one tile at a time, so one pair per thread serves.
const scratchPoints = new PointIndex(2, 64);
const scratchRingEdges = new PairSet(64);

/** Roof polygon `p` by constrained Delaunay triangulation of its rings: exact, keeps collinear vertices. */
function cdtRoof(t: TileInput, b: number, p: number, z: number, marker: number, mb: MeshBuilder, idOf: Int32Array): void {
  const f = t.footprints, r0 = f.polyStart[p], r1 = f.polyStart[p + 1];
  const pts = scratchPoints, ringEdge = scratchRingEdges;
  const n = f.ringStart[r1] - f.ringStart[r0];
  pts.clear(n); ringEdge.clear(n);
  const pointOf: number[] = []; // point id → a footprint point index there
  const edges: number[] = []; // ring edges, two point ids each
  for (let r = r0; r < r1; r++) {
    const s = f.ringStart[r], e = f.ringStart[r + 1];
    let first = -1, prev = -1;
    for (let i = s; i < e; i++) {
      const id = pts.id(f.xy[2 * i], f.xy[2 * i + 1]);
      if (id === pointOf.length) pointOf.push(i);
      if (prev >= 0 && prev !== id) { edges.push(prev, id); ringEdge.add(prev, id); }
      if (first < 0) first = id;
      prev = id;
    }
    if (prev !== first) { edges.push(prev, first); ringEdge.add(prev, first); }
  }
  let cdt;
  try {
    cdt = triangulate(pts.coords.subarray(0, 2 * pts.count), edges, true); // used up below, before the next roof
  } catch (e) {
    // Constrainautor gives up on some near-degenerate rings (found by fuzzing: a 4 km sliver whose
    // sides are chains of almost collinear lattice split points). Such a ring has needles in any
    // triangulation: earcut's, checked for exactness and flipped towards Delaunay, is kept then.
    if (earcutRoof(f, p, z, marker, mb, idOf, true)) return;
    throw new CityMeshError("tile", `tile ${t.spec.id}: roof of building ${t.globalIndex[b]} (feature ${f.featureIndex[b]}) could not be triangulated (${(e as Error).message})`, { tile: t.spec.id });
  }
  // Rings run with the interior on their left; a region right of u→v is inside when v→u is a ring edge.
  const cls = classifyRegions(cdt, (u, v) => (ringEdge.has(v, u) ? 1 : 0));
  const T = cdt.triangles;
  for (let tri = 0; tri < cls.length; tri++) {
    if (cls[tri] !== 1) continue;
    const a = T[3 * tri], b2 = T[3 * tri + 1], c = T[3 * tri + 2];
    const va = mb.at(idOf[pointOf[a]], z), vb = mb.at(idOf[pointOf[b2]], z), vc = mb.at(idOf[pointOf[c]], z);
    mb.triangle(va, vc, vb, marker); // delaunator is clockwise in y-up: flip to face up
  }
}

/**
 * A strictly convex ring (every turn strictly left, one revolution) as a fan from its first
 * vertex: every ring vertex is used and no triangle is degenerate, so the roof meets its walls
 * vertex to vertex as the constrained triangulation would, without building one. Most real
 * footprints are rectangles and other convex shapes; measured on New York, the per-roof
 * Delaunator + Constrainautor was about a seventh of the tile time. Returns false (nothing added)
 * for any other ring (a collinear vertex, a neighbour's corner on this wall, or a reflex one) and
 * for one whose fan would hold a needle (MIN_ROOF_TRIANGLE_HEIGHT).
 */
function fanRoof(f: TileInput["footprints"], s: number, e: number, z: number, marker: number, mb: MeshBuilder, idOf: Int32Array): boolean {
  const n = e - s, xy = f.xy;
  if (n < 3) return false;
  let dxSigns = 0, dySigns = 0, lastDx = 0, lastDy = 0;
  for (let k = 0; k < n; k++) {
    const a = s + k, b = s + ((k + 1) % n), c = s + ((k + 2) % n);
    if (!(orient(xy[2 * a], xy[2 * a + 1], xy[2 * b], xy[2 * b + 1], xy[2 * c], xy[2 * c + 1]) > 0)) return false;
    // All left turns also describe a star that winds twice; one revolution changes the sign of
    // each coordinate's step at most twice around the ring.
    const dx = Math.sign(xy[2 * b] - xy[2 * a]), dy = Math.sign(xy[2 * b + 1] - xy[2 * a + 1]);
    if (dx !== 0) { if (lastDx !== 0 && dx !== lastDx) dxSigns++; lastDx = dx; }
    if (dy !== 0) { if (lastDy !== 0 && dy !== lastDy) dySigns++; lastDy = dy; }
  }
  // The cyclic closure (last step → first step) is counted by a second look at the first step.
  const dx0 = Math.sign(xy[2 * (s + 1)] - xy[2 * s]), dy0 = Math.sign(xy[2 * (s + 1) + 1] - xy[2 * s + 1]);
  if (dx0 !== 0 && lastDx !== 0 && dx0 !== lastDx) dxSigns++;
  if (dy0 !== 0 && lastDy !== 0 && dy0 !== lastDy) dySigns++;
  if (dxSigns > 2 || dySigns > 2) return false;
  const x0 = xy[2 * s], y0 = xy[2 * s + 1];
  for (let k = 1; k + 1 < n; k++) {
    const i = s + k, j = s + k + 1;
    if (!fat(0, 0, xy[2 * i] - x0, xy[2 * i + 1] - y0, xy[2 * j] - x0, xy[2 * j + 1] - y0)) return false;
  }
  const v0 = mb.at(idOf[s], z);
  let prev = mb.at(idOf[s + 1], z);
  for (let k = 2; k < n; k++) {
    const next = mb.at(idOf[s + k], z);
    mb.triangle(v0, prev, next, marker); // the ring is counter-clockwise: faces up
    prev = next;
  }
  return true;
}

/**
 * Thinnest roof triangle a fan or earcut may leave, metres (its height over its longest side).
 * The mesh goes out in float32: at 30 km from the origin a coordinate moves by up to 2 mm when
 * rounded, enough to fold a needle over its neighbour (citymesh check found such pairs on the
 * sample city, fanned along a nearly straight chain of vertices). A polygon that would need a
 * thinner triangle goes to cdtRoof, whose Delaunay triangles are the fattest possible.
 */
const MIN_ROOF_TRIANGLE_HEIGHT = 0.05;

/** True when triangle (a, b, c) (coordinates near the origin) is no thinner than MIN_ROOF_TRIANGLE_HEIGHT. */
export function fat(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  const area2 = Math.abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay));
  // Math.hypot is slow (a tenth of the roofs' time on New York). The longest side from squared
  // lengths differs from hypot's by a few ulps at most, so only a triangle within 1e-9 of the
  // limit needs the exact expression below: same answer, bit for bit.
  const l2 = Math.max((bx - ax) * (bx - ax) + (by - ay) * (by - ay), (cx - bx) * (cx - bx) + (cy - by) * (cy - by), (ax - cx) * (ax - cx) + (ay - cy) * (ay - cy));
  if (l2 > 1e-200 && l2 < 1e200) { // no underflow or overflow in the squares
    const limit = MIN_ROOF_TRIANGLE_HEIGHT * Math.sqrt(l2);
    if (area2 > limit * (1 + 1e-9)) return true;
    if (area2 < limit * (1 - 1e-9)) return false;
  }
  const longest = Math.max(Math.hypot(bx - ax, by - ay), Math.hypot(cx - bx, cy - by), Math.hypot(ax - cx, ay - cy));
  return area2 >= MIN_ROOF_TRIANGLE_HEIGHT * longest;
}

/**
 * Roof polygon `p` (outer ring and holes) by earcut, added to `mb` only when every ring vertex is
 * used, every triangle turns counter-clockwise (none reversed or flat) and the triangles' area
 * equals the polygon's (relative 1e-9): then it is a triangulation of exactly this polygon, and
 * the roof meets its walls vertex to vertex. Earcut drops collinear vertices (a neighbour's corner
 * on this wall), so such a polygon fails the check and goes to cdtRoof, as does one where earcut
 * leaves a needle (MIN_ROOF_TRIANGLE_HEIGHT); earcut's other triangles are kept as they are
 * (making them Delaunay doubled the roofs' time on New York). Coordinates relative to the first
 * vertex for precision. Returns false (nothing added) when the check fails.
 */
function earcutRoof(f: TileInput["footprints"], p: number, z: number, marker: number, mb: MeshBuilder, idOf: Int32Array, lastResort = false): boolean {
  const r0 = f.polyStart[p], r1 = f.polyStart[p + 1];
  const s0 = f.ringStart[r0], n = f.ringStart[r1] - s0;
  const x0 = f.xy[2 * s0], y0 = f.xy[2 * s0 + 1];
  const local = new Array<number>(2 * n);
  for (let i = 0; i < n; i++) { local[2 * i] = f.xy[2 * (s0 + i)] - x0; local[2 * i + 1] = f.xy[2 * (s0 + i) + 1] - y0; }
  const holes: number[] = [];
  for (let r = r0 + 1; r < r1; r++) holes.push(f.ringStart[r] - s0);
  const tri = earcut(local, holes, 2);
  if (tri.length !== 3 * (n - 2 + 2 * holes.length)) return false; // a triangulation of n vertices and h holes has n - 2 + 2h triangles
  const used = new Uint8Array(n);
  let usedCount = 0;
  for (const i of tri) if (used[i] === 0) { used[i] = 1; usedCount++; }
  if (usedCount !== n) return false;
  const area2 = (a: number, b: number, c: number) => (local[2 * b] - local[2 * a]) * (local[2 * c + 1] - local[2 * a + 1]) - (local[2 * c] - local[2 * a]) * (local[2 * b + 1] - local[2 * a + 1]);
  let sum = 0;
  for (let k = 0; k < tri.length; k += 3) {
    const a = area2(tri[k], tri[k + 1], tri[k + 2]);
    if (!(a > 0)) return false;
    const p = 2 * tri[k], q = 2 * tri[k + 1], r = 2 * tri[k + 2];
    if (!lastResort && !fat(local[p], local[p + 1], local[q], local[q + 1], local[r], local[r + 1])) return false;
    sum += a;
  }
  let poly = 0;
  for (let r = r0; r < r1; r++) {
    const s = f.ringStart[r] - s0, e = f.ringStart[r + 1] - s0;
    for (let i = s; i < e; i++) { const j = i + 1 < e ? i + 1 : s; poly += local[2 * i] * local[2 * j + 1] - local[2 * j] * local[2 * i + 1]; }
  }
  if (!(poly > 0 && Math.abs(sum - poly) <= 1e-9 * poly)) return false;
  if (lastResort) flipTowardsDelaunay(tri, local);
  for (let k = 0; k < tri.length; k += 3) mb.triangle(mb.at(idOf[s0 + tri[k]], z), mb.at(idOf[s0 + tri[k + 1]], z), mb.at(idOf[s0 + tri[k + 2]], z), marker); // counter-clockwise: faces up
  return true;
}

/**
 * Flips the interior edges of earcut's triangles `tri` (counter-clockwise, over `local`) towards
 * constrained Delaunay, in place (the ring edges are all already in the triangulation): earcut
 * clips ears, so a chain of almost collinear vertices becomes needles. Best effort: when
 * Constrainautor gives up, earcut's triangles stay as they are (valid, only less well shaped).
 */
function flipTowardsDelaunay(tri: number[], local: number[]): void {
  const nt = tri.length / 3;
  const triangles = new Uint32Array(tri.length), halfedges = new Int32Array(tri.length).fill(-1);
  for (let k = 0; k < nt; k++) { triangles[3 * k] = tri[3 * k]; triangles[3 * k + 1] = tri[3 * k + 2]; triangles[3 * k + 2] = tri[3 * k + 1]; } // delaunator's winding
  const byEdge = new Map<number, number>();
  for (let e = 0; e < tri.length; e++) {
    const a = triangles[e], b = triangles[e % 3 === 2 ? e - 2 : e + 1];
    const o = byEdge.get(b * 0x100000000 + a);
    if (o !== undefined) { halfedges[e] = o; halfedges[o] = e; byEdge.delete(b * 0x100000000 + a); } else byEdge.set(a * 0x100000000 + b, e);
  }
  try {
    const con = new Constrainautor({ coords: Float64Array.from(local), triangles, halfedges, hull: [] }); // hull: in the type only, never read
    for (let e = 0; e < tri.length; e++) if (halfedges[e] < 0) con.constrainOne(triangles[e], triangles[e % 3 === 2 ? e - 2 : e + 1]);
    con.delaunify(true);
  } catch {
    return;
  }
  for (let k = 0; k < nt; k++) { tri[3 * k] = triangles[3 * k]; tri[3 * k + 1] = triangles[3 * k + 2]; tri[3 * k + 2] = triangles[3 * k + 1]; } // back to counter-clockwise
}
