// CityJSON input (versions 1.0, 1.1 and 2.0; 3D BAG, dtcc-core, citygml-tools' conversions of CityGML): the
// buildings of a CityJSON file or of a CityJSONSeq (.city.jsonl: a CityJSON header line, then one
// CityJSONFeature per line with its own vertices) become GeoJSON building features (cityjsonObjects.ts says how
// footprints and heights are taken), so validation, repairs, CRS, heights and planning are the GeoJSON path's.
//
// A CityJSON file is parsed whole: its CityObjects index one shared "vertices" array, which may come after them,
// so nothing can be handed on before the end of the file. Vertices are decoded into one Float64Array and the
// parsed arrays dropped. A file over MAX_CITYJSON_BYTES (V8 cannot hold its text as one string) is refused with
// a CityMeshError saying to convert it to CityJSONSeq (cjseq cat), which is streamed: its records are cut and
// parsed one line at a time by the GeoJSON sequence scanner (geojson/seqScan.ts, handed in by openScanner:
// input/ does not import geojson/), so memory is one record.
//
// CRS: metadata.referenceSystem (1.0 "urn:ogc:def:crs:EPSG::7415", 1.1/2.0 "https://www.opengis.net/def/crs/EPSG/0/7415";
// 0.x metadata.crs.epsg). A compound CRS (horizontal + height, e.g. 7415 = RD New + NAP) gives its horizontal
// part, which is what footprints are in, with a note.
import fs from "fs";
import type { Diagnostic } from "../types";
import { CityMeshError } from "../errors";
import { COMPOUND_CRS, parseCrsName } from "../crs";
import { FileScanner, readHead, type SourceFeature } from "./scanner";
import { buildingFeatures, decodeVertices, type ObjectContext } from "./cityjsonObjects";

/** Largest CityJSON file read whole: V8's longest string is just under 512 MiB. */
export const MAX_CITYJSON_BYTES = 512 * 1024 * 1024 - 64;

abstract class CityJsonBase extends FileScanner {
  override readonly crsFrom = "metadata.referenceSystem";
  protected readonly skipped = new Map<string, number>();

  /** members.crs from a CityJSON header's metadata (a note for a compound CRS, a warning when there is none). */
  protected takeCrs(header: Record<string, unknown>, line?: number): void {
    const meta = header.metadata as { referenceSystem?: unknown; crs?: { epsg?: unknown } } | undefined;
    const rs = typeof meta?.referenceSystem === "string" ? meta.referenceSystem : typeof meta?.crs?.epsg === "number" ? `EPSG:${meta.crs.epsg}` : undefined;
    const at = line !== undefined ? { line, column: 1 } : {};
    if (rs === undefined) {
      this.diagnostics.push({ file: this.path, featureIndex: -1, pointer: "/metadata/referenceSystem", ...at, severity: "warning", code: "no-crs", message: `${this.path}: the CityJSON metadata names no referenceSystem; name the coordinates' CRS with the sourceCrs option (--source-crs).` });
      return;
    }
    const code = parseCrsName(rs);
    const compound = code !== undefined ? COMPOUND_CRS[code] : undefined;
    if (compound) {
      this.members.crs = `EPSG:${compound.horizontal}`;
      this.diagnostics.push({ file: this.path, featureIndex: -1, pointer: "/metadata/referenceSystem", ...at, severity: "info", code: "compound-crs", message: `${this.path}: the CityJSON CRS EPSG:${code} (${compound.name}) is compound; footprints are in its horizontal part EPSG:${compound.horizontal}, building heights are differences of its z values, so its vertical datum does not matter.` });
    } else {
      this.members.crs = rs; // resolveCrs names an unknown one and asks for sourceCrs
    }
  }

  protected context(xyz: Float64Array, line?: number): ObjectContext {
    return { file: this.path, xyz, diagnostics: this.diagnostics, skipped: this.skipped, next: () => this.featureCount++, line };
  }

