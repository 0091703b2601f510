// Constrained Delaunay triangulation: delaunator + constrainautor, the fastest and most
// robust pair measured here (see shared/recipes/measured-baselines.md §2), given input that
// meets their preconditions: distinct points, constraint edges that cross no point or edge.
import Delaunator from "delaunator";
import Constrainautor from "@kninnug/constrainautor";

export interface Cdt {
  coords: Float64Array;
  triangles: Uint32Array;
  halfedges: Int32Array;
  /** constrained[e] = 1 when half-edge e lies on a constraint. */
  constrained: Uint8Array;
}

/**
 * Constrainautor's set of edges to re-check after a flip, as a list of members plus a flag per
 * edge. Constrainautor keeps it in a bit set and, after every constraint that needed a flip,
 * walks the whole set (one byte per 8 edges) until it is empty: quadratic in the tile, 6 % of
 * New York's tile time. Here a walk visits only the members, in ascending order as the bit
 * set does; members added during a walk are visited by the next one (Constrainautor repeats
 * the walk while it flips), deleted ones are skipped. Installed on the instance by `triangulate`
 * (Constrainautor 4.1's `flips`: add/delete/set/has/forEach), checked against the bit set by the
 * unit tests.
 */
export class SparseFlips {
  private readonly on: Uint8Array;
  // Members in two typed buffers used in turn: a walk takes one (sorted natively, no comparator
  // callback) while the edges it adds go to the other. An edge deleted and added again is listed
  // twice, as in the number list this replaced; the walk's flag test sees it as the bit set would.
  private members: Int32Array;
  private spare: Int32Array;
  private n = 0;
  private walking = false;
  /** Edges of the triangulation served now (flags beyond are unused and stay 0). */
  private extent: number;
  constructor(edges: number) {
    this.on = new Uint8Array(edges);
    this.extent = edges;
    this.members = new Int32Array(64);
    this.spare = new Int32Array(64);
  }
  get capacity(): number { return this.on.length; }
  /** Empties the set for a triangulation of `edges` half-edges (at most `capacity`), keeping the storage. */
  reset(edges: number): void {
    this.on.fill(0, 0, this.extent);
    this.extent = edges;
    this.n = 0;
  }
  has(e: number): boolean { return this.on[e] === 1; }
  add(e: number): this {
    if (this.on[e] === 0) {
      this.on[e] = 1;
      if (this.n === this.members.length) { const g = new Int32Array(2 * this.n); g.set(this.members); this.members = g; }
      this.members[this.n++] = e;
    }
    return this;
  }
  delete(e: number): this { this.on[e] = 0; return this; }
  /** Adds or deletes e; returns `val` (a flip moves an edge's flag to its new id this way). */
  set(e: number, val: boolean): boolean {
    if (val) this.add(e);
    else this.on[e] = 0;
    return val;
  }
  forEach(fn: (e: number) => void): this {
    const count = this.n;
    // A walk inside a walk (not done by Constrainautor 4.1) gets its own copy.
    const batch = this.walking ? this.members.slice(0, count) : this.members;
    if (!this.walking) { this.members = this.spare; this.spare = batch; }
    this.n = 0;
    const walking = this.walking;
    this.walking = true;
    try {
      const list = batch.subarray(0, count);
      if (count > 1) list.sort();
      for (let i = 0; i < count; i++) { const e = list[i]; if (this.on[e] === 1) fn(e); }
    } finally {
      this.walking = walking;
    }
    return this;
  }
}

/** A Constrainautor whose re-check set is a SparseFlips. */
export function constrainautor(del: ConstructorParameters<typeof Constrainautor>[0]): Constrainautor {
  const con = new Constrainautor(del);
  (con as unknown as { flips: SparseFlips }).flips = sparseFlips(del.triangles.length);
  return con;
}

