// The DEM ground of a build (groundHeight.ts, footprintBase.ts, demCoverage.ts, demFiles.ts): reprojection,
// nodata, mosaics, the base under a whole footprint and the warnings about DEM coverage. GeoTIFFs are
// written here with geotiff's writer (8-bit samples, so values are whole numbers 0–255).
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import proj4 from "proj4";
import { writeArrayBuffer } from "geotiff";
import { openGround, type GroundSurface } from "../../../src/core/groundHeight";
import { footprintBase } from "../../../src/core/footprintBase";
import { groundOutside } from "../../../src/core/demCoverage";
import { demFiles, hashDem } from "../../../src/core/demFiles";
import { resolveCrs } from "../../../src/core/crs";
import { CityMeshError } from "../../../src/core/errors";
import { planBuild } from "../../../src/core/tiling/plan";
import { mulberry32 } from "../../support/cityGenerator";
import { footprints, insideRings, rect, rectCW } from "../../support/footprints";
import { footprintBounds } from "../../support/meshCity";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-ground-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const RD = resolveCrs("EPSG:28992");
const ORIGIN: [number, number] = [100000, 400000];

interface Raster { width: number; height: number; x0: number; y0: number; cell: number; values: number[]; epsg?: number; nodata?: number }

/** A GeoTIFF with its top-left corner at (x0, y0) (absolute, its CRS), square cells, rows going south. */
function writeDem(name: string, r: Raster): string {
  const file = path.join(dir, name);
  const meta: Record<string, unknown> = { width: r.width, height: r.height, ModelPixelScale: [r.cell, r.cell, 0], ModelTiepoint: [0, 0, 0, r.x0, r.y0, 0], ProjectedCSTypeGeoKey: r.epsg ?? 28992 };
  if (r.nodata !== undefined) meta.GDAL_NODATA = String(r.nodata);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(writeArrayBuffer(r.values, meta) as ArrayBuffer));
  return file;
}

const filled = (n: number, v: number) => new Array<number>(n).fill(v);

async function ground(files: string[]): Promise<GroundSurface> {
  return (await openGround(files, RD, ORIGIN)).ground;
}

/** Independent bilinear on a raster at absolute (X, Y) of its CRS (cell centres at x0 + (i + ½)·cell). */
function bilinear(r: Raster, X: number, Y: number): number {
  const fi = Math.min(r.width - 1, Math.max(0, (X - r.x0) / r.cell - 0.5)), fj = Math.min(r.height - 1, Math.max(0, (r.y0 - Y) / r.cell - 0.5));
  const i = Math.min(Math.floor(fi), r.width - 2), j = Math.min(Math.floor(fj), r.height - 2), tx = fi - i, ty = fj - j;
  const v = (a: number, b: number) => r.values[b * r.width + a];
  return (1 - ty) * ((1 - tx) * v(i, j) + tx * v(i + 1, j)) + ty * ((1 - tx) * v(i, j + 1) + tx * v(i + 1, j + 1));
}

// A 20 × 20 DEM of 2 m cells at 200 m, with one pit cell (column 10, row 10) at 5 m; local (0, 0) is its top-left corner's x and bottom's y.
const PIT: Raster = { width: 20, height: 20, x0: ORIGIN[0], y0: ORIGIN[1] + 40, cell: 2, values: filled(400, 200) };
PIT.values[10 * 20 + 10] = 5;
const pitCentre = [21, 40 - 21]; // local coordinates of the pit cell's centre

test("a footprint over a pit whose vertices are all high stands on the pit", async () => {
  const g = await ground([writeDem("pit.tif", PIT)]);
  const f = footprints([[[rect(10, 8, 30, 30)], 10]]);
  for (let i = 0; i < f.xy.length; i += 2) assert.equal(g.z(f.xy[i], f.xy[i + 1]), 200, "every vertex is on the high ground");
  const b = footprintBase(g, f, 0);
  assert.equal(b.z, 5);
  assert.deepEqual([b.nodata, b.outside], [false, false]);
  // planBuild: the roof is the pit's height + the building's.
  const plan = planBuild(f, footprintBounds(f), { tileSize: 100, maxMeshSize: 10, margin: 0, snapTolerance: 0.001, file: "x", ground: { kind: "flat" }, zAt: (x, y) => g.z(x, y), base: (ff, bb) => footprintBase(g, ff, bb) });
  assert.equal(plan.roofZ[0], 15);
});

test("a pit inside the footprint's hole is not under the building", async () => {
  const g = await ground([writeDem("pit.tif", PIT)]);
  const [px, py] = pitCentre;
  const f = footprints([[[rect(10, 8, 30, 30), rectCW(px - 3, py - 3, px + 3, py + 3)], 10]]);
  assert.equal(footprintBase(g, f, 0).z, 200);
});

