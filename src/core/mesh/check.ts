// The mesh checker: judges a (merged or single-tile) city mesh, used by the tests and by
// `citymesh check`. Built to run on a whole city (12 M triangles) in flat typed arrays:
//   - vertices are welded by exact position (PointIndex, an open-addressing hash on the float
//     bits), so tiles concatenated without a weld check as one mesh;
//   - edges are the sorted welded-vertex pairs (a < b), hashed into typed arrays with a use
//     count per direction (no string keys, no Map per edge);
//   - overlaps in plan are found with a uniform grid over triangle boxes and exact orientation
//     tests (robust-predicates), degenerate triangles with exact orientation tests.
// What it reports, each as a count and up to `maxExamples` examples (coordinates, markers):
//   open edges      used by one triangle, unless it lies on the domain's outer rectangle
//                   (both ends on the same side: the mesh's border, ground or a wall standing
//                   on the border when there is no margin);
//   over-used edges used by more than two triangles, except pinch edges (counted apart): a
//                   vertical edge of exactly four wall triangles, two each way: two solids
//                   meeting only at a corner (two buildings, one building's parts, or a
//                   building touching two neighbours of one height that build no wall between
//                   them) — correct geometry; without classes (STL) any vertical edge of four
//                   triangles, two each way;
//   flipped edges   used twice in the same direction (inconsistent winding), pinch edges aside;
//   degenerate      triangles with a repeated (welded) vertex or zero area in 3D (all three
//                   coordinate-plane projections exactly collinear);
//   overlaps        two ground triangles (markers < 0), or two roof triangles of one building
//                   (marker N+i), whose interiors overlap in the XY projection (sharing an edge
//                   or a vertex is touching, not overlapping);
//   volume          per building i, the volume of its closed shell against footprint area ×
//                   height (see buildingVolumes below).
import { orient2d } from "robust-predicates";
import { PointIndex } from "../geometry/pointIndex";
import type { TileMesh } from "../types";

/** Face classes when no markers are known (OBJ groups): 0 ground, 1 wall, 2 roof, 255 unknown. */
export const CLASS_GROUND = 0, CLASS_WALL = 1, CLASS_ROOF = 2, CLASS_UNKNOWN = 255;

export interface CheckInput {
  vertices: Float64Array;
  faces: Int32Array | Uint32Array;
  /** dtcc-core face markers; null when the format has none (OBJ, STL). */
  markers?: Int32Array | null;
  /** Face classes (CLASS_*) when there are no markers but classes are known (OBJ groups). */
  classes?: Uint8Array | null;
}

export interface CheckOptions {
  /** Examples kept per defect kind (default 10). */
  maxExamples?: number;
  /** Relative volume error above which a building is reported (default 1e-6). */
  volumeTolerance?: number;
}

export type Point3 = [number, number, number];

export interface EdgeExample { from: Point3; to: Point3; uses: number; forward: number; backward: number; triangles: number[]; markers: number[] }
export interface TriangleExample { triangle: number; marker: number | null; corners: Point3[]; reason: string }
export interface OverlapExample { triangles: [number, number]; markers: [number | null, number | null]; corners: [Point3[], Point3[]] }
export interface VolumeExample { building: number; volume: number; expected: number; relativeError: number; footprintArea: number; height: number; reason: string }

export interface MeshReport {
  /** Distinct positions (after the exact weld). */
  vertices: number;
  triangles: number;
  /** Distinct undirected edges. */
  edges: number;
  /** Edges used by one triangle that are not on the domain's outer rectangle. */
  openEdges: number;
  /** Edges used by more than two triangles, pinch edges not included. */
  overusedEdges: number;
  /** Vertical edges of four wall triangles where buildings meet only at a corner (correct geometry). */
  pinchEdges: number;
  /** Edges used twice or more in the same direction (inconsistent winding), pinch edges not included. */
  flippedEdges: number;
  degenerate: number;
  /** Pairs of ground triangles whose interiors overlap in plan. */
  groundOverlaps: number;
  /** Pairs of triangles of one building's roof whose interiors overlap in plan. */
  roofOverlaps: number;
  /** Per-building volume check (null without markers). */
  buildingVolume: { buildings: number; checked: number; worstRelativeError: number; worstBuilding: number; overTolerance: number; tolerance: number; withoutWalls: number } | null;
  /** Σ over triangles of signed projected area × mean height (the mesh's volume above z = 0 with its ground). */
  volume: number;
  /** Σ signed projected area of ground triangles (marker < 0). */
  groundArea: number;
  /** Σ signed projected area of roof triangles (marker ≥ N). */
  roofArea: number;
  /** Domain rectangle used for the open-edge exemption [x0, y0, x1, y1]. */
  domain: [number, number, number, number];
  /** N, the number of buildings the markers refer to. */
  buildings: number;
  /** True when none of the errors (open, over-used, flipped, degenerate, overlaps, volume) is found. */
  ok: boolean;
  /** One line per error kind found, with its count. */
  errors: string[];
  /** Milliseconds per phase. */
  timings: { weld: number; triangles: number; edges: number; overlaps: number; volume: number };
  /** Short text examples of all kinds (kept for callers that print them). */
  examples: string[];
  details: {
    openEdges: EdgeExample[];
    overusedEdges: EdgeExample[];
    pinchEdges: EdgeExample[];
    flippedEdges: EdgeExample[];
    degenerate: TriangleExample[];
    groundOverlaps: OverlapExample[];
    roofOverlaps: OverlapExample[];
    volume: VolumeExample[];
  };
}

