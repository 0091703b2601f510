// Validation and repair of one feature's geometry, case by case.
import test from "node:test";
import assert from "node:assert/strict";
import { orient2d } from "robust-predicates";
import { DiagnosticSink } from "../../../src/core/geojson/diagnostics";
import { validateFeature } from "../../../src/core/geojson/validate";
import { findIntersection, pointInRing, ringArea } from "../../../src/core/geometry/rings";

type Coords = unknown;

function run(geometry: unknown, geographic = false, extra: Record<string, unknown> = {}) {
  const sink = new DiagnosticSink("mem.geojson");
  const v = validateFeature({ type: "Feature", id: "f", properties: {}, geometry, ...extra }, { featureIndex: 12, line: 40, column: 3, geographic }, sink);
  const diags = sink.finish();
  return { v, sink, diags, codes: diags.map((d) => d.code), rings: v.polygons.map((p) => p.map((r) => Array.from(r))) };
}
const polygon = (coordinates: Coords) => ({ type: "Polygon", coordinates });
const SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];

test("a valid counter-clockwise square passes untouched, as an open ring", () => {
  const r = run(polygon([SQUARE]));
  assert.deepEqual(r.codes, []);
  assert.deepEqual(r.rings, [[[0, 0, 10, 0, 10, 10, 0, 10]]]);
});

test("diagnostics carry feature index, id, pointer, position, severity and a message", () => {
  const r = run({ type: "MultiPolygon", coordinates: [[[[0, 0], [10, 0], [10, 10], ["x", 10], [0, 0]]]] });
  assert.equal(r.diags.length, 1);
  const d = r.diags[0];
  assert.deepEqual(
    { file: d.file, featureIndex: d.featureIndex, featureId: d.featureId, pointer: d.pointer, line: d.line, column: d.column, severity: d.severity, code: d.code },
    { file: "mem.geojson", featureIndex: 12, featureId: "f", pointer: "/features/12/geometry/coordinates/0/0/3/0", line: 40, column: 3, severity: "error", code: "non-numeric-coordinate" },
  );
  assert.match(d.message, /"x" is not a number/);
});

test("clockwise outer ring and counter-clockwise hole are reversed silently (counted for the file's one note)", () => {
  const cwOuter = [[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]];
  const ccwHole = [[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]];
  const r = run(polygon([cwOuter, ccwHole]));
  assert.deepEqual(r.codes, []);
  assert.deepEqual(Object.fromEntries(r.sink.tallies), { "outer-clockwise": 1, "hole-counter-clockwise": 1 });
  const [outer, hole] = r.v.polygons[0];
  assert.ok(ringArea(outer) > 0);
  assert.ok(ringArea(hole) < 0);
});

test("unclosed ring is closed (kept, warning)", () => {
  const r = run(polygon([[[0, 0], [10, 0], [10, 10]]]));
  assert.deepEqual(r.codes, ["unclosed-ring"]);
  assert.deepEqual(r.rings, [[[0, 0, 10, 0, 10, 10]]]);
});

test("duplicate consecutive points are removed, also a doubled closing point", () => {
  const r = run(polygon([[[0, 0], [0, 0], [10, 0], [10, 10], [10, 10], [10, 10], [0, 10], [0, 0], [0, 0]]]));
  assert.deepEqual(r.codes, ["duplicate-points"]);
  assert.match(r.diags[0].message, /^Feature 12 \(id "f"\): 4 repeated/);
  assert.deepEqual(r.rings, [[[0, 0, 10, 0, 10, 10, 0, 10]]]);
});

test("fewer than 3 distinct points: polygon skipped (error)", () => {
  for (const ring of [[], [[1, 1]], [[1, 1], [2, 2], [1, 1]], [[1, 1], [1, 1], [2, 2], [2, 2]]]) {
    const r = run(polygon([ring]));
    assert.deepEqual(r.codes, ["too-few-points"], JSON.stringify(ring));
    assert.equal(r.v.polygons.length, 0);
  }
});

