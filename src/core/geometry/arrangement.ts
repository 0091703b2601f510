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
import { Buckets, boxCells, segmentCells } from "./spatialGrid";
import { planarDefects } from "./planarCheck";
import { ringArea } from "./footprintBuilder";

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

export interface ArrangementResult {
  /**
   * Every input building's footprint after the arrangement, in integer units: buildings in input
   * order (an empty one has buildingStart[b] = buildingStart[b + 1]), each polygon its outer ring
   * (counter-clockwise) then its holes (clockwise).
   */
  footprints: { xy: Float64Array; ringStart: Int32Array; polyStart: Int32Array; buildingStart: Int32Array };
  /** Per building, the area with nonzero winding (units²): its footprint before overlaps were given away. */
  windingArea: Float64Array;
  /** Per building, the area it owns in the end (units²). */
  ownedArea: Float64Array;
  /** Buildings that took part of a building's area (by overlap), ascending; absent when none did. */
  lostTo: Map<number, number[]>;
  /** 1 when the building's edges failed the planarity check and it was left out. */
  unresolved: Uint8Array;
}

// Half-edges: edge e runs keptU[e] → keptV[e] as half-edge 2e, back as 2e + 1. The helpers are
// module functions, not closures made per call: a closure made per call is not inlined once the
// function has run on more than one input (a city cleaned in parts).
function origin(h: number, u: Int32Array, v: Int32Array): number { return h & 1 ? v[h >> 1] : u[h >> 1]; }
function target(h: number, u: Int32Array, v: Int32Array): number { return h & 1 ? u[h >> 1] : v[h >> 1]; }
/** 0 when h points into the half-plane [0°, 180°) (east, then counter-clockwise), else 1. */
function halfPlane(h: number, V: Float64Array, u: Int32Array, v: Int32Array): number {
  const a = origin(h, u, v), b = target(h, u, v), dx = V[2 * b] - V[2 * a], dy = V[2 * b + 1] - V[2 * a + 1];
  return dy > 0 || (dy === 0 && dx > 0) ? 0 : 1;
}
/** The outgoing half-edge first clockwise from g around g's origin (from h ^ 1: the next half-edge of h's cycle, its face on the left). */
function clockwise(g: number, u: Int32Array, v: Int32Array, outStart: Int32Array, out: Int32Array, pos: Int32Array): number {
  const o = origin(g, u, v), s = outStart[o], d = outStart[o + 1] - s;
  return out[s + ((pos[g] - s - 1 + d) % d)];
}
/** Whether h bounds its owner's region: an owned face on its left, another owner (or none) on its right. */
function isBoundary(h: number, owner: Int32Array, faceOf: Int32Array): boolean {
  const o = owner[faceOf[h]];
  return o >= 0 && o !== owner[faceOf[h ^ 1]];
}

