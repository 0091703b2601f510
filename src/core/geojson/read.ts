// Reads building footprints from a GeoJSON FeatureCollection file into flat typed arrays:
// stream features (scan.ts) → validate/repair each (validate.ts) → height (height.ts) → append
// in source coordinates → after the pass, pick the metric CRS from the data's centre, project
// in place, subtract the local origin, drop small buildings.
//
// One pass normally: coordinates are kept unprojected in typed arrays and projected in place at
// the end, so memory is ~ the typed arrays (no second copy, no JS object per coordinate). A
// second pass happens only when a legacy `crs` member comes *after* `features` and changes how
// coordinates must be validated (lon/lat range checks).
//
// With the planner's threads (opts.parallel) a large FeatureCollection is read in ranges of whole
// features on them instead (parallelRead.ts), and projected there, with the same result to the byte.
import fs from "fs";
import path from "path";
import type { CrsInfo, Diagnostic, Footprints } from "../types";
import { CityMeshError } from "../errors";
import { chooseTargetCrs, crsInfo, crsLabel, crsMemberName, localOrigin, makeTransform, metresPerUnit, resolveCrs, type ResolvedCrs } from "../crs";
import { GEOJSON_CRS_FROM } from "../input/scanner";
import { HeightResolver } from "../height";
import { DiagnosticSink } from "./diagnostics";
import { FootprintBuilder } from "../geometry/footprintBuilder";
import { FeatureCollectionScanner, type FeatureScanner, type SourceFeature } from "./scan";
import { openScanner } from "./openScanner";
import { validateFeature } from "./validate";
import { splitBlocks } from "./split";
import { PARALLEL_MIN_BYTES, JoinedFootprints, NotOrdinary, RangeFeed, joinFootprints, rangeJob, runInOrder, type ParallelRead } from "./parallelRead";
import { numberedLines } from "./propertyLines";
import { writeAll } from "../bufferedOut";
import type { RangeJob, RangeResult } from "./readRange";

export type { ParallelRead } from "./parallelRead";

export { looksLikeFeatureCollection } from "./scan";

export interface ReadOptions {
  /** Target metric CRS: EPSG name or proj4 string. Default: the input's projected CRS, or the UTM zone of the data's centre. */
  crs?: string;
  /** CRS of the input when the file does not name it (or names one not bundled): EPSG name or proj4 string. Overrides a `crs` member. */
  sourceCrs?: string;
  heightAttributes?: string[];
  defaultHeight?: number;
  levelHeight?: number;
  /** Buildings with a smaller footprint (m², after projection) are dropped. Default 0. */
  minBuildingArea?: number;
  /** Write a JSON-lines side file here: one {b, f, id, properties} per kept building. */
  propertiesOut?: string;
  /** The features table to read from a GeoPackage with several. */
  layer?: string;
  /** Scanner block size in bytes (tests use small blocks). */
  blockSize?: number;
  /** Deepest JSON nesting accepted per feature (default 64). */
  maxDepth?: number;
  /** Called now and then (about every 50 ms) with bytes read, file size and features seen. */
  onProgress?: (bytesRead: number, totalBytes: number, features: number) => void;
  /**
   * Read a large FeatureCollection in ranges of features run through this (the planner's threads),
   * with the same result as the serial read (parallelRead.ts).
   */
  parallel?: ParallelRead;
}

export interface ReadResult {
  /** Projected, relative to crs.origin, rings validated: outer CCW, holes CW, open. */
  footprints: Footprints;
  crs: CrsInfo;
  diagnostics: Diagnostic[];
  /** Buildings per height source, e.g. {height: 120, "building:levels": 30, default: 1379}. */
  heightSources: Record<string, number>;
  /** Feature `id` (or properties.id) per building. */
  featureIds: (string | number | null)[];
  /**
   * 1-based line and column of each building's feature in the source text, two per building
   * (building b: [2b], [2b+1]; 0 = unknown), so diagnostics made later (clean-up) can point at it.
   */
  featurePositions: Uint32Array;
  /** Elements in the `features` array, including skipped ones. */
  featureCount: number;
  /** [xmin, ymin, xmax, ymax] of the footprints in local coordinates. */
  bounds: [number, number, number, number];
}

