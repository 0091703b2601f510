// GeoParquet input (1.0 and 1.1), read with hyparquet (pure JavaScript; hyparquet-compressors adds the snappy,
// zstd, gzip, brotli and lz4 codecs that GDAL, Overture and arrow writers use). The footer is read once through
// a file descriptor, then one row group at a time, so memory is bounded by a row group, not by the file.
// The `geo` metadata names the geometry columns, their encoding and CRS; the `layer` option picks a column other
// than the primary one. WKB is decoded with hyparquet's own decoder, row by row so that one bad blob costs one
// row; native GeoArrow encodings (point … multipolygon, separated x/y/z structs) are read too.
import fs from "fs";
import type { AsyncBuffer, FileMetaData, SchemaElement } from "hyparquet";
import { CityMeshError } from "../errors";
import { FileScanner, readHead, type SourceFeature } from "./scanner";

/** One column of the `geo` metadata (GeoParquet 1.1 §column metadata); only what the reader uses. */
interface GeoColumn {
  encoding?: string;
  /** PROJJSON; absent means OGC:CRS84 (lon/lat), null means unknown. */
  crs?: unknown;
  covering?: { bbox?: Record<string, string[]> };
}
interface GeoMetadata {
  primary_column?: string;
  columns?: Record<string, GeoColumn>;
}

/** The native (GeoArrow) encodings and the GeoJSON type each one holds. */
const NATIVE: Record<string, string> = { point: "Point", linestring: "LineString", polygon: "Polygon", multipoint: "MultiPoint", multilinestring: "MultiLineString", multipolygon: "MultiPolygon" };
/** Column names GDAL and others give WKB when they write Parquet without GeoParquet's `geo` metadata. */
const PLAIN_WKB_NAMES = ["geometry", "wkb_geometry", "geom"];

export class GeoParquetScanner extends FileScanner {
  override readonly crsFrom = 'the "geo" metadata';

  constructor(path: string, private readonly layer?: string) {
    super(path);
  }