export function resolveArrangement(input: ArrangementInput): ArrangementResult {
  const { snap, segBuilding, height } = input;
  // Vertex x of v is V[2v], y V[2v+1], written out rather than through small closures: a closure made
  // per call is not inlined once this function has run on more than one input (parts of a city).
  const V = snap.vertices;
  const nb = input.buildings;

  // 1. The fragments some building's rings cross on net, with their weights.
  const { keptU, keptV, wStart, wB, wN, excluded } = keptFragments(snap, segBuilding, input.check ?? planarDefects);
  const nv = snap.vertexCount;
  const ne = keptU.length, nh = 2 * ne;

  // 2. Outgoing half-edges around each vertex, counter-clockwise from east (two need no order).
  const outStart = new Int32Array(nv + 1);
  for (let h = 0; h < nh; h++) outStart[origin(h, keptU, keptV) + 1]++;
  for (let v = 0; v < nv; v++) outStart[v + 1] += outStart[v];
  const out = new Int32Array(nh), fill = outStart.slice(0, nv);
  for (let h = 0; h < nh; h++) out[fill[origin(h, keptU, keptV)]++] = h;
  const pos = new Int32Array(nh);
  for (let v = 0; v < nv; v++) {
    const s = outStart[v], e = outStart[v + 1];
    if (e - s > 2) {
      // A stable insertion sort in place by (half-plane, then angle): a vertex has a few edges, and
      // Array.prototype.sort had cost a copy, a comparator closure and a work array per vertex
      // (a third of the clean-up's allocations). Same order: both are stable, and the order is strict.
      const x = V[2 * v], y = V[2 * v + 1];
      for (let k = s + 1; k < e; k++) {
        const g = out[k], hg = halfPlane(g, V, keptU, keptV), gx = V[2 * target(g, keptU, keptV)], gy = V[2 * target(g, keptU, keptV) + 1];
        let j = k - 1;
        for (; j >= s; j--) {
          const h = out[j];
          if ((halfPlane(h, V, keptU, keptV) - hg || -orient(x, y, V[2 * target(h, keptU, keptV)], V[2 * target(h, keptU, keptV) + 1], gx, gy)) <= 0) break;
          out[j + 1] = h;
        }
        out[j + 1] = g;
      }
    }
    for (let k = s; k < e; k++) pos[out[k]] = k;
  }

  // 3. Cycles (face boundaries, inside on the left) and their signed areas.
  const cycle = new Int32Array(nh).fill(-1);
  const cycleAreaG = new Float64Array((nh >> 1) + 1), cycleFirstG = new Int32Array((nh >> 1) + 1); // a cycle has two half-edges at least
  let nc = 0;
  for (let h0 = 0; h0 < nh; h0++) {
    if (cycle[h0] >= 0) continue;
    const c = nc++;
    const ox = V[2 * origin(h0, keptU, keptV)], oy = V[2 * origin(h0, keptU, keptV) + 1];
    let a = 0, h = h0;
    do {
      cycle[h] = c;
      a += (V[2 * origin(h, keptU, keptV)] - ox) * (V[2 * target(h, keptU, keptV) + 1] - oy) - (V[2 * target(h, keptU, keptV)] - ox) * (V[2 * origin(h, keptU, keptV) + 1] - oy);
      h = clockwise(h ^ 1, keptU, keptV, outStart, out, pos);
    } while (h !== h0);
    cycleAreaG[c] = a / 2;
    cycleFirstG[c] = h0;
  }
  const cycleArea = cycleAreaG.subarray(0, nc), cycleFirst = cycleFirstG.subarray(0, nc);

  // 4–5. Each component's outer cycle, and the cycle of the face it sits in.
  const up = containers({ nv, ne, nc, keptU, keptV, V, outStart, out, cycle });
  // A cycle's face: its own, or for a component's outer cycle, the face it sits in (resolved through nesting).
  const faceOfCycle = new Int32Array(nc).fill(-2);
  const resolve = (cy: number): number => {
    if (faceOfCycle[cy] !== -2) return faceOfCycle[cy];
    const f = up[cy] === -2 ? cy : up[cy] === -1 ? -1 : resolve(up[cy]);
    faceOfCycle[cy] = f;
    return f;
  };
  for (let cy = 0; cy < nc; cy++) resolve(cy);
  // Face id per cycle and per half-edge: a bounded face is its boundary cycle's id; nc is the unbounded face.
  const faceOfCy = new Int32Array(nc), faceOf = new Int32Array(nh);
  for (let cy = 0; cy < nc; cy++) faceOfCy[cy] = faceOfCycle[cy] < 0 ? nc : faceOfCycle[cy];
  for (let h = 0; h < nh; h++) faceOf[h] = faceOfCy[cycle[h]];

  // 6. Windings, face by face from the unbounded one (breadth first), and each face's owner.
  //    A face's winding is a run of (building, count) pairs, buildings ascending, in one pool.
  const faceStart = new Int32Array(nc + 2);
  for (let cy = 0; cy < nc; cy++) faceStart[faceOfCy[cy] + 1]++;
  for (let F = 0; F <= nc; F++) faceStart[F + 1] += faceStart[F];
  const faceList = new Int32Array(nc), faceAt = faceStart.slice(0, nc + 1);
  for (let cy = 0; cy < nc; cy++) faceList[faceAt[faceOfCy[cy]]++] = cy;
  const windFrom = new Int32Array(nc + 1).fill(-1), windLen = new Int32Array(nc + 1);
  let pool = new Int32Array(1024), used = 0;
  const room = (n: number) => { if (used + n > pool.length) { const g = new Int32Array(Math.max(2 * pool.length, used + n)); g.set(pool); pool = g; } };
  windFrom[nc] = 0;
  const queue = new Int32Array(nc + 1);
  let qn = 0;
  queue[qn++] = nc;
  for (let qi = 0; qi < qn; qi++) {
    const F = queue[qi];
    for (let fc = faceStart[F]; fc < faceStart[F + 1]; fc++) {
      const cy = faceList[fc];
      let h = cycleFirst[cy];
      do {
        const G = faceOf[h ^ 1];
        if (windFrom[G] < 0) {
          // Right of h (face G) = left of h (face F) − h's weight: merge two ascending runs.
          const e = h >> 1, sign = h & 1 ? 1 : -1; // −weight of h
          room(2 * (windLen[F] + wStart[e + 1] - wStart[e]));
          const start = used;
          let i = windFrom[F], iEnd = windFrom[F] + 2 * windLen[F], k = wStart[e];
          while (i < iEnd || k < wStart[e + 1]) {
            let b: number, n: number;
            if (k >= wStart[e + 1] || (i < iEnd && pool[i] < wB[k])) { b = pool[i]; n = pool[i + 1]; i += 2; }
            else if (i >= iEnd || wB[k] < pool[i]) { b = wB[k]; n = sign * wN[k]; k++; }
            else { b = pool[i]; n = pool[i + 1] + sign * wN[k]; i += 2; k++; }
            if (n !== 0) { pool[used++] = b; pool[used++] = n; }
          }
          windFrom[G] = start;
          windLen[G] = (used - start) / 2;
          queue[qn++] = G;
        }
        h = clockwise(h ^ 1, keptU, keptV, outStart, out, pos);
      } while (h !== cycleFirst[cy]);
    }
  }
  const owner = new Int32Array(nc + 1).fill(-1);
  const faceArea = new Float64Array(nc + 1);
  for (let cy = 0; cy < nc; cy++) if (faceOfCycle[cy] >= 0) faceArea[faceOfCycle[cy]] += cycleArea[cy];
  const windingArea = new Float64Array(nb), ownedArea = new Float64Array(nb), unresolved = new Uint8Array(nb);
  for (const b of excluded) unresolved[b] = 1;
  const lostTo = new Map<number, number[]>();
  for (let F = 0; F < nc; F++) {
    if (windFrom[F] < 0 || faceOfCycle[F] !== F) continue;
    const w0 = windFrom[F], w1 = w0 + 2 * windLen[F];
    let best = -1;
    for (let k = w0; k < w1; k += 2) {
      const b = pool[k];
      if (best < 0 || height[b] > height[best] || (height[b] === height[best] && b < best)) best = b;
    }
    owner[F] = best;
    for (let k = w0; k < w1; k += 2) {
      const b = pool[k];
      windingArea[b] += faceArea[F];
      if (b === best) continue;
      const l = lostTo.get(b);
      if (!l) lostTo.set(b, [best]); else if (!l.includes(best)) l.push(best);
    }
    if (best >= 0) ownedArea[best] += faceArea[F];
  }
  for (const l of lostTo.values()) l.sort((p, q) => p - q);

  // 7. Each building's boundary: half-edges with its face on the left and another owner on the right.
  // Faces of one building joined across its inner fragments: one group per polygon.
  const faceGroups = unionFind(nc + 1);
  for (let h = 0; h < nh; h += 2) {
    const a = faceOf[h], b = faceOf[h + 1];
    if (owner[a] >= 0 && owner[a] === owner[b]) faceGroups.union(a, b);
  }
  // Boundary half-edges by building (counting sort), then each building's rings traced in turn:
  // its polygons in order of first appearance, each its outer ring (positive area) then holes.
  const bStart = new Int32Array(nb + 1);
  for (let h = 0; h < nh; h++) if (isBoundary(h, owner, faceOf)) bStart[owner[faceOf[h]] + 1]++;
  for (let b = 0; b < nb; b++) bStart[b + 1] += bStart[b];
  const bList = new Int32Array(bStart[nb]), bAt = bStart.slice(0, nb);
  for (let h = 0; h < nh; h++) if (isBoundary(h, owner, faceOf)) bList[bAt[owner[faceOf[h]]]++] = h;
  const seen = new Uint8Array(nh);
  const outXy = new Float64Array(2 * bStart[nb]);
  const ringStart: number[] = [0], polyStart: number[] = [0], buildingStart = new Int32Array(nb + 1);
  let w = 0;
  const rings: { from: number; to: number; group: number; outer: boolean }[] = [];
  const scratch: number[] = [];
  for (let b = 0; b < nb; b++) {
    rings.length = 0;
    scratch.length = 0;
    for (let k = bStart[b]; k < bStart[b + 1]; k++) {
      const h0 = bList[k];
      if (seen[h0]) continue;
      const from0 = scratch.length;
      let h = h0;
      do {
        seen[h] = 1;
        scratch.push(V[2 * origin(h, keptU, keptV)], V[2 * origin(h, keptU, keptV) + 1]);
        // Turn clockwise around the head through b's own inner fragments to the next boundary one.
        let g = clockwise(h ^ 1, keptU, keptV, outStart, out, pos);
        for (let guard = outStart[target(h, keptU, keptV) + 1] - outStart[target(h, keptU, keptV)]; !(owner[faceOf[g]] === b && isBoundary(g, owner, faceOf)) && guard > 0; guard--) g = clockwise(g, keptU, keptV, outStart, out, pos);
        h = g;
      } while (h !== h0 && !seen[h]);
      rings.push({ from: from0, to: scratch.length, group: faceGroups.find(faceOf[h0]), outer: ringArea(scratch, from0 / 2, scratch.length / 2) > 0 });
    }
    // Polygons in order of their group's first ring; the outer ring first (a group without one,
    // never seen, is dropped).
    const groups: number[] = [];
    for (const r of rings) if (!groups.includes(r.group)) groups.push(r.group);
    for (const gid of groups) {
      const mine = rings.filter((r) => r.group === gid).sort((p, q) => Number(q.outer) - Number(p.outer));
      if (!mine[0].outer) continue;
      for (const r of mine) {
        for (let k = r.from; k < r.to; k++) outXy[w++] = scratch[k];
        ringStart.push(w / 2);
      }
      polyStart.push(ringStart.length - 1);
      buildingStart[b + 1]++;
    }
  }
  for (let b = 0; b < nb; b++) buildingStart[b + 1] += buildingStart[b];
  const footprints = { xy: outXy.subarray(0, w), ringStart: Int32Array.from(ringStart), polyStart: Int32Array.from(polyStart), buildingStart };
  return { footprints, windingArea, ownedArea, lostTo, unresolved };
}

