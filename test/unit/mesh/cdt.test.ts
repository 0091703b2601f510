import test from "node:test";
import assert from "node:assert/strict";
import Delaunator from "delaunator";
import Constrainautor from "@kninnug/constrainautor";
import { incircle } from "robust-predicates";
import { constrainautor, SparseFlips, triangulate } from "../../../src/core/mesh/cdt";

/** A seeded generator (mulberry32), so a failure names the seed that reproduces it. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Points on a regular lattice (4 cocircular points in every cell, the ground lattice's case) plus
 * the corners of disjoint rectangles, whose sides are the constraints (they cross the lattice's
 * Delaunay edges, so constraining them flips).
 */
function latticeWithRectangles(seed: number): { coords: Float64Array; edges: [number, number][] } {
  const r = rng(seed), xy: number[] = [], edges: [number, number][] = [];
  for (let i = 0; i <= 12; i++) for (let j = 0; j <= 12; j++) xy.push(10 * i, 10 * j);
  for (let k = 0; k < 6; k++) {
    // Rectangle k lives in its own 20 m band of x, away from lattice points (offset 0.5 m).
    const x0 = 20 * k + 0.5 + r() * 4, x1 = x0 + 5 + r() * 9, y0 = 0.5 + r() * 50, y1 = y0 + 5 + r() * 60;
    const n = xy.length / 2;
    xy.push(x0, y0, x1, y0, x1, y1, x0, y1);
    edges.push([n, n + 1], [n + 1, n + 2], [n + 2, n + 3], [n + 3, n]);
  }
  return { coords: Float64Array.from(xy), edges };
}

/** Every constraint is an edge of the triangulation, and every other interior edge is Delaunay (exact incircle). */
function assertConstrainedDelaunay(coords: Float64Array, triangles: Uint32Array, halfedges: Int32Array, edges: [number, number][], label: string): void {
  const has = new Set<string>();
  for (let e = 0; e < triangles.length; e++) {
    const a = triangles[e], b = triangles[e % 3 === 2 ? e - 2 : e + 1];
    has.add(`${Math.min(a, b)},${Math.max(a, b)}`);
  }
  const constrained = new Set(edges.map(([a, b]) => `${Math.min(a, b)},${Math.max(a, b)}`));
  for (const k of constrained) assert.ok(has.has(k), `${label}: constraint ${k} missing`);
  const p = (i: number) => [coords[2 * i], coords[2 * i + 1]] as const;
  for (let e = 0; e < triangles.length; e++) {
    const o = halfedges[e];
    if (o < e) continue;
    const a = triangles[e], b = triangles[e % 3 === 2 ? e - 2 : e + 1];
    if (constrained.has(`${Math.min(a, b)},${Math.max(a, b)}`)) continue;
    // Triangle of e: (a, b, c); the point across e must not lie strictly inside its circumcircle.
    const c = triangles[e % 3 === 0 ? e + 2 : e - 1], d = triangles[o % 3 === 0 ? o + 2 : o - 1];
    const [ax, ay] = p(a), [bx, by] = p(b), [cx, cy] = p(c), [dx, dy] = p(d);
    // incircle is positive for d inside a counter-clockwise circle; delaunator's triangles are clockwise (y up).
    assert.ok(incircle(ax, ay, bx, by, cx, cy, dx, dy) >= 0, `${label}: edge ${a}-${b} is not Delaunay`);
  }
}

test("SparseFlips behaves as a set: add, delete, set, has; a walk visits members once in ascending order, later additions the next walk", () => {
  const s = new SparseFlips(16);
  s.add(9).add(3).add(9).add(12);
  s.delete(12);
  assert.equal(s.set(5, true), true);
  assert.equal(s.set(3, false), false);
  assert.deepEqual([3, 5, 9, 12].map((e) => s.has(e)), [false, true, true, false]);
  const seen: number[] = [];
  s.forEach((e) => { seen.push(e); s.delete(e); if (e === 5) { s.add(1); s.delete(9); } });
  assert.deepEqual(seen, [5], "9 was deleted before its turn; 1 was added during the walk");
  const next: number[] = [];
  s.forEach((e) => { next.push(e); s.delete(e); });
  assert.deepEqual(next, [1]);
  const none: number[] = [];
  s.forEach((e) => none.push(e));
  assert.deepEqual(none, []);
});

