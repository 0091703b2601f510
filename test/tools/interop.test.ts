// Input formats written by another implementation: GDAL's ogr2ogr (Debian gdal-bin) converts real footprint files
// to GeoJSONSeq, with and without RFC 8142's record separator, and to an RFC 7946 FeatureCollection of the same
// features (GeoJSONSeq is lon/lat with 7 decimals by definition, so the reference is converted the same way).
// Every form must give a byte-identical mesh and buildings file. Like the rest of test/tools this suite needs
// outside tools (`npm run test:tools`; .ci/run installs gdal-bin): a missing ogr2ogr fails with the command
// that installs it. New York (../shared/data beside the repository, not committed) is added when present.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { runCli } from "../support/cli";
import { readMeshFile } from "../../src/core/readers";
import { projjson, writeGeoParquet, type Feature } from "../support/geoparquet";

const here = import.meta.dirname ?? __dirname;
const REAL = path.resolve(here, "../fixtures/real");
const NYC = path.resolve(here, "../../../shared/data/nyc-osm-buildings.geojson");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-interop-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function ogr2ogr(args: string[]): void {
  const r = spawnSync("ogr2ogr", args, { encoding: "utf8" });
  if (r.error) assert.fail(`ogr2ogr not found (${r.error.message}): apt-get install -y gdal-bin`);
  assert.equal(r.status, 0, `ogr2ogr ${args.join(" ")}: ${r.stderr}`);
}

/** Builds `input` into `<name>.glb`; returns the mesh and buildings file bytes. */
function build(input: string, name: string, extra: string[] = []): { glb: Buffer; buildings: Buffer; file: string } {
  const out = path.join(dir, `${name}.glb`);
  const r = runCli(["build", input, "-o", out, "--scratch-dir", path.join(dir, "scratch"), "--quiet", ...extra]);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  return { glb: fs.readFileSync(out), buildings: fs.readFileSync(path.join(dir, `${name}.buildings.jsonl`)), file: out };
}

/** A GLB's mesh alone (positions, faces, face markers), without its property table. */
function meshOf(file: string): unknown {
  const m = readMeshFile(file);
  return { vertices: Buffer.from(m.vertices.buffer, m.vertices.byteOffset, m.vertices.byteLength).toString("base64"), faces: Array.from(m.faces), markers: Array.from(m.markers ?? []), buildings: m.buildings };
}

const sources = [
  ...["tudcampus.geojson", "delft-bgt.geojson", "zurich-cea.geojson"].map((f) => path.join(REAL, f)),
  ...(fs.existsSync(NYC) ? [NYC] : []),
];
if (!fs.existsSync(NYC)) console.log(`# interop: ${NYC} is not there (not committed); New York SKIPPED, the committed real files are checked`);

for (const src of sources) {
  const base = path.basename(src, ".geojson");
  test(`${base}: GeoJSONSeq from ogr2ogr (line-delimited, and RFC 8142 with RS) builds byte-identical to the same features as a FeatureCollection`, () => {
    const ref = path.join(dir, `${base}-ref.geojson`), seq = path.join(dir, `${base}.geojsonl`), rs = path.join(dir, `${base}.geojsons`);
    ogr2ogr(["-f", "GeoJSON", "-lco", "RFC7946=YES", ref, src]);
    ogr2ogr(["-f", "GeoJSONSeq", seq, src]);
    ogr2ogr(["-f", "GeoJSONSeq", "-lco", "RS=YES", rs, src]);
    assert.equal(fs.readFileSync(rs)[0], 0x1e, "RS=YES starts records with the record separator");
    const a = build(ref, `${base}-ref`), b = build(seq, `${base}-seq`), c = build(rs, `${base}-rs`);
    assert.ok(a.glb.length > 1000);
    assert.ok(b.glb.equals(a.glb) && c.glb.equals(a.glb), "meshes byte-identical");
    assert.ok(b.buildings.equals(a.buildings) && c.buildings.equals(a.buildings), "buildings files byte-identical");
    // The same lines saved as .geojson are recognised by their first line.
    const renamed = path.join(dir, `${base}-lines.geojson`);
    fs.copyFileSync(seq, renamed);
    assert.ok(build(renamed, `${base}-lines`).glb.equals(a.glb), "line-delimited GeoJSON named .geojson");
  });
}

/**
 * A buildings file's lines with the forms GeoPackage chooses evened out: a row's fid is its id (GDAL's GeoJSON
 * leaves it out), and a DATETIME is text with ".000" milliseconds (GDAL's GeoJSON writes none).
 */
function sameForm(buildings: Buffer): unknown[] {
  return buildings.toString("utf8").trim().split("\n").map((line) => {
    const o = JSON.parse(line) as { id?: unknown; properties?: Record<string, unknown> };
    delete o.id;
    for (const [k, v] of Object.entries(o.properties ?? {})) {
      if (typeof v === "string") o.properties![k] = v.replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.000$/, "$1");
    }
    return o;
  });
}

