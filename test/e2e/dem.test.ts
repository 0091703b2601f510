// Builds with a DEM, end to end through the built CLI, on the real Zurich footprints
// (test/fixtures/real/zurich-cea.geojson, EPSG:32732 with northings ≈ 15.2 million m):
// (1) with their own DEM (test/fixtures/real/zurich-cea-terrain.tif, a copy of ../shared/data's:
//     same CRS, 30 m cells, every cell 1 m: the ground and every base are at 1 m);
// (2) with a DEM made here in another CRS, Swiss LV95 (EPSG:2056), 10 m cells of varied relief,
//     a pit under one building and a nodata hole under another: the ground's vertices are the
//     DEM's surface at their point carried into LV95, and each building's base (its roof minus
//     its height) is the lowest ground under its footprint, computed here cell by cell.
// Both are built in tiles of 250 m and `citymesh check` must find the mesh clean (no open or
// overused edge: the seams are exact).
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import proj4 from "proj4";
import { writeArrayBuffer } from "geotiff";
import { checkClean, runCli } from "../support/cli";
import { readMeshFile, type ReadMesh } from "../../src/core/readers";
import { resolveCrs } from "../../src/core/crs";

const root = path.resolve(__dirname, "../..");
const footprintsFile = path.join(root, "test/fixtures/real/zurich-cea.geojson");
const terrain = path.join(root, "test/fixtures/real/zurich-cea-terrain.tif");
const sharedTerrain = path.resolve(root, "../shared/data/zurich-cea-terrain.tif");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-dem-e2e-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Built { mesh: ReadMesh; json: { diagnostics: { code: string; featureIndex: number; message: string; file: string }[]; buildings: number; tiles: number }; heights: Map<number, number> }

