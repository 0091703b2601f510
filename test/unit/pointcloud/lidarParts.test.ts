// The parts a point cloud build is made of (src/core/pointcloud/): percentiles, the ground grid,
// the terrain GeoTIFF (read back with geotiff.js through openDem), roofs from spilled points and
// a building's base from the ground around it. Each result is checked against a value computed
// here another way (sorting whole arrays, brute-force point-in-polygon).
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { percentileOf } from "../../../src/core/pointcloud/percentile";
import { writeGeoTiff } from "../../../src/core/pointcloud/geotiffWrite";
import { TerrainGrid } from "../../../src/core/pointcloud/terrainGrid";
import { RoofPoints } from "../../../src/core/pointcloud/roofPoints";
import { groundUnder, type Terrain } from "../../../src/core/pointcloud/groundUnder";
import { openDem } from "../../../src/core/dem";
import { mulberry32 } from "../../support/cityGenerator";
import { footprints, insideRings, rect, rectCW } from "../../support/footprints";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-lidar-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** numpy.percentile's default ("linear") on a plain array, written out independently. */
function numpyPercentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b), h = (s.length - 1) * (p / 100), f = Math.floor(h);
  return f + 1 < s.length ? s[f] + (h - f) * (s[f + 1] - s[f]) : s[f];
}

test("percentileOf is numpy's linear percentile, on the given range only", () => {
  const rnd = mulberry32(7);
  for (const n of [1, 2, 3, 10, 101, 1000]) {
    const vals = Array.from({ length: n }, () => Math.round(rnd() * 1e6) / 1e3);
    const arr = new Float64Array([-1e9, ...vals, 1e9]);
    for (const p of [0, 10, 50, 70, 90, 100]) {
      const got = percentileOf(arr.slice(), 1, n + 1, p);
      assert.ok(Math.abs(got - numpyPercentile(vals, p)) < 1e-9, `n=${n} p=${p}: ${got} vs ${numpyPercentile(vals, p)}`);
    }
  }
  assert.ok(Number.isNaN(percentileOf(new Float32Array(3), 1, 1, 50)));
  assert.equal(percentileOf(new Float32Array([4, 1, 3, 2]), 0, 4, 50), 2.5);
});

test("writeGeoTiff writes a float32 GeoTIFF that openDem (geotiff.js) reads back cell for cell, with its EPSG code and place", async () => {
  const width = 7, height = 5, file = path.join(dir, "t.tif");
  const v = Float32Array.from({ length: width * height }, (_, k) => 3.25 + k * 0.5 - (k % 3) * 0.125);
  writeGeoTiff(file, { width, height, west: 85000.5, north: 447650, cellSize: 0.5, epsg: 28992 }, (j, row) => row.set(v.subarray(j * width, (j + 1) * width)));
  const d = await openDem(file);
  assert.equal(d.width, width);
  assert.equal(d.height, height);
  assert.equal(d.epsg, 28992);
  assert.deepEqual(d.bounds, [85000.5, 447650 - 2.5, 85000.5 + 3.5, 447650]);
  assert.deepEqual(Array.from(d.values), Array.from(v));
  assert.equal(d.holes, 0);
  // Cell (2, 1)'s centre.
  assert.equal(d.sample(85000.5 + 1.25, 447650 - 0.75), v[1 * width + 2]);
  // Without an EPSG code: no ProjectedCSTypeGeoKey.
  const bare = path.join(dir, "bare.tif");
  writeGeoTiff(bare, { width: 2, height: 2, west: 0, north: 2, cellSize: 1 }, (_j, row) => row.fill(1));
  assert.equal((await openDem(bare)).epsg, undefined);
});

test("TerrainGrid: per-cell mean of the ground points, cells on whole multiples of the cell size in absolute coordinates, empty cells filled", () => {
  const origin: [number, number] = [1000.3, 2000.7];
  const g = TerrainGrid.covering(0, 0, 10, 6, origin, 2);
  // West edge at absolute 1000 (floor of 1000.3 to a multiple of 2), north at 2008 (ceil of 2006.7).
  assert.equal(g.west + origin[0], 1000);
  assert.equal(g.north + origin[1], 2008);
  assert.equal(g.width, 6);
  assert.equal(g.height, 4);
  const rnd = mulberry32(3), sums = new Map<number, number[]>();
  for (let k = 0; k < 500; k++) {
    const x = rnd() * 8, y = rnd() * 4 + 2, z = 10 + rnd() * 2; // leaves the westmost and northmost edges' cells partly empty
    g.add(x, y, z);
    const c = g.cellOf(x, y);
    sums.set(c, [...(sums.get(c) ?? []), z]);
  }
  g.add(-50, 3, 99); // outside: ignored
  assert.equal(g.points, 500);
  const done = g.finish()!;
  for (let c = 0; c < g.width * g.height; c++) {
    const zs = sums.get(c);
    if (zs) {
      assert.equal(done.measured[c], 1);
      assert.ok(Math.abs(done.values[c] - zs.reduce((a, b) => a + b, 0) / zs.length) < 1e-4, `cell ${c}`);
    } else {
      assert.equal(done.measured[c], 0);
      assert.ok(done.values[c] >= 10 && done.values[c] <= 12, `filled cell ${c} = ${done.values[c]}`);
    }
  }
  assert.equal(done.empty, g.width * g.height - sums.size);
  assert.equal(new TerrainGrid(0, 1, 1, 1, 1).finish(), null, "no ground point at all: nothing to fill from");
});

