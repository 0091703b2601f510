// The planar arrangement of every footprint after snap rounding, and who owns each face.
//
// Fragments (snapRound.ts) never cross and never pass through a vertex, so they form a planar
// graph. Its faces are traced with half-edges; a face's winding number for building b changes by
// b's net traversal count across each fragment, so windings spread from the unbounded face
// (winding 0 everywhere). Components nested in a face (a building in a courtyard, a courtyard
// hole not touching its outer ring) are placed by an exact horizontal ray to the left from their
// lowest-left vertex. A face belongs to the tallest building whose winding there is not zero
// (the nonzero rule: parts of a multipolygon that overlap are one roof, a self-crossing ring keeps
// both lobes); ties go to the lower index. Each building's footprint is then the union of its
// faces, traced back into rings with its inside on their left (outer rings counter-clockwise,
// holes clockwise), grouped into polygons by the faces they bound.
//
// All decisions are exact integer predicates; areas (for diagnostics and for telling the outer
// ring of a polygon from its holes) are sums of small integer products.
import type { SnapResult } from "./snapRound";
import { orient } from "./predicates";
import { PointIndex } from "./pointIndex";
import { BoxGrid } from "./spatialGrid";
import { planarDefects } from "./planarCheck";

export interface ArrangementInput {
  snap: SnapResult;
  /** Building of each input segment. */
  segBuilding: Int32Array;
  /** Building heights, for overlaps (taller wins; tie: lower index). */
  height: ArrayLike<number>;
  buildings: number;
  /** The planarity check (planarCheck.ts); tests replace it to exercise the exclusion path. */
  check?: (V: ArrayLike<number>, u: ArrayLike<number>, v: ArrayLike<number>, edges: number) => number[];
}

export interface BuildingRegion {
  /** Polygons: each an array of rings (integer x, y pairs), outer ring first (CCW), then holes (CW). */
  polygons: number[][][];
  /** Area with nonzero winding (units²): the footprint before overlaps were given away. */
  windingArea: number;
  /** Area owned in the end (units²). */
  ownedArea: number;
  /** Buildings that took part of this one's area (by overlap), ascending. */
  lostTo: number[];
  /** True when the building's edges failed the planarity check and it was left out. */
  unresolved: boolean;
}