  protected reportSkipped(): void {
    if (!this.skipped.size) return;
    const total = [...this.skipped.values()].reduce((a, b) => a + b, 0);
    const kinds = [...this.skipped].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${n.toLocaleString("en")} ${t}`).join(", ");
    this.diagnostics.push({ file: this.path, featureIndex: -1, severity: "info", code: "skipped-cityobjects", message: `${this.path}: ${total.toLocaleString("en")} CityObject(s) that are not buildings were skipped (${kinds}).` });
  }
}

/** A CityJSON file: one JSON object, read whole (see the top of the file). */
export class CityJsonScanner extends CityJsonBase {
  constructor(path: string, private readonly maxBytes = MAX_CITYJSON_BYTES) {
    super(path);
  }

  // Asynchronous only for the error path's import; the rest runs without awaiting.
  async *features(): AsyncGenerator<SourceFeature> {
    if (this.size > this.maxBytes) {
      throw new CityMeshError("input", `${this.path}: a CityJSON file of ${(this.size / 2 ** 20).toFixed(0)} MiB is over the ${(this.maxBytes / 2 ** 20).toFixed(0)} MiB read whole (its vertices are shared, so it cannot be streamed); convert it to CityJSONSeq, which is read line by line: cjseq cat ${this.path} > out.city.jsonl`, { path: this.path });
    }
    let text: string;
    try {
      text = fs.readFileSync(this.path, "utf8");
    } catch (e) {
      throw new CityMeshError("input", `Cannot read ${this.path}: ${(e as Error).message}`, { path: this.path });
    }
    this.bytesRead = this.size;
    let root: Record<string, unknown>;
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    try {
      root = JSON.parse(text);
    } catch (e) {
      throw new CityMeshError("input", `${this.path}: not valid JSON, so the CityJSON cannot be read (its buildings share one vertex list): ${await jsonProblem(text, (e as Error).message)}.`, { path: this.path });
    }
    if (!root || typeof root !== "object" || root.type !== "CityJSON") {
      throw new CityMeshError("input", `${this.path}: not a CityJSON object (its "type" is ${JSON.stringify((root as { type?: unknown } | null)?.type)}, expected "CityJSON").`, { path: this.path });
    }
    this.takeCrs(root);
    let xyz: Float64Array;
    try {
      xyz = decodeVertices(root.vertices, root.transform);
    } catch (e) {
      throw new CityMeshError("input", `${this.path}: the CityJSON's ${(e as Error).message}.`, { path: this.path });
    }
    delete root.vertices; // the decoded copy is kept; the parsed arrays can go
    const objects = root.CityObjects;
    if (!objects || typeof objects !== "object") throw new CityMeshError("input", `${this.path}: the CityJSON has no "CityObjects" object.`, { path: this.path });
    yield* buildingFeatures(objects, this.context(xyz));
    this.reportSkipped();
  }
}

/** What cuts a CityJSONSeq into parsed records: geojson/seqScan.ts's FeatureSequenceScanner. */
export interface RecordScanner {
  readonly diagnostics: Diagnostic[];
  bytesRead: number;
  features(): Iterable<SourceFeature>;
}

/** A CityJSONSeq: the header line (transform, metadata), then one CityJSONFeature per line, streamed. */
export class CityJsonSeqScanner extends CityJsonBase {
  constructor(path: string, private readonly recordsOf: (path: string) => RecordScanner) {
    super(path);
  }

  *features(): Generator<SourceFeature> {
    const records = this.recordsOf(this.path);
    let header: Record<string, unknown> | undefined;
    let taken = 0; // records.diagnostics passed on
    const passOn = () => {
      for (; taken < records.diagnostics.length; taken++) {
        const d = records.diagnostics[taken];
        if (!header) {
          throw new CityMeshError("input", `${this.path}: line ${d.line}: the first record of a CityJSONSeq must be its CityJSON header, and it cannot be read: ${d.message.replace(/^record \d+ /, "")}`, { path: this.path, line: d.line });
        }
        // A record that could not be read is one CityJSONFeature (a building) lost.
        this.diagnostics.push({ ...d, featureIndex: this.featureCount++, message: `${this.path}: line ${d.line}: ${d.message.replace(/^record \d+ is/, "the CityJSONFeature is")}` });
      }
    };
    for (const r of records.features()) {
      this.bytesRead = records.bytesRead;
      passOn();
      const v = r.value as Record<string, unknown> | null;
      if (!header) {
        if (!v || typeof v !== "object" || v.type !== "CityJSON") {
          throw new CityMeshError("input", `${this.path}: line ${r.line}: the first record of a CityJSONSeq must be a CityJSON header ({"type":"CityJSON",…}), not ${describe(v)}.`, { path: this.path, line: r.line });
        }
        header = v;
        this.takeCrs(header, r.line);
        continue;
      }
      if (!v || typeof v !== "object" || v.type !== "CityJSONFeature") {
        this.diagnostics.push({ file: this.path, featureIndex: this.featureCount++, line: r.line, column: 1, severity: "error", code: "not-a-feature", message: `${this.path}: line ${r.line}: ${describe(v)} is not a CityJSONFeature; skipped.` });
        continue;
      }
      let xyz: Float64Array;
      try {
        xyz = decodeVertices(v.vertices, header.transform);
      } catch (e) {
        const id = typeof v.id === "string" ? v.id : null;
        this.diagnostics.push({ file: this.path, featureIndex: this.featureCount++, featureId: id, line: r.line, column: 1, severity: "error", code: "invalid-cityobject", message: `${this.path}: line ${r.line}: the CityJSONFeature${id ? ` "${id}"` : ""}'s ${(e as Error).message}; skipped.` });
        continue;
      }
      for (const f of buildingFeatures(v.CityObjects, this.context(xyz, r.line))) yield { ...f, line: r.line, column: 1 };
    }
    this.bytesRead = records.bytesRead;
    passOn();
    if (!header) throw new CityMeshError("input", `${this.path}: empty: a CityJSONSeq starts with a CityJSON header line.`, { path: this.path });
    this.reportSkipped();
  }
}