test("RoofPoints: each building's percentile of the points inside it (holes excluded), through spill files, the same for any bucket width", () => {
  const buildings: [number[][], number][] = [];
  for (let i = 0; i < 12; i++) {
    const x = (i % 4) * 30, y = Math.floor(i / 4) * 30;
    buildings.push([i === 5 ? [rect(x, y, x + 20, y + 20), rectCW(x + 5, y + 5, x + 15, y + 15)] : [rect(x, y, x + 20, y + 20)], 10]);
  }
  const f = footprints(buildings);
  const rnd = mulberry32(11), n = 20000;
  const x = new Float64Array(n), y = new Float64Array(n), z = new Float64Array(n), cls = new Uint8Array(n);
  for (let k = 0; k < n; k++) { x[k] = rnd() * 115 - 2; y[k] = rnd() * 85 - 2; z[k] = 5 + rnd() * 20; cls[k] = [1, 2, 6, 6, 6, 7][Math.floor(rnd() * 6)]; }
  const expect = (classified: boolean, p: number) => buildings.map(([rings]) => {
    const zs: number[] = [];
    for (let k = 0; k < n; k++) {
      const c = cls[k];
      if (c === 2 || c === 7 || (classified && c !== 6)) continue;
      if (insideRings(rings, x[k], y[k])) zs.push(Math.fround(z[k]));
    }
    return { n: zs.length, z: zs.length ? numpyPercentile(zs, p) : NaN };
  });
  const want = expect(true, 90);
  for (const expected of [1, 5_000_000, 60_000_000]) { // one spill file, then several, then one per building
    const r = new RoofPoints(f, expected, path.join(dir, `roofs-${expected}`));
    r.add(x, y, z, cls, n);
    const got = r.finish(90);
    assert.equal(got.classified, true);
    want.forEach((w, b) => {
      assert.equal(got.points[b], w.n, `building ${b} points (bucket for ${expected})`);
      assert.ok(Math.abs(got.roofZ[b] - w.z) < 1e-4, `building ${b}: ${got.roofZ[b]} vs ${w.z}`);
    });
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith(`roofs-${expected}`)), [], "spill files removed");
  }
  // Unclassified (no class 6 anywhere): every point but ground and noise counts.
  cls.forEach((c, k) => { if (c === 6) cls[k] = 1; });
  const r = new RoofPoints(f, n, path.join(dir, "roofs-u"));
  r.add(x, y, z, cls, n);
  const got = r.finish(50), w = expect(false, 50);
  assert.equal(got.classified, false);
  w.forEach((e, b) => { assert.equal(got.points[b], e.n); assert.ok(Math.abs(got.roofZ[b] - e.z) < 1e-4); });
});

test("groundUnder: the percentile of the measured cells inside and within the radius of the outline; the filled cells inside when none is that close", () => {
  const width = 40, height = 40, cellSize = 1;
  const values = new Float32Array(width * height), measured = new Uint8Array(width * height);
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) { values[j * width + i] = i + 100 * j; measured[j * width + i] = 1; }
  const t: Terrain = { values, measured, west: 0, north: 40, cellSize, width, height };
  const f = footprints([[[rect(10, 10, 20, 20)], 10]]);
  const scratch = { buf: new Float32Array(0) };
  const near: number[] = [];
  for (let j = 0; j < height; j++) for (let i = 0; i < width; i++) {
    const cx = i + 0.5, cy = 40 - (j + 0.5);
    const dx = Math.max(10 - cx, 0, cx - 20), dy = Math.max(10 - cy, 0, cy - 20);
    if (Math.hypot(dx, dy) <= 3) near.push(values[j * width + i]);
  }
  const g = groundUnder(t, f, 0, 3, 10, scratch);
  assert.equal(g.measured, true);
  assert.equal(g.cells, near.length);
  assert.ok(Math.abs(g.z - numpyPercentile(near, 10)) < 1e-3);
  // Nothing measured near it: the filled cells inside stand in.
  measured.fill(0);
  const g2 = groundUnder(t, f, 0, 3, 10, scratch);
  assert.equal(g2.measured, false);
  assert.equal(g2.cells, 100);
  const cellsInside: number[] = [];
  for (let j = 20; j < 30; j++) for (let i = 10; i < 20; i++) cellsInside.push(values[j * width + i]);
  assert.ok(Math.abs(g2.z - numpyPercentile(cellsInside, 10)) < 1e-3);
});