test("bad coordinate values skip the polygon", () => {
  const cases: [unknown, string][] = [
    ["NaN", "non-numeric-coordinate"],
    ["12.5", "non-numeric-coordinate"],
    [null, "non-numeric-coordinate"],
    [true, "non-numeric-coordinate"],
    [Infinity, "non-finite-coordinate"],
    [NaN, "non-finite-coordinate"],
  ];
  for (const [bad, code] of cases) {
    const r = run(polygon([[[0, 0], [10, 0], [bad, 10], [0, 0]]]));
    assert.deepEqual(r.codes, [code], String(bad));
    assert.equal(r.v.polygons.length, 0);
  }
  const p = run(polygon([[[0, 0], [10, 0], [10], [0, 0]]]));
  assert.deepEqual(p.codes, ["invalid-position"]);
  assert.equal(p.diags[0].pointer, "/features/12/geometry/coordinates/0/2");
});

test("geographic input: out-of-range lon/lat is skipped, with a swap hint when swapping fixes it", () => {
  const swapped = run(polygon([[[52.0, 4.3], [52.0, 4.4], [52.1, 4.4], [52.0, 4.3]].map(([a, b]) => [b + 100, a + 100])]), true);
  assert.deepEqual(swapped.codes, ["lonlat-out-of-range"]);
  assert.doesNotMatch(swapped.diags[0].message, /swap/); // neither order is valid
  const sydney = run(polygon([[[-33.86, 151.2], [-33.86, 151.21], [-33.85, 151.21], [-33.86, 151.2]]]), true);
  assert.deepEqual(sydney.codes, ["lonlat-out-of-range"]);
  assert.match(sydney.diags[0].message, /swap/);
  const ok = run(polygon([[[151.2, -33.86], [151.21, -33.86], [151.21, -33.85], [151.2, -33.86]]]), true);
  assert.deepEqual(ok.codes, []);
  // Projected input has no degree range, only a sanity bound.
  assert.deepEqual(run(polygon([[[85000, 446000], [85010, 446000], [85010, 446010], [85000, 446000]]])).codes, []);
  assert.deepEqual(run(polygon([[[1e300, 0], [10, 0], [10, 10], [1e300, 0]]])).codes, ["coordinate-out-of-range"]);
});

test("3D and 4D positions keep x, y (one diagnostic per feature)", () => {
  const r3 = run(polygon([[[0, 0, 5], [10, 0, 5], [10, 10, 6], [0, 0, 5]]]));
  assert.deepEqual(r3.codes, ["extra-ordinates"]);
  assert.equal(r3.diags[0].severity, "info");
  assert.deepEqual(r3.rings, [[[0, 0, 10, 0, 10, 10]]]);
  const r4 = run(polygon([[[0, 0, 5, 1], [10, 0, 5, 1], [10, 10, 6, 1], [0, 0, 5, 1]]]));
  assert.deepEqual(r4.codes, ["extra-ordinates"]);
  assert.equal(r4.diags[0].severity, "warning");
});

test("zero area: collinear rings and slivers are skipped", () => {
  assert.deepEqual(run(polygon([[[0, 0], [5, 5], [10, 10], [0, 0]]])).codes, ["zero-area"]);
  assert.deepEqual(run(polygon([[[0, 0], [10, 0], [10, 1e-12], [0, 0]]])).codes, ["zero-area"]);
  // A thin but real building is kept.
  assert.deepEqual(run(polygon([[[0, 0], [100, 0], [100, 0.1], [0, 0.1], [0, 0]]])).codes, []);
});

