// One range of a FeatureCollection's features, read on a planner thread (parallelRead.ts): the
// same validation, repairs, heights and properties lines as the serial reader's `take` in read.ts,
// for the features whose bytes, lines and columns the structural pass (split.ts) found.
//
// Faster per feature than the serial path: a run of features is one JSON array (features are
// separated by commas and whitespace only, which split.ts checked), so one JSON.parse call makes
// GROUP features, instead of a toString and a JSON.parse per feature. If that fails, some feature
// of the group is not valid JSON: the group is parsed feature by feature, and the bad ones get the
// serial scanner's diagnostic, word for word.
import fs from "fs";
import type { Diagnostic, Footprints } from "../types";
import { CityMeshError } from "../errors";
import { HeightResolver, type HeightOptions } from "../height";
import { FootprintBuilder } from "../geometry/footprintBuilder";
import { DiagnosticSink, type SinkPart } from "./diagnostics";
import { validateFeature } from "./validate";
import { makeTransform, type ResolvedCrs } from "../crs";
import { PropertyLines, type LineTails } from "./propertyLines";

/**
 * Features parsed per JSON.parse call. One call for a whole range (megabytes) keeps every parsed
 * feature alive until the range is done, so they all survive young-generation collections and
 * are copied to the old generation; one call per feature pays a call and a string each. Groups of
 * 64 were fastest on New York (CPU time of the ranges, 4 runs each: 1.23–1.46 s against
 * 1.39–1.60 s whole and 1.50–1.63 s per feature).
 */
const GROUP = 64;

/** A range of features to read: plain data, it crosses to a thread. */
export interface RangeJob {
  file: string;
  /** Index of the range's first feature in the `features` array. */
  first: number;
  /** Bytes [start, end) of the file: from the first feature's `{` to the last one's `}`. */
  start: number;
  end: number;
  /** Per feature, its bytes relative to `start`, and its 1-based line and column. */
  starts: Uint32Array;
  ends: Uint32Array;
  lines: Uint32Array;
  columns: Uint32Array;
  /** How the source CRS was decided: lon/lat range checks, and metres per unit of projected coordinates. */
  geographic: boolean;
  metresPerUnit: number;
  heights: HeightOptions;
  /** Make the properties side file's lines (building numbers local to the range). */
  properties: boolean;
}

/** What a range gives back, in the serial reader's order; building numbers are local to the range. */
export interface RangeResult {
  /** Footprints in the source CRS (featureIndex global). */
  footprints: Footprints;
  ids: (string | number | null)[];
  /** Line and column per building. */
  positions: Uint32Array;
  /** Height source per building, an index into sourceNames. */
  sources: Uint16Array;
  sourceNames: string[];
  /** Buildings per height source, in first-seen order. */
  heightCounts: [string, number][];
  /** The scanner's diagnostics (features that are not valid JSON). */
  scanDiagnostics: Diagnostic[];
  sink: SinkPart;
  /** Features with positions that look projected; features with a usable polygon. */
  projectedLike: number;
  withGeometry: number;
  /** The properties side file's lines without their `{"b":N` heads (numberedLines puts them on). */
  properties?: LineTails;
}

/** Coordinates to project from one CRS to another (after the read: the target depends on every footprint). */
export interface ProjectJob {
  xy: Float64Array;
  from: ResolvedCrs;
  to: ResolvedCrs;
}

/** The planner threads' part of the read: a range of features, or a run of coordinates to project. */
export type ReadJob = RangeJob | ProjectJob;
/** A range's result, or the projected coordinates. */
export type ReadJobResult = RangeResult | Float64Array;

/** Runs a read job (inline, or as the readRange job on a planner thread). */
export function runReadJob(job: ReadJob): ReadJobResult {
  return "xy" in job ? projectChunk(job) : readRange(job);
}