/** What the reader uses of the footprints after its pass: a FootprintBuilder's (serial) or the joined ranges' (parallel). */
type PassFootprints = Pick<FootprintBuilder, "count" | "pointCount" | "coords" | "area" | "featureIndexOf" | "finish" | "finishKept">;

interface Pass {
  builder: PassFootprints;
  /** Read in ranges (on the planner's threads). */
  inRanges?: boolean;
  /** Per added building: its feature's id, and line and column in the source (two per building, 0 = unknown). */
  ids: (string | number | null)[];
  positions: number[] | Uint32Array;
  heights: HeightResolver;
  sink: DiagnosticSink;
  scanner: FeatureScanner;
  source: ResolvedCrs;
  /** How the source CRS was decided. */
  sourceFrom: "option" | "member" | "default";
  /** Height source per building, to undo the counts of dropped ones. */
  heightSource: string[];
  /** The `crs` member had been read when the source CRS was decided. */
  memberSeen: boolean;
  projectedLike: number;
  withGeometry: number;
}

const cancelled = () => new CityMeshError("cancelled", "Reading the footprints was cancelled.");

/** Reads and validates every footprint of a GeoJSON FeatureCollection file. Bad input becomes diagnostics; only unusable files or CRSs throw CityMeshError. */
export async function readFootprints(file: string, opts: ReadOptions = {}, signal?: AbortSignal): Promise<ReadResult> {
  if (!fs.existsSync(file)) throw new CityMeshError("input", `Input file not found: ${file}`, { path: file });
  if (opts.minBuildingArea !== undefined && !(opts.minBuildingArea >= 0)) throw new CityMeshError("options", `minBuildingArea must be ≥ 0 (got ${opts.minBuildingArea}).`);
  const optionSource = opts.sourceCrs ? resolveCrs(opts.sourceCrs, "source CRS") : undefined;

  // A large FeatureCollection with threads to read it: in ranges, unless it turns out not to be of the ordinary shape.
  let feed = opts.parallel ? rangeFeed(file, opts, opts.parallel) : undefined;
  let pass: Pass | undefined;
  if (feed) {
    const walking = feed;
    try {
      pass = await readPass(file, opts, optionSource, undefined, signal, walking);
    } catch (e) {
      if (!(e instanceof NotOrdinary)) throw e;
      feed = undefined;
    } finally {
      walking.close();
    }
  }
  pass ??= await readPass(file, opts, optionSource, undefined, signal);
  // A `crs` member after the features: read again if it changes the validation rules.
  if (!optionSource && !pass.memberSeen && pass.scanner.members.crs !== undefined) {
    const late = sourceFromMember(file, pass.scanner.members.crs, pass.sink, pass.scanner.crsFrom);
    if (late && late.proj4 !== pass.source.proj4) pass = await readPass(file, opts, undefined, late, signal, feed?.layout ? new RangeFeed(feed.layout) : undefined);
  }
  const { builder, sink, scanner, heights } = pass;
  const source = pass.source;

  if (pass.sourceFrom === "default" && source.geographic && pass.projectedLike > 0 && pass.projectedLike >= pass.withGeometry / 2) {
    throw new CityMeshError(
      "crs",
      `${file}: the coordinates look projected (metres, not degrees) but no CRS is given (${pass.scanner.crsFrom ?? GEOJSON_CRS_FROM} names none), and without one they are read as lon/lat. ` +
        `Name the input's CRS with the sourceCrs option (e.g. "EPSG:28992", or a proj4 string).`,
      { path: file },
    );
  }

  // Centre of the data in lon/lat picks the UTM zone.
  const xy = builder.coords();
  let xmin = Infinity, ymin = Infinity, xmax = -Infinity, ymax = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    const x = xy[i], y = xy[i + 1];
    if (x < xmin) xmin = x;
    if (x > xmax) xmax = x;
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  const centre: [number, number] | undefined = builder.pointCount > 0 && source.geographic ? [(xmin + xmax) / 2, (ymin + ymax) / 2] : undefined;
  const target = chooseTargetCrs(source, centre, opts.crs);
  const transform = makeTransform(source, target);
  if (transform) {
    // Read in ranges: projected on the threads too, in runs of points (the same converter per point, so the same numbers).
    if (pass.inRanges && opts.parallel) await projectInRuns(xy, source, target, opts.parallel);
    else transform(xy);
    xmin = ymin = Infinity;
    xmax = ymax = -Infinity;
    for (let i = 0; i < xy.length; i += 2) {
      const x = xy[i], y = xy[i + 1];
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        throw new CityMeshError("crs", `${file}: projecting from ${source.name} to ${target.name} gave non-finite coordinates; is the input CRS right?`, { path: file });
      }
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
      if (y < ymin) ymin = y;
      if (y > ymax) ymax = y;
    }
  }

  // Drop small buildings (area in m² of the target CRS).
  const minArea = opts.minBuildingArea ?? 0;
  let keep: Uint8Array | undefined;
  if (minArea > 0) {
    keep = new Uint8Array(builder.count).fill(1);
    for (let b = 0; b < builder.count; b++) {
      const a = builder.area(b);
      if (a < minArea) {
        keep[b] = 0;
        const line = pass.positions[2 * b], column = pass.positions[2 * b + 1], fi = builder.featureIndexOf(b);
        sink.add({
          featureIndex: fi,
          featureId: pass.ids[b],
          pointer: `/features/${fi}/geometry`,
          ...(line > 0 ? { line, column } : {}),
          severity: "info",
          code: "small-building",
          message: `Feature ${fi}: footprint area ${a.toFixed(2)} m² is below minBuildingArea ${minArea} m²; dropped.`,
        });
        heights.uncount(pass.heightSource[b]);
      }
    }
  }
  const all = keep ? builder.finishKept(keep) : { footprints: builder.finish(), newIndex: null };
  const footprints = all.footprints, newIndex = all.newIndex;
  const ids = keep ? pass.ids.filter((_, b) => keep![b]) : pass.ids;
  const positions = keep ? Uint32Array.from(pass.positions).filter((_, k) => keep![k >> 1]) : Uint32Array.from(pass.positions);

  // Local origin and bounds (recomputed over kept buildings).
  let bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
  const fx = footprints.xy;
  for (let i = 0; i < fx.length; i += 2) {
    if (fx[i] < bx0) bx0 = fx[i];
    if (fx[i] > bx1) bx1 = fx[i];
    if (fx[i + 1] < by0) by0 = fx[i + 1];
    if (fx[i + 1] > by1) by1 = fx[i + 1];
  }
  const origin: [number, number] = footprints.count > 0 ? localOrigin(bx0, by0) : [0, 0];
  for (let i = 0; i < fx.length; i += 2) {
    fx[i] -= origin[0];
    fx[i + 1] -= origin[1];
  }
  const bounds: [number, number, number, number] = footprints.count > 0 ? [bx0 - origin[0], by0 - origin[1], bx1 - origin[0], by1 - origin[1]] : [0, 0, 0, 0];

  if (opts.propertiesOut && newIndex && footprints.count < builder.count) await renumberProperties(opts.propertiesOut, newIndex);

  if (footprints.count === 0 && !scanner.diagnostics.some((d) => d.severity === "error" && d.featureIndex === -1)) {
    sink.add({ featureIndex: -1, severity: "error", code: "no-buildings", message: `${file}: no usable building footprint (Polygon/MultiPolygon) was found.` });
  }

  const cw = sink.tallies.get("outer-clockwise") ?? 0, ccw = sink.tallies.get("hole-counter-clockwise") ?? 0;
  if (cw + ccw > 0) {
    const parts = [cw ? `${cw.toLocaleString("en")} clockwise outer ring(s)` : "", ccw ? `${ccw.toLocaleString("en")} counter-clockwise hole(s)` : ""].filter(Boolean).join(" and ");
    sink.add({ featureIndex: -1, severity: "info", code: "winding-repaired", repaired: true, message: `${file}: ${parts} reversed (RFC 7946 §3.1.6 winds outer rings counter-clockwise; many sources, such as BAG and OSM exports, wind them the other way).` });
  }
  const diagnostics = [...scanner.diagnostics, ...sink.finish()];
  // File-level first, then by feature (stable: a feature's diagnostics keep their order).
  diagnostics.sort((a, b) => a.featureIndex - b.featureIndex);
  return {
    footprints,
    crs: crsInfo(target, origin, source),
    diagnostics,
    heightSources: { ...heights.counts },
    featureIds: ids,
    featurePositions: positions,
    featureCount: scanner.featureCount,
    bounds,
  };
}