export function resolveArrangement(input: ArrangementInput): BuildingRegion[] {
  const { snap, segBuilding, height } = input;
  const V = snap.vertices, vx = (v: number) => V[2 * v], vy = (v: number) => V[2 * v + 1];
  const nb = input.buildings;

  // 1. Net traversal count of every undirected fragment (u < v) per building.
  const edgeKeys = new PointIndex(2, 1024);
  const trav: number[] = []; // edge, building, ±1
  for (let s = 0; s + 1 < snap.chainStart.length; s++) {
    const b = segBuilding[s];
    for (let k = snap.chainStart[s]; k + 1 < snap.chainStart[s + 1]; k++) {
      const u = snap.chain[k], v = snap.chain[k + 1];
      if (u === v) continue;
      const e = u < v ? edgeKeys.id(u, v) : edgeKeys.id(v, u);
      trav.push(e, b, u < v ? 1 : -1);
    }
  }
  const nt = trav.length / 3;
  const order = new Int32Array(nt);
  for (let i = 0; i < nt; i++) order[i] = i;
  order.sort((i, j) => trav[3 * i] - trav[3 * j] || trav[3 * i + 1] - trav[3 * j + 1]);
  // Kept edges (some building's net count is not zero) and their weights in CSR. Should the kept
  // edges not be a planar graph (snap rounding proves they are; planarCheck.ts checks), the
  // buildings on the offending edges are left out and the edges made again without them.
  const excluded = new Set<number>();
  let keptU: number[] = [], keptV: number[] = [], wStart: number[] = [0], wB: number[] = [], wN: number[] = [];
  for (;;) {
    keptU = []; keptV = []; wStart = [0]; wB = []; wN = [];
    for (let i = 0; i < nt; ) {
      const e = trav[3 * order[i]];
      const before = wB.length;
      while (i < nt && trav[3 * order[i]] === e) {
        const b = trav[3 * order[i] + 1];
        let n = 0;
        while (i < nt && trav[3 * order[i]] === e && trav[3 * order[i] + 1] === b) { n += trav[3 * order[i] + 2]; i++; }
        if (n !== 0 && !excluded.has(b)) { wB.push(b); wN.push(n); }
      }
      if (wB.length === before) continue;
      keptU.push(edgeKeys.x(e));
      keptV.push(edgeKeys.y(e));
      wStart.push(wB.length);
    }
    const defects = (input.check ?? planarDefects)(V, keptU, keptV, keptU.length);
    if (defects.length === 0) break;
    for (const e of defects) for (let k = wStart[e]; k < wStart[e + 1]; k++) excluded.add(wB[k]);
  }
  const ne = keptU.length, nh = 2 * ne;
  const from = (h: number) => (h & 1 ? keptV[h >> 1] : keptU[h >> 1]);
  const to = (h: number) => (h & 1 ? keptU[h >> 1] : keptV[h >> 1]);

  // 2. Outgoing half-edges around each vertex, counter-clockwise from east.
  const nv = snap.vertexCount;
  const outStart = new Int32Array(nv + 1);
  for (let h = 0; h < nh; h++) outStart[from(h) + 1]++;
  for (let v = 0; v < nv; v++) outStart[v + 1] += outStart[v];
  const out = new Int32Array(nh), fill = outStart.slice(0, nv);
  for (let h = 0; h < nh; h++) out[fill[from(h)]++] = h;
  const half = (h: number) => { const dx = vx(to(h)) - vx(from(h)), dy = vy(to(h)) - vy(from(h)); return dy > 0 || (dy === 0 && dx > 0) ? 0 : 1; };
  const pos = new Int32Array(nh);
  const list: number[] = [];
  for (let v = 0; v < nv; v++) {
    const s = outStart[v], e = outStart[v + 1];
    if (e - s > 1) {
      list.length = 0;
      for (let k = s; k < e; k++) list.push(out[k]);
      const x = vx(v), y = vy(v);
      list.sort((g, h) => half(g) - half(h) || -orient(x, y, vx(to(g)), vy(to(g)), vx(to(h)), vy(to(h))));
      for (let k = s; k < e; k++) out[k] = list[k - s];
    }
    for (let k = s; k < e; k++) pos[out[k]] = k;
  }
  const twin = (h: number) => h ^ 1;
  /** The outgoing half-edge first clockwise from g around g's origin. */
  const clockwiseFrom = (g: number) => { const v = from(g), s = outStart[v], d = outStart[v + 1] - s; return out[s + ((pos[g] - s - 1 + d) % d)]; };
  const next = (h: number) => clockwiseFrom(twin(h));

  // 3. Cycles (face boundaries, inside on the left) and their signed areas.
  const cycle = new Int32Array(nh).fill(-1);
  const cycleArea: number[] = [], cycleFirst: number[] = [];
  for (let h0 = 0; h0 < nh; h0++) {
    if (cycle[h0] >= 0) continue;
    const c = cycleArea.length;
    const ox = vx(from(h0)), oy = vy(from(h0));
    let a = 0, h = h0;
    do {
      cycle[h] = c;
      a += (vx(from(h)) - ox) * (vy(to(h)) - oy) - (vx(to(h)) - ox) * (vy(from(h)) - oy);
      h = next(h);
    } while (h !== h0);
    cycleArea.push(a / 2);
    cycleFirst.push(h0);
  }
  const nc = cycleArea.length;

  // 4. Connected components, their lowest-left vertex and outer cycle.
  const parent = new Int32Array(nv);
  for (let v = 0; v < nv; v++) parent[v] = v;
  const find = (v: number): number => { while (parent[v] !== v) { parent[v] = parent[parent[v]]; v = parent[v]; } return v; };
  for (let e = 0; e < ne; e++) { const a = find(keptU[e]), b = find(keptV[e]); if (a !== b) parent[Math.max(a, b)] = Math.min(a, b); }
  const compOf = new Int32Array(nv).fill(-1);
  const compMin: number[] = [], compBox: number[] = [];
  for (let v = 0; v < nv; v++) {
    if (outStart[v + 1] === outStart[v]) continue;
    const r = find(v);
    let c = compOf[r];
    if (c < 0) { c = compOf[r] = compMin.length; compMin.push(v); compBox.push(vx(v), vy(v), vx(v), vy(v)); }
    compOf[v] = c;
    const m = compMin[c];
    if (vx(v) < vx(m) || (vx(v) === vx(m) && vy(v) < vy(m))) compMin[c] = v;
    compBox[4 * c] = Math.min(compBox[4 * c], vx(v)); compBox[4 * c + 1] = Math.min(compBox[4 * c + 1], vy(v));
    compBox[4 * c + 2] = Math.max(compBox[4 * c + 2], vx(v)); compBox[4 * c + 3] = Math.max(compBox[4 * c + 3], vy(v));
  }
  const ncomp = compMin.length;
  const outerCycleOf = new Int32Array(ncomp);
  const isOuter = new Uint8Array(nc);
  for (let c = 0; c < ncomp; c++) {
    const v = compMin[c], s = outStart[v], d = outStart[v + 1] - s;
    let up = 0; // edges in the upper half-plane [0, π): they come first
    for (let k = s; k < s + d; k++) if (half(out[k]) === 0) up++;
    const h = out[s + ((up - 1 + d) % d)]; // its left side is the wedge holding west
    outerCycleOf[c] = cycle[h];
    isOuter[cycle[h]] = 1;
  }

  // 5. The face holding each component: exact ray to the left from its lowest-left vertex.
  const edgeGrid = new BoxGrid(Math.max(64, avgEdge(keptU, keptV, vx, vy) * 2), 0, 0);
  for (let e = 0; e < ne; e++) edgeGrid.insert(e, Math.min(vx(keptU[e]), vx(keptV[e])), Math.min(vy(keptU[e]), vy(keptV[e])), Math.max(vx(keptU[e]), vx(keptV[e])), Math.max(vy(keptU[e]), vy(keptV[e])));
  const compGrid = new BoxGrid(Math.max(64, avgBox(compBox, ncomp) * 2), 0, 0);
  for (let c = 0; c < ncomp; c++) compGrid.insert(c, compBox[4 * c], compBox[4 * c + 1], compBox[4 * c + 2], compBox[4 * c + 3]);
  const containerCycle = new Int32Array(ncomp).fill(-1); // -1: the unbounded face
  const cand: number[] = [], edges: number[] = [];
  for (let c = 0; c < ncomp; c++) {
    const v = compMin[c], x = vx(v), y = vy(v);
    compGrid.query(x, y, x, y, cand);
    let reach = x;
    for (const d of cand) if (d !== c && compBox[4 * d] < x && compBox[4 * d + 1] <= y && compBox[4 * d + 3] > y && compBox[4 * d + 2] > x) reach = Math.min(reach, compBox[4 * d]);
    if (reach === x) continue;
    // Edges crossing the line just above y (half-open: one end at or below y, the other above), left of v.
    edgeGrid.query(reach, y, x, y, edges);
    let best = -1, bestLow = -1, bestHigh = -1;
    for (const e of edges) {
      const p = keptU[e], q = keptV[e];
      if (compOf[p] === c) continue;
      let lo = p, hi = q;
      if (vy(lo) > vy(hi)) { lo = q; hi = p; }
      if (!(vy(lo) <= y && vy(hi) > y)) continue;
      if (orient(vx(lo), vy(lo), vx(hi), vy(hi), x, y) >= 0) continue; // v is not right of the upward edge
      if (best < 0 || rightOf(lo, hi, bestLow, bestHigh, vx, vy)) { best = e; bestLow = lo; bestHigh = hi; }
    }
    if (best < 0) continue;
    // The face right of the upward edge lo→hi is left of hi→lo.
    const h = keptU[best] === bestHigh ? 2 * best : 2 * best + 1;
    containerCycle[c] = cycle[h];
  }
  // A cycle's face: its own, or for a component's outer cycle, the face it sits in (resolved through nesting).
  const faceOfCycle = new Int32Array(nc).fill(-2);
  const resolve = (cy: number): number => {
    if (faceOfCycle[cy] !== -2) return faceOfCycle[cy];
    let f: number;
    if (!isOuter[cy]) f = cy;
    else {
      const comp = compOf[from(cycleFirst[cy])];
      const up = containerCycle[comp];
      f = up < 0 ? -1 : resolve(up);
    }
    faceOfCycle[cy] = f;
    return f;
  };
  for (let cy = 0; cy < nc; cy++) resolve(cy);
  // Face id per half-edge: a bounded face is its boundary cycle's id; nc is the unbounded face.
  const faceOf = (h: number) => { const f = faceOfCycle[cycle[h]]; return f < 0 ? nc : f; };

  // 6. Windings, face by face from the unbounded one (breadth first), and each face's owner.
  const faceCycles: number[][] = Array.from({ length: nc + 1 }, () => []);
  for (let cy = 0; cy < nc; cy++) faceCycles[faceOfCycle[cy] < 0 ? nc : faceOfCycle[cy]].push(cy);
  const winding: (number[] | null)[] = new Array(nc + 1).fill(null); // [building, count, ...] sorted by building
  winding[nc] = [];
  const queue = [nc];
  const weight = (h: number, out: Map<number, number>) => {
    const e = h >> 1, sign = h & 1 ? -1 : 1;
    for (let k = wStart[e]; k < wStart[e + 1]; k++) out.set(wB[k], (out.get(wB[k]) ?? 0) + sign * wN[k]);
  };
  const tmp = new Map<number, number>();
  for (let qi = 0; qi < queue.length; qi++) {
    const F = queue[qi], wf = winding[F]!;
    for (const cy of faceCycles[F]) {
      let h = cycleFirst[cy];
      do {
        const G = faceOf(twin(h));
        if (winding[G] === null) {
          // Right of h (face G) = left of h (face F) − h's weight.
          tmp.clear();
          for (let k = 0; k < wf.length; k += 2) tmp.set(wf[k], wf[k + 1]);
          const neg = new Map<number, number>();
          weight(h, neg);
          for (const [b, n] of neg) tmp.set(b, (tmp.get(b) ?? 0) - n);
          const w: number[] = [];
          for (const b of [...tmp.keys()].sort((p, q) => p - q)) if (tmp.get(b) !== 0) w.push(b, tmp.get(b)!);
          winding[G] = w;
          queue.push(G);
        }
        h = next(h);
      } while (h !== cycleFirst[cy]);
    }
  }
  const owner = new Int32Array(nc + 1).fill(-1);
  const faceArea = new Float64Array(nc + 1);
  for (let cy = 0; cy < nc; cy++) if (faceOfCycle[cy] >= 0) faceArea[faceOfCycle[cy]] += cycleArea[cy];
  const regions: BuildingRegion[] = Array.from({ length: nb }, (_, b) => ({ polygons: [], windingArea: 0, ownedArea: 0, lostTo: [], unresolved: excluded.has(b) }));
  const lostTo: Set<number>[] = Array.from({ length: nb }, () => new Set());
  for (let F = 0; F < nc; F++) {
    const w = winding[F];
    if (!w || faceOfCycle[F] !== F) continue;
    let best = -1;
    for (let k = 0; k < w.length; k += 2) {
      const b = w[k];
      if (best < 0 || height[b] > height[best] || (height[b] === height[best] && b < best)) best = b;
    }
    owner[F] = best;
    for (let k = 0; k < w.length; k += 2) {
      regions[w[k]].windingArea += faceArea[F];
      if (w[k] !== best) lostTo[w[k]].add(best);
    }
    if (best >= 0) regions[best].ownedArea += faceArea[F];
  }
  for (let b = 0; b < nb; b++) regions[b].lostTo = [...lostTo[b]].sort((p, q) => p - q);

  // 7. Each building's boundary: half-edges with its face on the left and another owner on the right.
  const own = (h: number) => owner[faceOf(h)];
  const boundary = (h: number) => own(h) >= 0 && own(h) !== own(twin(h));
  // Faces of one building joined across its inner fragments: one group per polygon.
  const group = new Int32Array(nc + 1);
  for (let F = 0; F <= nc; F++) group[F] = F;
  const gfind = (f: number): number => { while (group[f] !== f) { group[f] = group[group[f]]; f = group[f]; } return f; };
  for (let h = 0; h < nh; h += 2) {
    const a = faceOf(h), b = faceOf(h + 1);
    if (owner[a] >= 0 && owner[a] === owner[b]) { const ra = gfind(a), rb = gfind(b); if (ra !== rb) group[Math.max(ra, rb)] = Math.min(ra, rb); }
  }
  const seen = new Uint8Array(nh);
  const ringsByGroup = new Map<number, { b: number; outer: number[] | null; holes: number[][] }>();
  const groupOrder: number[] = [];
  for (let h0 = 0; h0 < nh; h0++) {
    if (seen[h0] || !boundary(h0)) continue;
    const b = own(h0);
    const ring: number[] = [];
    let h = h0, area = 0;
    const ox = vx(from(h0)), oy = vy(from(h0));
    do {
      seen[h] = 1;
      ring.push(vx(from(h)), vy(from(h)));
      area += (vx(from(h)) - ox) * (vy(to(h)) - oy) - (vx(to(h)) - ox) * (vy(from(h)) - oy);
      // Turn clockwise around the head through b's own inner fragments to the next boundary one.
      let g = next(h);
      for (let guard = outStart[to(h) + 1] - outStart[to(h)]; !(own(g) === b && boundary(g)) && guard > 0; guard--) g = clockwiseFrom(g);
      h = g;
    } while (h !== h0 && !seen[h]);
    const gid = gfind(faceOf(h0));
    let entry = ringsByGroup.get(gid);
    if (!entry) { entry = { b, outer: null, holes: [] }; ringsByGroup.set(gid, entry); groupOrder.push(gid); }
    if (area > 0 && !entry.outer) entry.outer = ring;
    else entry.holes.push(ring);
  }
  for (const gid of groupOrder) {
    const { b, outer, holes } = ringsByGroup.get(gid)!;
    if (outer) regions[b].polygons.push([outer, ...holes]);
  }
  return regions;
}

