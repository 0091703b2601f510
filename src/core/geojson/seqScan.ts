// Streaming scanner for a sequence of GeoJSON features, one JSON text per record: GeoJSONSeq
// (RFC 8142: each record starts with the record separator 0x1E, as GDAL's GeoJSONSeq driver writes
// with RS=YES) and line-delimited GeoJSON (GeoJSONL / NDJSON: one feature per line, as Microsoft's
// building footprints and GDAL without RS come). The same surface as FeatureCollectionScanner, so the
// reader validates, repairs and reports these features exactly as a FeatureCollection's.
//
// A record is cut at its separator (LF, or RS when the file starts with one: then a record may span
// lines) and handed to JSON.parse on its own, so a bad record is one diagnostic at its line and the
// rest is read; memory stays at one read block plus one record. Synchronous, like the other scanner:
// the caller decides when to yield to the event loop. Nothing here throws on bad input.
import fs from "fs";
import type { Diagnostic } from "../types";
import { CityMeshError } from "../errors";
import { FileScanner, readHead } from "../input/scanner";
import type { ScannedFeature } from "./scan";

const LF = 0x0a, RS = 0x1e;

/** File names read as feature sequences whatever their first bytes. */
export const SEQUENCE_EXTENSIONS = [".geojsonl", ".geojsons", ".geojsonseq", ".ndjson", ".jsonl"];

export interface SeqScanOptions {
  /** Bytes read per fs.readSync call (default 4 MiB). */
  blockSize?: number;
  /** Largest record kept (default 256 MiB); a bigger one is reported and skipped. */
  maxRecordBytes?: number;
}

/** A sequence has no top-level members (no `crs`: RFC 8142 is lon/lat; sourceCrs overrides). featureCount counts records, parsed or not. */
export class FeatureSequenceScanner extends FileScanner {
  private readonly blockSize: number;
  private readonly maxRecordBytes: number;

  constructor(path: string, opts: SeqScanOptions = {}) {
    super(path);
    this.blockSize = Math.max(16, opts.blockSize ?? 4 << 20);
    this.maxRecordBytes = opts.maxRecordBytes ?? 256 << 20;
  }

  *features(): Generator<ScannedFeature> {
    let fd: number;
    try {
      fd = fs.openSync(this.path, "r");
    } catch (e) {
      throw new CityMeshError("input", `Cannot read ${this.path}: ${(e as Error).message}`, { path: this.path });
    }
    try {
      const block = Buffer.allocUnsafe(this.blockSize);
      let parts: Buffer[] = [], partBytes = 0; // the record being cut, across blocks
      let sep = -1; // LF or RS, decided by the first byte that is not whitespace or a BOM
      let line = 1; // line of the next byte
      let recordLine = 1, recordOffset = 0; // where the record being cut starts
      let oversized = false;
      let offset = 0;
      for (;;) {
        const n = fs.readSync(fd, block, 0, this.blockSize, offset);
        if (n === 0) break;
        this.bytesRead += n;
        let from = 0;
        if (offset === 0 && n >= 3 && block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf) from = 3; // UTF-8 BOM
        for (let i = from; i < n; i++) {
          const b = block[i];
          if (sep < 0 && b !== LF && b !== 0x0d && b !== 0x20 && b !== 0x09) sep = b === RS ? RS : LF;
          if (b !== sep) { if (b === LF) line++; continue; }
          // A record ends here (LF mode) or the next one starts here (RS mode).
          yield* this.record(parts, partBytes, block.subarray(from, i), recordLine, recordOffset, oversized);
          if (b === LF) line++;
          parts = []; partBytes = 0; oversized = false;
          from = i + 1;
          recordLine = line; recordOffset = offset + from;
        }
        const rest = block.subarray(from, n);
        if (!oversized && partBytes + rest.length > this.maxRecordBytes) { oversized = true; parts = []; }
        if (!oversized) { parts.push(Buffer.from(rest)); partBytes += rest.length; }
        offset += n;
      }
      yield* this.record(parts, partBytes, Buffer.alloc(0), recordLine, recordOffset, oversized, true);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Parses one cut record (its bytes so far plus `tail`); blank records are nothing. */
  private *record(parts: Buffer[], partBytes: number, tail: Buffer, line: number, offset: number, oversized: boolean, last = false): Generator<ScannedFeature> {
    if (oversized || partBytes + tail.length > this.maxRecordBytes) {
      const index = this.featureCount++;
      this.diag("error", "feature-too-large", `record ${index + 1} is larger than ${this.maxRecordBytes >> 20} MiB; skipped.`, line, index);
      return;
    }
    const text = (parts.length ? Buffer.concat([...parts, tail]) : tail).toString("utf8").trim();
    if (!text) return;
    const index = this.featureCount++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const truncated = last && this.bytesRead === this.size;
      this.diag("error", "invalid-json", `record ${index + 1} is not valid JSON${truncated ? " (the file ends inside it: truncated?)" : ""}: ${(e as Error).message}; skipped.`, line, index);
      return;
    }
    yield { index, line, column: 1, offset, text, value };
  }

  private diag(severity: Diagnostic["severity"], code: string, message: string, line: number, featureIndex: number): void {
    this.diagnostics.push({ file: this.path, featureIndex, severity, code, message, line, column: 1 });
  }
}

/**
 * Whether `file` is read as a feature sequence: by its extension; else when it starts with RS (RFC 8142), or
 * when its first line is a whole GeoJSON Feature on its own (line-delimited GeoJSON saved as .geojson). A
 * FeatureCollection, or a single Feature spread over lines, is not.
 */
export function isFeatureSequence(file: string): boolean {
  const lower = file.toLowerCase();
  if (SEQUENCE_EXTENSIONS.some((e) => lower.endsWith(e))) return true;
  const buf = readHead(file, 1 << 16), n = buf.length;
  let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (i < n && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0a || buf[i] === 0x0d)) i++;
  if (i < n && buf[i] === RS) return true;
  const end = buf.indexOf(LF, i);
  if (buf[i] !== 0x7b || end < 0) return false;
  try {
    const first = JSON.parse(buf.toString("utf8", i, end)) as { type?: unknown } | null;
    return !!first && first.type === "Feature";
  } catch {
    return false; // the first line is not JSON
  }
}