function sourceFromMember(file: string, member: unknown, sink: DiagnosticSink, from = GEOJSON_CRS_FROM): ResolvedCrs | undefined {
  const { name, problem } = crsMemberName(member);
  if (problem) {
    sink.add({ featureIndex: -1, pointer: "/crs", severity: "warning", code: "unsupported-crs-member", message: `${file}: ${problem}; coordinates are read as lon/lat (RFC 7946).` });
    return undefined;
  }
  if (!name) return undefined;
  try {
    return resolveCrs(name, `CRS in ${from}`);
  } catch (e) {
    if (e instanceof CityMeshError) {
      throw new CityMeshError("crs", `${file}: ${e.message} To read this file, pass that definition as the sourceCrs option.`, { ...e.details, path: file });
    }
    throw e;
  }
}

/** The ranges of `file` when it is a FeatureCollection large enough to read in ranges. */
function rangeFeed(file: string, opts: ReadOptions, parallel: ParallelRead): RangeFeed | undefined {
  const scanner = openScanner(file, { blockSize: opts.blockSize, maxDepth: opts.maxDepth, layer: opts.layer });
  if (!(scanner instanceof FeatureCollectionScanner) || scanner.size < (parallel.minBytes ?? PARALLEL_MIN_BYTES)) return undefined;
  return new RangeFeed(splitBlocks(file, { blockSize: opts.blockSize, maxDepth: opts.maxDepth }));
}

