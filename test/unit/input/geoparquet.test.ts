// GeoParquet input (src/core/input/geoparquet.ts, read with hyparquet) on files written by another implementation,
// parquet-wasm + apache-arrow (test/support/geoparquet.ts): the committed delft20.parquet (scripts/
// makeGeoParquetFixture.ts) reads as delft20.geojson does; files made here cover row groups, a broken WKB blob,
// damaged files, a file without `geo` metadata, a second geometry column, the CRS forms and native encodings.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import * as arrow from "apache-arrow";
import { parquetMetadata } from "hyparquet";
import { readFootprints } from "../../../src/core/geojson/read";
import { CityMeshError } from "../../../src/core/errors";
import { hashInput } from "../../../src/core/input/hash";
import { GeoParquetScanner, isGeoParquet, plain } from "../../../src/core/input/geoparquet";
import { binaryColumn, columnsOf, geoMetadata, projjson, wkb, writeGeoParquet, writeParquet, type Feature } from "../../support/geoparquet";

const F = path.resolve(import.meta.dirname ?? __dirname, "../../fixtures/formats");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-geoparquet-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
const delft = (JSON.parse(fs.readFileSync(path.join(F, "delft20.geojson"), "utf8")) as { features: Feature[] }).features;

/** `n` square buildings in lon/lat near Delft, each with an id and a height (some fractional, some missing). */
function squares(n: number): Feature[] {
  return Array.from({ length: n }, (_, i) => {
    const x = 4.35 + (i % 40) * 0.0003, y = 52.0 + Math.floor(i / 40) * 0.0003, d = 0.0001;
    return {
      type: "Feature", properties: { id: i, name: `b${i}`, ...(i % 5 ? { height: 3 + (i % 17) * 1.5 } : {}) },
      geometry: { type: "Polygon", coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] },
    };
  });
}

/** Writes the same features as GeoParquet and as GeoJSON; both readings must be equal (footprints, heights, ids, properties). */
async function sameAsGeoJson(name: string, features: Feature[], opts: Parameters<typeof writeGeoParquet>[2] = {}, read: Parameters<typeof readFootprints>[1] = {}) {
  const pq = path.join(dir, `${name}.parquet`), gj = path.join(dir, `${name}.geojson`);
  writeGeoParquet(pq, features, { ...opts, geojsonOut: gj });
  const a = await readFootprints(pq, { ...read, propertiesOut: path.join(dir, `${name}-pq.jsonl`) });
  const b = await readFootprints(gj, { ...read, propertiesOut: path.join(dir, `${name}-gj.jsonl`) });
  assert.deepEqual(Array.from(a.footprints.xy), Array.from(b.footprints.xy), "the same footprints, in the same order");
  assert.deepEqual(Array.from(a.footprints.height), Array.from(b.footprints.height), "the same heights");
  assert.deepEqual(a.featureIds, b.featureIds);
  assert.equal(fs.readFileSync(path.join(dir, `${name}-pq.jsonl`), "utf8"), fs.readFileSync(path.join(dir, `${name}-gj.jsonl`), "utf8"), "the same buildings side file");
  assert.deepEqual(a.crs, b.crs);
  return { a, b, pq };
}

test("the committed fixture: 20 buildings, EPSG:28992 from the PROJJSON, the footprints, heights and properties of delft20.geojson", async () => {
  const file = path.join(F, "delft20.parquet");
  assert.ok(isGeoParquet(file));
  const md = parquetMetadata(fs.readFileSync(file).buffer as ArrayBuffer);
  assert.ok(md.row_groups.length >= 2, "several row groups");
  assert.ok(md.row_groups[0].columns.every((c) => c.meta_data?.codec === "SNAPPY"), "snappy");
  const opts = { heightAttributes: ["relatievehoogteligging"], defaultHeight: 7, propertiesOut: path.join(dir, "fixture-pq.jsonl") };
  const r = await readFootprints(file, opts);
  const ref = await readFootprints(path.join(F, "delft20.geojson"), { ...opts, propertiesOut: path.join(dir, "fixture-gj.jsonl") });
  assert.equal(r.footprints.count, 20);
  assert.equal(r.crs.sourceCrs, "EPSG:28992");
  assert.equal(r.crs.name, "EPSG:28992");
  assert.deepEqual(Array.from(r.footprints.xy), Array.from(ref.footprints.xy));
  assert.deepEqual(Array.from(r.footprints.height), Array.from(ref.footprints.height));
  // Int64 (identificatiebagpnd), booleans, nulls and text come back as the GeoJSON has them.
  assert.equal(fs.readFileSync(path.join(dir, "fixture-pq.jsonl"), "utf8"), fs.readFileSync(path.join(dir, "fixture-gj.jsonl"), "utf8"));
  assert.deepEqual(r.diagnostics.map((d) => d.code), ref.diagnostics.map((d) => d.code));
});

