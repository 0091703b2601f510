// Writes GeoParquet with another implementation than the reader's (hyparquet): parquet-wasm (arrow-rs's Parquet
// writer compiled to WebAssembly) from apache-arrow tables, geometries as WKB encoded by wkx. Used by the fixture
// generator (scripts/makeGeoParquetFixture.ts), the unit tests' made-up files and the interop test.
//
// GeoJSON properties are free-form, a Parquet column has one type: `columnsOf` gives each property key a column
// (in first-seen order) and returns the features as that table holds them (every column in every row, null where
// a feature lacks it, values that do not fit the column's type as JSON text). That is "the same data" as GeoJSON,
// what the GeoJSON build of the same data is made from, as GDAL's GeoJSON of a binary file is in interop.test.ts.
import fs from "fs";
import * as arrow from "apache-arrow";
import * as pw from "parquet-wasm";
import wkx from "wkx";

export interface Feature {
  type: "Feature";
  id?: unknown;
  properties: Record<string, unknown> | null;
  geometry: unknown;
}

export interface Column {
  name: string;
  type: arrow.DataType;
  values: unknown[];
}

/** GeoJSON geometry as ISO WKB (wkx: another decoder than the reader's), null as null. */
export const wkb = (g: unknown): Uint8Array | null => (g === null || g === undefined ? null : new Uint8Array((wkx.Geometry.parseGeoJSON(g as object) as unknown as { toWkb(): Buffer }).toWkb()));

/** The property columns of `features` and the features as those columns hold them. */
export function columnsOf(features: Feature[]): { columns: Column[]; normalized: Feature[] } {
  const keys: string[] = [], seen = new Set<string>();
  for (const f of features) for (const k of Object.keys(f.properties ?? {})) if (!seen.has(k)) { seen.add(k); keys.push(k); }
  const columns: Column[] = keys.map((k) => {
    const vs = features.map((f) => f.properties?.[k] ?? null);
    const set = vs.filter((v) => v !== null);
    let type: arrow.DataType = new arrow.Utf8();
    let values: unknown[];
    if (set.length && set.every((v) => typeof v === "boolean")) { type = new arrow.Bool(); values = vs; }
    else if (set.length && set.every((v) => Number.isSafeInteger(v))) { type = new arrow.Int64(); values = vs.map((v) => (v === null ? null : BigInt(v as number))); }
    else if (set.length && set.every((v) => typeof v === "number")) { type = new arrow.Float64(); values = vs; }
    else values = vs.map((v) => (v === null ? null : typeof v === "string" ? v : JSON.stringify(v)));
    return { name: k, type, values };
  });
  const normalized = features.map((f, i) => ({
    type: "Feature" as const,
    properties: Object.fromEntries(columns.map((c) => { const v = c.values[i]; return [c.name, typeof v === "bigint" ? Number(v) : v]; })),
    geometry: f.geometry,
  }));
  return { columns, normalized };
}

/** A binary (WKB) column. */
export const binaryColumn = (name: string, values: (Uint8Array | null)[]): Column => ({ name, type: new arrow.Binary(), values });

/** GeoParquet's `geo` metadata for WKB columns; `crs` undefined leaves the member out (OGC:CRS84). */
export function geoMetadata(primary: string, columns: Record<string, { crs?: unknown; encoding?: string }>, version = "1.1.0"): string {
  const cols = Object.fromEntries(Object.entries(columns).map(([n, c]) => [n, { encoding: c.encoding ?? "WKB", geometry_types: [], ...("crs" in c ? { crs: c.crs } : {}) }]));
  return JSON.stringify({ version, primary_column: primary, columns: cols });
}

/** A minimal PROJJSON naming an EPSG CRS (what the reader looks at: its id). */
export const projjson = (code: number, name = `EPSG ${code}`) => ({ $schema: "https://proj.org/schemas/v0.7/projjson.schema.json", type: "ProjectedCRS", name, id: { authority: "EPSG", code } });

/** Writes `columns` as Parquet with parquet-wasm: `rowGroupSize` rows per row group, key-value metadata `kv`. */
export function writeParquet(out: string, columns: Column[], opts: { kv?: Record<string, string>; rowGroupSize?: number; compression?: "snappy" | "zstd" } = {}): void {
  const data: Record<string, arrow.Vector> = {};
  for (const c of columns) data[c.name] = arrow.vectorFromArray(c.values as never[], c.type as never);
  const table = new arrow.Table(data);
  let props = new pw.WriterPropertiesBuilder()
    .setCompression(opts.compression === "zstd" ? pw.Compression.ZSTD : pw.Compression.SNAPPY)
    .setMaxRowGroupSize(opts.rowGroupSize ?? 10_000);
  if (opts.kv) props = props.setKeyValueMetadata(new Map(Object.entries(opts.kv)));
  const ipc = arrow.tableToIPC(table, "stream");
  fs.writeFileSync(out, pw.writeParquet(pw.Table.fromIPCStream(ipc), props.build()));
}

/**
 * `features` as GeoParquet (WKB column "geometry", the properties as columns) at `out`, and the same data as a
 * GeoJSON FeatureCollection at `geojsonOut` when given. `crs`: a PROJJSON, null (unknown) or undefined (CRS84).
 */
export function writeGeoParquet(out: string, features: Feature[], opts: { crs?: unknown; crsName?: string; geojsonOut?: string; rowGroupSize?: number; compression?: "snappy" | "zstd" } = {}): Feature[] {
  const { columns, normalized } = columnsOf(features);
  const geo = geoMetadata("geometry", { geometry: "crs" in opts && opts.crs !== undefined ? { crs: opts.crs } : {} });
  writeParquet(out, [...columns, binaryColumn("geometry", features.map((f) => wkb(f.geometry)))], { kv: { geo }, rowGroupSize: opts.rowGroupSize, compression: opts.compression });
  if (opts.geojsonOut) {
    const crs = opts.crsName ? `"crs":${JSON.stringify({ type: "name", properties: { name: opts.crsName } })},` : "";
    // One feature a line: NYC's 102k features never make one giant string.
    const fd = fs.openSync(opts.geojsonOut, "w");
    fs.writeSync(fd, `{"type":"FeatureCollection",${crs}"features":[\n`);
    normalized.forEach((f, i) => fs.writeSync(fd, `${i ? ",\n" : ""}${JSON.stringify(f)}`));
    fs.writeSync(fd, "\n]}\n");
    fs.closeSync(fd);
  }
  return normalized;
}
