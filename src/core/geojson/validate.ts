// Validation and repair of one feature's footprint geometry. Never throws: each problem is a
// Diagnostic with a stable code; repairable ones are fixed (warning, repaired: true), the rest
// skip the ring, hole or polygon (error). Output rings are open flat Float64Arrays in the source
// CRS, outer ring counter-clockwise, holes clockwise.
//
// Codes: not-a-feature, missing-geometry, null-geometry, unsupported-geometry, invalid-geometry,
// invalid-coordinates, empty-geometry, empty-polygon, invalid-ring, invalid-position,
// non-numeric-coordinate, non-finite-coordinate, lonlat-out-of-range, coordinate-out-of-range,
// extra-ordinates, unclosed-ring, duplicate-points, too-few-points, implausible-size, zero-area,
// spike, self-intersection, hole-outside-shell. Rings wound the wrong way are reversed silently
// and counted (DiagnosticSink.tally): the reader reports them once per file (winding-repaired).
import type { Severity } from "../types";
import type { DiagnosticSink } from "./diagnostics";
import { allCollinear, findIntersection, pointInRing, removeSpikes, reverseRing, ringArea } from "../geometry/rings";

export interface FeatureContext {
  featureIndex: number;
  featureId?: string | number | null;
  line?: number;
  column?: number;
  /** Input coordinates are lon/lat degrees: range checks apply. */
  geographic: boolean;
  /** Metres per unit of projected input coordinates (default 1); unused for lon/lat. */
  metresPerUnit?: number;
}

export interface ValidatedFeature {
  /** Polygons, each [outer, ...holes] as open flat xy rings. Empty when nothing usable. */
  polygons: Float64Array[][];
  id: string | number | null;
  properties: Record<string, unknown> | null;
  /** Positions rejected as lon/lat out of range that look like projected metres (|v| > 360). */
  projectedLike: number;
}

/** Largest plausible projected coordinate (metres); beyond it numbers are garbage like 1e300. */
const MAX_PROJECTED = 1e9;

/**
 * Longest plausible side of one footprint's bounding box, metres. The largest buildings are a
 * few hundred metres to about a kilometre across (the longest, Prora, 4.5 km); a ring spanning
 * more has a stray or mistyped coordinate, and would stretch the tile grid over empty land.
 */
export const MAX_FOOTPRINT_SPAN = 10_000;

/** A ring whose |area| is below this fraction of its bounding box's squared extent is a sliver. */
const SLIVER_RATIO = 1e-10;

export function featureId(f: Record<string, unknown>): string | number | null {
  const id = f.id;
  if (typeof id === "string" || typeof id === "number") return id;
  const p = f.properties;
  if (p && typeof p === "object") {
    const pid = (p as Record<string, unknown>).id;
    if (typeof pid === "string" || typeof pid === "number") return pid;
  }
  return null;
}

class Reporter {
  constructor(
    readonly sink: DiagnosticSink,
    readonly ctx: FeatureContext,
  ) {}
  add(severity: Severity, code: string, pointer: string, message: string, repaired = false): void {
    const c = this.ctx;
    this.sink.add({
      featureIndex: c.featureIndex,
      featureId: c.featureId ?? null,
      pointer,
      ...(c.line !== undefined ? { line: c.line, column: c.column } : {}),
      severity,
      code,
      message: `Feature ${c.featureIndex}${c.featureId != null ? ` (id ${JSON.stringify(c.featureId)})` : ""}: ${message}`,
      ...(repaired ? { repaired } : {}),
    });
  }
}

