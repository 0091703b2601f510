// The clean-up (cleanup.ts) of a city in independent parts, so the planner can run them on
// several threads and never needs one arrangement of every footprint at once.
//
// Why parts give the same footprints as one global clean-up: snap rounding only ever moves an
// edge to the centre of a hot pixel the edge itself meets, and every hot pixel of a footprint
// (its vertices, its edges' crossings, their lattice-line crossings and subdivision points)
// lies inside its own box on the integer grid. An edge meets a pixel only when the pixel's centre
// is within √2/2 of it, so two footprints whose integer boxes stay more than REACH units apart
// never meet each other's hot pixels, never cross, and never nest (a building inside another's
// courtyard lies inside its box). The arrangement's faces, windings and owners of one group of
// touching buildings are therefore decided by that group alone. Groups are the connected
// components of "boxes within REACH"; the parts are runs of components in a fixed spatial order,
// each holding its buildings in input order (overlap ties go to the lower index, as globally).
//
// The result does not depend on the partition (the tests check it byte for byte against the
// global clean-up, cut every way), so the planner cuts the city into one part per thread: V8
// optimizes the kernel's large functions for the first part a thread cleans and deoptimizes and
// re-optimizes them for the next ones (measured on New York in one thread: 16 parts 4.4 s of CPU,
// 2 parts 3.3 s, one global pass 2.6 s), so fewer, larger parts cost least. Diagnostics come
// back in building order.
import type { Diagnostic, Footprints } from "../types";
import { type CleanupOptions, type CleanupResult, cleanFootprints } from "./cleanup";
import { buildingBoxes, copyBuildings, gatherBuildings } from "./footprintBuilder";
import { type Lattice, toUnitsX, toUnitsY } from "./lattice";
import { Buckets, boxCells } from "./spatialGrid";

/** Integer units between two boxes below which their buildings may interact (√2/2 rounded up, and one for safety). */
export const REACH = 2;
/**
 * A part holds at least this many points: fewer, and a thread's start-up, its JIT's warm-up and
 * the copies cost more than the work saved (32,000 generated buildings, 176,000 points: plan phase
 * 1.09–1.13 s in one pass, 1.34–1.39 s in 2 parts; New York, 788,000 points: 2.9 s → 2.5–2.8 s).
 */
export const MIN_PART_POINTS = 250_000;
/** Side of the cells (metres) that order the components spatially before they are cut into parts. */
const ORDER_CELL = 1000;

/** What a part's clean-up needs besides the footprints (plain data: it crosses to a thread). */
export type PartOptions = Pick<CleanupOptions, "lattice" | "snapTolerance" | "file">;

/**
 * A part holds at most about this many points, so the clean-up's working memory (hot pixels,
 * fragments, half-edges: several times the part's footprints) follows the part, not the city.
 * 512,000 generated buildings (2.8 M points) on one thread, peak RSS of reading and cleaning:
 * 619 MB in one part, 521 MB in 2, 453 MB in 3 parts of under 1 M points, 422 MB in 6; clean-up
 * 4.1, 5.1, 5.3 and 5.3 s.
 */
export const MAX_PART_POINTS = 1_000_000;

/**
 * The points per part for `threads` threads: one part for a small city (under 2 × MIN_PART_POINTS
 * points with several threads, under MAX_PART_POINTS with one); else as many parts as threads, or
 * a multiple of that so no part exceeds MAX_PART_POINTS (each thread then cleans as many).
 */
export function partPointsFor(f: Footprints, threads: number): number {
  const total = f.ringStart[f.ringStart.length - 1];
  const lanes = Math.max(1, threads);
  if (total <= MAX_PART_POINTS && (lanes === 1 || total < 2 * MIN_PART_POINTS)) return Infinity;
  const parts = lanes * Math.ceil(total / MAX_PART_POINTS / lanes);
  return Math.ceil(total / parts);
}

/** How a city is cleaned in parts: parts in flight at once, and the points a part is filled to (default: one part). */
export interface PartsOptions {
  concurrent?: number;
  partPoints?: number;
  /**
   * When every lane gets one part at most, one of the `concurrent` lanes cleans its part in this
   * thread (started after the others have sent theirs off): the caller's thread would only wait,
   * and it saves a thread's heap. With more parts than lanes every lane sends its parts away
   * (lanesHere): a part cleaned here blocks this thread for seconds, and with it the next part of
   * a lane whose thread is done.
   */
  here?: boolean;
  onPart?: () => void;
}

/** Runs one part's clean-up (inline, or on a planner thread). */
export type CleanPart = (part: Footprints, o: PartOptions) => CleanupResult | Promise<CleanupResult>;