test("row groups are read one after another: every row, in order; the first rows come before the whole file is fetched", async () => {
  // Big enough (~180 KB) that the footer's first fetch (64 KiB from the end) is not the whole file.
  const features = squares(10_000);
  const { a, pq } = await sameAsGeoJson("groups", features, { rowGroupSize: 1250, compression: "zstd" });
  assert.equal(a.footprints.count, 10_000);
  assert.deepEqual(a.featureIds, features.map((_, i) => i));
  const md = parquetMetadata(fs.readFileSync(pq).buffer as ArrayBuffer);
  assert.equal(md.row_groups.length, 8);
  assert.ok(md.row_groups[0].columns.every((c) => c.meta_data?.codec === "ZSTD"), "zstd");
  const s = new GeoParquetScanner(pq);
  const it = s.features()[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal((first.value as { index: number }).index, 0);
  // Fetched so far: the footer's first guess (the last 64 KiB) and the first row group's column chunks, no more.
  const group0 = md.row_groups[0].columns.reduce((n, c) => n + Number(c.meta_data!.total_compressed_size), 0);
  assert.ok(s.bytesRead <= 65536 + group0 && s.bytesRead < s.size * 0.7, `after the first row ${s.bytesRead} of ${s.size} bytes fetched (first row group: ${group0})`);
  let n = 1;
  while (!(await it.next()).done) n++;
  assert.equal(n, 10_000);
  assert.ok(s.bytesRead > s.size * 0.9 && s.bytesRead <= s.size, `${s.bytesRead} of ${s.size} bytes fetched in all`);
});

test("a row whose WKB cannot be decoded: an invalid-record error with its row, the other rows kept", async () => {
  const features = squares(12);
  const { columns } = columnsOf(features);
  const blobs = features.map((f) => wkb(f.geometry));
  blobs[5] = blobs[5]!.subarray(0, 30); // cut inside the ring
  blobs[9] = new Uint8Array([1, 99, 0, 0, 0]); // no such geometry type
  const file = path.join(dir, "broken-wkb.parquet");
  writeParquet(file, [...columns, binaryColumn("geometry", blobs)], { kv: { geo: geoMetadata("geometry", { geometry: {} }) }, rowGroupSize: 5 });
  const r = await readFootprints(file);
  assert.equal(r.footprints.count, 10);
  assert.deepEqual(r.featureIds, [0, 1, 2, 3, 4, 6, 7, 8, 10, 11]);
  const bad = r.diagnostics.filter((d) => d.code === "invalid-record");
  assert.deepEqual(bad.map((d) => d.featureIndex), [5, 9]);
  assert.ok(bad.every((d) => d.message.includes(file) && /row \d+: its geometry \(WKB\) cannot be decoded/.test(d.message)), JSON.stringify(bad));
});

test("damaged files: a cut file, a non-Parquet file named .parquet, and a row group that fails after good ones", async () => {
  const bytes = fs.readFileSync(path.join(F, "delft20.parquet"));
  const cut = path.join(dir, "cut.parquet");
  fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  await assert.rejects(readFootprints(cut), (e: unknown) => e instanceof CityMeshError && e.code === "input" && e.message.includes(cut) && /not a readable Parquet file/.test(e.message));

  const text = path.join(dir, "text.parquet");
  fs.writeFileSync(text, "this is not Parquet, only text");
  await assert.rejects(readFootprints(text), (e: unknown) => e instanceof CityMeshError && e.code === "input" && e.message.includes(text) && /not a readable Parquet file/.test(e.message));

  // The last row group's first page overwritten: the row groups before it are kept, and the error says where.
  const md = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  const last = md.row_groups[md.row_groups.length - 1];
  const at = Number(last.columns[0].meta_data!.dictionary_page_offset ?? last.columns[0].meta_data!.data_page_offset);
  const damaged = Buffer.from(bytes);
  damaged.fill(0xff, at, at + 24);
  const file = path.join(dir, "damaged-group.parquet");
  fs.writeFileSync(file, damaged);
  const before = md.row_groups.slice(0, -1).reduce((n, g) => n + Number(g.num_rows), 0);
  const r = await readFootprints(file, { sourceCrs: "EPSG:28992" });
  assert.equal(r.footprints.count, before);
  assert.ok(r.diagnostics.some((d) => d.code === "invalid-record" && d.message.includes(file) && new RegExp(`row group ${md.row_groups.length} of ${md.row_groups.length} .* cannot be read.*the ${before} rows before it are kept`).test(d.message)), JSON.stringify(r.diagnostics));

  // The first row group failing means nothing could be read: an error naming the file.
  const first = md.row_groups[0].columns[0].meta_data!;
  const at0 = Number(first.dictionary_page_offset ?? first.data_page_offset);
  const damaged0 = Buffer.from(bytes);
  damaged0.fill(0xff, at0, at0 + 24);
  const file0 = path.join(dir, "damaged-first.parquet");
  fs.writeFileSync(file0, damaged0);
  await assert.rejects(readFootprints(file0), (e: unknown) => e instanceof CityMeshError && e.code === "input" && e.message.includes(file0) && /row group 1 of \d+ .* cannot be read/.test(e.message));
});

test("without `geo` metadata: a binary column named geometry is read as WKB (lon/lat) with a note; none at all is an error naming the columns", async () => {
  const features = squares(20);
  const { columns } = columnsOf(features);
  const file = path.join(dir, "plain.parquet");
  writeParquet(file, [...columns, binaryColumn("geometry", features.map((f) => wkb(f.geometry)))]);
  const { a } = await sameAsGeoJson("plain-ref", features);
  const r = await readFootprints(file);
  assert.deepEqual(Array.from(r.footprints.xy), Array.from(a.footprints.xy));
  assert.ok(r.diagnostics.some((d) => d.code === "geoparquet-no-metadata" && d.severity === "info" && /column "geometry" is read as WKB/.test(d.message)));

  const none = path.join(dir, "no-geometry.parquet");
  writeParquet(none, columns);
  await assert.rejects(readFootprints(none), (e: unknown) => e instanceof CityMeshError && e.code === "input" && e.message.includes(none) && /without GeoParquet's "geo" metadata.*its columns are "id", "name", "height"/.test(e.message));
});

test("two geometry columns: the primary one by default, the layer option picks the other, an unknown one is named with the columns", async () => {
  const { columns } = columnsOf(delft);
  const second = delft.map((f, i) => (i < 5 ? f.geometry : null));
  const file = path.join(dir, "two-geometries.parquet");
  const crs = projjson(28992);
  writeParquet(file, [...columns, binaryColumn("geometry", delft.map((f) => wkb(f.geometry))), binaryColumn("second", second.map(wkb))], {
    kv: { geo: geoMetadata("geometry", { geometry: { crs }, second: { crs } }) },
  });
  const a = await readFootprints(file, { propertiesOut: path.join(dir, "two.jsonl") });
  assert.equal(a.footprints.count, 20);
  assert.ok(!fs.readFileSync(path.join(dir, "two.jsonl"), "utf8").includes('"second"'), "the other geometry column is no property");
  const b = await readFootprints(file, { layer: "second" });
  assert.equal(b.footprints.count, 5);
  // The same first 5 footprints (local coordinates are relative to each build's own origin).
  const abs = (r: typeof a, n: number) => Array.from(r.footprints.xy.subarray(0, n), (v, i) => v + r.crs.origin[i % 2]);
  assert.deepEqual(abs(b, b.footprints.xy.length), abs(a, b.footprints.xy.length));
  await assert.rejects(readFootprints(file, { layer: "third" }), (e: unknown) => e instanceof CityMeshError && e.code === "input" && /no geometry column "third"; its geometry columns are "geometry", "second"/.test(e.message));
});

test("CRS: absent, OGC:CRS84 or EPSG:4326 are lon/lat like RFC 7946 GeoJSON; null is unknown (a warning); a PROJJSON without an EPSG id asks for sourceCrs", async () => {
  const features = squares(30);
  const absent = await sameAsGeoJson("crs-absent", features, {}, { heightAttributes: ["height"] });
  assert.equal(absent.a.crs.sourceCrs, "EPSG:4326");
  assert.equal(absent.a.crs.name, "EPSG:32631", "lon/lat input goes to its UTM zone");
  assert.ok(Array.from(absent.a.footprints.height).some((h) => h !== 10 && h % 1 !== 0), "heights from the height column");
  await sameAsGeoJson("crs-84", features, { crs: { type: "GeographicCRS", name: "WGS 84 (CRS84)", id: { authority: "OGC", code: "CRS84" } } });
  await sameAsGeoJson("crs-4326", features, { crs: { type: "GeographicCRS", name: "WGS 84", id: { authority: "EPSG", code: 4326 } } });

  const unknown = path.join(dir, "crs-null.parquet");
  writeGeoParquet(unknown, features, { crs: null });
  const u = await readFootprints(unknown);
  assert.equal(u.crs.sourceCrs, "EPSG:4326");
  assert.ok(u.diagnostics.some((d) => d.code === "unknown-crs" && d.severity === "warning"));

  const custom = path.join(dir, "crs-custom.parquet");
  writeGeoParquet(custom, delft, { crs: { type: "ProjectedCRS", name: "Some local grid" } });
  await assert.rejects(readFootprints(custom), (e: unknown) => e instanceof CityMeshError && e.message.includes(custom) && /Some local grid \(GeoParquet PROJJSON without an EPSG id\).*sourceCrs/s.test(e.message));
  assert.equal((await readFootprints(custom, { sourceCrs: "EPSG:28992" })).footprints.count, 20);
});

test("native GeoArrow encodings: polygon and multipolygon read like WKB; an encoding this reader does not know is named", async () => {
  const xy = new arrow.Struct([new arrow.Field("x", new arrow.Float64()), new arrow.Field("y", new arrow.Float64())]);
  const list = (t: arrow.DataType) => new arrow.List(new arrow.Field("item", t, false));
  const features = squares(15);
  const { columns } = columnsOf(features);
  const rings = features.map((f) => ((f.geometry as { coordinates: number[][][] }).coordinates).map((r) => r.map(([x, y]) => ({ x, y }))));
  const polygon = path.join(dir, "native-polygon.parquet"), multi = path.join(dir, "native-multipolygon.parquet");
  writeParquet(polygon, [...columns, { name: "geometry", type: list(list(xy)), values: rings }], { kv: { geo: geoMetadata("geometry", { geometry: { encoding: "polygon" } }) } });
  writeParquet(multi, [...columns, { name: "geometry", type: list(list(list(xy))), values: rings.map((r) => [r]) }], { kv: { geo: geoMetadata("geometry", { geometry: { encoding: "multipolygon" } }) } });
  const { a } = await sameAsGeoJson("native-ref", features);
  for (const file of [polygon, multi]) {
    const r = await readFootprints(file);
    assert.equal(r.footprints.count, 15, file);
    assert.deepEqual(Array.from(r.footprints.xy), Array.from(a.footprints.xy), file);
  }
  const wkt = path.join(dir, "wkt.parquet");
  writeParquet(wkt, [...columns, { name: "geometry", type: new arrow.Utf8(), values: features.map(() => "POINT (1 2)") }], { kv: { geo: geoMetadata("geometry", { geometry: { encoding: "WKT" } }) } });
  await assert.rejects(readFootprints(wkt), (e: unknown) => e instanceof CityMeshError && e.code === "input" && e.message.includes(wkt) && /"geometry" has the encoding "WKT", which this reader does not read/.test(e.message));
});

test("column values as properties: Int64 as a Number when exact else text, dates as ISO text, bytes as their size", async () => {
  assert.equal(plain(5n), 5);
  assert.equal(plain(2n ** 60n), "1152921504606846976");
  assert.equal(plain(new Date(Date.UTC(2016, 3, 12, 11, 54, 23))), "2016-04-12T11:54:23.000Z");
  assert.equal(plain(new Uint8Array(7)), "(7 bytes)");
  assert.deepEqual(plain({ a: [1n, null], b: undefined }), { a: [1, null], b: null });
  const features = squares(3);
  const { columns } = columnsOf(features);
  const file = path.join(dir, "types.parquet");
  writeParquet(file, [
    ...columns,
    { name: "built", type: new arrow.DateDay(), values: [new Date(Date.UTC(1972, 0, 25)), null, new Date(Date.UTC(2011, 0, 25))] },
    { name: "seen", type: new arrow.TimestampMillisecond(), values: [Date.UTC(2016, 3, 12, 11, 54, 23), null, 0] },
    { name: "big", type: new arrow.Int64(), values: [2n ** 60n, 1n, null] },
    binaryColumn("blob", [new Uint8Array(3), null, new Uint8Array(0)]),
    binaryColumn("geometry", features.map((f) => wkb(f.geometry))),
  ], { kv: { geo: geoMetadata("geometry", { geometry: {} }) } });
  const out = path.join(dir, "types.jsonl");
  await readFootprints(file, { propertiesOut: out });
  const props = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { properties: Record<string, unknown> }).properties);
  assert.deepEqual(props.map((p) => [p.built, p.seen, p.big, p.blob]), [
    ["1972-01-25", "2016-04-12T11:54:23.000Z", "1152921504606846976", "(3 bytes)"],
    [null, null, 1, null],
    ["2011-01-25", "1970-01-01T00:00:00.000Z", null, "(0 bytes)"],
  ]);
});

test("the build key of a .parquet is its bytes: the same file the same key, one changed byte a new one", async () => {
  const file = path.join(dir, "hash.parquet");
  fs.copyFileSync(path.join(F, "delft20.parquet"), file);
  const before = await hashInput(file);
  assert.equal(await hashInput(file), before);
  const b = fs.readFileSync(file);
  b[100] ^= 0xff;
  fs.writeFileSync(file, b);
  assert.notEqual(await hashInput(file), before);
  // Sniffed by the magic too, whatever the name.
  const renamed = path.join(dir, "delft20.bin");
  fs.copyFileSync(path.join(F, "delft20.parquet"), renamed);
  assert.ok(isGeoParquet(renamed));
  assert.ok(!isGeoParquet(path.join(F, "delft20.geojson")));
});
