import test from "node:test";
import assert from "node:assert/strict";
import { cleanFootprints } from "../../../src/core/geometry/cleanup";
import { buildingArea } from "../../../src/core/geometry/footprintBuilder";
import { orient, pointInRings, properCross } from "../../../src/core/geometry/predicates";
import { makeLattice } from "../../../src/core/geometry/lattice";
import { footprints, rect, ringsOf } from "../../support/footprints";

// Lines every 10 m (tiles of 100 m, ground elements ≤ 10 m) on the grid of the tolerance.
const clean = (f: ReturnType<typeof footprints>, tol = 0.001) => cleanFootprints(f, { lattice: makeLattice(0, 0, 100, 10, tol), snapTolerance: tol, file: "t.geojson" });
const has = (ring: number[][], x: number, y: number) => ring.some(([a, b]) => a === x && b === y);

test("orient is exact and counter-clockwise positive", () => {
  assert.ok(orient(0, 0, 1, 0, 0, 1) > 0);
  assert.ok(orient(0, 0, 1, 0, 0, -1) < 0);
  assert.equal(orient(0.1, 0.1, 0.2, 0.2, 0.3, 0.3), 0);
  assert.equal(properCross(0, 0, 2, 2, 0, 2, 2, 0), true);
  assert.equal(properCross(0, 0, 2, 0, 2, 0, 3, 1), false, "touching at an end point is not a proper crossing");
});

test("pointInRings: inside, outside, on an edge, in a hole", () => {
  const xy = [...rect(0, 0, 10, 10), 2, 2, 2, 8, 8, 8, 8, 2];
  const rs = [0, 4, 8];
  assert.equal(pointInRings(xy, rs, 0, 2, 1, 1), 1);
  assert.equal(pointInRings(xy, rs, 0, 2, 5, 5), 0, "in the hole");
  assert.equal(pointInRings(xy, rs, 0, 2, 11, 5), 0);
  assert.equal(pointInRings(xy, rs, 0, 2, 10, 5), -1);
  assert.equal(pointInRings(xy, rs, 0, 2, 0, 0), -1);
});

test("lattice spacing divides the tile and never exceeds maxMeshSize", () => {
  assert.equal(makeLattice(0, 0, 1000, 10, 0.001).h, 10);
  const h = makeLattice(0, 0, 250, 7, 0.001).h;
  assert.ok(h <= 7, `spacing ${h}`);
  assert.ok(Math.abs(250 / h - Math.round(250 / h)) < 1e-9, `250 m is not a whole number of ${h} m cells`);
});

test("snapping merges points closer than the tolerance and drops repeats", () => {
  const f = footprints([[[[0.0004, 0.0004, 5.0006, 0, 5, 0.0004, 5, 5, 0, 5]], 10]]);
  const r = clean(f);
  const [ring] = ringsOf(r.footprints, 0);
  assert.deepEqual(ring[0], [0, 0]);
  assert.equal(ring.filter(([x, y]) => x === 5.001 || (x === 5 && y === 0)).length, 1, "5.0006,0 and 5,0.0004 are one point");
});

test("T-junction: a vertex on a neighbour's wall splits that wall", () => {
  // B's corner (3, 4) lies on A's top edge; A must get it, so the shared wall matches.
  const f = footprints([[[rect(0, 0, 6, 4)], 10], [[rect(3, 4, 9, 8)], 12]]);
  const r = clean(f);
  const a = ringsOf(r.footprints, 0)[0], b = ringsOf(r.footprints, 1)[0];
  assert.ok(has(a, 3, 4), "A's top edge is split at B's corner");
  assert.ok(has(b, 6, 4), "B's bottom edge is split at A's corner");
  assert.equal(r.diagnostics.length, 0);
});

test("a vertex within the tolerance of an edge is inserted into it", () => {
  const f = footprints([[[rect(0, 0, 6, 4)], 10], [[[3, 4.0004, 9, 4.0004, 9, 8, 3, 8]], 12]]);
  const r = clean(f);
  const a = ringsOf(r.footprints, 0)[0];
  assert.ok(a.some(([x, y]) => x === 3 && Math.abs(y - 4) < 0.0015), "the near vertex splits the edge");
});

test("overlapping footprints: the overlap goes to the taller building and is reported", () => {
  const f = footprints([[[rect(0, 0, 6, 6)], 10], [[rect(4, 0, 9, 6)], 20]]);
  const r = clean(f);
  assert.equal(r.footprints.count, 2);
  assert.ok(Math.abs(buildingArea(r.footprints, 0) - 24) < 1e-6, "the lower building lost the 2×6 overlap");
  assert.ok(Math.abs(buildingArea(r.footprints, 1) - 30) < 1e-6);
  const d = r.diagnostics.find((x) => x.code === "overlap");
  assert.ok(d && d.featureIndex === 0 && /12\.00 m²/.test(d.message), JSON.stringify(r.diagnostics));
});

test("a footprint inside a taller one is skipped with a diagnostic", () => {
  const f = footprints([[[rect(0, 0, 10, 10)], 30], [[rect(2, 2, 4, 4)], 5]]);
  const r = clean(f);
  assert.equal(r.footprints.count, 1);
  assert.deepEqual([...r.sourceIndex], [0]);
  assert.equal(r.diagnostics[0].code, "overlap-contained");
  assert.equal(r.diagnostics[0].featureIndex, 1);
});

test("touching footprints are not overlaps", () => {
  const f = footprints([[[rect(0, 0, 5, 5)], 10], [[rect(5, 0, 10, 5)], 20], [[rect(5, 5, 10, 10)], 7]]);
  const r = clean(f);
  assert.equal(r.diagnostics.length, 0);
  assert.equal(r.footprints.count, 3);
});

test("edges are split at lattice lines and no piece is longer than the spacing", () => {
  const f = footprints([[[rect(3, 3, 27.5, 14)], 10]]);
  const r = clean(f);
  const ring = ringsOf(r.footprints, 0)[0];
  for (const x of [10, 20]) { assert.ok(has(ring, x, 3)); assert.ok(has(ring, x, 14)); }
  assert.ok(has(ring, 3, 10) && has(ring, 27.5, 10));
  for (let i = 0; i < ring.length; i++) {
    const [ax, ay] = ring[i], [bx, by] = ring[(i + 1) % ring.length];
    assert.ok(Math.hypot(bx - ax, by - ay) <= 10, `edge ${i} is ${Math.hypot(bx - ax, by - ay)} m`);
  }
});

test("shared walls get bit-identical split points from both sides", () => {
  // A slanted shared wall crossing lattice lines: both buildings must split it identically.
  const f = footprints([[[[0, 0, 13.3, 1.7, 11.1, 25.9, 0, 20]], 10], [[[13.3, 1.7, 30, 0, 30, 30, 11.1, 25.9]], 15]]);
  const r = clean(f);
  const a = ringsOf(r.footprints, 0)[0].map((p) => p.join(",")), b = ringsOf(r.footprints, 1)[0].map((p) => p.join(","));
  const wallA = a.filter((p) => b.includes(p));
  assert.ok(wallA.length >= 4, `shared wall points: ${wallA}`);
});

test("a zero-width spike on a ring is not kept (it would be a wall of no thickness)", () => {
  const r = clean(footprints([[[[0, 0, 10, 0, 10, 10, 10, 15, 10, 10, 0, 10]], 10]]));
  assert.deepEqual(ringsOf(r.footprints, 0)[0].filter(([, y]) => y > 10), []);
  assert.ok(Math.abs(buildingArea(r.footprints, 0) - 100) < 1e-9);
});