/** Union-find over 0 … n − 1; a union keeps the smaller root, so roots do not depend on the order of unions. */
function unionFind(n: number): { find: (i: number) => number; union: (a: number, b: number) => void } {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => { while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; } return i; };
  const union = (a: number, b: number) => { const ra = find(a), rb = find(b); if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb); };
  return { find, union };
}

/** Components of the fragment graph, their outer cycles, and the face cycle each sits in (steps 4–5). */
function containers(g: {
  nv: number; ne: number; nc: number; keptU: Int32Array; keptV: Int32Array; V: Float64Array;
  outStart: Int32Array; out: Int32Array; cycle: Int32Array;
}): Int32Array {
  const { nv, ne, nc, keptU, keptV, V, outStart, out, cycle } = g;
  // 4. Connected components, their lowest-left vertex and outer cycle.
  const { find, union } = unionFind(nv);
  for (let e = 0; e < ne; e++) union(keptU[e], keptV[e]);
  const compOf = new Int32Array(nv).fill(-1);
  const compMin: number[] = [], compBox: number[] = [];
  for (let v = 0; v < nv; v++) {
    if (outStart[v + 1] === outStart[v]) continue;
    const r = find(v);
    let c = compOf[r];
    if (c < 0) { c = compOf[r] = compMin.length; compMin.push(v); compBox.push(V[2 * v], V[2 * v + 1], V[2 * v], V[2 * v + 1]); }
    compOf[v] = c;
    const m = compMin[c];
    if (V[2 * v] < V[2 * m] || (V[2 * v] === V[2 * m] && V[2 * v + 1] < V[2 * m + 1])) compMin[c] = v;
    compBox[4 * c] = Math.min(compBox[4 * c], V[2 * v]); compBox[4 * c + 1] = Math.min(compBox[4 * c + 1], V[2 * v + 1]);
    compBox[4 * c + 2] = Math.max(compBox[4 * c + 2], V[2 * v]); compBox[4 * c + 3] = Math.max(compBox[4 * c + 3], V[2 * v + 1]);
  }
  const ncomp = compMin.length;
  const outerCycleOf = new Int32Array(ncomp);
  for (let c = 0; c < ncomp; c++) {
    const v = compMin[c], s = outStart[v], d = outStart[v + 1] - s;
    // All edges leave v eastwards (or straight up): the outer face is the wedge holding west,
    // left of the most counter-clockwise edge.
    let h: number;
    if (d === 2) {
      const g0 = out[s], g1 = out[s + 1];
      h = orient(V[2 * v], V[2 * v + 1], V[2 * target(g0, keptU, keptV)], V[2 * target(g0, keptU, keptV) + 1], V[2 * target(g1, keptU, keptV)], V[2 * target(g1, keptU, keptV) + 1]) > 0 ? g1 : g0; // two edges are not sorted
    } else {
      let up = 0; // edges in the upper half-plane [0, π): they come first
      for (let k = s; k < s + d; k++) if (halfPlane(out[k], V, keptU, keptV) === 0) up++;
      h = out[s + ((up - 1 + d) % d)];
    }
    outerCycleOf[c] = cycle[h];
  }

  // 5. The face holding each component: exact ray to the left from its lowest-left vertex.
  const edgeSize = Math.max(64, Math.ceil(avgEdge(keptU, keptV, V) * 2)), compSize = Math.max(64, Math.ceil(avgBox(compBox, ncomp) * 2));
  const edgeCells = new Buckets(edgeSize, segmentCells(edgeSize, V, keptU, keptV, 1, ne));
  const compCells = new Buckets(compSize, boxCells(compSize, compBox, ncomp));
  const containerCycle = new Int32Array(ncomp).fill(-1); // -1: the unbounded face
  for (let c = 0; c < ncomp; c++) {
    const v = compMin[c], x = V[2 * v], y = V[2 * v + 1];
    // How far left the ray must look: to the west edge of the components whose box holds v.
    let reach = x;
    const cc = compCells.at(compCells.cell(x), compCells.cell(y));
    if (cc >= 0) for (let m = compCells.start[cc]; m < compCells.start[cc + 1]; m++) {
      const d = compCells.ids[m];
      if (d !== c && compBox[4 * d] < x && compBox[4 * d + 1] <= y && compBox[4 * d + 3] > y && compBox[4 * d + 2] > x) reach = Math.min(reach, compBox[4 * d]);
    }
    if (reach === x) continue;
    // Edges crossing the line just above y (half-open: one end at or below y, the other above),
    // left of v; cells scanned westwards until one lies wholly beyond the nearest hit.
    let best = -1, bestLow = -1, bestHigh = -1, bestX = -Infinity;
    const row = edgeCells.cell(y);
    for (let i = edgeCells.cell(x); i >= edgeCells.cell(reach); i--) {
      if ((i + 1) * edgeCells.size <= bestX) break;
      const cell = edgeCells.at(i, row);
      if (cell < 0) continue;
      for (let m = edgeCells.start[cell]; m < edgeCells.start[cell + 1]; m++) {
        const e = edgeCells.ids[m], p = keptU[e], q = keptV[e];
        if (compOf[p] === c) continue;
        let lo = p, hi = q;
        if (V[2 * lo + 1] > V[2 * hi + 1]) { lo = q; hi = p; }
        if (!(V[2 * lo + 1] <= y && V[2 * hi + 1] > y)) continue;
        if (orient(V[2 * lo], V[2 * lo + 1], V[2 * hi], V[2 * hi + 1], x, y) >= 0) continue; // v is not right of the upward edge
        if (best < 0 || rightOf(lo, hi, bestLow, bestHigh, V)) {
          best = e; bestLow = lo; bestHigh = hi;
          bestX = Math.min(V[2 * lo], V[2 * hi]); // a safe bound for stopping the scan
        }
      }
    }
    if (best < 0) continue;
    // The face right of the upward edge lo→hi is left of hi→lo.
    const h = keptU[best] === bestHigh ? 2 * best : 2 * best + 1;
    containerCycle[c] = cycle[h];
  }
  // Per cycle: −2 when it bounds a face of its own, else (a component's outer cycle) the cycle of
  // the face holding the component, −1 for the unbounded face.
  const up = new Int32Array(nc).fill(-2);
  for (let c = 0; c < ncomp; c++) up[outerCycleOf[c]] = containerCycle[c];
  return up;
}

