import test from "node:test";
import assert from "node:assert/strict";
import { COMPOUND_CRS, bundledEpsgCodes, chooseTargetCrs, crsMemberName, epsgProj4, localOrigin, makeTransform, parseCrsName, resolveCrs, utmZone } from "../../../src/core/crs";
import { CityMeshError } from "../../../src/core/errors";

test("CRS names in their usual spellings", () => {
  assert.equal(parseCrsName("urn:ogc:def:crs:EPSG::28992"), 28992);
  assert.equal(parseCrsName("urn:ogc:def:crs:EPSG:6.6:28992"), 28992);
  assert.equal(parseCrsName("EPSG:28992"), 28992);
  assert.equal(parseCrsName("epsg:3857"), 3857);
  assert.equal(parseCrsName("http://www.opengis.net/def/crs/EPSG/0/2056"), 2056);
  assert.equal(parseCrsName("urn:ogc:def:crs:OGC:1.3:CRS84"), 4326);
  assert.equal(parseCrsName("CRS84"), 4326);
  assert.equal(parseCrsName("Amersfoort"), undefined);
});

test("the legacy crs member is read", () => {
  assert.deepEqual(crsMemberName({ type: "name", properties: { name: "urn:ogc:def:crs:EPSG::28992" } }), { name: "urn:ogc:def:crs:EPSG::28992" });
  assert.deepEqual(crsMemberName(undefined), {});
  assert.ok(crsMemberName({ type: "link", properties: { href: "x" } }).problem);
});

test("UTM zone choice, including the southern hemisphere and the Norway exception", () => {
  assert.deepEqual(utmZone(4.37, 52.0), { zone: 31, south: false, epsg: 32631 }); // Delft
  assert.deepEqual(utmZone(151.2, -33.87), { zone: 56, south: true, epsg: 32756 }); // Sydney
  assert.deepEqual(utmZone(-46.63, -23.55), { zone: 23, south: true, epsg: 32723 }); // São Paulo
  assert.deepEqual(utmZone(-180, 10), { zone: 1, south: false, epsg: 32601 });
  assert.deepEqual(utmZone(180, 10).zone, 60);
  assert.equal(utmZone(5.3, 60.4).zone, 32); // Bergen
  assert.equal(utmZone(15.6, 78.2).zone, 33); // Longyearbyen
});

test("lon/lat input goes to the UTM zone of the data's centre; the projected point is right", () => {
  const src = resolveCrs("urn:ogc:def:crs:OGC:1.3:CRS84");
  assert.equal(src.geographic, true);
  const south = chooseTargetCrs(src, [151.2, -33.87]);
  assert.equal(south.name, "EPSG:32756");
  assert.match(south.proj4, /\+south/);
  const xy = new Float64Array([153, 0]); // central meridian of zone 56 at the equator
  makeTransform(src, south)!(xy);
  assert.ok(Math.abs(xy[0] - 500000) < 1e-6 && Math.abs(xy[1] - 10000000) < 1e-6, `${xy}`);
});

test("projected input stays in its CRS unless a target is requested", () => {
  const rd = resolveCrs("urn:ogc:def:crs:EPSG::28992");
  assert.equal(rd.geographic, false);
  const t = chooseTargetCrs(rd, undefined);
  assert.equal(t.name, "EPSG:28992");
  assert.equal(makeTransform(rd, t), null);
  const utm = chooseTargetCrs(rd, undefined, "EPSG:32631");
  const xy = new Float64Array([85000, 446000]); // TU Delft campus
  makeTransform(rd, utm)!(xy);
  // RD → WGS84 → UTM 31N lands near 595 km E, 5762 km N.
  assert.ok(Math.abs(xy[0] - 595300) < 1500 && Math.abs(xy[1] - 5762000) < 1500, `${xy}`);
});

test("RD New round trip to lon/lat matches the campus", () => {
  const xy = new Float64Array([85206.1, 446345.7]);
  makeTransform(resolveCrs("EPSG:28992"), resolveCrs("EPSG:4326"))!(xy);
  assert.ok(Math.abs(xy[0] - 4.3731) < 1e-3 && Math.abs(xy[1] - 52.0017) < 1e-3, `${xy}`);
});

test("bundled codes cover the national grids and generated UTM families", () => {
  const codes = bundledEpsgCodes();
  for (const c of [4326, 3857, 28992, 25831, 25835, 2154, 27700, 3006, 31467, 31468, 2056, 3067, 3879, 5514, 32601, 32660, 32701, 32760]) {
    assert.ok(codes.includes(c), `EPSG:${c}`);
    assert.ok(epsgProj4(c));
    // Every definition is accepted by proj4.
    assert.doesNotThrow(() => makeTransform(resolveCrs("EPSG:4326"), resolveCrs(`EPSG:${c}`)));
  }
  assert.equal(epsgProj4(32661), undefined);
  assert.equal(epsgProj4(7415), epsgProj4(28992)); // RD + NAP compound → its horizontal part
  // Every compound CRS the CityJSON reader knows resolves the same way here (one table: COMPOUND_CRS).
  for (const [code, c] of Object.entries(COMPOUND_CRS)) assert.equal(epsgProj4(Number(code)), epsgProj4(c.horizontal), `EPSG:${code}`);
});

test("unknown codes are a crs error naming the code and how to give a proj4 string", () => {
  assert.throws(() => resolveCrs("EPSG:99999"), (e: unknown) => {
    assert.ok(e instanceof CityMeshError);
    assert.equal(e.code, "crs");
    assert.match(e.message, /EPSG:99999/);
    assert.match(e.message, /\+proj=/);
    return true;
  });
  assert.throws(() => resolveCrs("Amersfoort"), CityMeshError);
  assert.throws(() => resolveCrs("+proj=nonsense +units=m"), CityMeshError);
  assert.throws(() => chooseTargetCrs(resolveCrs("EPSG:28992"), undefined, "EPSG:4326"), /geographic/);
});

test("a raw proj4 string is accepted as a CRS", () => {
  const c = resolveCrs("+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs");
  assert.equal(c.name, "custom");
  assert.equal(c.geographic, false);
  const t = chooseTargetCrs(resolveCrs("EPSG:4326"), [4.37, 52], "+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs");
  assert.equal(t.name, "custom");
});

test("local origin is the minimum corner floored to a whole metre", () => {
  assert.deepEqual(localOrigin(84756.9, 445388.2), [84756, 445388]);
  assert.deepEqual(localOrigin(-10.5, 3), [-11, 3]);
});