/** Validates one parsed feature (the value JSON.parse gave). */
export function validateFeature(value: unknown, ctx: FeatureContext, sink: DiagnosticSink): ValidatedFeature {
  const base = `/features/${ctx.featureIndex}`;
  const out: ValidatedFeature = { polygons: [], id: null, properties: null, projectedLike: 0 };
  const rep0 = new Reporter(sink, ctx);
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    rep0.add("error", "not-a-feature", base, "is not a JSON object; skipped.");
    return out;
  }
  const f = value as Record<string, unknown>;
  out.id = featureId(f);
  const rep = new Reporter(sink, { ...ctx, featureId: out.id });
  if (f.properties && typeof f.properties === "object" && !Array.isArray(f.properties)) out.properties = f.properties as Record<string, unknown>;
  if (f.type !== "Feature") {
    rep.add("error", "not-a-feature", `${base}/type`, `"type" is ${JSON.stringify(f.type)}, expected "Feature"; skipped.`);
    return out;
  }
  if (!("geometry" in f)) {
    rep.add("warning", "missing-geometry", base, `has no "geometry" member; skipped.`);
    return out;
  }
  const g = f.geometry;
  if (g === null) {
    rep.add("info", "null-geometry", `${base}/geometry`, "has a null geometry (unlocated feature); skipped.");
    return out;
  }
  if (typeof g !== "object" || Array.isArray(g)) {
    rep.add("error", "invalid-geometry", `${base}/geometry`, "geometry is not an object; skipped.");
    return out;
  }
  const geom = g as Record<string, unknown>;
  const type = geom.type;
  const gp = `${base}/geometry`;
  if (type === "Point" || type === "MultiPoint" || type === "LineString" || type === "MultiLineString" || type === "GeometryCollection") {
    rep.add("warning", "unsupported-geometry", `${gp}/type`, `${type} geometry is not a building footprint (only Polygon and MultiPolygon are); skipped.`);
    return out;
  }
  if (type !== "Polygon" && type !== "MultiPolygon") {
    rep.add("error", "invalid-geometry", `${gp}/type`, `unknown geometry type ${JSON.stringify(type)}; skipped.`);
    return out;
  }
  const coords = geom.coordinates;
  if (!Array.isArray(coords)) {
    rep.add("error", "invalid-coordinates", `${gp}/coordinates`, `${type} "coordinates" is not an array; skipped.`);
    return out;
  }
  if (coords.length === 0) {
    rep.add("warning", "empty-geometry", `${gp}/coordinates`, `${type} has no coordinates; skipped.`);
    return out;
  }
  const state: RingState = { maxDims: 2, dimsPointer: "", projectedLike: 0, metresPerUnit: ctx.metresPerUnit ?? 1 };
  if (type === "Polygon") {
    const p = polygon(coords, `${gp}/coordinates`, rep, ctx.geographic, state);
    if (p) out.polygons.push(p);
  } else {
    for (let i = 0; i < coords.length; i++) {
      const pc = coords[i];
      const ptr = `${gp}/coordinates/${i}`;
      if (!Array.isArray(pc)) {
        rep.add("error", "invalid-coordinates", ptr, "polygon is not an array of rings; skipped.");
        continue;
      }
      const p = polygon(pc, ptr, rep, ctx.geographic, state);
      if (p) out.polygons.push(p);
    }
  }
  if (state.maxDims > 2) {
    rep.add(state.maxDims === 3 ? "info" : "warning", "extra-ordinates", state.dimsPointer, `positions have ${state.maxDims} ordinates; only x and y are used (${state.maxDims === 3 ? "z ignored" : "z and further values ignored"}).`, true);
  }
  out.projectedLike = state.projectedLike;
  return out;
}

interface RingState {
  maxDims: number;
  dimsPointer: string;
  projectedLike: number;
  metresPerUnit: number;
}

function polygon(rings: unknown[], ptr: string, rep: Reporter, geographic: boolean, state: RingState): Float64Array[] | null {
  if (rings.length === 0) {
    rep.add("warning", "empty-polygon", ptr, "polygon has no rings; skipped.");
    return null;
  }
  const outer = ring(rings[0], `${ptr}/0`, rep, geographic, state, false);
  if (!outer) return null;
  const holes: { xy: Float64Array; index: number }[] = [];
  for (let r = 1; r < rings.length; r++) {
    const h = ring(rings[r], `${ptr}/${r}`, rep, geographic, state, true);
    if (h) holes.push({ xy: h, index: r });
  }
  const all = [outer, ...holes.map((h) => h.xy)];
  const hit = findIntersection(all);
  if (hit) {
    const where = (r: number) => (r === 0 ? "outer ring" : `hole ${holes[r - 1].index}`);
    const same = hit.ringA === hit.ringB;
    rep.add(
      "error",
      "self-intersection",
      `${ptr}/${hit.ringA === 0 ? 0 : holes[hit.ringA - 1].index}/${hit.edgeA}`,
      same
        ? `${where(hit.ringA)} intersects itself (edges ${hit.edgeA} and ${hit.edgeB}, near ${fmt(hit.x)}, ${fmt(hit.y)}); polygon skipped.`
        : `${where(hit.ringA)} and ${where(hit.ringB)} cross (near ${fmt(hit.x)}, ${fmt(hit.y)}); polygon skipped.`,
    );
    return null;
  }
  if (ringArea(outer) < 0) {
    reverseRing(outer);
    rep.sink.tally("outer-clockwise"); // repaired silently: real files (BAG, OSM exports) are clockwise throughout; one note per file
  }
  const kept: Float64Array[] = [outer];
  for (const h of holes) {
    if (ringArea(h.xy) > 0) {
      reverseRing(h.xy);
      rep.sink.tally("hole-counter-clockwise");
    }
    if (!holeInside(h.xy, outer)) {
      rep.add("warning", "hole-outside-shell", `${ptr}/${h.index}`, `hole ${h.index} lies outside its outer ring; hole dropped.`, true);
      continue;
    }
    kept.push(h.xy);
  }
  return kept;
}