/**
 * The parts: each an ascending list of building indices; together every building once. Buildings
 * are joined into components when their integer boxes come within REACH units; components are
 * ordered by the row-major cell of ORDER_CELL metres holding their box's lower-left corner (then by
 * their first building), and consecutive components fill a part up to `partPoints` points.
 */
export function cleanupParts(f: Footprints, l: Lattice, partPoints = Infinity): Int32Array[] {
  const n = f.count;
  if (n === 0) return [];
  const boxes = buildingBoxes(f);
  const ub = new Float64Array(4 * n);
  for (let b = 0; b < n; b++) {
    ub[4 * b] = toUnitsX(l, boxes[4 * b]) - REACH; ub[4 * b + 1] = toUnitsY(l, boxes[4 * b + 1]) - REACH;
    ub[4 * b + 2] = toUnitsX(l, boxes[4 * b + 2]) + REACH; ub[4 * b + 3] = toUnitsY(l, boxes[4 * b + 3]) + REACH;
  }
  // Union-find over overlapping widened boxes (a grid of about twice the mean box).
  let sum = 0;
  for (let b = 0; b < n; b++) sum += Math.max(ub[4 * b + 2] - ub[4 * b], ub[4 * b + 3] - ub[4 * b + 1]);
  const cell = Math.max(1, (2 * sum) / n);
  const grid = new Buckets(cell, boxCells(cell, ub, n));
  const parent = new Int32Array(n);
  for (let b = 0; b < n; b++) parent[b] = b;
  const root = (b: number) => { while (parent[b] !== b) { parent[b] = parent[parent[b]]; b = parent[b]; } return b; };
  // Two overlapping boxes share a cell, so testing the pairs within each cell finds every overlap
  // (a pair spanning several cells is tested in each: union is idempotent).
  for (let c = 0; c < grid.cellCount; c++) {
    for (let m = grid.start[c]; m < grid.start[c + 1]; m++) {
      const b = grid.ids[m];
      for (let q = m + 1; q < grid.start[c + 1]; q++) {
        const d = grid.ids[q];
        if (ub[4 * d] > ub[4 * b + 2] || ub[4 * d + 2] < ub[4 * b] || ub[4 * d + 1] > ub[4 * b + 3] || ub[4 * d + 3] < ub[4 * b + 1]) continue;
        const rb = root(b), rd = root(d);
        if (rb !== rd) parent[Math.max(rb, rd)] = Math.min(rb, rd); // the root is the component's first building
      }
    }
  }
  // Components: first building, lower-left corner and points, in the order of their first building.
  const compOf = new Int32Array(n), first: number[] = [], cx: number[] = [], cy: number[] = [], points: number[] = [];
  for (let b = 0; b < n; b++) {
    const r = root(b);
    let c: number;
    if (r === b) { c = first.length; first.push(b); cx.push(Infinity); cy.push(Infinity); points.push(0); }
    else c = compOf[r];
    compOf[b] = c;
    cx[c] = Math.min(cx[c], boxes[4 * b]); cy[c] = Math.min(cy[c], boxes[4 * b + 1]);
    points[c] += f.ringStart[f.polyStart[f.buildingStart[b + 1]]] - f.ringStart[f.polyStart[f.buildingStart[b]]];
  }
  const nc = first.length;
  const order = Array.from({ length: nc }, (_, c) => c);
  const row = (c: number) => Math.floor(cy[c] / ORDER_CELL), col = (c: number) => Math.floor(cx[c] / ORDER_CELL);
  order.sort((a, b) => row(a) - row(b) || col(a) - col(b) || first[a] - first[b]);
  const target = partPoints;
  const partOf = new Int32Array(nc);
  let parts = 0, filled = 0;
  for (const c of order) {
    if (filled >= target) { parts++; filled = 0; }
    partOf[c] = parts;
    filled += points[c];
  }
  parts++;
  const sizes = new Int32Array(parts);
  for (let b = 0; b < n; b++) sizes[partOf[compOf[b]]]++;
  const out = Array.from(sizes, (s) => new Int32Array(s)), fill = new Int32Array(parts);
  for (let b = 0; b < n; b++) { const p = partOf[compOf[b]]; out[p][fill[p]++] = b; }
  return out;
}

/** The buildings of one part as footprints of their own (input order kept). */
export function partFootprints(f: Footprints, buildings: Int32Array): Footprints {
  return copyBuildings(f, buildings);
}

/**
 * Cleans the city part by part through `run` (at most `concurrent` parts in flight, so only
 * those parts' copies exist at once) and puts the results back together: the kept buildings in
 * input order, each with its index in the input, and the diagnostics in building order, given
 * their feature ids and source positions here (functions do not cross to a thread).
 */
