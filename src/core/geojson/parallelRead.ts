// The parallel read of a FeatureCollection (read.ts uses it when it is given a way to run ranges):
// the structural pass (split.ts) finds every feature's bytes; the features are cut into ranges of
// whole features; each range is validated on a planner thread (readRange.ts, the readRange job);
// the reader puts the ranges back together in file order, so everything it makes (footprints, ids,
// positions, heights, diagnostics, the properties side file) is the serial read's, byte for byte.
//
// The ranges depend on the file only (its size and its features' offsets), never on the number of
// threads, and results are joined in range order whatever order they finish in.
import type { Footprints } from "../types";
import { buildingArea, footprintSizes, keptBuildings } from "../geometry/footprintBuilder";
import type { Layout, SplitProgress } from "./split";
import type { RangeJob, ReadJob, ReadJobResult } from "./readRange";

/** How the reader runs a range: on a planner thread (the readRange job) or inline (readRange). */
export interface ParallelRead {
  /** Runs a job of readRange.ts (runReadJob): a range of features, or coordinates to project. */
  run: (job: ReadJob) => ReadJobResult | Promise<ReadJobResult>;
  /** Ranges in flight at once (the threads). */
  concurrent: number;
  /** Files smaller than this are read serially (default PARALLEL_MIN_BYTES). */
  minBytes?: number;
}

/**
 * Below this a file is read in one pass on the planner's main thread: threads cost more than they
 * save (each starts its bundle and warms its JIT). A 13 MB file (32,000 generated buildings) read
 * no faster on 2 threads (1.25 s either way); New York's 52 MB read in 2.2–2.4 s against 2.9–3.2.
 */
export const PARALLEL_MIN_BYTES = 32 << 20;
/** Ranges a file is cut into at least (more than threads, so they finish close together)… */
const RANGES = 16;
/**
 * …and a range's bytes at most: a range's text, footprints, ids and properties lines live at once on
 * a thread and wait in order on the main one. On a 400,000-building city (160 MB) the read's peak
 * RSS was 539–561 MiB with ranges of 16 MiB, 479 MiB with 4 MiB, 469–472 MiB with 2 MiB (serial
 * read: 302–336 MiB), at the same speed.
 */
const MAX_RANGE_BYTES = 4 << 20;

/** Bytes a range spans at least (the last one excepted): a file's size over RANGES, at most MAX_RANGE_BYTES. */
const rangeStep = (size: number) => Math.max(1, Math.min(MAX_RANGE_BYTES, Math.ceil(size / RANGES)));

/**
 * The ranges of a layout: [first feature, end feature) each; a range ends before the first feature
 * starting rangeStep bytes or more after the range's own first feature.
 */
export function featureRanges(l: Layout): [number, number][] {
  const n = l.featureCount;
  if (n === 0) return [];
  const step = rangeStep(l.size);
  const out: [number, number][] = [];
  let from = 0, next = l.starts[0] + step;
  for (let f = 1; f < n; f++) {
    if (l.starts[f] >= next) {
      out.push([from, f]);
      from = f;
      next = l.starts[f] + step;
    }
  }
  out.push([from, n]);
  return out;
}

/** Features' bytes, lines and columns (a Layout's, or the structural pass's so far). */
export interface FeatureSpans {
  starts: ArrayLike<number>;
  ends: ArrayLike<number>;
  lines: ArrayLike<number>;
  columns: ArrayLike<number>;
}

/** The job of range [a, b): its bytes and its features' offsets (relative), lines and columns. */
export function rangeJob(l: FeatureSpans, [a, b]: [number, number], rest: Omit<RangeJob, "first" | "start" | "end" | "starts" | "ends" | "lines" | "columns">): RangeJob {
  const start = l.starts[a], n = b - a;
  const starts = new Uint32Array(n), ends = new Uint32Array(n), lines = new Uint32Array(n), columns = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    starts[k] = l.starts[a + k] - start;
    ends[k] = l.ends[a + k] - start;
    lines[k] = l.lines[a + k];
    columns[k] = l.columns[a + k];
  }
  return { ...rest, first: a, start, end: l.ends[b - 1], starts, ends, lines, columns };
}

/** The structural pass found the file is not of the ordinary shape (or has no features): read it serially. */
export class NotOrdinary extends Error {}

/**
 * The ranges of a file as the structural pass finds them (splitBlocks), so the first ones go to
 * the threads while the rest of the file is still being walked; or those of a finished layout
 * (a second pass). The same ranges as featureRanges(layout) either way.
 */
export class RangeFeed {
  /** The whole layout, once the structural pass is done. */
  layout?: Layout;
  /** Ranges handed out so far. */
  readonly ranges: [number, number][] = [];
  private p?: SplitProgress;
  private from = 0;
  private f = 1;
  private next = NaN;
  private step = 1;
  private lastOut = false;

  constructor(private readonly source: Generator<SplitProgress, Layout | undefined> | Layout) {
    if (!("next" in source)) this.finish(source);
  }

  /** Walks the file until the members before the features are known; false: read the file serially. */
  begin(): boolean {
    try {
      while (!this.layout && !this.p?.sawFeatures) this.advance();
      return true;
    } catch (e) {
      if (e instanceof NotOrdinary) return false;
      throw e;
    }
  }

