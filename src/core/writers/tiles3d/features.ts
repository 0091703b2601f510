// Building attributes for EXT_structural_metadata property tables, from the buildings side file
// (JSON lines {b, f, id, properties}, see buildingsFile.ts). One pass when opened: the byte offset
// and length of every building's line (two numbers per building, not the records) and the type of
// every property, so one schema serves all tiles. A table for some buildings then reads just their
// lines back (positional reads). Memory: O(buildings) numbers, plus one table at a time.
import fs from "node:fs";
import { CityMeshError } from "../../errors";

/** A class property of the schema, with how its values are found and stored. */
export interface FeatureColumn {
  /** Property id in the schema (an identifier: [A-Za-z_][A-Za-z0-9_]*). */
  id: string;
  /** The GeoJSON property name (ids must be identifiers; names keep the original). */
  name: string;
  /** Where the value comes from: a GeoJSON property, or one of ours. */
  source: { property: string } | { own: "buildingIndex" | "featureId" | "height" };
  type: "SCALAR" | "STRING" | "BOOLEAN";
  componentType?: "FLOAT64" | "UINT32";
  noData?: number | string;
  description?: string;
}

export interface SideRecord {
  b: number;
  id?: unknown;
  properties?: Record<string, unknown> | null;
}

/** FLOAT64 noData: no real attribute is −Number.MAX_VALUE. */
export const NO_NUMBER = -Number.MAX_VALUE;

const isScalar = (v: unknown): v is string | number | boolean => typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean";

export class FeatureTable {
  readonly columns: FeatureColumn[];
  private readonly offsets: Float64Array;
  private readonly lengths: Uint32Array;
  private readonly fd?: number;

  /**
   * `buildings` = N; `select` = GeoJSON properties to carry (empty: every property with a scalar
   * value somewhere, in order of first appearance). Without a side file only our own columns remain.
   */
  constructor(private readonly file: string | undefined, buildings: number, select: readonly string[] = []) {
    this.offsets = new Float64Array(buildings).fill(-1);
    this.lengths = new Uint32Array(buildings);
    const kinds = new Map<string, { number: number; string: number; boolean: number }>();
    let idMissing = buildings;
    if (file && fs.existsSync(file)) {
      this.fd = fs.openSync(file, "r");
      let lineNo = 0;
      scanLines(this.fd, (start, bytes) => {
        lineNo++;
        if (bytes.length === 0) return;
        let rec: SideRecord;
        try {
          rec = JSON.parse(bytes.toString("utf8")) as SideRecord;
          if (typeof rec?.b !== "number") throw new Error("no building number b");
        } catch (e) {
          throw new CityMeshError("output", `${file} line ${lineNo}: not a buildings record (${(e as Error).message})`, { file });
        }
        if (rec.b < 0 || rec.b >= buildings || !Number.isInteger(rec.b)) return;
        this.offsets[rec.b] = start;
        this.lengths[rec.b] = bytes.length;
        if (rec.id !== undefined && rec.id !== null && rec.id !== "") idMissing--;
        const props = rec.properties;
        if (!props || typeof props !== "object") return;
        for (const [k, v] of Object.entries(props)) {
          if (!isScalar(v)) continue;
          let c = kinds.get(k);
          if (!c) kinds.set(k, (c = { number: 0, string: 0, boolean: 0 }));
          c[typeof v as "number" | "string" | "boolean"]++;
        }
      });
    }
    const columns: FeatureColumn[] = [
      { id: "buildingIndex", name: "building index", source: { own: "buildingIndex" }, type: "SCALAR", componentType: "UINT32", description: "Index of the building in the whole city (b of the buildings side file; face markers of the GLB)" },
      { id: "featureId", name: "feature id", source: { own: "featureId" }, type: "STRING", ...(idMissing > 0 ? { noData: "" } : {}), description: "The source feature's id" },
      { id: "height", name: "height", source: { own: "height" }, type: "SCALAR", componentType: "FLOAT64", description: "Height of the building in the mesh, roof to base (m)" },
    ];
    const taken = new Set(columns.map((c) => c.id));
    const names = select.length ? select.filter((n) => kinds.has(n)) : [...kinds.keys()];
    for (const name of names) {
      const k = kinds.get(name)!;
      const present = k.number + k.string + k.boolean;
      let id = name.replace(/[^A-Za-z0-9_]/g, "_");
      if (!/^[A-Za-z_]/.test(id)) id = "_" + id;
      if (taken.has(id)) {
        let n = 2;
        while (taken.has(`${id}_${n}`)) n++;
        id = `${id}_${n}`;
      }
      taken.add(id);
      const missing = present < buildings;
      const source = { property: name };
      if (k.number === present) columns.push({ id, name, source, type: "SCALAR", componentType: "FLOAT64", ...(missing ? { noData: NO_NUMBER } : {}) });
      // BOOLEAN may not have a noData value: a boolean some buildings lack is written as text.
      else if (k.boolean === present && !missing) columns.push({ id, name, source, type: "BOOLEAN" });
      else columns.push({ id, name, source, type: "STRING", ...(missing ? { noData: "" } : {}) });
    }
    this.columns = columns;
  }