export async function cleanInParts(f: Footprints, opts: CleanupOptions, run: CleanPart, how: PartsOptions = {}): Promise<CleanupResult> {
  const parts = cleanupParts(f, opts.lattice, how.partPoints);
  const concurrent = how.concurrent ?? 1;
  const o: PartOptions = { lattice: opts.lattice, snapTolerance: opts.snapTolerance, file: opts.file };
  const results: CleanupResult[] = new Array(parts.length);
  let next = 0;
  const lane = async (inThisThread: boolean) => {
    while (next < parts.length) {
      const p = next++;
      if (!inThisThread) { results[p] = await run(partFootprints(f, parts[p]), o); continue; }
      how.onPart?.();
      results[p] = cleanFootprints(partFootprints(f, parts[p]), o);
      await new Promise<void>((r) => setImmediate(r)); // the other lanes' answers come in meanwhile
    }
  };
  // The lanes that send their parts away start first: an async function runs up to its first
  // await at once, so their parts are on their way before this thread's lane blocks it.
  const lanes: Promise<void>[] = [];
  const here = lanesHere(parts.length, concurrent, !!how.here);
  for (let k = Math.max(1, Math.min(concurrent, parts.length)) - 1; k >= 0; k--) lanes.push(lane(k === 0 && here));
  await Promise.all(lanes);
  return assemble(f, parts, results, opts);
}

/**
 * Whether one lane of cleanInParts runs in the caller's thread: only when `here` is asked for and
 * no lane has a second part to send. Else this thread, busy with its own part, would leave a
 * thread that has finished idle until then: 1,000,000 generated buildings in 6 parts on 2 lanes
 * left a core idle for about 5 s in all (each thread waited on the other), of a 14–15.6 s plan phase.
 */
export function lanesHere(parts: number, concurrent: number, here: boolean): boolean {
  return here && parts <= Math.max(1, concurrent);
}

/** The number of parts cleanupParts makes at most with `partPoints` points per part (Infinity: one). */
export function partsAtMost(f: Footprints, partPoints: number): number {
  return partPoints < Infinity ? Math.max(1, Math.ceil(f.ringStart[f.ringStart.length - 1] / partPoints)) : 1;
}

/** cleanInParts with every part cleaned in this thread, one after another (the same result). */
export function cleanInPartsHere(f: Footprints, opts: CleanupOptions, how: PartsOptions = {}): CleanupResult {
  if (!((how.partPoints ?? Infinity) < Infinity)) {
    // One part is the whole city: no partition or copies, only the diagnostics in the order assemble() gives.
    how.onPart?.();
    const r = cleanFootprints(f, opts);
    r.diagnostics.sort(byFeature);
    return r;
  }
  const parts = cleanupParts(f, opts.lattice, how.partPoints);
  const o: PartOptions = { lattice: opts.lattice, snapTolerance: opts.snapTolerance, file: opts.file };
  return assemble(f, parts, parts.map((p) => { how.onPart?.(); return cleanFootprints(partFootprints(f, p), o); }), opts);
}

function assemble(f: Footprints, parts: Int32Array[], results: CleanupResult[], opts: CleanupOptions): CleanupResult {
  // Kept building → (part, index in the part's result), by input index.
  const at = new Int32Array(f.count).fill(-1), partOfKept = new Int32Array(f.count);
  results.forEach((r, p) => r.sourceIndex.forEach((k, i) => { const b = parts[p][k]; at[b] = i; partOfKept[b] = p; }));
  // The output is allocated once at its size (gatherBuildings; 1,000,000 buildings: a doubling
  // builder and its final copy had held up to 3× the city's cleaned arrays).
  const kept: number[] = [];
  for (let b = 0; b < f.count; b++) if (at[b] >= 0) kept.push(b);
  const footprints = gatherBuildings(kept.length, (k) => results[partOfKept[kept[k]]].footprints, (k) => at[kept[k]]);
  // Each part's diagnostics are in its building order; feature indices rise with building indices,
  // so a stable sort by feature index gives the global building order.
  const diagnostics: Diagnostic[] = results.flatMap((r) => r.diagnostics).sort(byFeature).map((d) => {
    const fi = d.featureIndex, at = opts.featurePosition?.(fi);
    return { file: d.file, featureIndex: fi, featureId: opts.featureId?.(fi) ?? null, ...(at ? { line: at.line, column: at.column } : {}), severity: d.severity, code: d.code, message: d.message };
  });
  return { footprints, sourceIndex: Uint32Array.from(kept), diagnostics };
}

const byFeature = (a: Diagnostic, b: Diagnostic) => a.featureIndex - b.featureIndex;