  /** Members before `features`. */
  get before(): [string, unknown][] { return this.layout?.before ?? this.p!.before; }
  get size(): number { return this.layout?.size ?? this.p!.size; }
  /** The features' spans found so far. */
  spans(): FeatureSpans {
    if (this.layout) return this.layout;
    const p = this.p!;
    return { starts: p.starts.a, ends: p.ends.a, lines: p.lines.a, columns: p.columns.a };
  }

  /** The next range, or undefined after the last. Throws NotOrdinary when the file turns out not to be of the ordinary shape. */
  nextRange(): [number, number] | undefined {
    for (;;) {
      const started = this.layout ? this.layout.featureCount : this.p ? this.p.starts.n : 0;
      if (started > 0 && Number.isNaN(this.next)) {
        this.step = rangeStep(this.size);
        this.next = this.spans().starts[0] + this.step;
      }
      const starts = this.spans().starts;
      for (; this.f < started; this.f++) {
        if (starts[this.f] >= this.next) {
          const r: [number, number] = [this.from, this.f];
          this.from = this.f;
          this.next = starts[this.f] + this.step;
          this.f++;
          this.ranges.push(r);
          return r;
        }
      }
      if (this.layout) {
        if (this.lastOut || this.layout.featureCount === 0) return undefined;
        this.lastOut = true;
        const r: [number, number] = [this.from, this.layout.featureCount];
        this.ranges.push(r);
        return r;
      }
      this.advance();
    }
  }

  /** Ends the structural pass early (its file is closed). */
  close(): void {
    if (!this.layout && "next" in this.source) this.source.return(undefined);
  }

  private advance(): void {
    const it = this.source as Generator<SplitProgress, Layout | undefined>;
    const r = it.next();
    if (r.done) {
      if (!r.value || r.value.featureCount === 0) throw new NotOrdinary();
      this.finish(r.value);
    } else this.p = r.value;
  }

  private finish(l: Layout): void {
    this.layout = l;
  }
}

/**
 * Runs the jobs `nextJob` hands out (until undefined) through `run`, at most `concurrent` at once,
 * and hands each result to `take` in job order, as soon as it and those before it are done, so
 * only out-of-order results wait. On a failure, the jobs in flight are waited for (and not taken)
 * before it is thrown, so nothing runs on behind the caller's back.
 */
export async function runInOrder<J, R>(nextJob: () => J | undefined, run: (job: J) => R | Promise<R>, concurrent: number, take: (r: R, k: number) => void | Promise<void>): Promise<void> {
  const done = new Map<number, R>();
  let issued = 0, taken = 0, ended = false, failed = false;
  let draining: Promise<void> = Promise.resolve();
  const drain = async () => {
    while (!failed && done.has(taken)) {
      const r = done.get(taken)!;
      done.delete(taken);
      await take(r, taken++);
    }
  };
  const lane = async () => {
    while (!failed && !ended) {
      const job = nextJob();
      if (job === undefined) { ended = true; return; }
      const k = issued++;
      const r = await run(job);
      done.set(k, r);
      draining = draining.then(drain);
      await draining;
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.max(1, concurrent) }, () => lane().catch((e) => { failed = true; throw e; })));
  await draining.catch(() => {});
  const failure = lanes.find((l) => l.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  await draining;
}

/** Footprints put together from the ranges', with the FootprintBuilder surface the reader uses after its pass. */
export class JoinedFootprints {
  constructor(readonly f: Footprints) {}
  get count(): number { return this.f.count; }
  get pointCount(): number { return this.f.xy.length >> 1; }
  coords(): Float64Array { return this.f.xy; }
  area(b: number): number { return buildingArea(this.f, b); }
  featureIndexOf(b: number): number { return this.f.featureIndex[b]; }
  finish(): Footprints { return this.f; }
  finishKept(keep: Uint8Array): { footprints: Footprints; newIndex: Int32Array } {
    return keptBuildings(this.f, keep);
  }
}

/** The footprints of the parts one after another, as one FootprintBuilder fed them all would have made. */
export function joinFootprints(parts: Footprints[]): Footprints {
  const { buildings: count, points, rings, polys } = footprintSizes(parts);
  const xy = new Float64Array(2 * points), ringStart = new Uint32Array(rings + 1), polyStart = new Uint32Array(polys + 1), buildingStart = new Uint32Array(count + 1);
  const height = new Float64Array(count), featureIndex = new Uint32Array(count);
  let b0 = 0, p0 = 0, r0 = 0, q0 = 0;
  for (const p of parts) {
    xy.set(p.xy, 2 * q0);
    for (let r = 1; r < p.ringStart.length; r++) ringStart[r0 + r] = p.ringStart[r] + q0;
    for (let q = 1; q < p.polyStart.length; q++) polyStart[p0 + q] = p.polyStart[q] + r0;
    for (let b = 1; b < p.buildingStart.length; b++) buildingStart[b0 + b] = p.buildingStart[b] + p0;
    height.set(p.height, b0);
    featureIndex.set(p.featureIndex, b0);
    b0 += p.count; p0 += p.polyStart.length - 1; r0 += p.ringStart.length - 1; q0 += p.xy.length >> 1;
  }
  return { count, xy, ringStart, polyStart, buildingStart, height, featureIndex };
}