test("the base equals the lowest of the cells inside and the surface along the outline (random polygons over a random DEM)", async () => {
  const rnd = mulberry32(18);
  const R: Raster = { width: 30, height: 30, x0: ORIGIN[0], y0: ORIGIN[1] + 30, cell: 1, values: Array.from({ length: 900 }, () => Math.floor(rnd() * 256)) };
  const g = await ground([writeDem("random.tif", R)]);
  for (let k = 0; k < 60; k++) {
    // A star-shaped polygon around a random centre, radius 2–8 m.
    const cx = 8 + rnd() * 14, cy = 8 + rnd() * 14, n = 3 + Math.floor(rnd() * 7), ring: number[] = [];
    for (let i = 0; i < n; i++) { const a = (2 * Math.PI * i) / n, rr = 2 + rnd() * 6; ring.push(cx + rr * Math.cos(a), cy + rr * Math.sin(a)); }
    const f = footprints([[[ring], 10]]);
    let expect = Infinity, cells = Infinity;
    for (let j = 0; j < R.height; j++) for (let i = 0; i < R.width; i++) {
      const x = i + 0.5, y = 30 - (j + 0.5);
      if (insideRings([ring], x, y)) cells = Math.min(cells, R.values[j * R.width + i]);
    }
    expect = cells;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      for (let s = 0; s <= 400; s++) {
        const t = s / 400, x = ring[2 * i] + (ring[2 * j] - ring[2 * i]) * t, y = ring[2 * i + 1] + (ring[2 * j + 1] - ring[2 * i + 1]) * t;
        expect = Math.min(expect, bilinear(R, x + ORIGIN[0], y + ORIGIN[1]));
      }
    }
    const b = footprintBase(g, f, 0).z;
    assert.ok(b <= cells, `polygon ${k}: base ${b} above the lowest cell inside, ${cells}`);
    assert.ok(Math.abs(b - expect) < 0.5, `polygon ${k}: base ${b}, lowest along the outline and inside ${expect}`);
  }
});

test("a DEM in another CRS is reprojected: the ground is the DEM's surface at the point carried into its CRS", async () => {
  // UTM 31N (EPSG:32631) around the point RD (100000, 400000) maps to; the surface is a plane there, which bilinear reproduces exactly.
  const toUtm = proj4(RD.proj4, resolveCrs("EPSG:32631").proj4);
  const [E, N] = toUtm.forward([ORIGIN[0] + 50, ORIGIN[1] + 50]);
  const R: Raster = { width: 40, height: 40, x0: Math.floor(E) - 200, y0: Math.floor(N) + 200, cell: 10, values: [], epsg: 32631 };
  for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++) R.values.push(i + 2 * j);
  const { ground: g, notes } = await openGround([writeDem("utm.tif", R)], RD, ORIGIN);
  assert.deepEqual(notes, []);
  assert.deepEqual(g.crss.map((c) => c.name), ["EPSG:32631"]);
  for (const [x, y] of [[0, 0], [50, 50], [120.5, 33.25], [-80, 140]]) {
    const [X, Y] = toUtm.forward([x + ORIGIN[0], y + ORIGIN[1]]);
    const want = (X - R.x0) / 10 - 0.5 + 2 * ((R.y0 - Y) / 10 - 0.5);
    assert.ok(Math.abs(g.z(x, y) - want) < 1e-6, `(${x}, ${y}): ${g.z(x, y)} vs ${want}`);
  }
  assert.equal(g.outside, 0);
});

test("a DEM naming no EPSG code is taken to be in the mesh's CRS, and a note says so", async () => {
  const file = writeDem("nocrs.tif", { ...PIT, epsg: 32767 });
  const { ground: g, notes } = await openGround([file], RD, ORIGIN);
  assert.equal(notes.length, 1);
  assert.ok(notes[0].message.includes(file) && /no EPSG code/.test(notes[0].message) && notes[0].message.includes("EPSG:28992"), notes[0].message);
  assert.equal(g.z(pitCentre[0], pitCentre[1]), 5);
});

test("a DEM in a CRS that is not bundled is a dem error naming the file and the code", async () => {
  const file = writeDem("lcc.tif", { ...PIT, epsg: 3034 });
  await assert.rejects(openGround([file], RD, ORIGIN), (e: unknown) => e instanceof CityMeshError && e.code === "dem" && e.message.includes(file) && e.message.includes("EPSG:3034"));
});

test("a DEM that is all nodata is a dem error", async () => {
  const file = writeDem("empty.tif", { ...PIT, values: filled(400, 255), nodata: 255 });
  await assert.rejects(openGround([file], RD, ORIGIN), (e: unknown) => e instanceof CityMeshError && e.code === "dem" && e.message.includes(file) && /all 400 cells are nodata/.test(e.message));
});