/** What the serial scanner holds once it has read the members before the features (the others are added at the end). */
class RangeScanner implements FeatureScanner {
  readonly members: Record<string, unknown> = {};
  readonly diagnostics: Diagnostic[] = [];
  featureCount = 0;
  bytesRead = 0;
  constructor(readonly size: number, before: [string, unknown][]) {
    for (const [k, v] of before) this.members[k] = v;
  }
  features(): Iterable<SourceFeature> { return []; }
}

async function readPass(file: string, opts: ReadOptions, optionSource: ResolvedCrs | undefined, forced: ResolvedCrs | undefined, signal?: AbortSignal, feed?: RangeFeed): Promise<Pass> {
  // The members before the features, in ranges; NotOrdinary when the file must be read serially.
  if (feed && !feed.begin()) throw new NotOrdinary();
  // A FeatureCollection, a sequence of features, FlatGeobuf, GeoPackage or Shapefile: validated alike.
  const scanner: FeatureScanner = feed ? new RangeScanner(feed.size, feed.before) : openScanner(file, { blockSize: opts.blockSize, maxDepth: opts.maxDepth, layer: opts.layer });
  const sink = new DiagnosticSink(file);
  const heights = new HeightResolver(opts);
  const builder = new FootprintBuilder();
  const sources: string[] = [];
  const pass: Pass = { builder, ids: [], positions: [], heights, sink, scanner, source: resolveCrs("EPSG:4326"), sourceFrom: "default", heightSource: sources, memberSeen: false, projectedLike: 0, withGeometry: 0 };
  let decided = false;
  const decide = () => {
    decided = true;
    pass.memberSeen = scanner.members.crs !== undefined;
    if (optionSource) {
      pass.source = optionSource;
      pass.sourceFrom = "option";
      const { name } = crsMemberName(scanner.members.crs);
      if (name !== undefined) {
        let same = false;
        try {
          same = resolveCrs(name).proj4 === optionSource.proj4;
        } catch {
          // An unknown code in the member is exactly what sourceCrs is for.
        }
        if (!same) sink.add({ featureIndex: -1, pointer: "/crs", severity: "info", code: "crs-overridden", message: `${file}: ${scanner.crsFrom ?? GEOJSON_CRS_FROM} says ${crsLabel(name)}; the sourceCrs option (${optionSource.name}) is used instead.` });
      }
      return;
    }
    const memberSource = scanner.members.crs !== undefined ? sourceFromMember(file, scanner.members.crs, sink, scanner.crsFrom) : undefined;
    if (forced) {
      pass.source = forced;
      pass.sourceFrom = "member";
    } else if (memberSource) {
      pass.source = memberSource;
      pass.sourceFrom = "member";
    }
  };

  const props = opts.propertiesOut ? new LineWriter(opts.propertiesOut) : undefined;
  let last = performance.now();
  let unit = 1;
  /** Validates and adds one feature; true when it is time to let the event loop breathe. */
  const take = (sf: SourceFeature): boolean => {
    if (!decided) { decide(); unit = metresPerUnit(pass.source); }
    const ctx = { featureIndex: sf.index, line: sf.line, column: sf.column, geographic: pass.source.geographic, metresPerUnit: unit };
    const v = validateFeature(sf.value, ctx, sink);
    pass.projectedLike += v.projectedLike > 0 ? 1 : 0;
    if (v.polygons.length > 0) {
      pass.withGeometry++;
      const h = heights.resolve(v.properties, { file, featureIndex: sf.index, featureId: v.id, line: sf.line, column: sf.column }, (d) => sink.add(d));
      const b = builder.addBuilding(v.polygons, h.height, sf.index);
      pass.ids.push(v.id);
      (pass.positions as number[]).push(sf.line ?? 0, sf.column ?? 0);
      sources.push(h.source);
      props?.write(JSON.stringify({ b, f: sf.index, id: v.id, properties: v.properties }));
    }
    return (sf.index & 255) === 0 && performance.now() - last > 50;
  };
  // Let the event loop breathe (progress, cancellation) without slowing the hot path.
  const breathe = async () => {
    opts.onProgress?.(scanner.bytesRead, scanner.size, scanner.featureCount);
    await new Promise<void>((r) => setImmediate(r));
    last = performance.now();
    if (signal?.aborted) throw cancelled();
  };
  if (feed) {
    try {
      decide();
      unit = metresPerUnit(pass.source);
      await readRanges(file, feed, opts, opts.parallel!, pass, scanner as RangeScanner, unit, props, signal);
    } finally {
      props?.close();
    }
    return pass;
  }
  try {
    const features = scanner.features();
    // Text scanners are synchronous: no await per feature on their path (a million features).
    if (Symbol.asyncIterator in features) {
      for await (const sf of features) if (take(sf)) await breathe();
    } else {
      for (const sf of features) if (take(sf)) await breathe();
    }
    if (signal?.aborted) throw cancelled();
    opts.onProgress?.(scanner.bytesRead, scanner.size, scanner.featureCount);
  } finally {
    props?.close();
  }
  if (!decided) decide();
  return pass;
}