/** Zips files (flat) with Python's zipfile, another implementation than the reader's yauzl. */
function zip(out: string, files: string[]): void {
  const r = spawnSync("python3", ["-c", "import sys, zipfile, os\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n  [z.write(f, os.path.basename(f)) for f in sys.argv[2:]]", out, ...files], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
}

// Binary formats: ogr2ogr writes the source as X, and as GeoJSON from that X file (the same data as GDAL reads
// it: a Shapefile's rings, field names cut to 10 characters and dBASE types, for example). Our reader of X must
// give the mesh and buildings file of our GeoJSON reader of GDAL's reading. FlatGeobuf is written without its
// spatial index, which would store the features in Hilbert order (the same data in another order).
const BINARY: { name: string; driver: string; ext: string; lco?: string[] }[] = [
  { name: "FlatGeobuf", driver: "FlatGeobuf", ext: "fgb", lco: ["SPATIAL_INDEX=NO"] },
  { name: "GeoPackage", driver: "GPKG", ext: "gpkg" },
  { name: "Shapefile", driver: "ESRI Shapefile", ext: "shp" },
];
for (const src of sources) {
  const base = path.basename(src, ".geojson");
  for (const f of BINARY) {
    test(`${base}: ${f.name} from ogr2ogr builds byte-identical to GDAL's GeoJSON of the same file${f.ext === "shp" ? " (also zipped)" : ""}`, () => {
      const data = f.ext === "shp" ? path.join(dir, `${base}-shp`, `${base}.shp`) : path.join(dir, `${base}.${f.ext}`);
      const ref = path.join(dir, `${base}-${f.ext}-ref.geojson`);
      ogr2ogr(["-f", f.driver, ...(f.lco ?? []).flatMap((o) => ["-lco", o]), ...(f.ext === "shp" ? ["-nln", base] : []), f.ext === "shp" ? path.dirname(data) : data, src]);
      ogr2ogr(["-f", "GeoJSON", ref, data]);
      // A .prj is ESRI WKT without an EPSG code: we identify it (src/core/crsIdentify.ts) as GDAL did when it
      // wrote the reference's "crs" member, or the meshes, which record their CRS, would differ.
      const a = build(ref, `${base}-${f.ext}-ref`), b = build(data, `${base}-${f.ext}`);
      assert.ok(a.glb.length > 1000);
      // A GeoPackage's fid and DATETIME forms reach the GLB's property table as they reach the buildings file
      // (below): there the mesh itself must be identical.
      if (f.ext !== "gpkg") assert.ok(b.glb.equals(a.glb), "meshes byte-identical");
      else assert.deepEqual(meshOf(b.file), meshOf(a.file), "the same mesh (positions, faces, markers); the property tables differ as the buildings files do");
      if (f.ext !== "gpkg") assert.ok(b.buildings.equals(a.buildings), "buildings files byte-identical");
      else assert.deepEqual(sameForm(b.buildings), sameForm(a.buildings), "the same properties, up to how GeoPackage writes dates and ids");
      if (f.ext === "shp") {
        const z = path.join(dir, `${base}.zip`);
        zip(z, fs.readdirSync(path.dirname(data)).map((n) => path.join(path.dirname(data), n)));
        const c = build(z, `${base}-zip`);
        assert.ok(c.glb.equals(a.glb) && c.buildings.equals(a.buildings), "the zipped Shapefile too");
      }
    });
  }
}

// GeoParquet: GDAL 3.6 in Debian has no Parquet driver, so the files are written by another implementation than
// the reader's hyparquet: parquet-wasm (arrow-rs's writer, as WebAssembly) with WKB from wkx, zstd, row groups of
// 10,000 rows (test/support/geoparquet.ts). Its GeoJSON twin holds the same data as the Parquet table does (every
// column in every feature, null where a feature had no such property), as GDAL's GeoJSON of a binary file does.
for (const src of sources) {
  const base = path.basename(src, ".geojson");
  test(`${base}: GeoParquet from parquet-wasm builds byte-identical to the GeoJSON of the same data`, () => {
    const fc = JSON.parse(fs.readFileSync(src, "utf8")) as { crs?: { properties?: { name?: string } }; features: Feature[] };
    assert.ok(fc.features.every((f) => f.id === undefined), "no feature-level ids (a Parquet table has only columns)");
    const crsName = fc.crs?.properties?.name;
    const code = crsName ? Number(/EPSG::?(\d+)$/.exec(crsName)?.[1]) : undefined;
    const data = path.join(dir, `${base}.parquet`), ref = path.join(dir, `${base}-parquet-ref.geojson`);
    writeGeoParquet(data, fc.features, { ...(code ? { crs: projjson(code) } : {}), crsName, geojsonOut: ref, rowGroupSize: 10_000, compression: "zstd" });
    const a = build(ref, `${base}-parquet-ref`), b = build(data, `${base}-parquet`);
    assert.ok(a.glb.length > 1000);
    assert.ok(b.glb.equals(a.glb), "meshes byte-identical");
    assert.ok(b.buildings.equals(a.buildings), "buildings files byte-identical");
  });
}