/**
 * Net traversal count of every undirected fragment (u < v) per building; the fragments some
 * building crosses on net are kept, with their (building, count) weights in CSR.
 */
function keptFragments(snap: SnapResult, segBuilding: Int32Array, check: NonNullable<ArrangementInput["check"]>) {
  // Traversals bucketed by their lower vertex (counting sort); within a bucket (a vertex's few
  // fragments) grouped by the upper one: fragment ids without hashing.
  const nv = snap.vertexCount, C = snap.chain, CS = snap.chainStart;
  const lowStart = new Int32Array(nv + 1);
  for (let s = 0; s + 1 < CS.length; s++)
    for (let k = CS[s]; k + 1 < CS[s + 1]; k++) if (C[k] !== C[k + 1]) lowStart[Math.min(C[k], C[k + 1]) + 1]++;
  for (let v = 0; v < nv; v++) lowStart[v + 1] += lowStart[v];
  const nt = lowStart[nv];
  const travHigh = new Int32Array(nt), travB = new Int32Array(nt), travDir = new Int8Array(nt), lowAt = lowStart.slice(0, nv);
  for (let s = 0; s + 1 < CS.length; s++) {
    const b = segBuilding[s];
    for (let k = CS[s]; k + 1 < CS[s + 1]; k++) {
      const u = C[k], v = C[k + 1];
      if (u === v) continue;
      const i = lowAt[Math.min(u, v)]++;
      travHigh[i] = Math.max(u, v);
      travB[i] = b;
      travDir[i] = u < v ? 1 : -1;
    }
  }
  // Fragments with a building whose net count is not zero, with their (building, count) pairs,
  // buildings ascending (insertion sort: a fragment has one or two). Two passes over the same
  // walk, counting then filling, so the arrays are allocated at their exact size.
  // The current fragment's pairs: sb[0 … sw−1], sn likewise. Typed arrays with a count, sized for
  // the busiest vertex: JS arrays emptied per fragment (length = 0) had been a third of this walk.
  let widest = 0;
  for (let lo = 0; lo < nv; lo++) widest = Math.max(widest, lowStart[lo + 1] - lowStart[lo]);
  const sb = new Int32Array(widest), sn = new Int32Array(widest);
  let sw = 0;
  const walk = (emit: (lo: number, hi: number) => void) => {
    for (let lo = 0; lo < nv; lo++) {
      const s0 = lowStart[lo], s1 = lowStart[lo + 1];
      for (let i = s0; i < s1; i++) {
        const hi = travHigh[i];
        let earlier = false;
        for (let k = s0; k < i && !earlier; k++) earlier = travHigh[k] === hi;
        if (earlier) continue; // taken into this fragment at its first traversal
        sw = 0;
        for (let k = i; k < s1; k++) {
          if (travHigh[k] !== hi) continue;
          let j = 0;
          while (j < sw && sb[j] !== travB[k]) j++;
          if (j === sw) { sb[sw] = travB[k]; sn[sw++] = travDir[k]; } else sn[j] += travDir[k];
        }
        let w = 0;
        for (let j = 0; j < sw; j++) if (sn[j] !== 0) { sb[w] = sb[j]; sn[w++] = sn[j]; }
        sw = w;
        if (w === 0) continue;
        for (let j = 1; j < w; j++) for (let q = j; q > 0 && sb[q - 1] > sb[q]; q--) {
          const tb = sb[q]; sb[q] = sb[q - 1]; sb[q - 1] = tb;
          const tn = sn[q]; sn[q] = sn[q - 1]; sn[q - 1] = tn;
        }
        emit(lo, hi);
      }
    }
  };
  let ne = 0, nw = 0;
  walk(() => { ne++; nw += sw; });
  let keptU = new Int32Array(ne), keptV = new Int32Array(ne), wStart = new Int32Array(ne + 1), wB = new Int32Array(nw), wN = new Int32Array(nw);
  ne = 0; nw = 0;
  walk((lo, hi) => {
    for (let j = 0; j < sw; j++) { wB[nw] = sb[j]; wN[nw++] = sn[j]; }
    keptU[ne] = lo; keptV[ne++] = hi; wStart[ne] = nw;
  });
  // Should the kept fragments not be a planar graph (snap rounding proves they are; planarCheck.ts
  // checks), the buildings on the offending ones are left out and the fragments filtered again.
  const excluded = new Set<number>();
  for (;;) {
    const defects = check(snap.vertices, keptU, keptV, keptU.length);
    if (defects.length === 0) break;
    for (const e of defects) for (let k = wStart[e]; k < wStart[e + 1]; k++) excluded.add(wB[k]);
    const u2: number[] = [], v2: number[] = [], s2: number[] = [0], b2: number[] = [], n2: number[] = [];
    for (let e = 0; e < keptU.length; e++) {
      const before = b2.length;
      for (let k = wStart[e]; k < wStart[e + 1]; k++) if (!excluded.has(wB[k])) { b2.push(wB[k]); n2.push(wN[k]); }
      if (b2.length === before) continue;
      u2.push(keptU[e]); v2.push(keptV[e]); s2.push(b2.length);
    }
    keptU = Int32Array.from(u2); keptV = Int32Array.from(v2); wStart = Int32Array.from(s2); wB = Int32Array.from(b2); wN = Int32Array.from(n2);
  }
  return { keptU, keptV, wStart, wB, wN, excluded };
}