function describe(v: unknown): string {
  if (v && typeof v === "object" && !Array.isArray(v)) return typeof (v as { type?: unknown }).type === "string" ? `a "${(v as { type: string }).type}" object` : "an object without a type";
  return Array.isArray(v) ? "an array" : JSON.stringify(v);
}

/**
 * Where and why `text` is not JSON, with its line and column: V8's JSON.parse often names no position, so the
 * first error is found again with jsonc-parser (Microsoft's scanner for VS Code; loaded on this path only).
 */
async function jsonProblem(text: string, message: string): Promise<string> {
  const { parse, printParseErrorCode } = await import("jsonc-parser/lib/esm/main.js"); // the ESM build: esbuild cannot bundle the UMD one
  const errors: import("jsonc-parser/lib/esm/main.js").ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  // Truncated: the first error reaches the end of the text (a cut value, string or container).
  if (!first || first.offset + first.length >= text.trimEnd().length) return `the file ends inside the JSON (truncated?): ${message}`;
  const before = text.slice(0, first.offset), line = before.split("\n").length, column = first.offset - before.lastIndexOf("\n");
  return `line ${line}, column ${column}: ${printParseErrorCode(first.error)} (${message.replace(/\s+/g, " ").slice(0, 120)})`;
}

/** File names read as CityJSON / CityJSONSeq whatever their first bytes. */
const CITYJSON_EXTENSIONS = [".city.json", ".cityjson"];
const CITYJSONSEQ_EXTENSIONS = [".city.jsonl", ".cityjsonl", ".cityjsonseq"];
/** Extensions never sniffed for CityJSON (they say GeoJSON). */
const GEOJSON_EXTENSIONS = [".geojson", ".geojsonl", ".geojsons", ".geojsonseq", ".ndjson"];

/**
 * "cityjson" or "cityjsonseq" when `file` is one: by its extension, or by its head saying "type":"CityJSON".
 * The head is a sequence when its first line is a whole CityJSON object and another record follows (a one-line
 * CityJSON file has nothing after it); a .jsonl with that head is always one.
 */
export function cityJsonKind(file: string): "cityjson" | "cityjsonseq" | undefined {
  const lower = file.toLowerCase();
  if (CITYJSONSEQ_EXTENSIONS.some((e) => lower.endsWith(e))) return "cityjsonseq";
  if (CITYJSON_EXTENSIONS.some((e) => lower.endsWith(e))) return "cityjson";
  if (GEOJSON_EXTENSIONS.some((e) => lower.endsWith(e))) return undefined;
  const head = readHead(file, 1 << 16).toString("utf8");
  if (!/"type"\s*:\s*"CityJSON"/.test(head)) return undefined;
  if (lower.endsWith(".jsonl")) return "cityjsonseq";
  const start = head.search(/[^\s\ufeff\x1e]/), end = head.indexOf("\n", start);
  if (head[start] === "\x1e") return "cityjsonseq";
  if (start < 0 || end < 0 || head[start] !== "{") return "cityjson";
  try {
    const first = JSON.parse(head.slice(start, end)) as { type?: unknown };
    return first?.type === "CityJSON" && /\S/.test(head.slice(end)) ? "cityjsonseq" : "cityjson";
  } catch {
    return "cityjson"; // the first line is not a whole JSON text: a CityJSON spread over lines
  }
}