/** True when edge (lo1, hi1) crosses the line just above y further right than (lo2, hi2) does; the two never cross. */
function rightOf(lo1: number, hi1: number, lo2: number, hi2: number, vx: (v: number) => number, vy: (v: number) => number): boolean {
  // Test the end point of one edge that lies within the other's height range against the other's line.
  if (vy(lo1) >= vy(lo2)) {
    const o = orient(vx(lo2), vy(lo2), vx(hi2), vy(hi2), vx(lo1), vy(lo1));
    if (o !== 0) return o < 0;
    return orient(vx(lo2), vy(lo2), vx(hi2), vy(hi2), vx(hi1), vy(hi1)) < 0;
  }
  const o = orient(vx(lo1), vy(lo1), vx(hi1), vy(hi1), vx(lo2), vy(lo2));
  if (o !== 0) return o > 0;
  return orient(vx(lo1), vy(lo1), vx(hi1), vy(hi1), vx(hi2), vy(hi2)) > 0;
}

function avgEdge(u: number[], v: number[], vx: (i: number) => number, vy: (i: number) => number): number {
  let s = 0;
  for (let e = 0; e < u.length; e++) s += Math.abs(vx(u[e]) - vx(v[e])) + Math.abs(vy(u[e]) - vy(v[e]));
  return u.length ? s / u.length : 64;
}

function avgBox(box: number[], n: number): number {
  let s = 0;
  for (let c = 0; c < n; c++) s += Math.max(box[4 * c + 2] - box[4 * c], box[4 * c + 3] - box[4 * c + 1]);
  return n ? s / n : 64;
}