/** Welds vertices by exact position (-0 = 0); returns the new index of each vertex and the distinct positions. */
export function weldExact(vertices: Float64Array): { map: Int32Array; count: number; coords: Float64Array } {
  const n = vertices.length / 3, map = new Int32Array(n), index = new PointIndex(3, Math.max(16, n));
  for (let i = 0; i < n; i++) map[i] = index.id(vertices[3 * i], vertices[3 * i + 1], vertices[3 * i + 2]);
  return { map, count: index.count, coords: index.coords };
}

/**
 * orient2d's own floating-point filter: true when the orientation of (a, b, c) is certainly not
 * zero. Walls are exactly collinear in plan, where the exact predicate takes its slow path; a
 * triangle with any surely non-zero projection is not degenerate, so the exact test runs only
 * for the rest.
 */
function surelyNonZero(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  const l = (ay - cy) * (bx - cx), r = (ax - cx) * (by - cy);
  return Math.abs(l - r) > 3.3306690738754716e-16 * (Math.abs(l) + Math.abs(r)) * 1.0000001;
}

/** Mixes a sorted vertex pair into a table slot hash (murmur3 finaliser on both words). */
function pairHash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Undirected edges (a < b) in open addressing, one Int32Array with 3 ints per slot (one cache
 * line per probe): a+1 (0 = empty), b, and the uses a→b (low 16 bits) and b→a (high 16 bits),
 * each saturating at 0xffff.
 */
class EdgeTable {
  t: Int32Array;
  size: number;
  count = 0;
  constructor(expected: number) {
    let size = 1024;
    while (size < expected / 0.6) size *= 2;
    this.size = size;
    this.t = new Int32Array(3 * size);
  }
  keyA(s: number): number { return this.t[3 * s] - 1; }
  keyB(s: number): number { return this.t[3 * s + 1]; }
  used(s: number): boolean { return this.t[3 * s] !== 0; }
  fwd(s: number): number { return this.t[3 * s + 2] & 0xffff; }
  bwd(s: number): number { return this.t[3 * s + 2] >>> 16; }
  /** Slot of edge (a, b), a < b; inserts it when absent. */
  slot(a: number, b: number): number {
    if (this.count + 1 > 0.8 * this.size) this.grow();
    const mask = this.size - 1, t = this.t, a1 = a + 1;
    for (let s = pairHash(a, b) & mask; ; s = (s + 1) & mask) {
      const k = t[3 * s];
      if (k === 0) { t[3 * s] = a1; t[3 * s + 1] = b; this.count++; return s; }
      if (k === a1 && t[3 * s + 1] === b) return s;
    }
  }
  /** Slot of edge (a, b), a < b, or -1. */
  find(a: number, b: number): number {
    const mask = this.size - 1, t = this.t, a1 = a + 1;
    for (let s = pairHash(a, b) & mask; ; s = (s + 1) & mask) {
      const k = t[3 * s];
      if (k === 0) return -1;
      if (k === a1 && t[3 * s + 1] === b) return s;
    }
  }
  add(p: number, q: number): void {
    if (p === q) return; // a repeated corner: the triangle is reported degenerate
    if (p < q) { const s = 3 * this.slot(p, q) + 2, c = this.t[s]; if ((c & 0xffff) !== 0xffff) this.t[s] = c + 1; }
    else { const s = 3 * this.slot(q, p) + 2, c = this.t[s]; if (c >>> 16 !== 0xffff) this.t[s] = c + 0x10000; }
  }
  private grow(): void {
    const old = this.t, oldSize = this.size;
    this.size *= 2;
    this.t = new Int32Array(3 * this.size);
    this.count = 0;
    for (let s = 0; s < oldSize; s++) {
      if (old[3 * s] === 0) continue;
      this.t[3 * this.slot(old[3 * s] - 1, old[3 * s + 1]) + 2] = old[3 * s + 2];
    }
  }
}