  async *features(): AsyncGenerator<SourceFeature> {
    // Loaded when a Parquet file is read: the planner and every tile worker load this bundle, most never need it.
    const [{ parquetMetadataAsync, parquetRead }, { compressors }, { wkbToGeojson }] = await Promise.all([
      import("hyparquet"), import("hyparquet-compressors"), import("hyparquet/src/wkb.js"),
    ]);
    const handle = await fs.promises.open(this.path, "r").catch((e: Error) => {
      throw new CityMeshError("input", `Cannot read ${this.path}: ${e.message}`, { path: this.path });
    });
    try {
      const file = this.asyncBuffer(handle);
      let metadata: FileMetaData;
      try {
        // geoparquet: false keeps geometry columns as bytes; we decode them row by row (one bad blob, one row).
        // A 64 KiB guess at the footer's size (hyparquet reads more when it is bigger), not its default 512 KiB.
        metadata = await parquetMetadataAsync(file, { geoparquet: false, initialFetchSize: 1 << 16 });
      } catch (e) {
        throw new CityMeshError("input", `${this.path}: not a readable Parquet file (${(e as Error).message}); it is damaged, cut short or not Parquet.`, { path: this.path });
      }
      const column = this.geometryColumn(metadata);
      const decode = column.encoding === "WKB"
        ? (v: unknown) => v instanceof Uint8Array ? wkbToGeojson({ view: new DataView(v.buffer, v.byteOffset, v.byteLength), offset: 0 }) : wkbOf(v)
        : (v: unknown) => nativeGeometry(v, NATIVE[column.encoding]);
      const dates = new Set(metadata.schema.filter((s) => s.converted_type === "DATE" || s.logical_type?.type === "DATE").map((s) => s.name));
      const skip = new Set([column.name, ...column.skip]);
      const properties = topLevelColumns(metadata.schema).filter((n) => !skip.has(n));

      let rowStart = 0;
      for (let g = 0; g < metadata.row_groups.length; g++) {
        const rowEnd = rowStart + Number(metadata.row_groups[g].num_rows);
        // Column by column (hyparquet's onChunk), not as row objects: a row group's rows never exist as objects,
        // only the features made one at a time from the columns (a third of the memory on New York's 102k rows).
        const columns = new Map<string, ArrayLike<unknown>>();
        try {
          const chunks = new Map<string, { at: number; data: ArrayLike<unknown> }[]>();
          await parquetRead({
            file, metadata, rowStart, rowEnd, compressors,
            // Plain BYTE_ARRAY stays bytes (utf8: false): only columns annotated as strings become text.
            utf8: false,
            parsers: { geometryFromBytes: (b: Uint8Array) => b, geographyFromBytes: (b: Uint8Array) => b },
            onChunk: (c) => {
              const list = chunks.get(c.columnName) ?? [];
              list.push({ at: c.rowStart - rowStart, data: c.columnData as ArrayLike<unknown> });
              chunks.set(c.columnName, list);
            },
          });
          for (const [name, list] of chunks) columns.set(name, list.length === 1 && list[0].at === 0 ? list[0].data : joined(list, rowEnd - rowStart));
          if (!columns.has(column.name)) throw new Error(`no data for the geometry column "${column.name}"`);
        } catch (e) {
          const reason = `row group ${g + 1} of ${metadata.row_groups.length} (rows ${rowStart}–${rowEnd - 1}) cannot be read (${(e as Error).message})`;
          if (g === 0) throw new CityMeshError("input", `${this.path}: ${reason}; the file is damaged.`, { path: this.path });
          this.diagnostics.push({ file: this.path, featureIndex: -1, severity: "error", code: "invalid-record", message: `${this.path}: ${reason}: the file is damaged or cut short; reading stopped there, the ${rowStart} rows before it are kept.` });
          return;
        }
        const geometries = columns.get(column.name)!;
        const values = properties.map((name) => ({ name, date: dates.has(name), data: columns.get(name) }));
        for (let i = 0; i < rowEnd - rowStart; i++) {
          const index = this.featureCount++;
          let geometry: unknown;
          try {
            const v = geometries[i];
            geometry = v === null || v === undefined ? null : decode(v);
          } catch (e) {
            this.diagnostics.push({ file: this.path, featureIndex: index, severity: "error", code: "invalid-record", message: `${this.path}: row ${index}: its ${column.name} (${column.encoding}) cannot be decoded (${(e as Error).message}); skipped.` });
            continue;
          }
          const props: Record<string, unknown> = {};
          for (const { name, date, data } of values) {
            const v = data?.[i];
            props[name] = date && v instanceof Date ? v.toISOString().slice(0, 10) : plain(v);
          }
          yield { index, value: { type: "Feature", properties: props, geometry } };
        }
        rowStart = rowEnd;
      }
    } finally {
      await handle.close();
    }
  }

