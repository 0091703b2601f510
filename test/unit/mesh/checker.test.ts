// The mesh checker on hand-made meshes: one clean city block, then one defect at a time.
import test from "node:test";
import assert from "node:assert/strict";
import { checkMesh, weldExact, type MeshReport } from "../../../src/core/mesh/check";

type P = [number, number, number];

/** A tiny mesh builder: vertices deduplicated by position, triangles with a marker. */
class Mesh {
  v: number[] = []; f: number[] = []; m: number[] = [];
  private ids = new Map<string, number>();
  vertex(p: P): number {
    const k = p.join(",");
    let i = this.ids.get(k);
    if (i === undefined) { i = this.v.length / 3; this.ids.set(k, i); this.v.push(...p); }
    return i;
  }
  tri(a: P, b: P, c: P, marker: number): this { this.f.push(this.vertex(a), this.vertex(b), this.vertex(c)); this.m.push(marker); return this; }
  /** Walls (marker b) and flat roof (marker N+b) of a box building on [x0,x1]×[y0,y1] from z0 to z1. */
  box(x0: number, y0: number, x1: number, y1: number, z0: number, z1: number, b: number, N: number, cap = false): this {
    const ring: [number, number][] = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
    for (let k = 0; k < 4; k++) {
      const [px, py] = ring[k], [qx, qy] = ring[(k + 1) % 4];
      this.tri([px, py, z0], [qx, qy, z0], [qx, qy, z1], b).tri([px, py, z0], [qx, qy, z1], [px, py, z1], b);
    }
    this.tri([x0, y0, z1], [x1, y0, z1], [x1, y1, z1], N + b).tri([x0, y0, z1], [x1, y1, z1], [x0, y1, z1], N + b);
    // Bottom cap, facing down (marked as ground touching a building): closes the box on its own.
    if (cap) this.tri([x0, y0, z0], [x1, y1, z0], [x1, y0, z0], -1).tri([x0, y0, z0], [x0, y1, z0], [x1, y1, z0], -1);
    return this;
  }
  mesh() { return { vertices: Float64Array.from(this.v), faces: Int32Array.from(this.f), markers: Int32Array.from(this.m) }; }
}

/** Ground [0,10]² with a hole [3,6]² (8 triangles), and a 5 m building standing in the hole. */
function block(): Mesh {
  const O: P[] = [[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0]], I: P[] = [[3, 3, 0], [6, 3, 0], [6, 6, 0], [3, 6, 0]];
  const g = new Mesh();
  for (let k = 0; k < 4; k++) {
    const j = (k + 1) % 4;
    g.tri(O[k], O[j], I[j], -1).tri(O[k], I[j], I[k], -1);
  }
  return g.box(3, 3, 6, 6, 0, 5, 0, 1);
}
const DOMAIN: [number, number, number, number] = [0, 0, 10, 10];
const check = (m: Mesh, N = 1, domain = DOMAIN): MeshReport => checkMesh(m.mesh(), domain, N);
const counts = (r: MeshReport) => ({ open: r.openEdges, overused: r.overusedEdges, pinch: r.pinchEdges, flipped: r.flippedEdges, degenerate: r.degenerate, groundOverlaps: r.groundOverlaps, roofOverlaps: r.roofOverlaps, volume: r.buildingVolume?.overTolerance ?? 0 });
const CLEAN = { open: 0, overused: 0, pinch: 0, flipped: 0, degenerate: 0, groundOverlaps: 0, roofOverlaps: 0, volume: 0 };

test("a clean block: no defects, the outer rectangle's open ground edges are not errors, exact volume", () => {
  const r = check(block());
  assert.deepEqual(counts(r), CLEAN, r.examples.join("\n"));
  assert.ok(r.ok);
  assert.equal(r.vertices, 12);
  assert.equal(r.buildingVolume!.checked, 1);
  assert.equal(r.buildingVolume!.worstRelativeError, 0);
  assert.equal(r.groundArea, 100 - 9);
  assert.equal(r.roofArea, 9);
  assert.equal(r.volume, 45);
});