/**
 * The pass over a FeatureCollection's ranges (parallelRead.ts): each range validated through
 * `parallel.run`, the results joined in file order into `pass`, `scanner` and the side file
 * exactly as the serial pass adds them feature by feature.
 */
async function readRanges(file: string, feed: RangeFeed, opts: ReadOptions, parallel: ParallelRead, pass: Pass, scanner: RangeScanner, unit: number, props: LineWriter | undefined, signal?: AbortSignal): Promise<void> {
  const heightOptions = { heightAttributes: opts.heightAttributes, defaultHeight: opts.defaultHeight, levelHeight: opts.levelHeight };
  const parts: RangeResult["footprints"][] = [];
  const ids = pass.ids, positions: Uint32Array[] = [], sources = pass.heightSource, counts = pass.heights.counts;
  let buildings = 0;
  await runInOrder(
    () => {
      if (signal?.aborted) throw cancelled();
      const range = feed.nextRange();
      return range && rangeJob(feed.spans(), range, { file, geographic: pass.source.geographic, metresPerUnit: unit, heights: heightOptions, properties: !!props });
    },
    parallel.run as (job: RangeJob) => RangeResult | Promise<RangeResult>,
    parallel.concurrent,
    (r, k) => {
      scanner.diagnostics.push(...r.scanDiagnostics);
      pass.sink.absorb(r.sink);
      for (const [source, n] of r.heightCounts) counts[source] = (counts[source] ?? 0) + n;
      for (let b = 0; b < r.ids.length; b++) {
        ids.push(r.ids[b]);
        sources.push(r.sourceNames[r.sources[b]]);
      }
      positions.push(r.positions);
      parts.push(r.footprints);
      pass.projectedLike += r.projectedLike;
      pass.withGeometry += r.withGeometry;
      if (props && r.properties) props.writeBytes(numberedLines(r.properties, buildings));
      buildings += r.footprints.count;
      scanner.featureCount = feed.ranges[k][1];
      scanner.bytesRead = feed.spans().ends[scanner.featureCount - 1];
      opts.onProgress?.(scanner.bytesRead, scanner.size, scanner.featureCount);
    },
  );
  if (signal?.aborted) throw cancelled();
  const layout = feed.layout!;
  scanner.bytesRead = layout.size;
  for (const [k, v] of layout.after) scanner.members[k] = v;
  const all = new Uint32Array(positions.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of positions) { all.set(p, at); at += p.length; }
  pass.positions = all;
  pass.builder = new JoinedFootprints(joinFootprints(parts));
  pass.inRanges = true;
}

