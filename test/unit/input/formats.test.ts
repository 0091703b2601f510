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
  assert.equal(own.crs.name, "EPSG:28992", "an ESRI .prj names no EPSG code: identified as the bundled RD New (with its datum shift)");
  assert.deepEqual(own.diagnostics.map((d) => d.code), ["winding-repaired"], "no crs-overridden note: the option names the same CRS");
  assert.deepEqual(Array.from(own.footprints.xy), Array.from(a.r.footprints.xy), "a projected CRS stays as it is: the same coordinates");
  // A .prj saying another CRS than --source-crs: the note names the .prj and the WKT by its name, not the whole WKT.
  const other = path.join(dir, "lv95-prj");
  fs.cpSync(path.join(F, "delft20-shp"), other, { recursive: true });
  fs.writeFileSync(path.join(other, "delft20.prj"), 'PROJCS["CH1903+_LV95",GEOGCS["GCS_CH1903+",DATUM["D_CH1903+",SPHEROID["Bessel_1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Hotine_Oblique_Mercator_Azimuth_Center"],PARAMETER["False_Easting",2600000.0],PARAMETER["False_Northing",1200000.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Azimuth",90.0],PARAMETER["Longitude_Of_Center",7.439583333333333],PARAMETER["Latitude_Of_Center",46.95240555555556],UNIT["Meter",1.0]]');
  const overridden = await readFootprints(path.join(other, "delft20.shp"), { sourceCrs: "EPSG:28992" });
  const note = overridden.diagnostics.find((d) => d.code === "crs-overridden");
  assert.match(note?.message ?? "", /: the \.prj says "CH1903\+_LV95" \(WKT\); the sourceCrs option \(EPSG:28992\) is used instead\.$/);
  // No .prj: projected coordinates are not guessed; the error says where a CRS would have come from.
  const noPrj = path.join(dir, "no-prj");
  fs.cpSync(path.join(F, "delft20-shp"), noPrj, { recursive: true });
  fs.rmSync(path.join(noPrj, "delft20.prj"));
  await assert.rejects(readFootprints(path.join(noPrj, "delft20.shp")), (e: unknown) => e instanceof CityMeshError && e.code === "crs" &&
    /look projected .* no CRS is given \(the \.prj names none\).*sourceCrs/.test(e.message));
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