test("open edge: a missing wall triangle leaves open edges inside the domain, with coordinates and markers", () => {
  const m = block();
  const t = m.m.indexOf(0); // first wall triangle
  m.f.splice(3 * t, 3); m.m.splice(t, 1);
  const r = check(m);
  assert.equal(r.openEdges, 3);
  assert.equal(r.ok, false);
  assert.match(r.errors.join(), /3 open edge/);
  const e = r.details.openEdges[0];
  assert.equal(e.uses, 1);
  assert.ok(e.markers.every((k) => k === -1 || k === 0 || k === 1), `markers ${e.markers}`);
  assert.ok([e.from, e.to].every((p) => p[0] >= 3 && p[0] <= 6 && p[1] >= 3 && p[1] <= 6));
  // Open edges on the domain's outer rectangle are the mesh's border (a wall standing on it too, without margin); not inside it.
  const w = new Mesh().box(0, 0, 4, 4, 0, 5, 0, 1).mesh();
  assert.equal(checkMesh(w, [0, 0, 4, 4], 1).openEdges, 0, "wall bottoms on the border");
  assert.equal(checkMesh(w, [-1, -1, 5, 5], 1).openEdges, 4, "the same wall bottoms inside a larger domain");
});

test("over-used edge: a third triangle on a roof edge", () => {
  const m = block().tri([3, 3, 5], [6, 3, 5], [4.5, 3, 8], 0);
  const r = check(m);
  assert.equal(r.overusedEdges, 1);
  assert.equal(r.pinchEdges, 0);
  assert.deepEqual([r.details.overusedEdges[0].from, r.details.overusedEdges[0].to].sort(), [[3, 3, 5], [6, 3, 5]]);
  assert.deepEqual([...r.details.overusedEdges[0].markers].sort(), [0, 0, 1]);
  assert.equal(r.details.overusedEdges[0].uses, 3);
  assert.equal(r.openEdges, 2, "the fin's two other edges");
});

test("pinch corner: two buildings meeting only at a corner share a vertical edge of four wall triangles, which is not an error", () => {
  const m = new Mesh().box(3, 3, 5, 5, 0, 6, 0, 2, true).box(5, 5, 7, 7, 0, 6, 1, 2, true);
  const r = check(m, 2, [3, 3, 7, 7]);
  assert.deepEqual(counts(r), { ...CLEAN, pinch: 1 }, r.examples.join("\n"));
  assert.ok(r.ok);
  const geometryOnly = m.mesh();
  assert.equal(checkMesh({ vertices: geometryOnly.vertices, faces: geometryOnly.faces }, [3, 3, 7, 7], 0).pinchEdges, 1, "STL: no classes, still a pinch");
  const e = r.details.pinchEdges[0];
  assert.deepEqual([e.from[0], e.from[1], e.to[0], e.to[1]], [5, 5, 5, 5]);
  assert.deepEqual([...e.markers].sort(), [0, 0, 1, 1]);
  const h = new Mesh().box(3, 3, 5, 5, 0, 6, 0, 2, true).box(5, 5, 7, 7, 0, 6, 1, 2, true);
  // The same four triangles on a non-vertical edge would not be a pinch: tilt the shared edge.
  const tilted = h.mesh();
  for (let i = 0; i < tilted.vertices.length; i += 3) if (tilted.vertices[i] === 5 && tilted.vertices[i + 1] === 5 && tilted.vertices[i + 2] === 6) tilted.vertices[i] = 5.5;
  const rt = checkMesh(tilted, [3, 3, 7, 7], 2);
  assert.equal(rt.pinchEdges, 0);
  assert.equal(rt.overusedEdges, 1);
});

test("inconsistent winding: a flipped roof triangle", () => {
  const m = block();
  const t = m.m.indexOf(1);
  [m.f[3 * t + 1], m.f[3 * t + 2]] = [m.f[3 * t + 2], m.f[3 * t + 1]];
  const r = check(m);
  assert.equal(r.flippedEdges, 3);
  assert.equal(r.openEdges, 0);
  assert.equal(r.overusedEdges, 0);
  assert.ok(r.details.flippedEdges.every((e) => e.forward === 2 || e.backward === 2));
  assert.match(r.errors.join(), /inconsistent winding/);
});