function holeInside(hole: Float64Array, outer: Float64Array): boolean {
  const n = hole.length >> 1;
  for (let i = 0; i < n; i++) {
    const s = pointInRing(hole[2 * i], hole[2 * i + 1], outer);
    if (s !== 0) return s > 0;
  }
  return true; // every vertex on the shell's boundary: no crossing was found, so it is inside
}

function ring(value: unknown, ptr: string, rep: Reporter, geographic: boolean, state: RingState, isHole: boolean): Float64Array | null {
  const skip = isHole ? "hole dropped" : "polygon skipped";
  if (!Array.isArray(value)) {
    rep.add("error", "invalid-ring", ptr, `ring is not an array of positions; ${skip}.`);
    return null;
  }
  const n = value.length;
  let xy: Float64Array = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    const pos = value[k];
    if (!Array.isArray(pos) || pos.length < 2) {
      rep.add("error", "invalid-position", `${ptr}/${k}`, `position ${k} is ${Array.isArray(pos) ? `an array of ${pos.length}` : JSON.stringify(pos) ?? String(pos)}, expected [x, y]; ${skip}.`);
      return null;
    }
    const x = pos[0];
    const y = pos[1];
    if (typeof x !== "number" || typeof y !== "number") {
      const bad = typeof x !== "number" ? x : y;
      rep.add("error", "non-numeric-coordinate", typeof x !== "number" ? `${ptr}/${k}/0` : `${ptr}/${k}/1`, `coordinate ${JSON.stringify(bad) ?? String(bad)} is not a number; ${skip}.`);
      return null;
    }
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      rep.add("error", "non-finite-coordinate", `${ptr}/${k}`, `coordinate [${x}, ${y}] is not finite (overflow such as 1e400); ${skip}.`);
      return null;
    }
    if (pos.length > state.maxDims) {
      if (state.maxDims === 2) state.dimsPointer = `${ptr}/${k}`; // built here only: a string per position is most of the ring loop's garbage
      state.maxDims = pos.length;
    }
    if (geographic) {
      if (Math.abs(x) > 180 || Math.abs(y) > 90) {
        const swapFixes = Math.abs(y) <= 180 && Math.abs(x) <= 90;
        if (Math.abs(x) > 360 || Math.abs(y) > 360) state.projectedLike++;
        rep.add(
          "error",
          "lonlat-out-of-range",
          `${ptr}/${k}`,
          `position [${x}, ${y}] is outside longitude ±180 / latitude ±90` +
            (swapFixes ? "; it looks like [lat, lon]: GeoJSON positions are [longitude, latitude], swap them" : "; if the file is projected, name its CRS (a \"crs\" member or the sourceCrs option)") +
            `; ${skip}.`,
        );
        return null;
      }
    } else if (Math.abs(x) > MAX_PROJECTED || Math.abs(y) > MAX_PROJECTED) {
      rep.add("error", "coordinate-out-of-range", `${ptr}/${k}`, `coordinate [${x}, ${y}] is beyond ±${MAX_PROJECTED} m, not a real place; ${skip}.`);
      return null;
    }
    xy[2 * k] = x;
    xy[2 * k + 1] = y;
  }
  // Dropping repeated positions below keeps every distinct one: these bounds stay the ring's.
  const bounds = ringBounds(xy);
  if (n > 0) {
    const stray = implausibleSpan(xy, bounds, geographic, state.metresPerUnit);
    if (stray) {
      rep.add(
        "error",
        "implausible-size",
        `${ptr}/${stray.position}`,
        `ring spans ${km(stray.dx)} × ${km(stray.dy)}, no building is that large (limit ${MAX_FOOTPRINT_SPAN / 1000} km): position ${stray.position} ` +
          `[${value[stray.position][0]}, ${value[stray.position][1]}] lies farthest from the others (a stray or mistyped coordinate); ${skip}.`,
      );
      return null;
    }
  }
  // Repairs are reported only if the ring survives: a skipped ring gets just its error.
  const repairs: [string, string][] = [];
  let m = n;
  // Closing point: RFC 7946 rings repeat the first position at the end; ours are open.
  if (m >= 2 && xy[0] === xy[2 * m - 2] && xy[1] === xy[2 * m - 1]) m--;
  else if (m >= 3) repairs.push(["unclosed-ring", `ring is not closed (last position differs from the first); closed.`]);
  // Consecutive duplicates (also across the wrap-around).
  let w = 0;
  for (let k = 0; k < m; k++) {
    const x = xy[2 * k];
    const y = xy[2 * k + 1];
    if (w > 0 && xy[2 * w - 2] === x && xy[2 * w - 1] === y) continue;
    xy[2 * w] = x;
    xy[2 * w + 1] = y;
    w++;
  }
  while (w > 1 && xy[0] === xy[2 * w - 2] && xy[1] === xy[2 * w - 1]) w--;
  if (w < m) repairs.push(["duplicate-points", `${m - w} repeated consecutive position(s) removed.`]);
  if (w < 3) {
    rep.add("error", "too-few-points", ptr, `ring has ${w} distinct position(s), a polygon needs at least 3; ${skip}.`);
    return null;
  }
  if (w < n) xy = xy.subarray(0, 2 * w); // a view: the builder copies the ring anyway
  const [xmin, ymin, xmax, ymax] = bounds;
  const extent = Math.max(xmax - xmin, ymax - ymin);
  // A near-zero area is a sliver unless the ring crosses itself (a symmetric bow-tie also sums
  // to zero): that is reported as a self-intersection by the polygon check instead.
  if (allCollinear(xy) || (Math.abs(ringArea(xy)) <= SLIVER_RATIO * extent * extent && !findIntersection([xy]))) {
    rep.add("error", "zero-area", ptr, `ring has zero area (all positions on one line or a sliver); ${skip}.`);
    return null;
  }
  const s = removeSpikes(xy);
  if (s.removed > 0) {
    repairs.push(["spike", `${s.removed} spike vertex(es) (zero-width back-and-forth) removed.`]);
    xy = s.ring;
    if (xy.length >> 1 < 3 || allCollinear(xy)) {
      rep.add("error", "zero-area", ptr, `ring has zero area once spikes are removed; ${skip}.`);
      return null;
    }
  }
  for (const [code, message] of repairs) rep.add("warning", code, ptr, message, true);
  return xy;
}

