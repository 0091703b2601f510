// DEM reading: small GeoTIFFs are written here with geotiff's writer (8-bit samples only).
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { writeArrayBuffer } from "geotiff";
import { openDem } from "../../../src/core/dem";
import { CityMeshError } from "../../../src/core/errors";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-dem-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeTiff(name: string, values: number[], meta: Record<string, unknown>): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.from(writeArrayBuffer(values, { ...meta }) as ArrayBuffer));
  return file;
}

// 3×2 raster, 2 m pixels, top-left corner at (1000, 2000) in EPSG:28992. Row 0 is the north row.
//   10  20  30
//   40 255  60     (255 = nodata)
const grid = () => writeTiff("grid.tif", [10, 20, 30, 40, 255, 60], { width: 3, height: 2, ModelPixelScale: [2, 2, 0], ModelTiepoint: [0, 0, 0, 1000, 2000, 0], ProjectedCSTypeGeoKey: 28992, GDAL_NODATA: "255" });

test("bounds, resolution, nodata and EPSG come from the GeoTIFF tags", async () => {
  const d = await openDem(grid());
  assert.deepEqual(d.bounds, [1000, 1996, 1006, 2000]);
  assert.deepEqual(d.resolution, [2, 2]);
  assert.equal(d.nodata, 255);
  assert.equal(d.epsg, 28992);
  assert.equal(d.width, 3);
  assert.equal(d.height, 2);
});

test("pixel centres return the cell value; between centres it is bilinear", async () => {
  const d = await openDem(grid());
  assert.equal(d.sample(1001, 1999), 10); // centre of (0,0)
  assert.equal(d.sample(1003, 1999), 20);
  assert.equal(d.sample(1002, 1999), 15); // halfway between 10 and 20
  assert.equal(d.sample(1005, 1998), 45); // halfway between 30 (north) and 60 (south)
  // Inside the outer half pixel the edge value is held.
  assert.equal(d.sample(1000.2, 1999.8), 10);
});

test("a nodata cell is filled when the DEM is opened: the distance-weighted mean of its neighbours", async () => {
  const d = await openDem(grid());
  assert.equal(d.holes, 1);
  const w = Math.SQRT1_2;
  const filled = (10 * w + 20 + 30 * w + 40 + 60) / (3 + 2 * w); // orthogonal neighbours weigh 1, diagonal ones 1/√2
  assert.ok(Math.abs(d.sample(1003, 1997) - filled) < 1e-5, `${d.sample(1003, 1997)}`);
  assert.ok(Math.abs(d.sample(1002, 1998) - (10 + 20 + 40 + filled) / 4) < 1e-5);
  // The hole is remembered: the bilinear surface next to it says so, away from it does not.
  assert.equal(d.nearHole(1003, 1997), true);
  assert.equal(d.nearHole(1001, 1999), false);
});

test("outside the raster gives NaN and covers() is false", async () => {
  const d = await openDem(grid());
  assert.ok(Number.isNaN(d.sample(999, 1999)));
  assert.equal(d.covers(999, 1999), false);
  assert.equal(d.covers(1001, 1999), true);
});

async function rejects(file: string, pattern: RegExp) {
  await assert.rejects(openDem(file), (e: unknown) => {
    assert.ok(e instanceof CityMeshError);
    assert.equal(e.code, "dem");
    assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test("a missing file is a dem error naming the file", async () => {
  await rejects(path.join(dir, "nope.tif"), /not found/);
});

test("a file that is not a TIFF is a dem error", async () => {
  const f = path.join(dir, "text.tif");
  fs.writeFileSync(f, "this is not a tiff");
  await rejects(f, /not a TIFF/);
});

test("a TIFF without georeference is a dem error", async () => {
  // Without ModelTiepoint the writer emits only a pixel scale: no origin, not a GeoTIFF.
  const f = writeTiff("plain.tif", [1, 2, 3, 4], { width: 2, height: 2, ModelPixelScale: [1, 1, 0], ProjectedCSTypeGeoKey: 28992 });
  await rejects(f, /no georeference/);
});

test("a truncated TIFF is a dem error, not a crash", async () => {
  const whole = fs.readFileSync(grid());
  const f = path.join(dir, "cut.tif");
  fs.writeFileSync(f, whole.subarray(0, 12));
  await rejects(f, /TIFF|georeference|decode/);
});