test("spikes are removed, including a spike on a spike", () => {
  const r = run(polygon([[[0, 0], [10, 0], [20, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]));
  assert.deepEqual(r.codes, ["spike"]);
  assert.deepEqual(r.rings, [[[0, 0, 10, 0, 10, 10, 0, 10]]]);
  // Out and back along a diagonal path of two segments: both excursion vertices go.
  const r2 = run(polygon([[[0, 0], [10, 0], [10, 10], [15, 15], [20, 20], [15, 15], [10, 10], [0, 10], [0, 0]]]));
  assert.deepEqual(r2.codes, ["spike"]);
  assert.match(r2.diags[0].message, /^Feature 12 \(id "f"\): 4 spike/); // 8 distinct vertices in, 4 out
  assert.deepEqual(r2.rings, [[[0, 0, 10, 0, 10, 10, 0, 10]]]);
});

test("a spike at the ring's first vertex (across the wrap-around) is found and removed", () => {
  // The tip is position 0: its neighbours are the last position and position 1, both (0, 5).
  const r = run(polygon([[[-5, 5], [0, 5], [0, 0], [10, 0], [10, 10], [0, 10], [0, 5], [-5, 5]]]));
  assert.deepEqual(r.codes, ["spike"]);
  assert.equal(ringArea(new Float64Array(r.rings[0][0])), 100);
  assert.deepEqual(new Set(r.rings[0][0].join(",").match(/-?\d+,-?\d+/g)), new Set(["0,5", "0,0", "10,0", "10,10", "0,10"]));
  // Collinear vertices that go on in the same direction are not spikes: the ring stays as it is.
  const straight = run(polygon([[[0, 0], [5, 0], [10, 0], [10, 10], [0, 10], [0, 5], [0, 0]]]));
  assert.deepEqual(straight.codes, []);
  assert.deepEqual(straight.rings, [[[0, 0, 5, 0, 10, 0, 10, 10, 0, 10, 0, 5]]]);
});

test("the intersection search keeps its arrays between calls: a small ring after a large one reads only its own edges", () => {
  // A large simple ring grows the arrays; a small ring after it must not see the large one's
  // edges left behind, and a large one after the small must not see the small one's.
  const star = (n: number, r0: number, cross: boolean) => {
    const xy = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const a = (2 * Math.PI * i) / n, r = i % 2 ? r0 : r0 / 2;
      xy[2 * i] = Math.round(r * Math.cos(a));
      xy[2 * i + 1] = Math.round(r * Math.sin(a));
    }
    if (cross) { const t = xy[2], u = xy[3]; xy[2] = xy[6]; xy[3] = xy[7]; xy[6] = t; xy[7] = u; } // swap vertices 1 and 3
    return xy;
  };
  const rings = [star(500, 10_000, false), star(8, 100, false), star(300, 5_000, true), star(6, 100, true), star(40, 1_000, false), star(700, 20_000, false), star(12, 50, true)];
  for (const [k, xy] of rings.entries()) assert.equal(findIntersection([xy]) !== null, bruteForce([xy]), `ring ${k}`);
  // And twice over in another order.
  for (const k of [6, 0, 3, 5, 1, 2, 4, 0, 6]) assert.equal(findIntersection([rings[k]]) !== null, bruteForce([rings[k]]), `ring ${k} again`);
  assert.ok(rings.some((xy) => bruteForce([xy])) && rings.some((xy) => !bruteForce([xy])), "both outcomes exercised");
});

test("self-intersections skip the polygon: bow-tie, figure-8, hole crossing its shell", () => {
  const bowtie = run(polygon([[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]));
  assert.deepEqual(bowtie.codes, ["self-intersection"]);
  assert.equal(bowtie.v.polygons.length, 0);
  const asym = run(polygon([[[0, 0], [10, 10], [10, 0], [0, 4], [0, 0]]]));
  assert.deepEqual(asym.codes, ["self-intersection"]);
  const eight = run(polygon([[[0, 0], [5, 5], [10, 0], [10, 10], [5, 5], [0, 10], [0, 0]]]));
  assert.deepEqual(eight.codes, ["self-intersection"]);
  const crossingHole = run(polygon([SQUARE, [[5, 5], [5, 15], [7, 15], [7, 5], [5, 5]]]));
  assert.deepEqual(crossingHole.codes, ["self-intersection"]);
  // A hole touching its shell at a single point is valid.
  const touching = run(polygon([SQUARE, [[0, 5], [3, 6], [3, 4], [0, 5]]]));
  assert.deepEqual(touching.codes, []);
  assert.equal(touching.v.polygons[0].length, 2);
});

test("a hole outside its shell is dropped (warning); the shell is kept", () => {
  const r = run(polygon([SQUARE, [[20, 2], [20, 4], [22, 4], [22, 2], [20, 2]]]));
  assert.deepEqual(r.codes, ["hole-outside-shell"]);
  assert.equal(r.v.polygons[0].length, 1);
});

test("MultiPolygon: a bad polygon is skipped, the good one kept", () => {
  const r = run({ type: "MultiPolygon", coordinates: [[[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]], [SQUARE]] });
  assert.deepEqual(r.codes, ["self-intersection"]);
  assert.equal(r.diags[0].pointer, "/features/12/geometry/coordinates/0/0/0");
  assert.equal(r.v.polygons.length, 1);
});

test("feature-level problems: unsupported, null, missing, invalid geometry, not a feature", () => {
  for (const type of ["Point", "MultiPoint", "LineString", "MultiLineString", "GeometryCollection"]) {
    const r = run({ type, coordinates: [0, 0], geometries: [] });
    assert.deepEqual(r.codes, ["unsupported-geometry"]);
    assert.equal(r.diags[0].severity, "warning");
  }
  assert.deepEqual(run(null).codes, ["null-geometry"]);
  assert.deepEqual(run({ type: "Circle", coordinates: [] }).codes, ["invalid-geometry"]);
  assert.deepEqual(run("polygon").codes, ["invalid-geometry"]);
  assert.deepEqual(run({ type: "Polygon" }).codes, ["invalid-coordinates"]);
  assert.deepEqual(run({ type: "Polygon", coordinates: [] }).codes, ["empty-geometry"]);
  assert.deepEqual(run({ type: "MultiPolygon", coordinates: [[]] }).codes, ["empty-polygon"]);
  assert.deepEqual(run({ type: "MultiPolygon", coordinates: [5] }).codes, ["invalid-coordinates"]);
  assert.deepEqual(run({ type: "Polygon", coordinates: [5] }).codes, ["invalid-ring"]);
  const sink = new DiagnosticSink("x");
  validateFeature({ type: "Feature", properties: {} }, { featureIndex: 0, geographic: false }, sink);
  validateFeature([1, 2], { featureIndex: 1, geographic: false }, sink);
  validateFeature({ type: "Polygon", coordinates: [SQUARE] }, { featureIndex: 2, geographic: false }, sink);
  assert.deepEqual(sink.finish().map((d) => d.code), ["missing-geometry", "not-a-feature", "not-a-feature"]);
});

test("feature id comes from id, else properties.id", () => {
  const sink = new DiagnosticSink("x");
  assert.equal(validateFeature({ type: "Feature", id: 7, properties: {}, geometry: polygon([SQUARE]) }, { featureIndex: 0, geographic: false }, sink).id, 7);
  assert.equal(validateFeature({ type: "Feature", properties: { id: "p" }, geometry: polygon([SQUARE]) }, { featureIndex: 0, geographic: false }, sink).id, "p");
  assert.equal(validateFeature({ type: "Feature", properties: null, geometry: polygon([SQUARE]) }, { featureIndex: 0, geographic: false }, sink).id, null);
});

/** Regular n-gon, counter-clockwise, closed, as GeoJSON positions. */
function circle(n: number, r = 100): number[][] {
  const pts: number[][] = [];
  for (let i = 0; i < n; i++) pts.push([r * Math.cos((2 * Math.PI * i) / n), r * Math.sin((2 * Math.PI * i) / n)]);
  pts.push(pts[0]);
  return pts;
}

test("a 100k-vertex ring validates (grid-bucketed intersection test), and a single crossing in it is found", (t) => {
  const ring = circle(100_000);
  let t0 = performance.now();
  const ok = run(polygon([ring]));
  const msOk = performance.now() - t0;
  assert.deepEqual(ok.codes, []);
  assert.equal(ok.v.polygons[0][0].length, 200_000);
  // Swap two neighbouring vertices far from the start: their edges now cross.
  const bad = ring.map((p) => [...p]);
  [bad[60_000], bad[60_001]] = [bad[60_001], bad[60_000]];
  t0 = performance.now();
  const r = run(polygon([bad]));
  const msBad = performance.now() - t0;
  assert.deepEqual(r.codes, ["self-intersection"]);
  assert.match(r.diags[0].message, /edges 5999\d and 6000\d/);
  // O(n²) would be ~5·10⁹ segment tests (minutes); the grid does ~10⁵. Reported, not asserted:
  // a timed assertion fails on a loaded machine, and the check above would never finish if quadratic.
  t.diagnostic(`100,000-vertex ring: valid ${msOk.toFixed(0)} ms, crossing ${msBad.toFixed(0)} ms`);
});

// Reference: all-pairs test with the same rules, to check the grid misses nothing.
function bruteForce(rings: Float64Array[]): boolean {
  const edges: { r: number; i: number; n: number; a: number[]; b: number[] }[] = [];
  rings.forEach((xy, r) => {
    const n = xy.length / 2;
    for (let i = 0; i < n; i++) edges.push({ r, i, n, a: [xy[2 * i], xy[2 * i + 1]], b: [xy[2 * ((i + 1) % n)], xy[2 * ((i + 1) % n) + 1]] });
  });
  const on = (p: number[], q: number[], s: number[]) => orient2d(p[0], p[1], q[0], q[1], s[0], s[1]) === 0 && s[0] >= Math.min(p[0], q[0]) && s[0] <= Math.max(p[0], q[0]) && s[1] >= Math.min(p[1], q[1]) && s[1] <= Math.max(p[1], q[1]);
  for (let x = 0; x < edges.length; x++) {
    for (let y = x + 1; y < edges.length; y++) {
      const e = edges[x], f = edges[y];
      const same = e.r === f.r;
      if (same && ((e.i + 1) % e.n === f.i || (f.i + 1) % f.n === e.i)) continue;
      const o1 = Math.sign(orient2d(e.a[0], e.a[1], e.b[0], e.b[1], f.a[0], f.a[1]));
      const o2 = Math.sign(orient2d(e.a[0], e.a[1], e.b[0], e.b[1], f.b[0], f.b[1]));
      const o3 = Math.sign(orient2d(f.a[0], f.a[1], f.b[0], f.b[1], e.a[0], e.a[1]));
      const o4 = Math.sign(orient2d(f.a[0], f.a[1], f.b[0], f.b[1], e.b[0], e.b[1]));
      if (o1 * o2 < 0 && o3 * o4 < 0) return true;
      const touches = on(e.a, e.b, f.a) || on(e.a, e.b, f.b) || on(f.a, f.b, e.a) || on(f.a, f.b, e.b);
      if (o1 === 0 && o2 === 0 && touches) {
        // collinear: positive-length overlap always counts; a single shared point only within a ring
        const ux = Math.abs(e.b[0] - e.a[0]) >= Math.abs(e.b[1] - e.a[1]) ? 0 : 1;
        const lo = Math.max(Math.min(e.a[ux], e.b[ux]), Math.min(f.a[ux], f.b[ux]));
        const hi = Math.min(Math.max(e.a[ux], e.b[ux]), Math.max(f.a[ux], f.b[ux]));
        if (hi > lo || same) return true;
      } else if (same && touches) return true;
    }
  }
  return false;
}

test("grid intersection search agrees with the all-pairs reference on random rings", () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let crossing = 0;
  for (let t = 0; t < 60; t++) {
    const n = 50 + Math.floor(rand() * 60); // above the brute-force cut-off of the grid code
    const xy = new Float64Array(2 * n);
    // Star-shaped around the origin (simple) with random radii; every few rings jitter angles so some cross.
    for (let i = 0; i < n; i++) {
      const ang = (2 * Math.PI * (i + (t % 3 === 0 ? (rand() - 0.5) * 3 : 0))) / n;
      const rad = 10 + rand() * 90;
      xy[2 * i] = Math.round(rad * Math.cos(ang)); // integer grid: exact touches and overlaps happen
      xy[2 * i + 1] = Math.round(rad * Math.sin(ang));
    }
    const expected = bruteForce([xy]);
    if (expected) crossing++;
    assert.equal(findIntersection([xy]) !== null, expected, `ring ${t}`);
  }
  assert.ok(crossing > 5 && crossing < 60, `both outcomes exercised (${crossing} crossing)`);
});

test("pointInRing: inside, outside, boundary", () => {
  const sq = new Float64Array([0, 0, 10, 0, 10, 10, 0, 10]);
  assert.equal(pointInRing(5, 5, sq), 1);
  assert.equal(pointInRing(15, 5, sq), -1);
  assert.equal(pointInRing(10, 5, sq), 0);
  assert.equal(pointInRing(0, 0, sq), 0);
});

test("a ring spanning more than any building (a stray, mistyped coordinate) is refused, naming the position", () => {
  // Found by the fuzzer (test:faults case 6): one y with extra digits made a 4,460 km sliver
  // "building", and the tile grid then covered thousands of kilometres of empty ground.
  const stray = run(polygon([[[84123, 446321], [84143, 446321], [84143, 4906341], [84123, 446341], [84123, 446321]]]));
  assert.deepEqual(stray.codes, ["implausible-size"]);
  assert.equal(stray.diags[0].severity, "error");
  assert.equal(stray.diags[0].pointer, "/features/12/geometry/coordinates/0/2");
  assert.match(stray.diags[0].message, /ring spans 20 m × 4460\.0 km.*position 2 \[84143, 4906341\].*polygon skipped/);
  assert.deepEqual(stray.rings, []);
  // In a MultiPolygon only the stray part goes; a hole with a stray vertex drops the hole (or crosses the shell).
  const multi = run({ type: "MultiPolygon", coordinates: [[SQUARE], [[[0, 0], [10, 0], [10, 2e6], [0, 10], [0, 0]]]] });
  assert.deepEqual(multi.codes, ["implausible-size"]);
  assert.equal(multi.rings.length, 1);
  // A large real building (Prora, 4.5 km) passes; the limit is in metres of the source CRS.
  assert.deepEqual(run(polygon([[[0, 0], [4500, 0], [4500, 30], [0, 30], [0, 0]]])).codes, []);
  assert.deepEqual(run(polygon([[[0, 0], [12_000, 0], [12_000, 30], [0, 30], [0, 0]]])).codes, ["implausible-size"]);
  const feet = { type: "Feature", id: "f", properties: {}, geometry: polygon([[[0, 0], [12_000, 0], [12_000, 30], [0, 30], [0, 0]]]) };
  const sink = new DiagnosticSink("mem.geojson");
  validateFeature(feet, { featureIndex: 0, geographic: false, metresPerUnit: 0.3048 }, sink);
  assert.deepEqual(sink.finish(), [], "12,000 ft is 3.7 km");
  // Lon/lat: 0.2° of longitude at 52° N is 13.7 km; 0.05° is 3.4 km.
  assert.deepEqual(run(polygon([[[4.3, 52], [4.5, 52], [4.5, 52.0003], [4.3, 52.0003], [4.3, 52]]]), true).codes, ["implausible-size"]);
  assert.deepEqual(run(polygon([[[4.3, 52], [4.35, 52], [4.35, 52.0003], [4.3, 52.0003], [4.3, 52]]]), true).codes, []);
});
