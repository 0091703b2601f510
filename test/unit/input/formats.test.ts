// FlatGeobuf, GeoPackage and Shapefile inputs, on small files GDAL's ogr2ogr wrote from 20 buildings of
// test/fixtures/real/delft-bgt.geojson (test/fixtures/formats, see its README): each reads the footprints, CRS
// and heights of GDAL's own GeoJSON of them; damaged files keep what came before the damage or fail naming the
// file; a GeoPackage with two layers needs the layer named. (test/tools/interop.test.ts converts whole real
// files with ogr2ogr and compares the built meshes.)
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { readFootprints } from "../../../src/core/geojson/read";
import { CityMeshError } from "../../../src/core/errors";
import { hashInput } from "../../../src/core/input/hash";
import { epsgOfWkt } from "../../../src/core/input/shapefile";

const F = path.resolve(import.meta.dirname ?? __dirname, "../../fixtures/formats");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-formats-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const same = async (file: string, opts: Parameters<typeof readFootprints>[1] = {}) => {
  const ref = await readFootprints(path.join(F, "delft20.geojson"), opts);
  const r = await readFootprints(file, opts);
  assert.equal(r.footprints.count, 20);
  assert.deepEqual(Array.from(r.footprints.xy), Array.from(ref.footprints.xy), "the same footprints, in the same order");
  assert.deepEqual(Array.from(r.footprints.height), Array.from(ref.footprints.height));
  return { r, ref };
};

test("FlatGeobuf: the features of the GeoJSON, EPSG:28992 from the header", async () => {
  const { r } = await same(path.join(F, "delft20.fgb"));
  assert.equal(r.crs.sourceCrs, "EPSG:28992");
  assert.equal(r.crs.name, "EPSG:28992");
});

test("GeoPackage: the features of its one layer, EPSG:28992 from gpkg_spatial_ref_sys, the fid as the feature id", async () => {
  const { r } = await same(path.join(F, "delft20.gpkg"));
  assert.equal(r.crs.name, "EPSG:28992");
  assert.deepEqual(r.featureIds.slice(0, 3), [1, 2, 3]);
});

test("Shapefile: .shp with .dbf and .prj beside it, and the same zipped; the .prj's ESRI WKT is the source CRS", async () => {
  const a = await same(path.join(F, "delft20-shp", "delft20.shp"), { sourceCrs: "EPSG:28992" });
  const z = await same(path.join(F, "delft20.zip"), { sourceCrs: "EPSG:28992" });
  assert.equal(a.r.crs.name, "EPSG:28992");
  assert.deepEqual(Array.from(z.r.footprints.xy), Array.from(a.r.footprints.xy));
  const own = await readFootprints(path.join(F, "delft20-shp", "delft20.shp"));
  assert.equal(own.crs.name, "custom", "no EPSG code in an ESRI .prj: its WKT is used as it is");
  assert.deepEqual(Array.from(own.footprints.xy), Array.from(a.r.footprints.xy), "a projected CRS stays as it is: the same coordinates");
  assert.equal(epsgOfWkt('PROJCS["x",GEOGCS["y"],AUTHORITY["EPSG","28992"]]'), "EPSG:28992");
  assert.equal(epsgOfWkt(fs.readFileSync(path.join(F, "delft20-shp", "delft20.prj"), "utf8")), undefined);
});

test("a GeoPackage with two layers names them and asks for one; the layer option picks it; an unknown layer is named", async () => {
  const file = path.join(F, "two-layers.gpkg");
  await assert.rejects(readFootprints(file), (e: unknown) => e instanceof CityMeshError && e.code === "input" && /has 2 features tables \("first", "second"\): name one with the layer option \(--layer\)/.test(e.message));
  assert.equal((await readFootprints(file, { layer: "first" })).footprints.count, 20);
  assert.equal((await readFootprints(file, { layer: "second" })).footprints.count, 5);
  await assert.rejects(readFootprints(file, { layer: "third" }), /no features table "third"; it has "first", "second"/);
});

test("damaged files: a cut FlatGeobuf or Shapefile keeps the features before the cut and says where it stopped; a broken GeoPackage or zip fails naming the file", async () => {
  const fgb = fs.readFileSync(path.join(F, "delft20.fgb"));
  const cutFgb = path.join(dir, "cut.fgb");
  fs.writeFileSync(cutFgb, fgb.subarray(0, Math.floor(fgb.length * 0.6)));
  const a = await readFootprints(cutFgb);
  assert.ok(a.footprints.count > 0 && a.footprints.count < 20, `${a.footprints.count} kept`);
  assert.ok(a.diagnostics.some((d) => d.code === "invalid-record" && /damaged or cut short/.test(d.message)), JSON.stringify(a.diagnostics));

  const shpDir = path.join(dir, "cut-shp");
  fs.cpSync(path.join(F, "delft20-shp"), shpDir, { recursive: true });
  const shp = path.join(shpDir, "delft20.shp"), bytes = fs.readFileSync(shp);
  fs.writeFileSync(shp, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const b = await readFootprints(shp, { sourceCrs: "EPSG:28992" });
  assert.ok(b.footprints.count > 0 && b.footprints.count < 20, `${b.footprints.count} kept`);
  assert.ok(b.diagnostics.some((d) => d.code === "invalid-record"), JSON.stringify(b.diagnostics));

  const gpkg = path.join(dir, "broken.gpkg");
  fs.writeFileSync(gpkg, Buffer.from("this is not an SQLite database, just text"));
  await assert.rejects(readFootprints(gpkg), (e: unknown) => e instanceof CityMeshError && e.code === "input" && e.message.includes(gpkg) && /not a readable GeoPackage/.test(e.message));

  const zip = path.join(dir, "broken.zip");
  fs.writeFileSync(zip, Buffer.from("PK\u0003\u0004 not really a zip"));
  await assert.rejects(readFootprints(zip), (e: unknown) => e instanceof CityMeshError && e.message.includes(zip));
});

test("a Shapefile's build key covers its .dbf and .prj: editing the heights makes a new store", async () => {
  const d = path.join(dir, "hash-shp");
  fs.cpSync(path.join(F, "delft20-shp"), d, { recursive: true });
  const shp = path.join(d, "delft20.shp");
  const before = await hashInput(shp);
  fs.appendFileSync(path.join(d, "delft20.dbf"), Buffer.from([0x20]));
  assert.notEqual(await hashInput(shp), before);
  const geojson = path.join(F, "delft20.geojson");
  assert.equal(await hashInput(geojson), await hashInput(geojson));
});