function build(name: string, dem: string): Built {
  const out = path.join(dir, `${name}.glb`);
  const r = runCli(["build", footprintsFile, "--dem", dem, "--tile-size", "250", "-o", out, "--scratch-dir", path.join(dir, `s-${name}`), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  checkClean(out);
  const json = JSON.parse(r.stdout);
  assert.ok(json.tiles > 1, `${json.tiles} tiles: the seams are exercised`);
  // Building b of the mesh → its height (height_ag), from the buildings side file.
  const heights = new Map<number, number>();
  for (const line of fs.readFileSync(path.join(dir, `${name}.buildings.jsonl`), "utf8").split("\n").filter(Boolean)) {
    const o = JSON.parse(line);
    heights.set(o.b, o.properties.height_ag);
  }
  return { mesh: readMeshFile(out), json, heights };
}

/** Per building b: its roof height and its footprint as the roof's triangles (local coordinates). */
function roofs(m: ReadMesh): Map<number, { z: number; tris: number[][] }> {
  const N = m.buildings!, out = new Map<number, { z: number; tris: number[][] }>();
  for (let t = 0; t < m.faces.length / 3; t++) {
    const k = m.markers![t];
    if (k < N) continue;
    const tri = [0, 1, 2].flatMap((c) => { const v = m.faces[3 * t + c]; return [m.vertices[3 * v], m.vertices[3 * v + 1], m.vertices[3 * v + 2]]; });
    let r = out.get(k - N);
    if (!r) out.set(k - N, (r = { z: tri[2], tris: [] }));
    r.tris.push(tri);
  }
  return out;
}

/** Vertices of ground triangles (marker < 0), local coordinates. */
function groundVertices(m: ReadMesh): number[][] {
  const seen = new Set<number>(), out: number[][] = [];
  for (let t = 0; t < m.faces.length / 3; t++) {
    if (m.markers![t] >= 0) continue;
    for (let c = 0; c < 3; c++) {
      const v = m.faces[3 * t + c];
      if (!seen.has(v)) { seen.add(v); out.push([m.vertices[3 * v], m.vertices[3 * v + 1], m.vertices[3 * v + 2]]); }
    }
  }
  return out;
}

test("the committed copy of zurich-cea-terrain.tif is ../shared/data's", { skip: fs.existsSync(sharedTerrain) ? false : `SKIPPED: ${sharedTerrain} is absent (../shared/data is not beside this checkout)` }, () => {
  assert.ok(fs.readFileSync(terrain).equals(fs.readFileSync(sharedTerrain)));
});

test("zurich-cea with its own DEM (EPSG:32732, all 1 m): ground and every base at 1 m, mesh clean", () => {
  const { mesh, json, heights } = build("own", terrain);
  assert.equal(mesh.crs, "EPSG:32732");
  const g = groundVertices(mesh);
  assert.ok(g.length > 1000);
  for (const [x, y, z] of g) assert.ok(Math.abs(z - 1) < 1e-4, `ground vertex (${x}, ${y}) at ${z}`);
  const r = roofs(mesh);
  assert.equal(r.size, json.buildings);
  for (const [b, { z }] of r) assert.ok(Math.abs(z - heights.get(b)! - 1) < 1e-3, `building ${b}: roof ${z}, height ${heights.get(b)}`);
  // The DEM covers every building, but not the whole grid of 250 m tiles around them: that ground is reported, once.
  const dem = json.diagnostics.filter((d) => d.code.startsWith("dem-"));
  assert.deepEqual(dem.map((d) => [d.code, d.featureIndex, d.file]), [["dem-outside-ground", -1, terrain]]);
  assert.match(dem[0].message, /the ground of \d+ of 12 tile\(s\) reaches beyond the DEM: \d+ of \d+ ground points/);
});

test("zurich-cea with a DEM in LV95 (EPSG:2056) with relief, a pit and a nodata hole: reprojected ground, bases on the lowest ground under each footprint", (t) => {
  // The footprints' extent in LV95, and a DEM of 10 m cells 300 m beyond it on every side.
  const utm = resolveCrs("EPSG:32732").proj4, lv95 = resolveCrs("EPSG:2056").proj4;
  const fc = JSON.parse(fs.readFileSync(footprintsFile, "utf8"));
  const toLv = proj4(utm, lv95);
  let e0 = Infinity, n0 = Infinity, e1 = -Infinity, n1 = -Infinity;
  for (const f of fc.features) for (const ring of f.geometry.coordinates) for (const [x, y] of ring) {
    const [E, N] = toLv.forward([x, y]);
    e0 = Math.min(e0, E); n0 = Math.min(n0, N); e1 = Math.max(e1, E); n1 = Math.max(n1, N);
  }
  const cell = 10, x0 = Math.floor(e0 / cell) * cell - 300, y0 = Math.ceil(n1 / cell) * cell + 300;
  const width = Math.ceil((e1 + 300 - x0) / cell), height = Math.ceil((y0 - (n0 - 300)) / cell);
  const values: number[] = [];
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) values.push(Math.round(120 + 8 * Math.sin(i / 20) * Math.cos(j / 25) + j / 10));
  // Gentle relief (slopes up to ~5 %, like Zurich's): on steep ground a low building's roof would sink below the
  // ground at its uphill corners (the "dem-buried" warning), which this test is not about.
  // The pit: the cell under the centroid of feature 0 (a 90 m × 16 m building, 21 m tall), 12 m below the ground around it.
  const centroid = (f: { geometry: { coordinates: number[][][] } }) => {
    const ring = f.geometry.coordinates[0];
    const [sx, sy] = ring.slice(0, -1).reduce(([a, b], [x, y]) => [a + x, b + y], [0, 0]);
    return toLv.forward([sx / (ring.length - 1), sy / (ring.length - 1)]);
  };
  const cellAt = ([E, N]: number[]) => [Math.floor((E - x0) / cell), Math.floor((y0 - N) / cell)];
  const [pi, pj] = cellAt(centroid(fc.features[0]));
  const pitZ = values[pj * width + pi] - 12;
  values[pj * width + pi] = pitZ;
  // The hole: 2 × 2 cells of nodata (255) at feature 1's centroid.
  const [hi, hj] = cellAt(centroid(fc.features[1]));
  for (const [di, dj] of [[0, 0], [1, 0], [0, 1], [1, 1]]) values[(hj + dj) * width + hi + di] = 255;
  const holeCell = (i: number, j: number) => i >= hi && i <= hi + 1 && j >= hj && j <= hj + 1;
  const demFile = path.join(dir, "lv95.tif");
  fs.writeFileSync(demFile, Buffer.from(writeArrayBuffer(values, { width, height, ModelPixelScale: [cell, cell, 0], ModelTiepoint: [0, 0, 0, x0, y0, 0], ProjectedCSTypeGeoKey: 2056, GDAL_NODATA: "255" }) as ArrayBuffer));

  const { mesh, json, heights } = build("lv95", demFile);
  const [ox, oy] = mesh.origin!;
  const meshToLv = proj4(resolveCrs(mesh.crs!).proj4, lv95);
  // Continuous pixel coordinates (integers are cell centres) of a local point, and the bilinear surface there.
  const pixel = (x: number, y: number) => { const [E, N] = meshToLv.forward([x + ox, y + oy]); return [(E - x0) / cell - 0.5, (y0 - N) / cell - 0.5]; };
  const near = (fi: number, fj: number) => { const i = Math.floor(fi), j = Math.floor(fj); return [[i, j], [i + 1, j], [i, j + 1], [i + 1, j + 1]]; };
  const surface = (fi: number, fj: number) => {
    const i = Math.floor(fi), j = Math.floor(fj), tx = fi - i, ty = fj - j, v = (a: number, b: number) => values[b * width + a];
    return (1 - ty) * ((1 - tx) * v(i, j) + tx * v(i + 1, j)) + ty * ((1 - tx) * v(i, j + 1) + tx * v(i + 1, j + 1));
  };

  // Ground: every vertex not next to the hole (whose filled values this test does not recompute) is on the surface.
  let checked = 0, worst = 0;
  for (const [x, y, z] of groundVertices(mesh)) {
    const [fi, fj] = pixel(x, y);
    if (near(fi, fj).some(([i, j]) => holeCell(i, j))) continue;
    worst = Math.max(worst, Math.abs(z - surface(fi, fj)));
    checked++;
  }
  assert.ok(checked > 1000, `${checked} ground vertices checked`);
  assert.ok(worst < 2e-3, `ground vertices within ${worst} m of the DEM's surface (float32 coordinates)`);

  // Bases: roof − height = the lowest of the cells whose centre is inside the footprint and of the surface along its outline.
  const nodataWarned = json.diagnostics.filter((d) => d.code === "dem-nodata").map((d) => d.featureIndex);
  assert.ok(nodataWarned.includes(1), `feature 1 (over the hole) is named: ${JSON.stringify(nodataWarned)}`);
  assert.ok(json.diagnostics.some((d) => d.code === "dem-nodata" && d.message.includes(demFile)), "the warning names the DEM");
  const featureOf = new Map<number, number>();
  for (const line of fs.readFileSync(path.join(dir, "lv95.buildings.jsonl"), "utf8").split("\n").filter(Boolean)) { const o = JSON.parse(line); featureOf.set(o.b, o.f); }
  let pitSeen = false, lowerThanVertices = 0;
  for (const [b, { z, tris }] of roofs(mesh)) {
    if (nodataWarned.includes(featureOf.get(b)!)) continue;
    const base = z - heights.get(b)!;
    // Cells: centre inside a roof triangle (the roof covers the footprint exactly, holes excluded).
    let xs = Infinity, ys = Infinity, xe = -Infinity, ye = -Infinity;
    for (const t of tris) for (let c = 0; c < 3; c++) { xs = Math.min(xs, t[3 * c]); xe = Math.max(xe, t[3 * c]); ys = Math.min(ys, t[3 * c + 1]); ye = Math.max(ye, t[3 * c + 1]); }
    const lvToMesh = proj4(lv95, resolveCrs(mesh.crs!).proj4);
    let cells = Infinity;
    const [ia, ja] = pixel(xs, ye), [ib, jb] = pixel(xe, ys);
    for (let j = Math.floor(Math.min(ja, jb)) - 2; j <= Math.ceil(Math.max(ja, jb)) + 2; j++) for (let i = Math.floor(Math.min(ia, ib)) - 2; i <= Math.ceil(Math.max(ia, ib)) + 2; i++) {
      const [X, Y] = lvToMesh.forward([x0 + (i + 0.5) * cell, y0 - (j + 0.5) * cell]);
      const px = X - ox, py = Y - oy;
      if (tris.some((t) => inTriangle(t, px, py))) cells = Math.min(cells, values[j * width + i]);
    }
    // Outline: the roof's boundary edges (used by one roof triangle), sampled every 0.1 m; and its vertices.
    let outline = Infinity, vertices = Infinity;
    const edges = new Map<string, number[]>();
    for (const t of tris) for (let c = 0; c < 3; c++) {
      const a = [t[3 * c], t[3 * c + 1]], d = [t[3 * ((c + 1) % 3)], t[3 * ((c + 1) % 3) + 1]];
      const k = [a, d].map((p) => p.join()).sort().join("|");
      if (edges.has(k)) edges.delete(k); else edges.set(k, [...a, ...d]);
    }
    for (const [ax, ay, dx, dy] of edges.values()) {
      const n = Math.max(1, Math.ceil(Math.hypot(dx - ax, dy - ay) / 0.1));
      for (let s = 0; s <= n; s++) { const [fi, fj] = pixel(ax + ((dx - ax) * s) / n, ay + ((dy - ay) * s) / n); outline = Math.min(outline, surface(fi, fj)); }
      const [vi, vj] = pixel(ax, ay);
      vertices = Math.min(vertices, surface(vi, vj));
    }
    const expect = Math.min(cells, outline);
    assert.ok(Math.abs(base - expect) < 0.05, `building ${b} (feature ${featureOf.get(b)}): base ${base}, lowest ground under it ${expect} (cells ${cells}, outline ${outline})`);
    if (featureOf.get(b) === 0) { assert.ok(Math.abs(base - pitZ) < 1e-3, `feature 0 stands on the pit: base ${base}, pit ${pitZ}`); pitSeen = true; }
    if (expect < vertices - 0.01) lowerThanVertices++;
  }
  assert.ok(pitSeen, "feature 0 is in the mesh");
  // At least the pit's building; on this relief, also the buildings over a hollow between their corners.
  assert.ok(lowerThanVertices >= 1, `${lowerThanVertices} buildings have ground under them lower than at any vertex`);
  t.diagnostic(`${checked} ground vertices within ${worst.toExponential(1)} m of the LV95 DEM's surface; ${lowerThanVertices} buildings stand lower than their corners' ground`);
});

function inTriangle(t: number[], x: number, y: number): boolean {
  const s = (ax: number, ay: number, bx: number, by: number) => (bx - ax) * (y - ay) - (by - ay) * (x - ax);
  const d1 = s(t[0], t[1], t[3], t[4]), d2 = s(t[3], t[4], t[6], t[7]), d3 = s(t[6], t[7], t[0], t[1]);
  return (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0);
}
