// Iterated snap rounding (Hobby 1999; Halperin & Packer 2002) of all footprint edges on the
// integer grid of lattice.ts. Hand-written: no maintained JavaScript library does snap rounding
// on exact integers (Clipper2 rounds each boolean operation's own output, JSTS works in
// floating point, polygon-clipping neither), and the tile mesher needs one arrangement of the
// whole city, not one polygon at a time.
//
// A pixel is the half-open unit square [c − ½, c + ½) around an integer point c. Hot pixels hold
// an input vertex, a crossing of two edges, a crossing of an edge with a lattice line, or a
// subdivision point of a long edge. Each edge is replaced by the chain of centres of the hot
// pixels it meets, in order; the rerouted fragments are checked again (iterated), until no
// fragment meets a hot pixel other than its two ends. Then, by the theorem of snap rounding,
// any two fragments are identical, share an end, or are disjoint, and no vertex lies within
// half a unit of a fragment it does not end — what a constrained triangulation needs.
// A footprint vertex within half a unit of a neighbour's wall becomes a vertex of that wall,
// and walls shared up to float noise become the same fragments.
//
// All tests are exact: coordinates are doubled (pixel sides at odd integers, centres at even
// ones) and compared with robust-predicates' orient2d, exact for any doubles; crossing points
// are rounded with BigInt rationals.
import { orient2d } from "robust-predicates";
import { type Lattice, lineAtOrAfter, lineUnits } from "./lattice";
import { PointIndex } from "./pointIndex";
import { properCross } from "./predicates";
import { Buckets, pointCells, segmentCells } from "./spatialGrid";

export interface SnapInput {
  /** Integer coordinates of the input points (x, y pairs). */
  xy: Float64Array;
  /** Segments as pairs of point indices (a, b), a ≠ b in position. */
  seg: Int32Array;
  lattice: Lattice;
  /** Longest fragment wanted between lattice lines, units (long edges get subdivision points). */
  maxLength: number;
  /** Reroutings allowed per segment before it is given up as unsettled (default 10,000; tests lower it). */
  maxRounds?: number;
}

export interface SnapResult {
  /** Hot pixel centres: the arrangement's vertices (integer x, y pairs). */
  vertices: Float64Array;
  vertexCount: number;
  /** Per input segment, its chain of vertex ids from a to b: chain[chainStart[s] .. chainStart[s + 1]). */
  chainStart: Int32Array;
  chain: Int32Array;
  /** Segments whose rerouting did not settle (never seen; reported, not thrown). */
  unsettled: number[];
}

/** Exact floor(n / d) for integers whose magnitudes stay below 2^53 (d > 0). */
function floorDiv(n: number, d: number): number {
  let q = Math.floor(n / d);
  while (q * d > n) q--;
  while ((q + 1) * d <= n) q++;
  return q;
}

