// EXT_structural_metadata property table values in binary (3D Metadata Specification, "Binary
// Table Format"): one buffer view of values per property, plus one of UINT32 string offsets for
// STRING; BOOLEAN is a bitstream. The extension asks every buffer view to start at a multiple of 8.
import { cell, NO_NUMBER, type FeatureColumn, type FeatureRow } from "./features";

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

export function encodeTable(columns: readonly FeatureColumn[], rows: readonly FeatureRow[]): EncodedTable {
  const views: TableView[] = [];
  const refs: { id: string; values: number; offsets?: number }[] = [];
  const n = rows.length;
  for (const c of columns) {
    if (c.type === "SCALAR") {
      const a = c.componentType === "UINT32" ? new Uint32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = cell(c, rows[i]);
        a[i] = typeof v === "number" ? v : NO_NUMBER;
      }
      refs.push({ id: c.id, values: views.length });
      views.push({ bytes: new Uint8Array(a.buffer), name: c.id });
    } else if (c.type === "BOOLEAN") {
      const bits = new Uint8Array(Math.ceil(n / 8));
      for (let i = 0; i < n; i++) if (cell(c, rows[i]) === true) bits[i >> 3] |= 1 << (i & 7);
      refs.push({ id: c.id, values: views.length });
      views.push({ bytes: bits, name: c.id });
    } else {
      // Measured first, then written into one buffer: no small Buffer per cell.
      const text: string[] = new Array(n);
      const offsets = new Uint32Array(n + 1);
      for (let i = 0; i < n; i++) {
        const v = cell(c, rows[i]);
        text[i] = v === undefined ? "" : String(v);
        offsets[i + 1] = offsets[i] + Buffer.byteLength(text[i], "utf8");
      }
      const bytes = Buffer.alloc(offsets[n]);
      for (let i = 0; i < n; i++) if (text[i]) bytes.write(text[i], offsets[i], "utf8");
      refs.push({ id: c.id, values: views.length, offsets: views.length + 1 });
      views.push({ bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), name: c.id });
      views.push({ bytes: new Uint8Array(offsets.buffer), name: `${c.id} offsets` });
    }
  }
  return {
    views,
    properties: (first) => Object.fromEntries(refs.map((r) => [r.id, {
      values: first + r.values,
      ...(r.offsets !== undefined ? { stringOffsets: first + r.offsets, stringOffsetType: "UINT32" } : {}),
    }])),
  };
}
