// Roofs alone: every way (fan, earcut, CDT) covers its polygon exactly, uses every ring vertex and
// leaves no needle that float32 output could fold.
import test from "node:test";
import assert from "node:assert/strict";
import type { TileInput } from "../../../src/core/mesh/tileInput";
import { MeshBuilder } from "../../../src/core/mesh/meshBuilder";
import { meshRoof } from "../../../src/core/mesh/roofs";
import { Adjacency } from "../../../src/core/mesh/walls";
import { FootprintBuilder, buildingArea } from "../../../src/core/geometry/footprintBuilder";

/** One building's roof at 10 m: its triangles as [x, y] corner triples. */
function roof(rings: number[][]): { tris: number[][][]; area: number; vertices: Set<string> } {
  const fb = new FootprintBuilder();
  for (const r of rings) fb.addRing(r);
  fb.endPolygon();
  fb.endBuilding(10, 0);
  const f = fb.finish();
  const t = { footprints: f, roofZ: Float64Array.of(10), buildingCount: 1, globalIndex: Uint32Array.of(0), spec: { id: 0 } } as unknown as TileInput;
  const adj = new Adjacency(t);
  const mb = new MeshBuilder(adj.points);
  meshRoof(t, 0, mb, adj.idOf);
  const m = mb.finish(() => false);
  const tris: number[][][] = [];
  for (let k = 0; k < m.faces.length; k += 3) tris.push([0, 1, 2].map((j) => [m.vertices[3 * m.faces[k + j]], m.vertices[3 * m.faces[k + j] + 1]]));
  return { tris, area: buildingArea(f, 0), vertices: new Set(tris.flat().map((p) => p.join(","))) };
}

const cross = ([a, b, c]: number[][]) => (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]);
const height = (t: number[][]) => cross(t) / Math.max(...[0, 1, 2].map((j) => Math.hypot(t[(j + 1) % 3][0] - t[j][0], t[(j + 1) % 3][1] - t[j][1])));

function assertCovers(rings: number[][], label: string, minHeight = 0.05): number {
  const r = roof(rings);
  const sum = r.tris.reduce((s, t) => s + cross(t) / 2, 0);
  assert.ok(Math.abs(sum - r.area) <= 1e-9 * r.area, `${label}: triangles cover ${sum} m², the polygon ${r.area} m²`);
  for (const t of r.tris) assert.ok(height(t) >= minHeight, `${label}: needle ${JSON.stringify(t)} (height ${height(t)} m)`);
  const ringVertices = new Set(rings.flatMap((ring) => ring.flatMap((_, i) => (i % 2 ? [] : [`${ring[i]},${ring[i + 1]}`]))));
  assert.deepEqual([...ringVertices].filter((v) => !r.vertices.has(v)), [], `${label}: ring vertices left out (T-junctions with the walls)`);
  return r.tris.length;
}

test("a rectangle is two triangles; an L (reflex corner) four; a courtyard block covers exactly its ring minus the hole", () => {
  assert.equal(assertCovers([[0, 0, 20, 0, 20, 10, 0, 10]], "rectangle"), 2);
  assert.equal(assertCovers([[0, 0, 20, 0, 20, 10, 10, 10, 10, 20, 0, 20]], "L"), 4);
  assertCovers([[0, 0, 30, 0, 30, 30, 0, 30], [10, 10, 10, 20, 20, 20, 20, 10]], "courtyard");
});

test("collinear vertices (a neighbour's corner on a wall) are kept, so the roof meets the split wall", () => {
  assertCovers([[0, 0, 10, 0, 20, 0, 20, 10, 0, 10]], "rectangle with a vertex on its south side");
  assertCovers([[0, 0, 10, 0, 20, 0, 20, 10, 10, 10, 10, 20, 0, 20, 0, 10]], "L with collinear vertices");
});

test("a convex ring with a nearly straight chain of vertices gets no needles (the sample city's building that folded in float32)", () => {
  // Strictly convex and counter-clockwise: a chain up the right side that turns left by a hair at
  // each vertex (a fan from its first vertex would be all needles), then a cap back down the left.
  const chain = [0, 0, 10, 15, 20, 30.001, 30, 45.003, 40, 60.006];
  const cap = [30, 70, 10, 72, -8, 60, -15, 40, -12, 20, -6, 6];
  assertCovers([[...chain, ...cap]], "chain");
});

test("the needle test's fast path (squared lengths) answers as the exact expression with Math.hypot, also at the limit", async () => {
  const { fat } = await import("../../../src/core/mesh/roofs");
  const exact = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
    Math.abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay)) >= 0.05 * Math.max(Math.hypot(bx - ax, by - ay), Math.hypot(cx - bx, cy - by), Math.hypot(ax - cx, ay - cy));
  let seed = 5;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let near = 0;
  for (let k = 0; k < 20000; k++) {
    const bx = rnd() * 40 - 20, by = rnd() * 40 - 20;
    // c at height h over a→b: around the limit (0.05 m over the longest side) and far from it.
    const len = Math.hypot(bx, by), t = rnd() * 1.2 - 0.1;
    const h = k % 2 ? 0.05 * Math.max(len, 1) * (1 + (rnd() - 0.5) * 1e-8) : rnd() * 2;
    const cx = t * bx - (by / len) * h, cy = t * by + (bx / len) * h;
    if (Math.abs(h / (0.05 * len) - 1) < 1e-8) near++;
    assert.equal(fat(0, 0, bx, by, cx, cy), exact(0, 0, bx, by, cx, cy), `triangle (0,0) (${bx},${by}) (${cx},${cy})`);
  }
  assert.ok(near > 1000, `${near} triangles within 1e-8 of the limit`);
  assert.equal(fat(0, 0, 0, 0, 0, 0), exact(0, 0, 0, 0, 0, 0), "a point");
  assert.equal(fat(0, 0, 1e-160, 0, 0, 1e-160), exact(0, 0, 1e-160, 0, 0, 1e-160), "underflowing squares");
  assert.equal(fat(0, 0, 1e160, 0, 0, 1e160), exact(0, 0, 1e160, 0, 0, 1e160), "overflowing squares");
  assert.equal(fat(0, 0, NaN, 0, 0, 1), false);
});