// One SparseFlips per thread, reset for each triangulation (they run one at a time): a flag array
// allocated per roof was a few per cent of New York's tile time, mostly in the garbage collector.
let sharedFlips: SparseFlips | undefined;
function sparseFlips(edges: number): SparseFlips {
  if (!sharedFlips || sharedFlips.capacity < edges) sharedFlips = new SparseFlips(Math.max(edges, 4096));
  else sharedFlips.reset(edges);
  return sharedFlips;
}

// Delaunator per point count up to POOLED points, reused: update() recomputes the whole
// triangulation from its coords in the arrays it made for that count (seven typed arrays; a
// sixth of New York's roofs need a CDT, each of a few dozen points).
const POOLED = 128;
const delaunators: (Delaunator<Float64Array> | undefined)[] = [];

function delaunay(coords: Float64Array, scratch: boolean): Delaunator<Float64Array> {
  const n = coords.length >> 1;
  if (!scratch || n > POOLED) return new Delaunator(coords);
  let del = delaunators[n];
  if (!del) return (delaunators[n] = new Delaunator(Float64Array.from(coords)));
  del.coords.set(coords);
  del.update();
  return del;
}

/**
 * Delaunay triangulation of `coords` (x, y pairs) constrained by `edges` (point id pairs, flat).
 * `scratch`: the result may live in storage the next scratch triangulation of as many points
 * reuses (its coords are a copy then), so it must be used up before that.
 */
export function triangulate(coords: Float64Array, edges: ArrayLike<number>, scratch = false): Cdt {
  const del = delaunay(coords, scratch);
  coords = del.coords;
  const con = constrainautor(del);
  for (let k = 0; k + 1 < edges.length; k += 2) con.constrainOne(edges[k], edges[k + 1]);
  const n = del.triangles.length;
  const constrained = new Uint8Array(n);
  for (let e = 0; e < n; e++) if (con.isConstrained(e)) constrained[e] = 1;
  return { coords, triangles: del.triangles, halfedges: del.halfedges, constrained };
}

/**
 * Splits the triangles into regions bounded by constraints (flood fill over unconstrained
 * half-edges) and classifies each region once, from one half-edge u→v on its border (u, v
 * point indices, in the triangle's own order, so the region lies to the RIGHT of u→v:
 * delaunator's triangles are clockwise in a y-up frame). Classifying by the directed
 * constraint is exact: a centroid test misjudges the slivers that near-collinear
 * boundary points create. `classify` returns -1 when a border edge tells nothing (a tile
 * edge); the next border edge is asked then, and a region no edge classifies (bounded by tile
 * edges alone: a building wider than the tile) is classified by `inside(t)` for one of its
 * triangles t. Returns, per triangle, the class of its region.
 */
export function classifyRegions(cdt: Cdt, classify: (u: number, v: number) => number, inside: (t: number) => number = () => 0): Int32Array {
  const nt = cdt.triangles.length / 3;
  const UNSET = -0x7fffffff;
  const region = new Int32Array(nt).fill(-1);
  const cls = new Int32Array(nt).fill(UNSET);
  const { triangles: T, halfedges: H, constrained } = cdt;
  // The region being filled: members[0 … count−1] (each triangle joins one region, so nt is room
  // enough; a JS array emptied per region cost a runtime call and its growth each time).
  const members = new Int32Array(nt);
  for (let t = 0; t < nt; t++) {
    if (region[t] >= 0) continue;
    let count = 0;
    members[count++] = t;
    region[t] = t;
    let k = -1;
    for (let m = 0; m < count; m++) {
      const u = members[m];
      for (let j = 0; j < 3; j++) {
        const e = 3 * u + j, o = H[e];
        if (constrained[e] || o < 0) {
          if (k < 0) k = classify(T[e], T[j === 2 ? e - 2 : e + 1]);
          continue;
        }
        const v = (o / 3) | 0;
        if (region[v] < 0) { region[v] = t; members[count++] = v; }
      }
    }
    if (k < 0) k = inside(t);
    for (let m = 0; m < count; m++) cls[members[m]] = k;
  }
  return cls;
}
