// Case 5: the hostile corpus (test/fixtures/bad, one problem + one valid building per file) through
// the whole pipeline — the built CLI with its disk store — not just the reader. A usable file
// builds (exit 0) with the valid building in the mesh and exactly its diagnostics; an unusable file
// is exit 1 with an error naming the file and the reason; never an internal error.
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import fs from "fs";
import path from "path";
import { parquetMetadata } from "hyparquet";
import { run, cli, tmpDir, ROOT } from "./support/harness";

const CASE = "5 hostile GeoJSON";
const BAD = path.join(ROOT, "test/fixtures/bad");
const dir = tmpDir("corpus");

/** Diagnostic codes of the whole build (reader + clean-up) and the buildings in the mesh. */
const TABLE: Record<string, { codes: string[]; buildings: number }> = {
  "bom.geojson": { codes: [], buildings: 1 },
  "bowtie.geojson": { codes: ["self-intersection"], buildings: 1 },
  "crs-after-features.geojson": { codes: [], buildings: 1 },
  "deeply-nested.geojson": { codes: ["too-deep"], buildings: 1 },
  "duplicate-points.geojson": { codes: ["duplicate-points"], buildings: 2 },
  "empty-coordinates.geojson": { codes: ["empty-geometry"], buildings: 1 },
  "empty-polygon.geojson": { codes: ["too-few-points", "empty-polygon"], buildings: 1 },
  "geometry-collection.geojson": { codes: ["unsupported-geometry"], buildings: 1 },
  "height-abc.geojson": { codes: ["invalid-height"], buildings: 2 },
  "height-absurd.geojson": { codes: ["invalid-height"], buildings: 2 },
  "height-negative.geojson": { codes: ["invalid-height"], buildings: 2 },
  "height-zero.geojson": { codes: ["invalid-height"], buildings: 2 },
  "hole-outside-shell.geojson": { codes: ["hole-outside-shell"], buildings: 2 },
  "huge-coordinates.geojson": { codes: ["coordinate-out-of-range"], buildings: 1 },
  "infinity-coordinates.geojson": { codes: ["non-finite-coordinate"], buildings: 1 },
  "invalid-json.geojson": { codes: ["invalid-json"], buildings: 1 },
  "lonlat-swapped.geojson": { codes: ["lonlat-out-of-range"], buildings: 1 },
  "missing-geometry.geojson": { codes: ["missing-geometry"], buildings: 1 },
  "nan-token.geojson": { codes: ["invalid-json"], buildings: 1 },
  "not-a-feature.geojson": { codes: ["not-a-feature"], buildings: 1 },
  "null-geometry.geojson": { codes: ["null-geometry"], buildings: 1 },
  "overlapping-buildings.geojson": { codes: ["overlap"], buildings: 2 },
  "point-linestring.geojson": { codes: ["unsupported-geometry"], buildings: 1 },
  "positions-3d.geojson": { codes: ["extra-ordinates"], buildings: 2 },
  "positions-4d.geojson": { codes: ["extra-ordinates"], buildings: 2 },
  "ring-one-point.geojson": { codes: ["too-few-points"], buildings: 1 },
  "ring-two-points.geojson": { codes: ["too-few-points"], buildings: 1 },
  "spike.geojson": { codes: ["spike"], buildings: 2 },
  "string-coordinates.geojson": { codes: ["non-numeric-coordinate"], buildings: 1 },
  "top-level-array.geojson": { codes: ["not-feature-collection"], buildings: 1 },
  "trailing-garbage.geojson": { codes: ["trailing-content"], buildings: 1 },
  "truncated.geojson": { codes: ["truncated"], buildings: 1 },
  "unclosed-ring.geojson": { codes: ["unclosed-ring"], buildings: 2 },
  "wrong-type.geojson": { codes: ["not-feature-collection"], buildings: 1 },
  "wrong-winding.geojson": { codes: ["winding-repaired"], buildings: 2 },
  "seq-bad-record.geojsonl": { codes: ["invalid-json"], buildings: 1 },
  "seq-truncated.geojsonl": { codes: ["invalid-json"], buildings: 1 },
  "seq-rs-truncated.geojsons": { codes: ["invalid-json"], buildings: 1 },
  "zero-area.geojson": { codes: ["zero-area"], buildings: 1 },
};
/** Files no build can use: exit 1, the file and the reason named. */
const UNUSABLE: Record<string, { reason: RegExp; make?: () => string }> = {
  "unknown-crs.geojson": { reason: /EPSG:99999 is not among the bundled definitions.*--?source-?[cC]rs|EPSG:99999.*sourceCrs/ },
  "empty-file.geojson": { reason: /no valid building footprints|empty|not.*GeoJSON/i, make: () => "" },
  "binary-garbage.geojson": { reason: /no valid building footprints|not.*(JSON|GeoJSON)/i, make: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)).toString("latin1") },
  "only-invalid.geojson": {
    reason: /no valid building footprints \(\d+ errors?(, \d+ warnings?)?(, \d+ notes?)? reported\)/,
    make: () => JSON.stringify({ type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]] } }] }),
  },
};