/** [xmin, ymin, xmax, ymax] of an open ring. */
function ringBounds(xy: Float64Array): [number, number, number, number] {
  let xmin = Infinity, ymin = Infinity, xmax = -Infinity, ymax = -Infinity;
  for (let k = 0; k < xy.length; k += 2) {
    xmin = Math.min(xmin, xy[k]);
    xmax = Math.max(xmax, xy[k]);
    ymin = Math.min(ymin, xy[k + 1]);
    ymax = Math.max(ymax, xy[k + 1]);
  }
  return [xmin, ymin, xmax, ymax];
}

const km = (m: number) => (m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${m.toFixed(0)} m`);

/**
 * Extent of a ring in metres (lon/lat: conservatively, at the latitude farthest from the equator)
 * when one side exceeds MAX_FOOTPRINT_SPAN, with the position farthest from the ring's median.
 */
function implausibleSpan(xy: Float64Array, [xmin, ymin, xmax, ymax]: [number, number, number, number], geographic: boolean, metresPerUnit: number): { dx: number; dy: number; position: number } | null {
  const n = xy.length >> 1;
  let sx = metresPerUnit, sy = metresPerUnit;
  if (geographic) {
    sy = 110_574; // metres per degree of latitude (its smallest value, at the equator)
    sx = 111_320 * Math.cos((Math.min(90, Math.max(Math.abs(ymin), Math.abs(ymax))) * Math.PI) / 180);
  }
  const dx = (xmax - xmin) * sx, dy = (ymax - ymin) * sy;
  if (!(dx > MAX_FOOTPRINT_SPAN || dy > MAX_FOOTPRINT_SPAN)) return null;
  const median = (i: 0 | 1) => {
    const v = Array.from({ length: n }, (_, k) => xy[2 * k + i]).sort((a, b) => a - b);
    return v[n >> 1];
  };
  const mx = median(0), my = median(1);
  let position = 0, far = -1;
  for (let k = 0; k < n; k++) {
    const d = Math.hypot((xy[2 * k] - mx) * sx, (xy[2 * k + 1] - my) * sy);
    if (d > far) { far = d; position = k; }
  }
  return { dx, dy, position };
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1000 ? 6 : 3);
}