/** True when edge (lo1, hi1) crosses the line just above y further right than (lo2, hi2) does; the two never cross. */
function rightOf(lo1: number, hi1: number, lo2: number, hi2: number, V: Float64Array): boolean {
  // Test the end point of one edge that lies within the other's height range against the other's line.
  if (V[2 * lo1 + 1] >= V[2 * lo2 + 1]) {
    const o = orient(V[2 * lo2], V[2 * lo2 + 1], V[2 * hi2], V[2 * hi2 + 1], V[2 * lo1], V[2 * lo1 + 1]);
    if (o !== 0) return o < 0;
    return orient(V[2 * lo2], V[2 * lo2 + 1], V[2 * hi2], V[2 * hi2 + 1], V[2 * hi1], V[2 * hi1 + 1]) < 0;
  }
  const o = orient(V[2 * lo1], V[2 * lo1 + 1], V[2 * hi1], V[2 * hi1 + 1], V[2 * lo2], V[2 * lo2 + 1]);
  if (o !== 0) return o > 0;
  return orient(V[2 * lo1], V[2 * lo1 + 1], V[2 * hi1], V[2 * hi1 + 1], V[2 * hi2], V[2 * hi2 + 1]) > 0;
}

function avgEdge(u: ArrayLike<number>, v: ArrayLike<number>, V: Float64Array): number {
  let s = 0;
  for (let e = 0; e < u.length; e++) s += Math.abs(V[2 * u[e]] - V[2 * v[e]]) + Math.abs(V[2 * u[e] + 1] - V[2 * v[e] + 1]);
  return u.length ? s / u.length : 64;
}

function avgBox(box: number[], n: number): number {
  let s = 0;
  for (let c = 0; c < n; c++) s += Math.max(box[4 * c + 2] - box[4 * c], box[4 * c + 3] - box[4 * c + 1]);
  return n ? s / n : 64;
}