test("buildings on nodata or beyond the DEM are named; ground beyond it is counted", async () => {
  const R: Raster = { ...PIT, values: filled(400, 100), nodata: 255 };
  for (let j = 2; j < 6; j++) for (let i = 2; i < 6; i++) R.values[j * 20 + i] = 255; // a hole in the north-west corner
  const g = await ground([writeDem("holes.tif", R)]);
  const f = footprints([
    [[rect(5, 30, 10, 35)], 10], // over the hole
    [[rect(20, 10, 25, 15)], 10], // on data
    [[rect(35, 5, 60, 12)], 10], // reaching past the east edge (x = 40)
  ]);
  const plan = planBuild(f, footprintBounds(f), {
    tileSize: 100, maxMeshSize: 10, margin: 0, snapTolerance: 0.001, file: "city.geojson", ground: { kind: "flat" },
    zAt: (x, y) => g.z(x, y), base: (ff, b) => footprintBase(g, ff, b), demName: "holes.tif", featureId: (fi) => `B${fi}`,
  });
  const dem = plan.diagnostics.filter((d) => d.code.startsWith("dem-"));
  assert.deepEqual(dem.map((d) => [d.code, d.featureIndex, d.featureId, d.severity]), [["dem-nodata", 0, "B0", "warning"], ["dem-outside", 2, "B2", "warning"]]);
  assert.match(dem[0].message, /holes\.tif has nodata under this building/);
  assert.match(dem[1].message, /beyond the DEM holes\.tif/);
  assert.equal(plan.roofZ[0], 110, "the hole is filled from the 100 m around it");
  const out = groundOutside(g, plan.tiles.map((t) => t.spec.bounds), 1);
  assert.ok(out.points > 0 && out.tiles === 1 && out.points < out.sampled, JSON.stringify(out));
  assert.equal(groundOutside(g, [[1, 1, 39, 39]], 1).points, 0, "ground inside the DEM is not counted");
});

test("a mosaic: the first DEM that covers a point wins, the base sees every DEM under the footprint", async () => {
  const A: Raster = { width: 20, height: 10, x0: ORIGIN[0], y0: ORIGIN[1] + 20, cell: 2, values: filled(200, 100) }; // x 0–40
  const B: Raster = { width: 25, height: 10, x0: ORIGIN[0] + 30, y0: ORIGIN[1] + 20, cell: 2, values: filled(250, 50) }; // x 30–80
  const folder = path.join(dir, "mosaic");
  const a = writeDem("mosaic/a.tif", A), b = writeDem("mosaic/b.tif", B);
  assert.deepEqual(demFiles(folder), [a, b], "a folder's GeoTIFFs in name order");
  const g = await ground(demFiles(folder));
  assert.deepEqual([g.z(35, 10), g.z(60, 10), g.z(10, 10)], [100, 50, 100]);
  const wide = footprints([[[rect(20, 5, 70, 15)], 10]]), overlap = footprints([[[rect(32, 5, 38, 15)], 10]]);
  assert.equal(footprintBase(g, wide, 0).z, 50);
  assert.equal(footprintBase(g, overlap, 0).z, 100, "B's cells under A's are not the ground");
  const reversed = await ground([b, a]);
  assert.equal(footprintBase(reversed, overlap, 0).z, 50);
  assert.equal(g.outside, 0);
});

test("the build key's DEM hash covers every file of a mosaic", async () => {
  const folder = path.join(dir, "hash");
  writeDem("hash/a.tif", PIT);
  const one = await hashDem(folder);
  writeDem("hash/b.tif", PIT);
  const two = await hashDem(folder);
  writeDem("hash/b.tif", { ...PIT, values: filled(400, 7) });
  const edited = await hashDem(folder);
  assert.equal(new Set([one, two, edited]).size, 3);
  assert.equal(await hashDem(folder), edited, "stable");
  assert.throws(() => demFiles(path.join(dir, "none")), (e: unknown) => e instanceof CityMeshError && e.code === "dem" && /not found/.test(e.message));
  fs.mkdirSync(path.join(dir, "emptyfolder"));
  assert.throws(() => demFiles(path.join(dir, "emptyfolder")), /holds no GeoTIFF/);
});

test("a building on ground that rises more than its height is named (its roof sinks below its uphill corners)", async () => {
  const ramp: Raster = { ...PIT, values: Array.from({ length: 400 }, (_, k) => (k % 20) * 10) }; // 5 m per metre eastward
  const g = await ground([writeDem("ramp.tif", ramp)]);
  const f = footprints([[[rect(10, 10, 12, 12)], 30], [[rect(20, 10, 30, 12)], 30]]); // rises 10 m and 50 m
  const plan = planBuild(f, footprintBounds(f), {
    tileSize: 100, maxMeshSize: 10, margin: 0, snapTolerance: 0.001, file: "city.geojson", ground: { kind: "flat" },
    zAt: (x, y) => g.z(x, y), base: (ff, b) => footprintBase(g, ff, b), demName: "ramp.tif",
  });
  const buried = plan.diagnostics.filter((d) => d.code === "dem-buried");
  assert.deepEqual(buried.map((d) => d.featureIndex), [1]);
  assert.match(buried[0].message, /rises 50\.0 m \(the DEM ramp\.tif\), more than its height \(30 m\)/);
});