/** Exact floor(n / d) for BigInt (d > 0). */
function floorDivBig(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

/**
 * True when segment a–b (integer end points, even in doubled coordinates) meets the half-open
 * pixel around integer c. The end points lie at pixel centres, never on a pixel side, so the
 * segment touches a closed pixel only through a corner or crosses its interior; of the corners,
 * only the lower-left belongs to the half-open pixel.
 */
export function meetsPixel(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  const x0 = 2 * cx - 1, x1 = 2 * cx + 1, y0 = 2 * cy - 1, y1 = 2 * cy + 1;
  const Ax = 2 * ax, Ay = 2 * ay, Bx = 2 * bx, By = 2 * by;
  if ((Ax < Bx ? Bx : Ax) < x0 || (Ax < Bx ? Ax : Bx) > x1 || (Ay < By ? By : Ay) < y0 || (Ay < By ? Ay : By) > y1) return false;
  // Cheap rejection: the centre is farther than √2/2 (plus a wide margin for rounding) from the line.
  const ux = bx - ax, uy = by - ay, cross = ux * (cy - ay) - uy * (cx - ax);
  if (cross * cross > 0.56 * (ux * ux + uy * uy)) return false;
  const o1 = orient2d(Ax, Ay, Bx, By, x0, y0), o2 = orient2d(Ax, Ay, Bx, By, x1, y0);
  const o3 = orient2d(Ax, Ay, Bx, By, x1, y1), o4 = orient2d(Ax, Ay, Bx, By, x0, y1);
  const pos = +(o1 > 0) + +(o2 > 0) + +(o3 > 0) + +(o4 > 0), neg = +(o1 < 0) + +(o2 < 0) + +(o3 < 0) + +(o4 < 0);
  if (pos > 0 && neg > 0) return true;
  if (pos === 4 || neg === 4) return false;
  return o1 === 0;
}

/**
 * The lattice lines strictly between p0 and p1 (p0 < p1) on one axis, crossed by the segment from
 * (p0, q0) to (p1, q1) — p along that axis, q across it: hit(L, c) with the line's units and the
 * centre of the pixel holding the crossing on the other axis, floor(q + ½), exactly ((L − p0)·(q1 − q0)
 * stays far below 2^53).
 */
function latticeCrossings(l: Lattice, p0: number, q0: number, p1: number, q1: number, hit: (L: number, c: number) => void): void {
  const dp = p1 - p0, dq = q1 - q0;
  for (let i = lineAtOrAfter(l, p0 + 1); ; i++) {
    const L = lineUnits(l, i);
    if (L >= p1) break;
    hit(L, q0 + floorDiv(2 * (L - p0) * dq + dp, 2 * dp));
  }
}

/** The pixel (integer centre) holding the crossing of a–b and c–d, exactly (BigInt rationals). */
function crossingPixel(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): [number, number] {
  const Ax = BigInt(ax), Ay = BigInt(ay), ux = BigInt(bx - ax), uy = BigInt(by - ay), vx = BigInt(dx - cx), vy = BigInt(dy - cy);
  const wx = BigInt(cx - ax), wy = BigInt(cy - ay);
  let den = ux * vy - uy * vx;
  let num = wx * vy - wy * vx; // t = num / den along a–b
  if (den < 0n) { den = -den; num = -num; }
  // centre = floor(p + ½) = floor((2·(A·den + u·num) + den) / (2·den))
  const px = floorDivBig(2n * (Ax * den + ux * num) + den, 2n * den), py = floorDivBig(2n * (Ay * den + uy * num) + den, 2n * den);
  return [Number(px), Number(py)];
}

export function snapRound(input: SnapInput): SnapResult {
  const { xy, seg, lattice: l } = input;
  const ns = seg.length / 2;

  // Cell size: about the mean segment length (at least 64 units), so a query sees a few cells.
  let sumLen = 0;
  for (let s = 0; s < ns; s++) sumLen += Math.abs(xy[2 * seg[2 * s + 1]] - xy[2 * seg[2 * s]]) + Math.abs(xy[2 * seg[2 * s + 1] + 1] - xy[2 * seg[2 * s] + 1]);
  const size = Math.max(64, Math.ceil(ns ? sumLen / ns : 64));

  const hot = new PointIndex(2, Math.max(1024, 2 * ns));
  const pointHot = new Int32Array(xy.length / 2).fill(-1); // input point → its hot pixel
  for (let k = 0; k < seg.length; k++) { const p = seg[k]; if (pointHot[p] < 0) pointHot[p] = hot.id(xy[2 * p], xy[2 * p + 1]); }

  // 1. Crossings of two segments (found through a grid of segment boxes).
  const segCells = new Buckets(size, segmentCells(size, xy, seg, seg.subarray(1), 2, ns));
  for (let c = 0; c < segCells.cellCount; c++) {
    for (let m = segCells.start[c]; m < segCells.start[c + 1]; m++) {
      const s = segCells.ids[m], a = seg[2 * s], b = seg[2 * s + 1];
      const ax = xy[2 * a], ay = xy[2 * a + 1], bx = xy[2 * b], by = xy[2 * b + 1];
      for (let q = m + 1; q < segCells.start[c + 1]; q++) {
        const t = segCells.ids[q], c0 = seg[2 * t], d0 = seg[2 * t + 1];
        const cx = xy[2 * c0], cy = xy[2 * c0 + 1], dx = xy[2 * d0], dy = xy[2 * d0 + 1];
        if (Math.max(cx, dx) < Math.min(ax, bx) || Math.min(cx, dx) > Math.max(ax, bx) || Math.max(cy, dy) < Math.min(ay, by) || Math.min(cy, dy) > Math.max(ay, by)) continue;
        if (!properCross(ax, ay, bx, by, cx, cy, dx, dy)) continue;
        const [px, py] = crossingPixel(ax, ay, bx, by, cx, cy, dx, dy);
        hot.id(px, py);
      }
    }
  }

  // 2. Crossings with lattice lines, and subdivision points of long pieces. Computed from the
  //    segment with its ends in lexicographic order, so a wall shared by two footprints (same
  //    segment, opposite directions) gets the same points.
  // Breaks (t along the segment, x, y) are only needed for a piece longer than maxLength (rare: the
  // lattice is a tile's), so other segments only mark their crossings hot; the two callbacks are
  // made once, not per segment, and read the segment from the variables below.
  const breaks: number[] = [];
  const maxLen = input.maxLength;
  let sax = 0, say = 0, sux = 0, suy = 0, long = false;
  const onVertical = (L: number, cy: number) => { hot.id(L, cy); if (long) breaks.push((L - sax) / sux, L, cy); };
  const onHorizontal = (L: number, cx: number) => { hot.id(cx, L); if (long) breaks.push((L - say) / suy, cx, L); };
  for (let s = 0; s < ns; s++) {
    let a = seg[2 * s], b = seg[2 * s + 1];
    if (xy[2 * b] < xy[2 * a] || (xy[2 * b] === xy[2 * a] && xy[2 * b + 1] < xy[2 * a + 1])) { const t = a; a = b; b = t; }
    const ax = xy[2 * a], ay = xy[2 * a + 1], bx = xy[2 * b], by = xy[2 * b + 1], ux = bx - ax, uy = by - ay;
    // Math.hypot only near or past maxLength (it boxes its result: a tenth of snap rounding's
    // allocations); below (1 − 1e-9)·maxLength² the squared length settles it.
    sax = ax; say = ay; sux = ux; suy = uy; long = ux * ux + uy * uy > maxLen * maxLen * (1 - 1e-9) && Math.hypot(ux, uy) > maxLen;
    if (long) { breaks.length = 0; breaks.push(0, ax, ay); }
    // Vertical lines (ax < bx: the ends are in lexicographic order), then horizontal ones, from the lower end.
    if (ux !== 0) latticeCrossings(l, ax, ay, bx, by, onVertical);
    if (uy !== 0) {
      const upward = uy > 0;
      latticeCrossings(l, upward ? ay : by, upward ? ax : bx, upward ? by : ay, upward ? bx : ax, onHorizontal);
    }
    if (!long) continue;
    const len = Math.hypot(ux, uy);
    breaks.push(1, bx, by);
    // Pieces between consecutive breaks, longer than maxLength, get evenly spaced points.
    const order = Array.from({ length: breaks.length / 3 }, (_, k) => k).sort((u, v) => breaks[3 * u] - breaks[3 * v]);
    for (let k = 0; k + 1 < order.length; k++) {
      const t0 = breaks[3 * order[k]], t1 = breaks[3 * order[k + 1]];
      const parts = Math.ceil(((t1 - t0) * len) / input.maxLength);
      for (let m = 1; m < parts; m++) {
        const t = t0 + ((t1 - t0) * m) / parts;
        hot.id(Math.round(ax + t * ux), Math.round(ay + t * uy));
      }
    }
  }

  // 3. Hot pixels by cell.
  const hotCells = new Buckets(size, pointCells(size, hot.coords, hot.count));
  const hits: number[] = [];
  /** Hot pixels met by the fragment between hot pixels p and q, other than theirs, in order from p. */
  const met = (p: number, q: number, out: number[]): void => {
    if (out.length !== 0) out.length = 0; // most calls find it empty, and setting a length is a runtime call
    const ax = hot.x(p), ay = hot.y(p), bx = hot.x(q), by = hot.y(q);
    const i0 = hotCells.cell(Math.min(ax, bx) - 1), i1 = hotCells.cell(Math.max(ax, bx) + 1);
    const j0 = hotCells.cell(Math.min(ay, by) - 1), j1 = hotCells.cell(Math.max(ay, by) + 1);
    for (let i = i0; i <= i1; i++) for (let j = j0; j <= j1; j++) {
      const c = hotCells.at(i, j);
      if (c < 0) continue;
      for (let m = hotCells.start[c]; m < hotCells.start[c + 1]; m++) {
        const h = hotCells.ids[m];
        if (h === p || h === q) continue;
        if (meetsPixel(ax, ay, bx, by, hot.x(h), hot.y(h))) out.push(h);
      }
    }
    if (out.length > 1) {
      const ux = bx - ax, uy = by - ay;
      out.sort((g, h) => (hot.x(g) - ax) * ux + (hot.y(g) - ay) * uy - ((hot.x(h) - ax) * ux + (hot.y(h) - ay) * uy));
    }
  };

  // 4. Reroute every segment, then its fragments again, until they meet no other hot pixel.
  const chainStart = new Int32Array(ns + 1);
  let chain = new Int32Array(Math.max(1024, 3 * ns)), nch = 0;
  const push = (v: number) => { if (nch === chain.length) { const g = new Int32Array(2 * chain.length); g.set(chain); chain = g; } chain[nch++] = v; };
  const unsettled: number[] = [];
  const stack: number[] = [], maxRounds = input.maxRounds ?? 10_000;
  for (let s = 0; s < ns; s++) {
    const a = pointHot[seg[2 * s]], b = pointHot[seg[2 * s + 1]];
    push(a);
    // Depth-first over fragments, in order: the stack holds the chain's remaining points reversed.
    stack.push(b); // the stack is empty here: the loop below ends only when it is
    let from = a, rounds = 0;
    while (stack.length) {
      const to = stack[stack.length - 1];
      met(from, to, hits);
      if (hits.length === 0 || ++rounds > maxRounds) {
        if (hits.length && unsettled[unsettled.length - 1] !== s) unsettled.push(s); // once per segment
        push(to);
        stack.pop();
        from = to;
        continue;
      }
      for (let k = hits.length - 1; k >= 0; k--) stack.push(hits[k]);
    }
    chainStart[s + 1] = nch;
  }
  return { vertices: hot.coords.slice(0, 2 * hot.count), vertexCount: hot.count, chainStart, chain: chain.slice(0, nch), unsettled };
}