const EDGE_OPEN = 1, EDGE_OVERUSED = 2, EDGE_FLIPPED = 3;

/**
 * Checks a mesh. `domain` is the ground's outer rectangle [x0, y0, x1, y1] (open ground edges on
 * it are the mesh's outer border, not defects); `buildings` is N of the markers.
 */
export function checkMesh(m: CheckInput | Pick<TileMesh, "vertices" | "faces" | "markers">, domain: [number, number, number, number], buildings: number, options: CheckOptions = {}): MeshReport {
  const maxEx = options.maxExamples ?? 10, tolerance = options.volumeTolerance ?? 1e-6;
  const F0 = m.faces, nt = F0.length / 3;
  const markers = (m as CheckInput).markers ?? null;
  const N = buildings;
  // Class per face: from markers, else given classes, else unknown.
  const classOf = (t: number): number => {
    if (markers) { const k = markers[t]; return k < 0 ? CLASS_GROUND : k < N ? CLASS_WALL : CLASS_ROOF; }
    const c = (m as CheckInput).classes;
    return c ? c[t] : CLASS_UNKNOWN;
  };
  const markerOf = (t: number): number | null => (markers ? markers[t] : null);

  // 1. Exact weld; F holds welded vertex ids, V the distinct positions.
  let clock = performance.now();
  const lap = () => { const now = performance.now(), d = now - clock; clock = now; return Math.round(d); };
  const F = new Int32Array(F0.length);
  let V: Float64Array, nv: number;
  {
    const weld = weldExact(m.vertices); // its map is garbage after this block
    V = weld.coords; nv = weld.count;
    for (let i = 0; i < F0.length; i++) {
      const v = F0[i];
      if (!(v >= 0 && v < weld.map.length)) throw new RangeError(`face ${Math.floor(i / 3)} refers to vertex ${v}, but there are ${weld.map.length}`);
      F[i] = weld.map[v];
    }
  }
  const pt = (v: number): Point3 => [V[3 * v], V[3 * v + 1], V[3 * v + 2]];
  const corners = (t: number): Point3[] => [pt(F[3 * t]), pt(F[3 * t + 1]), pt(F[3 * t + 2])];

  const r: MeshReport = {
    vertices: nv, triangles: nt, edges: 0, openEdges: 0, overusedEdges: 0, pinchEdges: 0, flippedEdges: 0, degenerate: 0,
    groundOverlaps: 0, roofOverlaps: 0, buildingVolume: null, volume: 0, groundArea: 0, roofArea: 0, domain, buildings: N,
    ok: true, errors: [], examples: [], timings: { weld: 0, triangles: 0, edges: 0, overlaps: 0, volume: 0 },
    details: { openEdges: [], overusedEdges: [], pinchEdges: [], flippedEdges: [], degenerate: [], groundOverlaps: [], roofOverlaps: [], volume: [] },
  };

  const weldMs = lap();
  // 2. Per triangle: degenerate test, areas and volumes, edges into the table.
  // Euler: a surface has about V + F edges; the table grows if there are more.
  let edges = new EdgeTable(nv + nt);
  for (let t = 0; t < nt; t++) {
    const a = F[3 * t], b = F[3 * t + 1], c = F[3 * t + 2];
    const ax = V[3 * a], ay = V[3 * a + 1], az = V[3 * a + 2];
    const bx = V[3 * b], by = V[3 * b + 1], bz = V[3 * b + 2];
    const cx = V[3 * c], cy = V[3 * c + 1], cz = V[3 * c + 2];
    let reason = "";
    if (a === b || b === c || a === c) reason = "repeated vertex";
    else if (!surelyNonZero(ax, ay, bx, by, cx, cy) && !surelyNonZero(ay, az, by, bz, cy, cz) && !surelyNonZero(az, ax, bz, bx, cz, cx) &&
      orient2d(ax, ay, bx, by, cx, cy) === 0 && orient2d(ay, az, by, bz, cy, cz) === 0 && orient2d(az, ax, bz, bx, cz, cx) === 0) reason = "zero area (collinear corners)";
    if (reason) {
      r.degenerate++;
      if (r.details.degenerate.length < maxEx) r.details.degenerate.push({ triangle: t, marker: markerOf(t), corners: corners(t), reason });
    }
    const projected = ((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) / 2;
    r.volume += projected * ((az + bz + cz) / 3);
    const cls = classOf(t);
    if (cls === CLASS_GROUND) r.groundArea += projected;
    else if (cls === CLASS_ROOF) r.roofArea += projected;
    edges.add(a, b); edges.add(b, c); edges.add(c, a);
  }
  r.edges = edges.count;
  r.timings.weld = weldMs;
  r.timings.triangles = lap();

  // 3. Classify edges. Open and flipped edges are counted here; only their first examples and
  // the over-used edges (to tell pinches apart) get their triangles, in a second pass, so a
  // mesh that is all defects (an unwelded triangle soup) costs no more memory than a clean one.
  const [x0, y0, x1, y1] = domain;
  const onOuter = (p: number, q: number) => {
    const px = V[3 * p], py = V[3 * p + 1], qx = V[3 * q], qy = V[3 * q + 1];
    return (px === x0 && qx === x0) || (px === x1 && qx === x1) || (py === y0 && qy === y0) || (py === y1 && qy === y1);
  };
  const flaggedSlots: number[] = [], flagKind: number[] = [];
  const flaggedVertex = new Uint8Array(nv);
  {
    let openEx = 0, flipEx = 0;
    for (let s = 0; s < edges.size; s++) {
      if (!edges.used(s)) continue;
      const f = edges.fwd(s), b = edges.bwd(s), n = f + b, ka = edges.keyA(s), kb = edges.keyB(s);
      let kind = 0;
      if (n === 1) { if (!onOuter(ka, kb)) { r.openEdges++; if (openEx++ < maxEx) kind = EDGE_OPEN; } }
      else if (n > 2) kind = EDGE_OVERUSED;
      else if (f === 2 || b === 2) { r.flippedEdges++; if (flipEx++ < maxEx) kind = EDGE_FLIPPED; }
      if (kind) { flaggedSlots.push(s); flagKind.push(kind); flaggedVertex[ka] = 1; flaggedVertex[kb] = 1; }
    }
  }
  const slotIndex = new Map<number, number>(); // flagged slot → its index in flaggedSlots (flagged edges only)
  flaggedSlots.forEach((s, i) => slotIndex.set(s, i));
  const tris: number[][] = flaggedSlots.map(() => []);
  if (flaggedSlots.length) {
    for (let t = 0; t < nt; t++) {
      for (let k = 0; k < 3; k++) {
        const p = F[3 * t + k], q = F[3 * t + ((k + 1) % 3)];
        if (!flaggedVertex[p] || !flaggedVertex[q] || p === q) continue;
        const s = p < q ? edges.find(p, q) : edges.find(q, p);
        const i = slotIndex.get(s);
        if (i !== undefined && tris[i].length < 16) tris[i].push(p < q ? t : -1 - t); // negative: used b→a
      }
    }
  }
  const edgeExample = (i: number): EdgeExample => {
    const s = flaggedSlots[i], a = edges.keyA(s), b = edges.keyB(s);
    const ts = tris[i].map((x) => (x < 0 ? -1 - x : x));
    return { from: pt(a), to: pt(b), uses: edges.fwd(s) + edges.bwd(s), forward: edges.fwd(s), backward: edges.bwd(s), triangles: ts, markers: ts.map((t) => markerOf(t) ?? classOf(t)) };
  };
  const isPinch = (i: number): boolean => {
    const s = flaggedSlots[i], a = edges.keyA(s), b = edges.keyB(s);
    if (edges.fwd(s) !== 2 || edges.bwd(s) !== 2 || tris[i].length !== 4) return false;
    if (V[3 * a] !== V[3 * b] || V[3 * a + 1] !== V[3 * b + 1]) return false; // vertical
    for (const x of tris[i]) {
      const c = classOf(x < 0 ? -1 - x : x);
      if (c !== CLASS_WALL && c !== CLASS_UNKNOWN) return false; // without classes (STL) the geometry has to do
    }
    return true;
  };
  for (let i = 0; i < flaggedSlots.length; i++) {
    const kind = flagKind[i];
    if (kind === EDGE_OPEN) r.details.openEdges.push(edgeExample(i));
    else if (kind === EDGE_OVERUSED) {
      if (isPinch(i)) { r.pinchEdges++; if (r.details.pinchEdges.length < maxEx) r.details.pinchEdges.push(edgeExample(i)); continue; }
      r.overusedEdges++;
      if (r.details.overusedEdges.length < maxEx) r.details.overusedEdges.push(edgeExample(i));
      const f = edges.fwd(flaggedSlots[i]), b = edges.bwd(flaggedSlots[i]);
      if ((f > 1 && b === 0) || (b > 1 && f === 0)) {
        r.flippedEdges++;
        if (r.details.flippedEdges.length < maxEx) r.details.flippedEdges.push(edgeExample(i));
      }
    } else if (kind === EDGE_FLIPPED && r.details.flippedEdges.length < maxEx) r.details.flippedEdges.push(edgeExample(i));
  }

  edges = null as unknown as EdgeTable; // let the table (12 bytes a slot) go before the overlap grid
  r.timings.edges = lap();
  // 4. Overlaps in plan within the ground and within each roof.
  const ov = planOverlaps(V, F, nt, (t) => {
    const c = classOf(t);
    if (c === CLASS_GROUND) return -1;
    if (c === CLASS_ROOF) return markers ? markers[t] : -2; // without markers: all roofs as one class
    return -3;
  }, maxEx);
  r.groundOverlaps = ov.count[0]; r.roofOverlaps = ov.count[1];
  for (const [t, u, isRoof] of ov.examples) {
    (isRoof ? r.details.roofOverlaps : r.details.groundOverlaps).push({ triangles: [t, u], markers: [markerOf(t), markerOf(u)], corners: [corners(t), corners(u)] });
  }

  r.timings.overlaps = lap();
  // 5. Per-building volumes (markers only).
  if (markers && N > 0) r.buildingVolume = buildingVolumes(V, F, markers, N, tolerance, maxEx, r.details.volume);
  r.timings.volume = lap();

  // Summary.
  const add = (n: number, what: string) => { if (n > 0) r.errors.push(`${n} ${what}`); };
  add(r.openEdges, "open edge(s) inside the domain");
  add(r.overusedEdges, "edge(s) used by more than two triangles (not corner touches)");
  add(r.flippedEdges, "edge(s) with inconsistent winding (used twice in one direction)");
  add(r.degenerate, "degenerate triangle(s)");
  add(r.groundOverlaps, "overlapping ground triangle pair(s)");
  add(r.roofOverlaps, "overlapping roof triangle pair(s)");
  if (r.buildingVolume) add(r.buildingVolume.overTolerance, `building(s) whose volume is off footprint area × height by more than ${tolerance}`);
  r.ok = r.errors.length === 0;
  const fmt = (p: Point3) => `(${p[0]}, ${p[1]}, ${p[2]})`;
  for (const e of r.details.openEdges) r.examples.push(`open edge ${fmt(e.from)} – ${fmt(e.to)} (markers ${e.markers.join(", ")})`);
  for (const e of r.details.overusedEdges) r.examples.push(`edge ${fmt(e.from)} – ${fmt(e.to)} used ${e.uses}× (${e.forward} one way, ${e.backward} the other; markers ${e.markers.join(", ")})`);
  for (const e of r.details.flippedEdges) r.examples.push(`edge ${fmt(e.from)} – ${fmt(e.to)} used ${Math.max(e.forward, e.backward)}× in one direction (markers ${e.markers.join(", ")})`);
  for (const d of r.details.degenerate) r.examples.push(`degenerate triangle ${d.triangle} (marker ${d.marker}, ${d.reason}) ${d.corners.map(fmt).join(" ")}`);
  for (const o of [...r.details.groundOverlaps, ...r.details.roofOverlaps]) r.examples.push(`triangles ${o.triangles[0]} and ${o.triangles[1]} (markers ${o.markers[0]}, ${o.markers[1]}) overlap in plan: ${o.corners[0].map(fmt).join(" ")} / ${o.corners[1].map(fmt).join(" ")}`);
  for (const v of r.details.volume) r.examples.push(`building ${v.building}: volume ${v.volume} vs footprint area × height ${v.expected} (relative error ${v.relativeError.toExponential(2)}; ${v.reason})`);
  return r;
}

/**
 * Pairs of triangles of one class (class key from `keyOf`; -3 = not checked, -1 = ground, other
 * keys roofs) whose interiors overlap in the XY projection. Uniform grid over the triangles'
 * boxes (CSR in typed arrays); each pair is tested once, in the cell holding the lower-left
 * corner of the boxes' intersection; the test is exact (separating axis along the triangles'
 * own edges, with robust orientation).
 */
function planOverlaps(V: Float64Array, F: Int32Array, nt: number, keyOf: (t: number) => number, maxEx: number): { count: [number, number]; examples: [number, number, boolean][] } {
  const out = { count: [0, 0] as [number, number], examples: [] as [number, number, boolean][] };
  // Candidates: triangles of a checked class that are not degenerate in plan.
  const isCand = (t: number): number => {
    const k = keyOf(t);
    if (k === -3) return -3;
    const a = F[3 * t], b = F[3 * t + 1], c = F[3 * t + 2];
    return orient2d(V[3 * a], V[3 * a + 1], V[3 * b], V[3 * b + 1], V[3 * c], V[3 * c + 1]) === 0 ? -3 : k;
  };
  let nc = 0;
  for (let t = 0; t < nt; t++) if (isCand(t) !== -3) nc++;
  if (nc < 2) return out;
  const cand = new Int32Array(nc), key = new Int32Array(nc);
  for (let t = 0, i = 0; t < nt; t++) { const k = isCand(t); if (k !== -3) { cand[i] = t; key[i] = k; i++; } }
  // Boxes are recomputed from the vertices when needed (no 32 bytes a candidate kept).
  const bx = new Float64Array(4);
  const boxOf = (i: number, out: Float64Array, o: number) => {
    const t = cand[i], a = 3 * F[3 * t], b = 3 * F[3 * t + 1], c = 3 * F[3 * t + 2];
    out[o] = Math.min(V[a], V[b], V[c]); out[o + 1] = Math.min(V[a + 1], V[b + 1], V[c + 1]);
    out[o + 2] = Math.max(V[a], V[b], V[c]); out[o + 3] = Math.max(V[a + 1], V[b + 1], V[c + 1]);
  };
  let gx0 = Infinity, gy0 = Infinity, gx1 = -Infinity, gy1 = -Infinity, extent = 0;
  for (let i = 0; i < nc; i++) {
    boxOf(i, bx, 0);
    if (bx[0] < gx0) gx0 = bx[0]; if (bx[1] < gy0) gy0 = bx[1]; if (bx[2] > gx1) gx1 = bx[2]; if (bx[3] > gy1) gy1 = bx[3];
    extent += Math.max(bx[2] - bx[0], bx[3] - bx[1]);
  }
  // Cell about the mean box; at most ~4 cells per candidate over the whole extent.
  let cell = Math.max(extent / nc, 1e-9);
  const w = gx1 - gx0, h = gy1 - gy0;
  while ((Math.floor(w / cell) + 1) * (Math.floor(h / cell) + 1) > 4 * nc + 16) cell *= 1.5;
  const nx = Math.floor(w / cell) + 1, ny = Math.floor(h / cell) + 1;
  const cellX = (x: number) => Math.min(nx - 1, Math.floor((x - gx0) / cell));
  const cellY = (y: number) => Math.min(ny - 1, Math.floor((y - gy0) / cell));
  const start = new Int32Array(nx * ny + 1);
  for (let i = 0; i < nc; i++) {
    boxOf(i, bx, 0);
    for (let j = cellY(bx[1]); j <= cellY(bx[3]); j++) for (let k = cellX(bx[0]); k <= cellX(bx[2]); k++) start[j * nx + k + 1]++;
  }
  for (let c = 0; c < nx * ny; c++) start[c + 1] += start[c];
  const items = new Int32Array(start[nx * ny]), fill = start.slice(0, nx * ny);
  for (let i = 0; i < nc; i++) {
    boxOf(i, bx, 0);
    for (let j = cellY(bx[1]); j <= cellY(bx[3]); j++) for (let k = cellX(bx[0]); k <= cellX(bx[2]); k++) items[fill[j * nx + k]++] = i;
  }
  let box = new Float64Array(4 * 64); // the current cell's boxes
  for (let cy = 0; cy < ny; cy++) for (let cx = 0; cx < nx; cx++) {
    const c = cy * nx + cx, s = start[c], e = start[c + 1];
    if (e - s < 2) continue;
    if (4 * (e - s) > box.length) box = new Float64Array(8 * (e - s));
    for (let p = s; p < e; p++) boxOf(items[p], box, 4 * (p - s));
    for (let p = s; p < e; p++) {
      const i = items[p], bi = 4 * (p - s);
      for (let q = p + 1; q < e; q++) {
        const j = items[q], bj = 4 * (q - s);
        if (key[i] !== key[j]) continue;
        // Boxes must overlap with positive extent in both axes.
        const lx = Math.max(box[bi], box[bj]), ly = Math.max(box[bi + 1], box[bj + 1]);
        if (!(lx < Math.min(box[bi + 2], box[bj + 2]) && ly < Math.min(box[bi + 3], box[bj + 3]))) continue;
        if (cellX(lx) !== cx || cellY(ly) !== cy) continue; // tested in another cell
        if (!interiorsOverlap(V, F, cand[i], cand[j])) continue;
        const roof = key[i] !== -1;
        out.count[roof ? 1 : 0]++;
        if (out.examples.filter((x) => x[2] === roof).length < maxEx) out.examples.push([Math.min(cand[i], cand[j]), Math.max(cand[i], cand[j]), roof]);
      }
    }
  }
  return out;
}

/** Exact: do the open XY projections of triangles t and u (each non-degenerate in plan) intersect? */
function interiorsOverlap(V: Float64Array, F: Int32Array, t: number, u: number): boolean {
  const t0 = F[3 * t], t1 = F[3 * t + 1], t2 = F[3 * t + 2], u0 = F[3 * u], u1 = F[3 * u + 1], u2 = F[3 * u + 2];
  const inU = (v: number) => v === u0 || v === u1 || v === u2;
  const s0 = inU(t0), s1 = inU(t1), s2 = inU(t2), shared = +s0 + +s1 + +s2;
  if (shared === 3) return true; // the same triangle twice
  if (shared === 2) {
    // Sharing an edge p–q: the interiors overlap iff the third corners are on the same side.
    const p = !s0 ? t1 : t0, q = !s2 ? t1 : t2, r1 = !s0 ? t0 : !s1 ? t1 : t2;
    const r2 = u0 !== p && u0 !== q ? u0 : u1 !== p && u1 !== q ? u1 : u2;
    const o1 = orient2d(V[3 * p], V[3 * p + 1], V[3 * q], V[3 * q + 1], V[3 * r1], V[3 * r1 + 1]);
    const o2 = orient2d(V[3 * p], V[3 * p + 1], V[3 * q], V[3 * q + 1], V[3 * r2], V[3 * r2 + 1]);
    return (o1 > 0 && o2 > 0) || (o1 < 0 && o2 < 0);
  }
  // Separating axis: the interiors are disjoint iff some edge of either triangle has all corners
  // of the other on its closed outer side.
  return !separatedBy(V, t0, t1, t2, u0, u1, u2) && !separatedBy(V, u0, u1, u2, t0, t1, t2);
}

function separatedBy(V: Float64Array, a0: number, a1: number, a2: number, b0: number, b1: number, b2: number): boolean {
  const sign = orient2d(V[3 * a0], V[3 * a0 + 1], V[3 * a1], V[3 * a1 + 1], V[3 * a2], V[3 * a2 + 1]) > 0 ? 1 : -1;
  for (let k = 0; k < 3; k++) {
    const p = k === 0 ? a0 : k === 1 ? a1 : a2, q = k === 0 ? a1 : k === 1 ? a2 : a0;
    const px = V[3 * p], py = V[3 * p + 1], qx = V[3 * q], qy = V[3 * q + 1];
    // The interior side of edge p→q has the sign of the triangle's own orientation.
    if (sign * orient2d(px, py, qx, qy, V[3 * b0], V[3 * b0 + 1]) > 0) continue;
    if (sign * orient2d(px, py, qx, qy, V[3 * b1], V[3 * b1 + 1]) > 0) continue;
    if (sign * orient2d(px, py, qx, qy, V[3 * b2], V[3 * b2 + 1]) > 0) continue;
    return true;
  }
  return false;
}

/**
 * Per-building volume. Building i's shell is its wall and roof triangles, closed by the
 * horizontal base at z_b (its lowest wall corner: the footprint hole in the ground, or the
 * lowest ground under the footprint with a DEM) and by vertical faces where it has no wall of
 * its own (a shared wall up to the lower roof is inside the block, not in the mesh). By the
 * divergence theorem with F = (0, 0, z − z_b) (div F = 1), its volume is
 *   V_i = Σ over its wall and roof triangles of A_z(T) × (mean z of T − z_b),
 * A_z the signed area of T projected on the XY plane: the base (F = 0 there) and every vertical
 * face (A_z = 0) add nothing, so V_i needs neither the ground nor the neighbours. It is compared
 * with footprint area × height, A_i × (z_top − z_b), where A_i = Σ |A_z| of the roof triangles
 * (the footprint lifted to the roof) and z_top the highest roof corner. They agree exactly for a
 * flat roof over the footprint on vertical walls; a roof corner out of plane, a flipped or
 * doubled roof triangle, a wall corner off the vertical, or a building without walls or roof
 * breaks them apart. (Missing wall triangles show as open edges, not here.) A building with
 * no walls of its own (enclosed by neighbours as tall or taller, e.g. a building part inside
 * another) has no base height in the mesh: it is counted (withoutWalls), not checked.
 */
function buildingVolumes(V: Float64Array, F: Int32Array, markers: Int32Array, N: number, tolerance: number, maxEx: number, examples: VolumeExample[]): NonNullable<MeshReport["buildingVolume"]> {
  const zb = new Float64Array(N).fill(Infinity), ztop = new Float64Array(N).fill(-Infinity);
  const s1 = new Float64Array(N), s0 = new Float64Array(N), absRoof = new Float64Array(N);
  const walls = new Int32Array(N), roofs = new Int32Array(N);
  const nt = markers.length;
  for (let t = 0; t < nt; t++) {
    const mk = markers[t];
    if (mk < 0 || mk >= 2 * N) continue;
    const b = mk < N ? mk : mk - N;
    const a = F[3 * t], p = F[3 * t + 1], c = F[3 * t + 2];
    const ax = V[3 * a], ay = V[3 * a + 1], az = V[3 * a + 2];
    const bx = V[3 * p], by = V[3 * p + 1], bz = V[3 * p + 2];
    const cx = V[3 * c], cy = V[3 * c + 1], cz = V[3 * c + 2];
    const area = ((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) / 2;
    s1[b] += area * ((az + bz + cz) / 3);
    s0[b] += area;
    if (mk < N) {
      walls[b]++;
      const lo = Math.min(az, bz, cz);
      if (lo < zb[b]) zb[b] = lo;
    } else {
      roofs[b]++;
      absRoof[b] += Math.abs(area);
      const hi = Math.max(az, bz, cz);
      if (hi > ztop[b]) ztop[b] = hi;
    }
  }
  const res = { buildings: N, checked: 0, worstRelativeError: 0, worstBuilding: -1, overTolerance: 0, tolerance, withoutWalls: 0 };
  for (let b = 0; b < N; b++) {
    let reason = "", vol = 0, expected = 0, err = 0;
    const height = ztop[b] - zb[b];
    if (walls[b] === 0 && roofs[b] === 0) continue; // not in this mesh (a tile of a larger build)
    // Enclosed on every side by neighbours as tall or taller: correctly no walls of its own, and
    // no base to measure a height from. Counted, not checked.
    if (walls[b] === 0) { res.withoutWalls++; continue; }
    if (roofs[b] === 0) { reason = "no roof"; err = 1; }
    else {
      vol = s1[b] - zb[b] * s0[b];
      expected = absRoof[b] * height;
      err = expected > 0 ? Math.abs(vol - expected) / expected : vol === 0 ? 0 : 1;
      reason = "volume ≠ footprint area × height";
    }
    res.checked++;
    if (err > res.worstRelativeError) { res.worstRelativeError = err; res.worstBuilding = b; }
    if (err > tolerance) {
      res.overTolerance++;
      if (examples.length < maxEx) examples.push({ building: b, volume: vol, expected, relativeError: err, footprintArea: absRoof[b], height: Number.isFinite(height) ? height : 0, reason });
    }
  }
  return res;
}

/** Concatenates meshes (no welding): for checking a tiled build as a whole. */
export function concatMeshes(meshes: Pick<TileMesh, "vertices" | "faces" | "markers">[]): Pick<TileMesh, "vertices" | "faces" | "markers"> {
  let nv = 0, nf = 0;
  for (const m of meshes) { nv += m.vertices.length; nf += m.faces.length; }
  const vertices = new Float64Array(nv), faces = new Int32Array(nf), markers = new Int32Array(nf / 3);
  let ov = 0, of = 0;
  for (const m of meshes) {
    vertices.set(m.vertices, ov);
    for (let i = 0; i < m.faces.length; i++) faces[of + i] = m.faces[i] + ov / 3;
    markers.set(m.markers, of / 3);
    ov += m.vertices.length; of += m.faces.length;
  }
  return { vertices, faces, markers };
}