  /**
   * The side file's record of building b, if it has one. Lines are read through a 1 MB window:
   * a GLB's table asks for every building in order, a tile's for buildings mostly near each
   * other in the file, so one read serves hundreds of records (New York: 102 k reads had been
   * a fifth of the table's time).
   */
  record(b: number): SideRecord | undefined {
    if (this.fd === undefined || b < 0 || b >= this.offsets.length || this.offsets[b] < 0) return undefined;
    const at = this.offsets[b], len = this.lengths[b];
    if (at < this.windowStart || at + len > this.windowStart + this.windowLength) {
      if (this.window.length < len) this.window = Buffer.alloc(len);
      let got = 0;
      while (got < len) {
        const n = fs.readSync(this.fd, this.window, got, this.window.length - got, at + got);
        if (n === 0) break;
        got += n;
      }
      if (got < len) throw new CityMeshError("output", `${this.file} changed while it was read (building ${b})`, { file: this.file });
      this.windowStart = at;
      this.windowLength = got;
    }
    const from = at - this.windowStart;
    return JSON.parse(this.window.toString("utf8", from, from + len)) as SideRecord;
  }

  private window = Buffer.alloc(1 << 20);
  private windowStart = 0;
  private windowLength = 0;

  /** The schema of EXT_structural_metadata (the same in every tile). */
  schema(): Record<string, unknown> {
    return schemaOf(this.columns);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
  }
}

/** The schema of EXT_structural_metadata for these columns (plain data: a thread that scanned the side file sends its columns). */
export function schemaOf(columns: readonly FeatureColumn[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const c of columns) {
    properties[c.id] = {
      name: c.name,
      ...(c.description ? { description: c.description } : {}),
      type: c.type,
      ...(c.componentType ? { componentType: c.componentType } : {}),
      ...(c.noData !== undefined ? { noData: c.noData } : {}),
    };
  }
  return { id: "citymesh", classes: { building: { name: "Building", properties } } };
}

/** Calls `each(byteOffset, bytes)` for every line of the open file (without its newline). */
function scanLines(fd: number, each: (start: number, bytes: Buffer) => void): void {
  const chunk = Buffer.alloc(1 << 20);
  let carry = Buffer.alloc(0);
  let carryStart = 0;
  let pos = 0;
  for (;;) {
    const n = fs.readSync(fd, chunk, 0, chunk.length, pos);
    if (n === 0) break;
    const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    let at = 0;
    for (let nl = data.indexOf(10, at); nl >= 0; nl = data.indexOf(10, at)) {
      const end = nl > at && data[nl - 1] === 13 ? nl - 1 : nl;
      each(carryStart + at, data.subarray(at, end));
      at = nl + 1;
    }
    carry = Buffer.from(data.subarray(at));
    carryStart += at;
    pos += n;
  }
  if (carry.length) each(carryStart, carry);
}

/** One building of a property table: its index b, the side file's record and the mesh height. */
export interface FeatureRow {
  b: number;
  record?: SideRecord;
  height: number;
}

/** A cell: a column's value for a row, or undefined (noData). */
export type Cell = string | number | boolean | undefined;

/**
 * Each column's cells for the rows, as cell() gives them. A property column's come from one walk
 * over each record's own properties, looked up by name, where asking every record for every
 * column was the table's largest cost: records of an OSM export come in many shapes, so each of
 * those keyed loads was a slow, megamorphic one (New York: 51 columns × 102 k rows, about 10
 * properties a record). A record whose properties are not a plain object (an array, a string)
 * is asked column by column, as cell() does.
 */
export function columnValues(columns: readonly FeatureColumn[], rows: readonly FeatureRow[]): Cell[][] {
  const n = rows.length;
  const out: Cell[][] = columns.map(() => new Array<Cell>(n).fill(undefined));
  const byName = new Map<string, number[]>();
  columns.forEach((c, k) => {
    if ("own" in c.source) for (let i = 0; i < n; i++) out[k][i] = cell(c, rows[i]);
    else byName.set(c.source.property, [...(byName.get(c.source.property) ?? []), k]);
  });
  if (byName.size === 0) return out;
  for (let i = 0; i < n; i++) {
    const props: unknown = rows[i].record?.properties;
    if (props === null || props === undefined) continue;
    if (typeof props !== "object" || Object.getPrototypeOf(props) !== Object.prototype) {
      for (const ks of byName.values()) for (const k of ks) out[k][i] = cell(columns[k], rows[i]);
      continue;
    }
    const p = props as Record<string, unknown>;
    for (const name in p) {
      const ks = byName.get(name);
      if (!ks) continue;
      for (const k of ks) out[k][i] = propertyCell(columns[k], p[name]);
    }
  }
  return out;
}

/** A value of column `c` for a row, or undefined (noData). */
export function cell(c: FeatureColumn, r: FeatureRow): Cell {
  if ("own" in c.source) {
    if (c.source.own === "buildingIndex") return r.b;
    if (c.source.own === "height") return r.height;
    const id = r.record?.id;
    return id === undefined || id === null || id === "" ? undefined : typeof id === "object" ? JSON.stringify(id) : String(id);
  }
  return propertyCell(c, r.record?.properties?.[c.source.property]);
}

/** A property column's cell for a property's value: a scalar (as text in a STRING column), else undefined (noData). */
function propertyCell(c: FeatureColumn, v: unknown): Cell {
  if (!isScalar(v)) return undefined;
  return c.type === "STRING" ? String(v) : v;
}
