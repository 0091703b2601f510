// An ESRI .prj names no EPSG code: src/core/crsIdentify.ts finds the bundled code it stands for by comparing what
// the definitions compute, as GDAL's identification would. Fixtures: test/fixtures/crs/esri-prj.json (README there).
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import proj4 from "proj4";
import { crsLabel, epsgProj4, resolveCrs } from "../../../src/core/crs";
import { identifyWkt } from "../../../src/core/crsIdentify";

const here = import.meta.dirname ?? __dirname;
const prj = JSON.parse(fs.readFileSync(path.resolve(here, "../../fixtures/crs/esri-prj.json"), "utf8")) as { identified: Record<string, string>; unidentified: Record<string, string> };

test("ESRI WKT of national grids and UTM zones resolves to the EPSG code it stands for, with that code's datum shift", () => {
  for (const [code, wkt] of Object.entries(prj.identified)) {
    const c = resolveCrs(wkt);
    assert.equal(c.name, `EPSG:${code}`, wkt.slice(0, 60));
    assert.equal(c.proj4, epsgProj4(Number(code)));
    assert.equal(c.geographic, false);
    // The same coordinates either way: a point 20 km from the grid's origin maps to the same place on its own datum.
    const own = proj4.Proj(wkt) as unknown as { inverse(p: { x: number; y: number }): { x: number; y: number } };
    const ours = proj4.Proj(c.proj4) as unknown as { inverse(p: { x: number; y: number }): { x: number; y: number } };
    const x0 = (own as unknown as { x0: number }).x0, y0 = (own as unknown as { y0: number }).y0;
    const y = Number(code) === 31370 ? 150000 : y0 + 20000; // Lambert 72's false origin is at the pole
    const a = own.inverse({ x: x0 + 20000, y }), b = ours.inverse({ x: x0 + 20000, y });
    assert.ok(Math.abs(a.x - b.x) < 1e-7 && Math.abs(a.y - b.y) < 1e-7, `EPSG:${code}: ${a.x},${a.y} vs ${b.x},${b.y} (radians)`);
  }
});

test("a WKT none of the bundled codes computes (feet, a grid we do not bundle, a shifted false easting) stays custom", () => {
  for (const [what, wkt] of Object.entries(prj.unidentified)) {
    const c = resolveCrs(wkt);
    assert.equal(c.name, "custom", what);
    assert.equal(c.proj4, wkt, what);
  }
  // proj4 strings are the user's own definitions: never renamed.
  assert.equal(resolveCrs("+proj=utm +zone=32 +datum=WGS84 +units=m +no_defs").name, "custom");
  // NTF (Paris): its prime meridian is not Greenwich's, whatever else it shares.
  assert.equal(resolveCrs('GEOGCS["GCS_NTF_Paris",DATUM["D_NTF",SPHEROID["Clarke_1880_IGN",6378249.2,293.46602]],PRIMEM["Paris",2.337229166666667],UNIT["Grad",0.01570796326794897]]').name, "custom");
});

test("a geographic .prj (GDAL and ArcGIS write GCS_WGS_1984 for lon/lat data) is EPSG:4326; GRS 80 ones are not", () => {
  const wgs84 = resolveCrs('GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]');
  assert.deepEqual([wgs84.name, wgs84.geographic], ["EPSG:4326", true]);
  const etrs = resolveCrs('GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]');
  assert.equal(etrs.geographic, true);
  assert.notEqual(etrs.name, "EPSG:4326");
});

test("codes that differ only in their datum shift: a WKT without TOWGS84 is ambiguous, one with it picks its own", () => {
  const rd = prj.identified["28992"]!;
  const base = "+proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +units=m +no_defs";
  const defs: Record<number, string> = { 1: `${base} +towgs84=565.4171,50.3319,465.5524,1.9342,-1.6677,9.1019,4.0725`, 2: `${base} +towgs84=593,26,478,0,0,0,0` };
  const defOf = (c: number) => defs[c];
  assert.equal(identifyWkt(rd, [1, 2], defOf), undefined);
  assert.equal(identifyWkt(rd, [2], defOf), 2, "one candidate: it");
  const withShift = rd.replace('DATUM["D_Amersfoort",SPHEROID["Bessel_1841",6377397.155,299.1528128]]', 'DATUM["D_Amersfoort",SPHEROID["Bessel_1841",6377397.155,299.1528128],TOWGS84[593,26,478,0,0,0,0]]');
  assert.notEqual(withShift, rd);
  assert.equal(identifyWkt(withShift, [1, 2], defOf), 2);
});

test("messages name a WKT by its own name", () => {
  assert.equal(crsLabel(prj.identified["2056"]!), '"CH1903+_LV95" (WKT)');
  assert.equal(crsLabel("EPSG:28992"), "EPSG:28992");
});