run(CASE, "the corpus has ≥ 30 files and each is covered here", () => {
  const files = fs.readdirSync(BAD).filter((f) => /\.geojson[ls]?$/.test(f));
  assert.ok(files.length >= 30, `${files.length} files`);
  for (const f of files) assert.ok(f in TABLE || f in UNUSABLE, `${f} has an entry`);
});

for (const [file, c] of Object.entries(TABLE)) {
  run(CASE, `bad/${file}: builds; ${c.codes.join(", ") || "no diagnostics"}`, (ctx) => {
    const input = path.join(BAD, file), out = path.join(dir, file.replace(/\.[^.]+$/, ".glb"));
    const r = cli(["build", input, "-o", out, "--workers", "1", "--scratch-dir", path.join(dir, "s"), "--json"]);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    const codes = [...new Set((res.diagnostics as { code: string }[]).map((d) => d.code))].sort();
    assert.deepEqual(codes, [...c.codes].sort(), JSON.stringify(res.diagnostics, null, 1));
    for (const d of res.diagnostics) {
      assert.equal(d.file, input);
      assert.ok(d.message.length > 10);
      // Warnings and errors are printed for the user with file (and position when a feature has one) and code.
      if (d.severity !== "info") assert.ok(r.stderr.includes(`[${d.code}]`) && r.stderr.includes(input), `printed: ${d.code}`);
    }
    const lost = c.buildings - res.buildings;
    if (lost > 0) ctx.lost += lost;
    assert.equal(res.buildings, c.buildings, "valid buildings kept");
    const ids = fs.readFileSync(out.replace(/\.glb$/, ".buildings.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).id);
    if (!ids.includes("valid")) ctx.lost++;
    assert.ok(ids.includes("valid"), `the valid building is in the mesh (${ids})`);
    const glb = fs.readFileSync(out);
    assert.equal(glb.readUInt32LE(0), 0x46546c67, "glTF magic");
    assert.equal(glb.readUInt32LE(8), glb.length, "complete GLB");
    assert.ok(res.triangles > 0);
  });
}

for (const [file, c] of Object.entries(UNUSABLE)) {
  run(CASE, `${c.make ? "generated" : "bad"}/${file}: exit 1 naming the file and the reason`, () => {
    const input = c.make ? path.join(dir, file) : path.join(BAD, file);
    if (c.make) fs.writeFileSync(input, c.make(), "latin1");
    const out = path.join(dir, `unusable-${file}.glb`);
    const r = cli(["build", input, "-o", out, "--workers", "1", "--scratch-dir", path.join(dir, "s")]);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, "no stack trace");
    assert.equal(r.code, 1, r.stderr);
    const msg = r.stderr.split("\n").find((l) => l.startsWith("citymesh: ")) ?? "";
    assert.ok(msg.includes(input), `names the file: ${msg}`);
    assert.match(msg, c.reason);
    assert.ok(!fs.existsSync(out));
  });
}

// Other input formats (test/fixtures/formats: 20 Delft buildings that GDAL wrote), damaged: a file cut short keeps
// the features before the cut, with an error diagnostic; a file that is no such format, or a zip that holds two
// Shapefiles, is exit 1 naming the file and the reason.
const FORMATS = path.join(ROOT, "test/fixtures/formats");
const cut = (src: string, to: string, fraction: number) => {
  const b = fs.readFileSync(src);
  fs.writeFileSync(to, b.subarray(0, Math.floor(b.length * fraction)));
  return to;
};
/** `diag`: the code and message of the damage's diagnostic when the rest is kept (default: invalid-record, "damaged or cut short"). */
const damaged: { name: string; make: () => string; kept: boolean; reason?: RegExp; extra?: string[]; diag?: { code: string; message: RegExp } }[] = [
  { name: "FlatGeobuf cut at 60 %", kept: true, make: () => cut(path.join(FORMATS, "delft20.fgb"), path.join(dir, "cut.fgb"), 0.6) },
  {
    name: "Shapefile whose .shp is cut at 60 %", kept: true, extra: ["--source-crs", "EPSG:28992"], make: () => {
      const d = path.join(dir, "cut-shp");
      fs.cpSync(path.join(FORMATS, "delft20-shp"), d, { recursive: true });
      return cut(path.join(FORMATS, "delft20-shp", "delft20.shp"), path.join(d, "delft20.shp"), 0.6);
    },
  },
  { name: "GeoPackage that is not SQLite", kept: false, reason: /not a readable GeoPackage/, make: () => { const f = path.join(dir, "text.gpkg"); fs.writeFileSync(f, "not a database"); return f; } },
  { name: "GeoPackage cut at 50 %", kept: false, reason: /not a readable GeoPackage|cannot be read|malformed|no features table/i, make: () => cut(path.join(FORMATS, "delft20.gpkg"), path.join(dir, "cut.gpkg"), 0.5) },
  // GeoParquet (delft20.parquet, written by parquet-wasm): its footer is at the end, so a cut file has nothing to
  // read; a damaged last row group keeps the row groups before it.
  { name: "GeoParquet cut at 60 %", kept: false, reason: /not a readable Parquet file/, make: () => cut(path.join(FORMATS, "delft20.parquet"), path.join(dir, "cut.parquet"), 0.6) },
  { name: "GeoParquet that is not Parquet", kept: false, reason: /not a readable Parquet file/, make: () => { const f = path.join(dir, "text.parquet"); fs.writeFileSync(f, "PAR1 but only text"); return f; } },
  {
    name: "GeoParquet whose last row group is overwritten", kept: true, make: () => {
      const b = fs.readFileSync(path.join(FORMATS, "delft20.parquet"));
      const md = parquetMetadata(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer);
      const m = md.row_groups[md.row_groups.length - 1].columns[0].meta_data!;
      const at = Number(m.dictionary_page_offset ?? m.data_page_offset);
      b.fill(0xff, at, at + 24);
      const f = path.join(dir, "damaged.parquet");
      fs.writeFileSync(f, b);
      return f;
    },
  },
  {
    name: "zip holding two Shapefiles", kept: false, reason: /holds 2 Shapefiles \(a\.shp, b\.shp\); unzip it and pick one \.shp/, make: () => {
      const z = path.join(dir, "two.zip"), shp = path.join(FORMATS, "delft20-shp", "delft20.shp");
      // Python's zipfile writes it: another implementation than the reader's yauzl.
      const r = spawnSync("python3", ["-c", "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z:\n  z.write(sys.argv[2], 'a.shp'); z.write(sys.argv[2], 'b.shp')", z, shp], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return z;
    },
  },
  // CityJSON: one object whose buildings share the vertices, so a cut one cannot be read; a CityJSONSeq keeps
  // every line before the damage.
  { name: "CityJSON cut at 60 %", kept: false, reason: /not valid JSON.*truncated/, make: () => cut(path.join(FORMATS, "delft20.city.json"), path.join(dir, "cut.city.json"), 0.6) },
  { name: "CityJSON that is a GeoJSON", kept: false, reason: /not a CityJSON object/, make: () => { const f = path.join(dir, "fc.city.json"); fs.copyFileSync(path.join(FORMATS, "delft20.geojson"), f); return f; } },
  { name: "CityJSONSeq cut at 60 %", kept: true, diag: { code: "invalid-json", message: /line \d+: the CityJSONFeature is not valid JSON \(the file ends inside it: truncated\?\)/ }, make: () => cut(path.join(FORMATS, "delft20.city.jsonl"), path.join(dir, "cut.city.jsonl"), 0.6) },
  {
    name: "CityJSONSeq with a broken line and a Building whose vertex index is out of range", kept: true, diag: { code: "invalid-json", message: /line 3: the CityJSONFeature is not valid JSON/ }, make: () => {
      const lines = fs.readFileSync(path.join(FORMATS, "delft20.city.jsonl"), "utf8").trimEnd().split("\n");
      lines[2] = lines[2].slice(0, 80);
      lines[5] = lines[5].replace(/"boundaries":\[\[\[\[\d+/, '"boundaries":[[[[99999');
      const f = path.join(dir, "broken.city.jsonl");
      fs.writeFileSync(f, lines.join("\n") + "\n");
      return f;
    },
  },
];
for (const c of damaged) {
  run(CASE, `formats: ${c.name}: ${c.kept ? "the features before the damage built, the damage reported" : "exit 1 naming the file and the reason"}`, (ctx) => {
    const input = c.make(), out = path.join(dir, `${path.basename(input)}.glb`);
    const r = cli(["build", input, "-o", out, "--workers", "1", "--scratch-dir", path.join(dir, "s"), ...(c.extra ?? []), ...(c.kept ? ["--json"] : [])]);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, "no stack trace");
    if (!c.kept) {
      assert.equal(r.code, 1, r.stderr);
      const msg = r.stderr.split("\n").find((l) => l.startsWith("citymesh: ")) ?? "";
      assert.ok(msg.includes(input), `names the file: ${msg}`);
      assert.match(msg, c.reason!);
      assert.ok(!fs.existsSync(out));
      return;
    }
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.ok(res.buildings > 0 && res.buildings < 20, `${res.buildings} of 20 buildings kept`);
    ctx.note(`${res.buildings} of 20 buildings before the cut kept`);
    const want = c.diag ?? { code: "invalid-record", message: /damaged or cut short/ };
    const d = (res.diagnostics as { code: string; severity: string; message: string }[]).find((x) => x.code === want.code);
    assert.ok(d && d.severity === "error" && want.message.test(d.message), JSON.stringify(res.diagnostics));
  });
}

// Bad DEMs (--dem) under 20 good Delft buildings (EPSG:28992): a DEM without a CRS is taken to be in the mesh's
// (a note says so), one that misses the city builds on its edge height with every building named, one that is
// all nodata or in a CRS we do not bundle is exit 1 naming the DEM and the reason.
const DELFT = path.join(FORMATS, "delft20.geojson");
function delftBounds(): [number, number, number, number] {
  const fc = JSON.parse(fs.readFileSync(DELFT, "utf8"));
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of fc.features) for (const poly of f.geometry.type === "MultiPolygon" ? f.geometry.coordinates : [f.geometry.coordinates]) for (const ring of poly) for (const [x, y] of ring) {
    b[0] = Math.min(b[0], x); b[1] = Math.min(b[1], y); b[2] = Math.max(b[2], x); b[3] = Math.max(b[3], y);
  }
  return b;
}
/** An 8-bit GeoTIFF of 5 m cells over the Delft buildings (and 500 m around), shifted by `dx` metres east. */
async function badDem(name: string, o: { epsg: number; value: number; nodata?: number; dx?: number }): Promise<string> {
  const { writeArrayBuffer } = await import("geotiff");
  const [x0, y0, x1, y1] = delftBounds();
  const w = Math.ceil((x1 - x0 + 1000) / 5), h = Math.ceil((y1 - y0 + 1000) / 5);
  const meta: Record<string, unknown> = { width: w, height: h, ModelPixelScale: [5, 5, 0], ModelTiepoint: [0, 0, 0, x0 - 500 + (o.dx ?? 0), y1 + 500, 0], ProjectedCSTypeGeoKey: o.epsg };
  if (o.nodata !== undefined) meta.GDAL_NODATA = String(o.nodata);
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.from(writeArrayBuffer(new Array(w * h).fill(o.value), meta) as ArrayBuffer));
  return file;
}
const badDems: { name: string; make: () => Promise<string>; codes?: string[]; reason?: RegExp }[] = [
  { name: "DEM naming no CRS (user-defined GeoKey)", make: () => badDem("dem-nocrs.tif", { epsg: 32767, value: 7 }), codes: ["dem-crs-assumed"] },
  { name: "DEM 50 km east of the city", make: () => badDem("dem-far.tif", { epsg: 28992, value: 7, dx: 50_000 }), codes: ["dem-outside", "dem-outside-ground"] },
  { name: "DEM that is all nodata", make: () => badDem("dem-nodata.tif", { epsg: 28992, value: 0, nodata: 0 }), reason: /has no data: all \d+ cells are nodata \(0\)/ },
  { name: "DEM in a CRS that is not bundled (EPSG:3034)", make: () => badDem("dem-3034.tif", { epsg: 3034, value: 7 }), reason: /EPSG:3034 is not among the bundled definitions/ },
  { name: "DEM that is not a TIFF", make: async () => { const f = path.join(dir, "dem-text.tif"); fs.writeFileSync(f, "elevation: high"); return f; }, reason: /is not a TIFF file/ },
];
for (const c of badDems) {
  run(CASE, `dem: ${c.name}: ${c.codes ? `builds; ${c.codes.join(", ")}` : "exit 1 naming the DEM and the reason"}`, async (ctx) => {
    const dem = await c.make(), out = path.join(dir, `${path.basename(dem)}.glb`);
    const r = cli(["build", DELFT, "--dem", dem, "-o", out, "--workers", "1", "--scratch-dir", path.join(dir, "s"), ...(c.codes ? ["--json"] : [])]);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, "no stack trace");
    if (!c.codes) {
      assert.equal(r.code, 1, r.stderr);
      const msg = r.stderr.split("\n").find((l) => l.startsWith("citymesh: ")) ?? "";
      assert.ok(msg.includes(dem), `names the DEM: ${msg}`);
      assert.match(msg, c.reason!);
      assert.ok(!fs.existsSync(out));
      return;
    }
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    const mine = (res.diagnostics as { code: string; file: string; featureIndex: number; message: string }[]).filter((d) => d.code.startsWith("dem-"));
    assert.deepEqual([...new Set(mine.map((d) => d.code))].sort(), c.codes);
    assert.equal(res.buildings, 20);
    if (c.codes.includes("dem-outside")) {
      // Every building is named, each by its feature; the ground's warning counts the points it had to invent.
      assert.deepEqual(mine.filter((d) => d.code === "dem-outside").map((d) => d.featureIndex).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
      const g = mine.find((d) => d.code === "dem-outside-ground")!;
      assert.equal(g.file, dem);
      assert.match(g.message, /the ground of (\d+) of \1 tile\(s\) reaches beyond the DEM: (\d+) of \2 ground points/);
      ctx.note(g.message);
    } else {
      assert.ok(mine[0].message.includes(dem) && mine[0].message.includes("EPSG:28992"), mine[0].message);
    }
  });
}

// Bad point clouds (--point-cloud) under the 160 Delft BGT buildings (test/fixtures/real), made from the committed
// AHN3 cut (test/fixtures/pointcloud/delft-2chunks.laz: two real LASzip chunks): a LAZ cut inside its second chunk
// keeps the first chunk's points and says so; a cloud in the wrong CRS, one without ground points (class 2), one in
// a CRS we do not bundle and a file that is not LAS are exit 1 naming the cloud and the reason.
const DELFT_BGT = path.join(ROOT, "test/fixtures/real/delft-bgt.geojson");
const CLOUD = path.join(ROOT, "test/fixtures/pointcloud/delft-2chunks.laz");
/** The fixture's points as an uncompressed LAS, its classes and CRS changed. */
async function badCloud(name: string, o: { epsg?: number; geographic?: boolean; cls?: (c: number) => number }): Promise<string> {
  const { openPointCloud } = await import("../../src/core/pointcloud/las");
  const { writeLas, geoKeyVlr } = await import("../support/lasWriter");
  const r = await openPointCloud(CLOUD);
  const x: number[] = [], y: number[] = [], z: number[] = [], classification: number[] = [];
  for await (const c of r.chunks()) for (let i = 0; i < c.count; i++) { x.push(c.x[i]); y.push(c.y[i]); z.push(c.z[i]); classification.push(o.cls ? o.cls(c.classification[i]) : c.classification[i]); }
  await r.close();
  const file = path.join(dir, name);
  fs.writeFileSync(file, writeLas({ x, y, z, classification, count: x.length }, { minor: 2, format: 1, ...(o.epsg !== undefined ? { vlrs: [geoKeyVlr(o.epsg, o.geographic)] } : {}) }));
  return file;
}
const badClouds: { name: string; make: () => Promise<string>; codes?: string[]; reason?: RegExp }[] = [
  {
    name: "LAZ cut inside its second chunk", codes: ["pointcloud-crs-assumed", "pointcloud-damaged"], make: async () => {
      const b = fs.readFileSync(CLOUD), f = path.join(dir, "cut.laz");
      fs.writeFileSync(f, b.subarray(0, Math.floor(b.length * 0.9)));
      return f;
    },
  },
  { name: "cloud in the wrong CRS (GeoKeys say UTM 31N, the points are RD)", make: () => badCloud("utm.las", { epsg: 32631 }), reason: /none of its points lie on the footprints\. Taken to be in EPSG:32631, they cover .* in the mesh's EPSG:28992; the footprints cover .*Check the cloud's CRS/ },
  { name: "cloud without ground points (class 2 made 1)", make: () => badCloud("noground.las", { epsg: 28992, cls: (c) => (c === 2 ? 1 : c) }), reason: /no ground points \(ASPRS class 2\) lie in the build's area.*classify the cloud's ground first|Classify the cloud's ground first/ },
  { name: "cloud in a CRS that is not bundled (EPSG:3034)", make: () => badCloud("laea.las", { epsg: 3034 }), reason: /EPSG:3034 is not among the bundled definitions/ },
  { name: "file that is not LAS", make: async () => { const f = path.join(dir, "text.laz"); fs.writeFileSync(f, "x y z\n1 2 3\n"); return f; }, reason: /Point cloud .*text\.laz: / },
];
for (const c of badClouds) {
  run(CASE, `point cloud: ${c.name}: ${c.codes ? `builds; ${c.codes.join(", ")}` : "exit 1 naming the cloud and the reason"}`, async (ctx) => {
    const cloud = await c.make(), out = path.join(dir, `${path.basename(cloud)}.glb`);
    const r = cli(["build", DELFT_BGT, "--point-cloud", cloud, "--tile-size", "100", "-o", out, "--workers", "1", "--scratch-dir", path.join(dir, "s"), ...(c.codes ? ["--json"] : [])]);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, "no stack trace");
    if (!c.codes) {
      assert.equal(r.code, 1, r.stderr);
      const msg = r.stderr.split("\n").find((l) => l.startsWith("citymesh: ")) ?? "";
      assert.ok(msg.includes(cloud), `names the cloud: ${msg}`);
      assert.match(msg, c.reason!);
      assert.ok(!fs.existsSync(out));
      return;
    }
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    const mine = (res.diagnostics as { code: string; file: string; message: string }[]).filter((d) => d.file === cloud);
    assert.deepEqual([...new Set(mine.map((d) => d.code))].sort(), c.codes);
    assert.equal(res.buildings, 160, "no building lost");
    const dmg = mine.find((d) => d.code === "pointcloud-damaged")!;
    assert.match(dmg.message, /40,510 of 48,942 points were read and used/);
    ctx.note(dmg.message);
  });
}