/** Projects the coordinates in place, point by point as the reader does (the same converter, so the same numbers). */
export function projectChunk(job: ProjectJob): Float64Array {
  makeTransform(job.from, job.to)?.(job.xy);
  return job.xy;
}

/** Reads a range's bytes and validates its features (inline, or as the readRange job on a planner thread). */
export function readRange(job: RangeJob): RangeResult {
  const { file, first } = job;
  const bytes = readBytes(file, job.start, job.end);
  const n = job.starts.length;
  const G = GROUP;
  let values: unknown[] | undefined;
  let base = 0;
  const group = (k: number): unknown[] | undefined => {
    const e = Math.min(n, k + G);
    try {
      const v = JSON.parse("[" + bytes.toString("utf8", job.starts[k], job.ends[e - 1]) + "]") as unknown[];
      return v.length === e - k ? v : undefined;
    } catch {
      return undefined;
    }
  };
  const scanDiagnostics: Diagnostic[] = [];
  const sink = new DiagnosticSink(file);
  const heights = new HeightResolver(job.heights);
  const builder = new FootprintBuilder();
  const ids: (string | number | null)[] = [];
  const positions: number[] = [];
  const sources: number[] = [];
  const names = new Map<string, number>();
  const props = job.properties ? new PropertyLines((job.end - job.start) >> 1) : undefined;
  let projectedLike = 0, withGeometry = 0;
  for (let k = 0; k < n; k++) {
    const index = first + k, line = job.lines[k], column = job.columns[k];
    let value: unknown;
    if (k % G === 0) { values = group(k); base = k; }
    if (values) {
      value = values[k - base];
      values[k - base] = undefined; // its garbage can go as soon as it is read
    } else {
      // Feature by feature, as scan.ts's finishValue does.
      try {
        value = JSON.parse(bytes.toString("utf8", job.starts[k], job.ends[k]));
      } catch (e) {
        scanDiagnostics.push({ file, featureIndex: index, severity: "error", code: "invalid-json", message: `Feature ${index} is not valid JSON (${(e as Error).message}); skipped.`, line, column, pointer: `/features/${index}` });
        continue;
      }
    }
    const ctx = { featureIndex: index, line, column, geographic: job.geographic, metresPerUnit: job.metresPerUnit };
    const v = validateFeature(value, ctx, sink);
    projectedLike += v.projectedLike > 0 ? 1 : 0;
    if (v.polygons.length > 0) {
      withGeometry++;
      const h = heights.resolve(v.properties, { file, featureIndex: index, featureId: v.id, line, column }, (d) => sink.add(d));
      builder.addBuilding(v.polygons, h.height, index);
      ids.push(v.id);
      positions.push(line, column);
      let s = names.get(h.source);
      if (s === undefined) names.set(h.source, (s = names.size));
      sources.push(s);
      props?.add(bytes, job.starts[k], job.ends[k], index, v.id, v.properties);
    }
  }
  return {
    footprints: builder.finish(),
    ids,
    positions: Uint32Array.from(positions),
    sources: Uint16Array.from(sources),
    sourceNames: [...names.keys()],
    heightCounts: Object.entries(heights.counts),
    scanDiagnostics,
    sink: sink.part(),
    projectedLike,
    withGeometry,
    ...(props ? { properties: props.finish() } : {}),
  };
}

function readBytes(file: string, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw new CityMeshError("input", `Cannot open ${file}: ${(e as Error).message}`, { path: file });
  }
  try {
    let got = 0;
    while (got < out.length) {
      const r = fs.readSync(fd, out, got, out.length - got, start + got);
      if (r === 0) throw new CityMeshError("input", `${file} changed while it was read (it ended early).`, { path: file });
      got += r;
    }
  } catch (e) {
    if (e instanceof CityMeshError) throw e;
    throw new CityMeshError("input", `Cannot read ${file}: ${(e as Error).message}`, { path: file });
  } finally {
    fs.closeSync(fd);
  }
  return out;
}
