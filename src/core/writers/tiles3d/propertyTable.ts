// EXT_structural_metadata property table values in binary (3D Metadata Specification, "Binary
// Table Format"): one buffer view of values per property, plus one of UINT32 string offsets for
// STRING; BOOLEAN is a bitstream. The extension asks every buffer view to start at a multiple of 8.
import path from "node:path";
import { columnValues, NO_NUMBER, type Cell, type FeatureColumn, type FeatureRow } from "./features";

export interface TableView {
  bytes: Uint8Array;
  name: string;
}

export interface EncodedTable {
  /** Buffer views to append (each 8-byte aligned), in order. */
  views: TableView[];
  /** propertyTables[i].properties, with bufferView numbers counted from `firstView`. */
  properties(firstView: number): Record<string, unknown>;
}

/** One column of some rows (its cells, columnValues): its values' bytes, and for STRING the n + 1 offsets (from `base`). */
function encodeColumn(c: FeatureColumn, cells: readonly Cell[], base = 0): { values: Uint8Array; offsets?: Uint32Array } {
  const n = cells.length;
  if (c.type === "SCALAR") {
    const a = c.componentType === "UINT32" ? new Uint32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = cells[i];
      a[i] = typeof v === "number" ? v : NO_NUMBER;
    }
    return { values: new Uint8Array(a.buffer) };
  }
  if (c.type === "BOOLEAN") {
    const bits = new Uint8Array(Math.ceil(n / 8));
    for (let i = 0; i < n; i++) if (cells[i] === true) bits[i >> 3] |= 1 << (i & 7);
    return { values: bits };
  }
  // Measured first, then written into one buffer: no small Buffer per cell.
  const text: string[] = new Array(n);
  const offsets = new Uint32Array(n + 1);
  offsets[0] = base;
  for (let i = 0; i < n; i++) {
    const v = cells[i];
    text[i] = v === undefined ? "" : String(v);
    offsets[i + 1] = offsets[i] + Buffer.byteLength(text[i], "utf8");
  }
  const bytes = Buffer.alloc(offsets[n] - base);
  for (let i = 0; i < n; i++) if (text[i]) bytes.write(text[i], offsets[i] - base, "utf8");
  return { values: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), offsets };
}

/** A column's views: its values' and (STRING) its offsets' index among the table's views. */
export interface ColumnRef { id: string; values: number; offsets?: number }

/** propertyTables[i].properties from each column's view numbers. */
export function propertiesOf(refs: readonly ColumnRef[], first: number): Record<string, unknown> {
  return Object.fromEntries(refs.map((r) => [r.id, {
    values: first + r.values,
    ...(r.offsets !== undefined ? { stringOffsets: first + r.offsets, stringOffsetType: "UINT32" } : {}),
  }]));
}

export function encodeTable(columns: readonly FeatureColumn[], rows: readonly FeatureRow[]): EncodedTable {
  const views: TableView[] = [];
  const refs: ColumnRef[] = [];
  const cells = columnValues(columns, rows);
  for (const [k, c] of columns.entries()) {
    const { values, offsets } = encodeColumn(c, cells[k]);
    refs.push({ id: c.id, values: views.length, ...(offsets ? { offsets: views.length + 1 } : {}) });
    views.push({ bytes: values, name: c.id });
    if (offsets) views.push({ bytes: new Uint8Array(offsets.buffer), name: `${c.id} offsets` });
  }
  return { views, properties: (first) => propertiesOf(refs, first) };
}

/** A table view waiting in a file (streamTable). */
export interface TableFile {
  file: string;
  name: string;
  bytes: number;
}

/** Rows encoded per batch (a multiple of 8: BOOLEAN bitstreams stay byte-aligned). */
const STREAM_ROWS = 4096;
/**
 * Columns written per pass over the rows (each pass reads and parses every record again): bounds
 * the open files (≤ 2 a column, far under the usual 1,024) and their buffers (64 KB each, 8 MB at
 * most). 64 takes a typical OSM export in one pass (New York: 51 properties).
 */
const STREAM_COLUMNS = 64;

/**
 * The table of rows 0..count-1 (`row(i)`) written column by column into files of `dir`, in
 * batches of rows: memory is one batch of rows and one buffer per open file, whatever the
 * city's size. Same bytes as encodeTable of all rows at once. `open(file)` makes a writer.
 * `premade(c)`: a column whose values view exists already (a file holding exactly its bytes),
 * taken as it is instead of encoded (not for STRING: it has two views).
 */
export function streamTable(
  columns: readonly FeatureColumn[], count: number, row: (i: number) => FeatureRow, dir: string,
  open: (file: string) => { write(a: ArrayBufferView): void; close(): void },
  premade: (c: FeatureColumn) => TableFile | undefined = () => undefined,
): { files: TableFile[]; refs: ColumnRef[]; properties(firstView: number): Record<string, unknown> } {
  const files: TableFile[] = [];
  const refs: ColumnRef[] = [];
  for (let g = 0; g < columns.length; g += STREAM_COLUMNS) {
    // Views in column order; a premade column takes its place among them without a writer.
    const group: FeatureColumn[] = [];
    const out: { values: TableFile; offsets?: TableFile; w: { write(a: ArrayBufferView): void; close(): void }; o?: { write(a: ArrayBufferView): void; close(): void }; end: number }[] = [];
    try {
      columns.slice(g, g + STREAM_COLUMNS).forEach((c, k) => {
        const made = c.type === "STRING" ? undefined : premade(c);
        if (made) {
          refs.push({ id: c.id, values: files.length });
          files.push(made);
          return;
        }
        const values: TableFile = { file: path.join(dir, `table-${g + k}.bin`), name: c.id, bytes: 0 };
        const offsets: TableFile | undefined = c.type === "STRING" ? { file: path.join(dir, `table-${g + k}.off`), name: `${c.id} offsets`, bytes: 0 } : undefined;
        refs.push({ id: c.id, values: files.length, ...(offsets ? { offsets: files.length + 1 } : {}) });
        files.push(values);
        if (offsets) files.push(offsets);
        group.push(c);
        out.push({ values, offsets, w: open(values.file), o: offsets ? open(offsets.file) : undefined, end: 0 });
      });
      if (!group.length) continue;
      for (let s = 0; s < count; s += STREAM_ROWS) {
        const rows: FeatureRow[] = [];
        for (let i = s; i < Math.min(count, s + STREAM_ROWS); i++) rows.push(row(i));
        const cells = columnValues(group, rows);
        group.forEach((c, k) => {
          const o = out[k];
          const { values, offsets } = encodeColumn(c, cells[k], o.end);
          o.w.write(values);
          o.values.bytes += values.length;
          if (offsets && o.o) {
            o.o.write(offsets.subarray(0, rows.length));
            o.offsets!.bytes += rows.length * 4;
            o.end = offsets[rows.length];
          }
        });
      }
      for (const o of out) {
        if (o.o) { o.o.write(new Uint32Array([o.end])); o.offsets!.bytes += 4; }
      }
    } finally {
      for (const o of out) { o.w.close(); o.o?.close(); }
    }
  }
  return { files, refs, properties: (first) => propertiesOf(refs, first) };
}
