// GeoPackage input (OGC 12-128r18): an SQLite file, opened with sql.js (SQLite compiled to WebAssembly, the wasm
// inlined so the bundles need no side file). The features table is the one layer the file has, or the one named
// by the `layer` option; rows are read in fid order, their geometry blobs (a GeoPackage header, then WKB) decoded
// with wkx into GeoJSON, the other columns become properties. The CRS comes from gpkg_spatial_ref_sys (EPSG code,
// else its WKT). sql.js holds the database in memory (SQLite needs random access); rows are read one at a time.
import fs from "fs";
import { CityMeshError } from "../errors";
import { FileScanner, type SourceFeature } from "./scanner";

type SqlValue = number | string | Uint8Array | null;

export class GeoPackageScanner extends FileScanner {
  override readonly crsFrom = "the GeoPackage's gpkg_spatial_ref_sys";

  constructor(path: string, private readonly layer?: string) {
    super(path);
  }

  async *features(): AsyncGenerator<SourceFeature> {
    // Loaded when a GeoPackage is read (a megabyte of inlined WebAssembly that tile workers never need).
    const [{ default: initSqlJs }, { default: wkx }] = await Promise.all([import("sql.js/dist/sql-wasm-inline.js"), import("wkx")]);
    const SQL = await initSqlJs();
    let db;
    try {
      db = new SQL.Database(fs.readFileSync(this.path));
      db.exec("SELECT 1 FROM gpkg_contents LIMIT 1");
    } catch (e) {
      throw new CityMeshError("input", `${this.path}: not a readable GeoPackage (${(e as Error).message}).`, { path: this.path });
    }
    try {
      this.bytesRead = this.size;
      const layers = rows(db, "SELECT c.table_name, g.column_name, c.srs_id FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' ORDER BY c.table_name");
      const names = layers.map((l) => String(l[0]));
      const pick = this.layer ? layers.find((l) => l[0] === this.layer) : layers.length === 1 ? layers[0] : undefined;
      if (!pick) {
        throw new CityMeshError("input", !layers.length ? `${this.path}: the GeoPackage has no features table.`
          : this.layer ? `${this.path}: no features table "${this.layer}"; it has ${names.map((n) => `"${n}"`).join(", ")}.`
          : `${this.path} has ${layers.length} features tables (${names.map((n) => `"${n}"`).join(", ")}): name one with the layer option (--layer).`,
          { path: this.path, layers: names, layer: this.layer ?? null });
      }
      const [table, geomColumn, srsId] = [String(pick[0]), String(pick[1]), Number(pick[2])];
      const srs = rows(db, `SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ${srsId}`)[0];
      if (srs && String(srs[0]).toUpperCase() === "EPSG" && Number(srs[1]) > 0) this.members.crs = `EPSG:${srs[1]}`;
      else if (srs && typeof srs[2] === "string" && /\[/.test(srs[2])) this.members.crs = srs[2];
      const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
      // A BOOLEAN column (GeoPackage's declared type) holds 0/1: read back as false/true.
      const columns = rows(db, `PRAGMA table_info(${q(table)})`).map((c) => ({ name: String(c[1]), pk: Number(c[5]) > 0, boolean: /^BOOLEAN$/i.test(String(c[2])) }));
      const pk = columns.find((c) => c.pk)?.name;
      const stmt = db.prepare(`SELECT * FROM ${q(table)}${pk ? ` ORDER BY ${q(pk)}` : ""}`);
      try {
        while (stmt.step()) {
          const row = stmt.get() as SqlValue[];
          const index = this.featureCount++;
          const properties: Record<string, unknown> = {};
          let geometry: unknown = null, id: unknown;
          try {
            columns.forEach((c, k) => {
              if (c.name === geomColumn) geometry = geometryOf(row[k], wkx);
              else if (c.name === pk) id = row[k];
              else if (row[k] instanceof Uint8Array) properties[c.name] = `(${(row[k] as Uint8Array).length} bytes)`;
              else properties[c.name] = c.boolean && row[k] !== null ? row[k] !== 0 : row[k];
            });
          } catch (e) {
            this.diagnostics.push({ file: this.path, featureIndex: index, severity: "error", code: "invalid-record", message: `${table} row ${index} (${pk ?? "rowid"} ${String(id ?? "?")}): its geometry cannot be decoded (${(e as Error).message}); skipped.` });
            continue;
          }
          yield { index, value: { type: "Feature", ...(id !== undefined && id !== null ? { id } : {}), properties, geometry } };
        }
      } finally {
        stmt.free();
      }
    } catch (e) {
      if (e instanceof CityMeshError) throw e;
      this.diagnostics.push({ file: this.path, featureIndex: -1, severity: "error", code: "invalid-record", message: `${this.path}: reading stopped after ${this.featureCount} row(s): ${(e as Error).message}.` });
    } finally {
      db.close();
    }
  }
}

function rows(db: { exec(sql: string): { values: SqlValue[][] }[] }, sql: string): SqlValue[][] {
  return db.exec(sql)[0]?.values ?? [];
}

/**
 * A GeoPackage geometry blob as GeoJSON: "GP", version, flags (bit 0 byte order, bits 1–3 the envelope's kind,
 * bit 4 empty), srs_id, the envelope, then standard WKB. Null (or an empty geometry) is null.
 */
export function geometryOf(blob: SqlValue, wkx: typeof import("wkx")): unknown {
  if (blob === null) return null;
  if (!(blob instanceof Uint8Array) || blob.length < 8 || blob[0] !== 0x47 || blob[1] !== 0x50) throw new Error("not a GeoPackage geometry blob");
  const flags = blob[3];
  if (flags & 0x10) return null;
  const envelope = [0, 32, 48, 48, 64][(flags >> 1) & 7];
  if (envelope === undefined) throw new Error(`invalid envelope indicator ${(flags >> 1) & 7}`);
  const wkb = Buffer.from(blob.buffer, blob.byteOffset + 8 + envelope, blob.length - 8 - envelope);
  return (wkx.Geometry.parse(wkb) as unknown as { toGeoJSON(): unknown }).toGeoJSON();
}

/** SQLite files start with "SQLite format 3\0"; a GeoPackage is one named .gpkg. */
export const isGeoPackage = (file: string): boolean => /\.gpkg$/i.test(file);