/** Points per projection job at least: fewer cost more to send than to project. */
const PROJECT_POINTS = 1 << 16;

/** Projects xy in place through `parallel.run`, in runs of points fixed by the number of points (16 at most). */
async function projectInRuns(xy: Float64Array, from: ResolvedCrs, to: ResolvedCrs, parallel: ParallelRead): Promise<void> {
  const points = xy.length >> 1;
  const per = Math.max(PROJECT_POINTS, Math.ceil(points / 16));
  let next = 0;
  await runInOrder(
    () => {
      if (next >= points) return undefined;
      const a = next;
      next = Math.min(points, a + per);
      return { xy: xy.slice(2 * a, 2 * next), from, to, at: 2 * a };
    },
    async (job) => ({ at: job.at, xy: (await parallel.run({ xy: job.xy, from: job.from, to: job.to })) as Float64Array }),
    parallel.concurrent,
    (r) => { xy.set(r.xy, r.at); },
  );
}

/** Buffered synchronous line writer (a JSON line per building; flushed in ~1 MB writes). */
class LineWriter {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  constructor(readonly file: string) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      this.fd = fs.openSync(file, "w");
    } catch (e) {
      throw new CityMeshError("output", `Cannot write the properties file ${file}: ${(e as Error).message}`, { path: file });
    }
  }
  write(line: string): void {
    this.buf.push(line);
    this.size += line.length + 1;
    if (this.size > 1 << 20) this.flush();
  }
  /** Whole lines, each ending in "\n", written after those before. */
  writeBytes(lines: Uint8Array): void {
    this.flush();
    try {
      writeAll(this.fd, lines);
    } catch (e) {
      throw new CityMeshError("output", `Cannot write the properties file ${this.file}: ${(e as Error).message}`, { path: this.file });
    }
  }
  private flush(): void {
    if (!this.buf.length) return;
    try {
      fs.writeSync(this.fd, this.buf.join("\n") + "\n");
    } catch (e) {
      throw new CityMeshError("output", `Cannot write the properties file ${this.file}: ${(e as Error).message}`, { path: this.file });
    }
    this.buf = [];
    this.size = 0;
  }
  close(): void {
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
    }
  }
}

/** Rewrites the properties side file after buildings were dropped: new building indices, dropped lines removed. Streams, line by line. */
async function renumberProperties(file: string, newIndex: Int32Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const out = new LineWriter(tmp);
  try {
    const rl = (await import("readline")).createInterface({ input: fs.createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line) continue;
      const o = JSON.parse(line) as { b: number };
      const nb = newIndex[o.b];
      if (nb < 0) continue;
      o.b = nb;
      out.write(JSON.stringify(o));
    }
  } finally {
    out.close();
  }
  fs.renameSync(tmp, file);
}