test("degenerate triangles: a repeated corner and collinear corners (exact: a sliver is not degenerate)", () => {
  const m = block();
  m.tri([0, 0, 0], [0, 0, 0], [10, 0, 0], -2);
  let r = check(m);
  assert.equal(r.degenerate, 1);
  assert.equal(r.details.degenerate[0].reason, "repeated vertex");
  assert.equal(r.details.degenerate[0].marker, -2);
  // Collinear in 3D (a vertical wall triangle whose corners lie on one sloped line).
  const c = block().tri([3, 3, 0], [4, 3, 1], [5, 3, 2], 0);
  r = check(c);
  assert.equal(r.degenerate, 1);
  assert.match(r.details.degenerate[0].reason, /zero area/);
  const s = block().tri([3, 3, 0], [4, 3, 1 + 2 ** -40], [5, 3, 2], 0);
  assert.equal(check(s).degenerate, 0, "a sliver has area: not degenerate");
});

test("overlapping ground triangles in plan; touching ones are not overlaps", () => {
  const m = block().tri([0.5, 0.5, 0], [2, 0.5, 0], [0.5, 2, 0], -2);
  const r = check(m);
  assert.ok(r.groundOverlaps >= 1, `${r.groundOverlaps}`);
  assert.equal(r.roofOverlaps, 0);
  assert.ok(r.details.groundOverlaps[0].markers.includes(-2));
  // Two ground triangles that only share a vertex, or lie edge to edge, do not overlap.
  const t = new Mesh().tri([0, 0, 0], [1, 0, 0], [0, 1, 0], -2).tri([1, 0, 0], [2, 0, 0], [1, 1, 0], -2).tri([1, 0, 0], [1, 1, 0], [0, 1, 0], -2);
  assert.equal(checkMesh(t.mesh(), [0, 0, 2, 1], 0).groundOverlaps, 0);
  // Same triangle twice (reversed) overlaps; collinear-touching (vertex on the other's edge) does not.
  const d = new Mesh().tri([0, 0, 0], [2, 0, 0], [0, 2, 0], -2).tri([0, 0, 0], [2, 0, 0], [1, 1, 0], -2);
  assert.equal(checkMesh(d.mesh(), [0, 0, 2, 2], 0).groundOverlaps, 1, "a triangle inside another, sharing an edge");
  const e = new Mesh().tri([0, 0, 0], [2, 0, 0], [0, 2, 0], -2).tri([2, 0, 0], [2, 2, 0], [1, 1, 0], -2);
  assert.equal(checkMesh(e.mesh(), [0, 0, 2, 2], 0).groundOverlaps, 0, "a corner on the other's edge only touches");
});

test("overlapping roof triangles within one roof; roofs of two buildings are not compared", () => {
  const m = block().tri([3.5, 3.5, 5], [4.5, 3.5, 5], [3.5, 4.5, 5], 1);
  const r = check(m);
  assert.equal(r.roofOverlaps, 2, "it straddles the roof's diagonal: overlaps both roof triangles");
  assert.equal(r.groundOverlaps, 0);
  assert.deepEqual(r.details.roofOverlaps[0].markers, [1, 1]);
  // The same triangle marked as another building's roof (N = 2: markers 2, 3) is not compared.
  const two = block().tri([3.5, 3.5, 5], [4.5, 3.5, 5], [3.5, 4.5, 5], 3).mesh();
  two.markers = two.markers.map((k) => (k === 1 ? 2 : k));
  assert.equal(checkMesh(two, DOMAIN, 2).roofOverlaps, 0);
});