test("triangulate with SparseFlips gives a constrained Delaunay triangulation, with the same edges as Constrainautor's own bit set", () => {
  let flipped = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const { coords, edges } = latticeWithRectangles(seed);
    const plain = new Delaunator(coords.slice()).triangles, plainEdges = new Set<string>();
    for (let e = 0; e < plain.length; e++) { const a = plain[e], b = plain[e % 3 === 2 ? e - 2 : e + 1]; plainEdges.add(`${Math.min(a, b)},${Math.max(a, b)}`); }
    flipped += edges.filter(([a, b]) => !plainEdges.has(`${Math.min(a, b)},${Math.max(a, b)}`)).length;
    const ours = triangulate(coords.slice(), edges.flat());
    assertConstrainedDelaunay(ours.coords, ours.triangles, ours.halfedges, edges, `seed ${seed}`);
    for (let e = 0; e < ours.constrained.length; e++) {
      const a = ours.triangles[e], b = ours.triangles[e % 3 === 2 ? e - 2 : e + 1];
      const isConstraint = edges.some(([u, v]) => (u === a && v === b) || (u === b && v === a));
      assert.equal(ours.constrained[e] === 1, isConstraint, `seed ${seed}: half-edge ${e} constrained flag`);
    }
    const del = new Delaunator(coords.slice());
    const theirs = new Constrainautor(del);
    for (const [a, b] of edges) theirs.constrainOne(a, b);
    const edgeSet = (T: Uint32Array) => {
      const out: string[] = [];
      for (let e = 0; e < T.length; e++) { const a = T[e], b = T[e % 3 === 2 ? e - 2 : e + 1]; if (a < b) out.push(`${a},${b}`); }
      return out.sort();
    };
    // Cocircular lattice cells have two Delaunay diagonals; both orders pick the same one here
    // because the walk visits edges in the bit set's (ascending) order.
    assert.deepEqual(edgeSet(ours.triangles), edgeSet(del.triangles), `seed ${seed}: edges differ from Constrainautor's`);
  }
  assert.ok(flipped > 100, `only ${flipped} constraints needed flips: the walk of the flip set was hardly exercised`);
});

test("constrainautor() installs the sparse set on the instance Constrainautor 4.1 reads (flips)", () => {
  const { coords, edges } = latticeWithRectangles(7);
  const con = constrainautor(new Delaunator(coords));
  assert.ok((con as unknown as { flips: unknown }).flips instanceof SparseFlips, "Constrainautor's internals changed: the sparse flip set is not used");
  for (const [a, b] of edges) con.constrainOne(a, b);
  for (const [a, b] of edges) assert.ok(con.isConstrained(con.findEdge(a, b)) || con.isConstrained(con.findEdge(b, a)));
});

test("SparseFlips.reset empties the set (flags and pending members) for the next triangulation", () => {
  const s = new SparseFlips(32);
  for (const e of [3, 9, 31, 9]) s.add(e);
  s.reset(20);
  for (let e = 0; e < 32; e++) assert.equal(s.has(e), false, `edge ${e} after reset`);
  const seen: number[] = [];
  s.forEach((e) => seen.push(e));
  assert.equal(seen.length, 0, "no member left from before");
  s.add(7).add(2);
  s.forEach((e) => seen.push(e));
  assert.deepEqual(seen, [2, 7]);
  assert.equal(s.capacity, 32);
});

test("triangulations in a row (one shared flip set) give what each gives alone", () => {
  const square = (n: number) => { const c: number[] = []; for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c.push(i + 0.3 * ((i * j) % 3), j + 0.2 * ((i + j) % 2)); return Float64Array.from(c); };
  const big = square(12), small = square(4);
  const diag = [0, 143, 11, 35], diagSmall = [0, 15, 3, 7];
  const alone = triangulate(small.slice(), diagSmall);
  const first = Array.from(alone.triangles), firstC = Array.from(alone.constrained);
  triangulate(big.slice(), diag);
  const again = triangulate(small.slice(), diagSmall);
  assert.deepEqual(Array.from(again.triangles), first);
  assert.deepEqual(Array.from(again.constrained), firstC);
});

test("a scratch triangulation (pooled Delaunator) equals a fresh one, also after other point sets of the same count", () => {
  const ring = (n: number, r: number, phase: number) => Float64Array.from({ length: 2 * n }, (_, k) => (k % 2 ? Math.sin : Math.cos)(phase + (2 * Math.PI * (k >> 1)) / n) * r * (1 + 0.1 * ((k >> 1) % 3)));
  for (const n of [5, 17, 40]) {
    const edges = Array.from({ length: 2 * n }, (_, k) => (k % 2 ? ((k >> 1) + 1) % n : k >> 1));
    for (const phase of [0.1, 0.7, 2.3]) {
      const c = ring(n, 10, phase);
      const fresh = triangulate(c.slice(), edges);
      const want = [Array.from(fresh.triangles), Array.from(fresh.halfedges), Array.from(fresh.constrained)];
      const pooled = triangulate(c, edges, true);
      assert.deepEqual([Array.from(pooled.triangles), Array.from(pooled.halfedges), Array.from(pooled.constrained)], want, `n ${n}, phase ${phase}`);
      assert.deepEqual(Array.from(pooled.coords), Array.from(c), "the pooled coords are a copy of the input");
    }
  }
});