  /** Reads byte ranges on demand (the footer, then one row group's column chunks): never the whole file. */
  private asyncBuffer(handle: fs.promises.FileHandle): AsyncBuffer {
    return {
      byteLength: this.size,
      slice: async (start: number, end = this.size) => {
        const buf = new Uint8Array(Math.max(0, end - start));
        let done = 0;
        while (done < buf.length) {
          const { bytesRead } = await handle.read(buf, done, buf.length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        // Bytes fetched so far (the footer first, then row group after row group): the progress figure.
        this.bytesRead = Math.min(this.size, this.bytesRead + done);
        return buf.buffer;
      },
    };
  }

  /** The column to read geometry from, its encoding, the columns that are not properties; sets members.crs. */
  private geometryColumn(metadata: FileMetaData): { name: string; encoding: string; skip: string[] } {
    const names = topLevelColumns(metadata.schema);
    const kv = metadata.key_value_metadata?.find((k) => k.key === "geo")?.value;
    let geo: GeoMetadata | undefined;
    if (kv) {
      try {
        geo = JSON.parse(kv) as GeoMetadata;
      } catch (e) {
        throw new CityMeshError("input", `${this.path}: its "geo" metadata is not JSON (${(e as Error).message}).`, { path: this.path });
      }
    }
    if (geo?.columns && Object.keys(geo.columns).length) {
      const cols = geo.columns, list = Object.keys(cols);
      const name = this.layer || geo.primary_column || list[0];
      if (!cols[name]) {
        throw new CityMeshError("input", this.layer
          ? `${this.path}: no geometry column "${this.layer}"; its geometry columns are ${list.map((n) => `"${n}"`).join(", ")}.`
          : `${this.path}: the "geo" metadata's primary_column "${name}" is not among its geometry columns (${list.map((n) => `"${n}"`).join(", ")}).`,
          { path: this.path, layers: list, layer: this.layer ?? null });
      }
      const encoding = String(cols[name].encoding ?? "");
      if (encoding !== "WKB" && !NATIVE[encoding]) {
        throw new CityMeshError("input", `${this.path}: geometry column "${name}" has the encoding "${encoding}", which this reader does not read (WKB, point, linestring, polygon, multipolygon… are read).`, { path: this.path });
      }
      if (!names.includes(name)) throw new CityMeshError("input", `${this.path}: the "geo" metadata names the geometry column "${name}", which the file does not have (it has ${names.map((n) => `"${n}"`).join(", ")}).`, { path: this.path });
      this.setCrs("crs" in cols[name] ? cols[name].crs : undefined, "crs" in cols[name]);
      // The other geometry columns and the bounding-box columns GeoParquet 1.1 "covering" names are not properties.
      const covering = Object.values(cols).flatMap((c) => Object.values(c.covering?.bbox ?? {}).map((p) => p[0]));
      return { name, encoding, skip: [...list, ...covering] };
    }
    // No GeoParquet metadata: a binary column GDAL would call a geometry, or one with Parquet's GEOMETRY type.
    const binary = metadata.schema.filter((s) => s.type === "BYTE_ARRAY" && !s.num_children && names.includes(s.name) && s.converted_type !== "UTF8" && s.logical_type?.type !== "STRING");
    const typed = binary.filter((s) => s.logical_type?.type === "GEOMETRY" || s.logical_type?.type === "GEOGRAPHY");
    const pick = this.layer ? binary.find((s) => s.name === this.layer) : typed[0] ?? binary.find((s) => PLAIN_WKB_NAMES.includes(s.name.toLowerCase()));
    if (!pick) {
      throw new CityMeshError("input", this.layer
        ? `${this.path}: no binary column "${this.layer}" to read as WKB; its columns are ${names.map((n) => `"${n}"`).join(", ")}.`
        : `${this.path}: a Parquet file without GeoParquet's "geo" metadata and without a binary geometry/wkb_geometry column; its columns are ${names.map((n) => `"${n}"`).join(", ")}.`,
        { path: this.path, layers: names, layer: this.layer ?? null });
    }
    const lt = pick.logical_type as { type: string; crs?: string } | undefined;
    if (lt?.crs) this.setCrs(lt.crs, true);
    this.diagnostics.push({ file: this.path, featureIndex: -1, severity: "info", code: "geoparquet-no-metadata", message: `${this.path}: no GeoParquet "geo" metadata; column "${pick.name}" is read as WKB${lt?.crs ? "" : " in lon/lat unless the sourceCrs option says otherwise"}.` });
    return { name: pick.name, encoding: "WKB", skip: typed.map((s) => s.name) };
  }

  /**
   * members.crs as the footprint reader takes it: unset for lon/lat (OGC:CRS84, GeoParquet's default), "EPSG:n"
   * for a PROJJSON with an EPSG id; otherwise a name that makes the reader ask for the sourceCrs option.
   */
  private setCrs(crs: unknown, present: boolean): void {
    if (!present || crs === undefined) return;
    if (crs === null) {
      this.diagnostics.push({ file: this.path, featureIndex: -1, severity: "warning", code: "unknown-crs", message: `${this.path}: the GeoParquet metadata says the CRS is unknown (crs: null); coordinates are read as lon/lat unless the sourceCrs option names their CRS.` });
      return;
    }
    if (typeof crs === "string") {
      // A Parquet GEOMETRY type's crs ("OGC:CRS84", "EPSG:28992", "projjson:…") or a writer's non-standard string.
      if (!/^(OGC:)?CRS:?84$/i.test(crs)) this.members.crs = crs;
      return;
    }
    const o = crs as { id?: { authority?: string; code?: string | number }; ids?: { authority?: string; code?: string | number }[]; name?: string };
    const id = o.id ?? o.ids?.[0];
    const authority = String(id?.authority ?? "").toUpperCase();
    if (authority === "OGC" && /^CRS:?84$/i.test(String(id?.code))) return;
    if (authority === "EPSG" && id?.code !== undefined) {
      // EPSG:4326 stays unset, like RFC 7946 GeoJSON (GDAL writes no crs member for it): GeoParquet stores x =
      // longitude whatever the CRS's axis order, which is how the reader takes lon/lat.
      if (Number(id.code) !== 4326) this.members.crs = `EPSG:${id.code}`;
      return;
    }
    // PROJJSON without an EPSG id: the reader cannot resolve it and says to pass the sourceCrs option.
    this.members.crs = `${o.name ?? "unnamed CRS"} (GeoParquet PROJJSON without an EPSG id${id ? `; ${id.authority}:${id.code}` : ""})`;
  }
}

/** A column's pages (each at its row offset in the group) as one array of the group's rows. */
function joined(list: { at: number; data: ArrayLike<unknown> }[], rows: number): unknown[] {
  const out = new Array<unknown>(rows).fill(null);
  for (const { at, data } of list) for (let i = 0; i < data.length && at + i < rows; i++) out[at + i] = data[i];
  return out;
}

/** The names of the schema's top-level columns (the root's children), in file order. */
function topLevelColumns(schema: SchemaElement[]): string[] {
  const out: string[] = [];
  const skipChildren = (i: number): number => {
    let end = i + 1;
    for (let k = 0; k < (schema[i].num_children ?? 0); k++) end = skipChildren(end);
    return end;
  };
  for (let i = 1; i < schema.length; i = skipChildren(i)) out.push(schema[i].name);
  return out;
}

/** A WKB value that is not bytes (a writer's string column, say) cannot be decoded. */
function wkbOf(v: unknown): never {
  throw new Error(`a WKB value must be binary, not ${typeof v}`);
}

/** A native (GeoArrow) geometry, read by hyparquet as nested lists of {x, y[, z]} structs, as GeoJSON. */
function nativeGeometry(v: unknown, type: string): unknown {
  const depth = { Point: 0, LineString: 1, MultiPoint: 1, Polygon: 2, MultiLineString: 2, MultiPolygon: 3 }[type] ?? 0;
  const position = (p: unknown): number[] => {
    const q = p as { x?: unknown; y?: unknown; z?: unknown };
    if (typeof q?.x !== "number" || typeof q.y !== "number") throw new Error("a position is not an {x, y} struct of numbers");
    return typeof q.z === "number" ? [q.x, q.y, q.z] : [q.x, q.y];
  };
  const walk = (a: unknown, d: number): unknown => {
    if (d === 0) return position(a);
    if (!Array.isArray(a)) throw new Error(`expected a list at nesting depth ${depth - d}`);
    return a.map((x) => walk(x, d - 1));
  };
  return { type, coordinates: walk(v, depth) };
}

/** A column value as a JSON property: BigInt as a Number when exact (else text), Date as ISO text, bytes as their size. */
export function plain(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof Uint8Array) return `(${v.length} bytes)`;
  if (Array.isArray(v)) return v.map(plain);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, plain);
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

/** A Parquet file starts (and ends) with "PAR1"; GeoParquet is named .parquet or .geoparquet. */
export function isGeoParquet(file: string): boolean {
  return /\.(geo)?parquet$/i.test(file) || readHead(file, 4).toString("latin1") === "PAR1";
}