test("wrong volume: a wall corner off the vertical gives a closed mesh whose building volume ≠ footprint area × height", () => {
  const m = block();
  const mesh = m.mesh();
  for (let i = 0; i < mesh.vertices.length; i += 3) if (mesh.vertices[i] === 6 && mesh.vertices[i + 1] === 6 && mesh.vertices[i + 2] === 0) mesh.vertices[i] = 6.5;
  const r = checkMesh(mesh, DOMAIN, 1);
  assert.deepEqual(counts(r), { ...CLEAN, volume: 1 }, r.examples.join("\n"));
  const v = r.details.volume[0];
  assert.equal(v.building, 0);
  assert.equal(v.expected, 45);
  assert.ok(Math.abs(v.relativeError - r.buildingVolume!.worstRelativeError) === 0 && v.relativeError > 0.01);
  assert.match(r.errors.join(), /volume/);
  // A roof corner out of plane, and a building without a roof.
  const lifted = block().mesh();
  for (let i = 0; i < lifted.vertices.length; i += 3) if (lifted.vertices[i] === 6 && lifted.vertices[i + 1] === 6 && lifted.vertices[i + 2] === 5) lifted.vertices[i + 2] = 6;
  assert.equal(checkMesh(lifted, DOMAIN, 1).buildingVolume!.overTolerance, 1);
  const roofless = block();
  for (let t = roofless.m.length - 1; t >= 0; t--) if (roofless.m[t] === 1) { roofless.f.splice(3 * t, 3); roofless.m.splice(t, 1); }
  const rr = check(roofless);
  assert.equal(rr.details.volume[0].reason, "no roof");
});

test("tiles concatenated without a weld check as one mesh; welding is by exact position (-0 = 0)", () => {
  const a = block().mesh();
  // Split: the same mesh with every triangle's corners duplicated.
  const v = new Float64Array(a.faces.length * 3), f = new Int32Array(a.faces.length);
  for (let i = 0; i < a.faces.length; i++) { v.set(a.vertices.subarray(3 * a.faces[i], 3 * a.faces[i] + 3), 3 * i); f[i] = i; }
  v[2] = -0;
  const r = checkMesh({ vertices: v, faces: f, markers: a.markers }, DOMAIN, 1);
  assert.deepEqual(counts(r), CLEAN);
  assert.equal(r.vertices, 12);
  assert.equal(weldExact(v).count, 12);
  assert.equal(weldExact(Float64Array.of(1, 2, 3, 1, 2, 3 + 2 ** -50)).count, 2, "no tolerance");
});

test("without markers: classes only (OBJ) still find ground overlaps; geometry only (STL) checks edges", () => {
  const m = block().tri([0.5, 0.5, 0], [2, 0.5, 0], [0.5, 2, 0], -2).mesh();
  const classes = Uint8Array.from(m.markers, (k) => (k < 0 ? 0 : k < 1 ? 1 : 2));
  const r = checkMesh({ vertices: m.vertices, faces: m.faces, classes }, DOMAIN, 0);
  assert.ok(r.groundOverlaps >= 1);
  assert.equal(r.buildingVolume, null);
  const g = checkMesh({ vertices: m.vertices, faces: m.faces }, DOMAIN, 0);
  assert.equal(g.groundOverlaps, 0, "no classes: no overlap check");
  assert.equal(g.openEdges, 3);
});

test("a triangle soup (nothing shared): every edge is open, counted in full, examples capped", () => {
  const n = 5000, v = new Float64Array(9 * n), f = new Int32Array(3 * n), mk = new Int32Array(n).fill(-2);
  for (let t = 0; t < n; t++) {
    const x = (t % 100) * 3, y = Math.floor(t / 100) * 3;
    v.set([x, y, 0, x + 1, y, 0, x, y + 1, 0], 9 * t);
    f.set([3 * t, 3 * t + 1, 3 * t + 2], 3 * t);
  }
  const r = checkMesh({ vertices: v, faces: f, markers: mk }, [-1, -1, 400, 400], 0, { maxExamples: 4 });
  assert.equal(r.openEdges, 3 * n);
  assert.equal(r.details.openEdges.length, 4);
  assert.equal(r.groundOverlaps, 0);
  assert.equal(checkMesh({ vertices: v, faces: f, markers: mk }, [-1, -1, 400, 400], 0, { maxExamples: 0 }).details.openEdges.length, 0);
});
