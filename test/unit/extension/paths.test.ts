import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { checkPathsInsideWorkspace, isGeoJsonName, looksLikeGeoJson } from "../../../src/extension/paths";

const tmp = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "cm-paths-")));

test("checkPathsInsideWorkspace accepts relative and absolute paths inside, even not yet created", () => {
  const ws = tmp();
  assert.deepEqual(checkPathsInsideWorkspace([
    { name: "citymesh.scratchDir", value: ".citymesh/scratch" },
    { name: "citymesh.outputDir", value: path.join(ws, "out/meshes") },
    { name: "citymesh.dem", value: "" },
  ], ws), []);
});

test("checkPathsInsideWorkspace refuses '..' even when it would land inside", () => {
  const ws = tmp();
  const p = checkPathsInsideWorkspace([{ name: "citymesh.scratchDir", value: "a/../b" }], ws);
  assert.equal(p.length, 1);
  assert.match(p[0]!, /citymesh\.scratchDir.*"\.\."/);
});

test("checkPathsInsideWorkspace refuses absolute paths elsewhere", () => {
  const ws = tmp();
  const p = checkPathsInsideWorkspace([{ name: "citymesh.outputDir", value: os.tmpdir() }], ws);
  assert.equal(p.length, 1);
  assert.match(p[0]!, /outside the workspace folder/);
});

test("checkPathsInsideWorkspace resolves symlinks that leave the workspace", () => {
  const ws = tmp(), elsewhere = tmp();
  fs.symlinkSync(elsewhere, path.join(ws, "link"));
  const p = checkPathsInsideWorkspace([{ name: "citymesh.scratchDir", value: "link/scratch" }], ws);
  assert.equal(p.length, 1);
  assert.match(p[0]!, new RegExp(elsewhere.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
});

test("a DEM folder (a mosaic) is vetted file by file: a GeoTIFF in it that links outside the workspace is refused", () => {
  const ws = tmp(), elsewhere = tmp();
  fs.mkdirSync(path.join(ws, "dem"));
  fs.writeFileSync(path.join(ws, "dem", "a.tif"), "");
  fs.writeFileSync(path.join(elsewhere, "secret.tif"), "");
  const setting = { name: "citymesh.dem", value: "dem", option: "dem" };
  assert.deepEqual(checkPathsInsideWorkspace([setting], ws), [], "its own files: fine");
  fs.symlinkSync(path.join(elsewhere, "secret.tif"), path.join(ws, "dem", "b.tif"));
  const p = checkPathsInsideWorkspace([setting], ws);
  assert.equal(p.length, 1);
  assert.match(p[0]!, /citymesh\.dem \("dem"\) holds b\.tif, which resolves to .*secret\.tif, outside the workspace folder/);
  // Other folders are written into, not read from: their contents are not vetted.
  assert.deepEqual(checkPathsInsideWorkspace([{ name: "citymesh.scratchDir", value: "dem", option: "scratchDir" }], ws), []);
});

test("checkPathsInsideWorkspace accepts a symlinked workspace folder itself", () => {
  const real = tmp(), parent = tmp();
  const ws = path.join(parent, "ws");
  fs.symlinkSync(real, ws);
  assert.deepEqual(checkPathsInsideWorkspace([{ name: "citymesh.scratchDir", value: path.join(ws, "s") }], ws), []);
});

test("geojson names and content sniffing", () => {
  assert.ok(isGeoJsonName("/a/b.GeoJSON"));
  assert.ok(!isGeoJsonName("/a/package.json"));
  for (const n of ["/a/b.geojsonl", "/a/b.geojsons", "/a/b.geojsonseq", "/a/b.NDJSON"]) assert.ok(isGeoJsonName(n), `${n}: a feature sequence`);
  assert.ok(!isGeoJsonName("/a/log.jsonl"), ".jsonl is too general to offer builds for");
  for (const n of ["/a/b.fgb", "/a/b.GPKG", "/a/b.shp"]) assert.ok(isGeoJsonName(n), `${n}: a footprint format`);
  for (const n of ["/a/b.parquet", "/a/b.GeoParquet", "/a/3dbag.city.json", "/a/b.city.jsonl", "/a/b.cityjson"]) assert.ok(isGeoJsonName(n), `${n}: a footprint format`);
  assert.ok(!isGeoJsonName("/a/city.json"), "a bare city.json is not CityJSON's double extension");
  for (const n of ["/a/b.zip", "/a/b.dbf"]) assert.ok(!isGeoJsonName(n), `${n}: not offered (a zip may hold anything; a Shapefile is chosen by its .shp)`);
  assert.ok(looksLikeGeoJson('{\n  "type": "FeatureCollection",\n "features": ['));
  assert.ok(looksLikeGeoJson('{"features":[{"type":"Feature"'));
  assert.ok(!looksLikeGeoJson('{"name":"citymesh","version":"0.1.0"}'));
});
