// Global clean-up of footprints before tiling. Real footprints touch (terraced houses, building
// parts), nearly touch and sometimes overlap; a constrained triangulation of them throws or
// leaves cracks unless they form a clean planar subdivision first. Doing it once, globally,
// is what lets every tile see identical building geometry (exact seams, deterministic output).
//
// Passes, each rebuilding flat arrays:
//   1. snap: coordinates to the snapTolerance grid, then onto lattice lines within tolerance;
//      drop repeated points and rings that collapse;
//   2. overlaps: interiors that overlap are given to the taller building (tie: lower index);
//   3. T-junctions: an edge is split at every vertex lying on it or within tolerance of it;
//   4. seams and length: edges are split where they cross lattice lines, then to ≤ h.
import type { Diagnostic, Footprints } from "../types";
import { FootprintBuilder, buildingArea, buildingBoxes, ringArea } from "./footprintBuilder";
import { type Lattice, latticeX, latticeY, snapCoord } from "./lattice";
import { resolveOverlaps } from "./overlap";
import { splitAtVertices } from "./tjunctions";
import { splitAtLattice } from "./latticeSplit";
import { removeSpikes } from "./spikes";
import { PointIndex } from "./pointIndex";

export interface CleanupOptions {
  lattice: Lattice;
  snapTolerance: number;
  /** Source file name, for diagnostics. */
  file: string;
  /** The GeoJSON id of a feature, for diagnostics. */
  featureId?: (featureIndex: number) => string | number | null;
  /** 1-based line and column of a feature in the source text, for diagnostics (undefined: not known). */
  featurePosition?: (featureIndex: number) => { line: number; column: number } | undefined;
}

export interface CleanupResult {
  footprints: Footprints;
  /** For each kept building, its index in the input footprints. */
  sourceIndex: Uint32Array;
  diagnostics: Diagnostic[];
}

export function cleanFootprints(input: Footprints, opts: CleanupOptions): CleanupResult {
  const diagnostics: Diagnostic[] = [];
  const report = (b: number, severity: Diagnostic["severity"], code: string, message: string, src: Footprints) => {
    const fi = src.featureIndex[b], at = opts.featurePosition?.(fi);
    diagnostics.push({ file: opts.file, featureIndex: fi, featureId: opts.featureId?.(fi) ?? null, ...(at ? { line: at.line, column: at.column } : {}), severity, code, message });
  };

  let { footprints, kept } = snapAll(input, opts, report);
  const ov = resolveOverlaps(footprints, opts.lattice, opts.snapTolerance, (b, sev, code, msg) => report(b, sev, code, msg, footprints));
  footprints = ov.footprints;
  kept = Uint32Array.from(ov.kept, (k) => kept[k]);
  footprints = splitAtVertices(footprints, opts.snapTolerance);
  footprints = splitAtLattice(footprints, opts.lattice, opts.snapTolerance);
  // Splitting a sliver thinner than the tolerance can snap both its sides to one point, leaving
  // a zero-width spike that retraces an edge its neighbours already share: drop such spikes.
  const sp = dropSpikes(footprints, opts.snapTolerance);
  footprints = sp.footprints;
  kept = Uint32Array.from(sp.kept, (k) => kept[k]);
  return { footprints, sourceIndex: kept, diagnostics };
}

type Report = (b: number, severity: Diagnostic["severity"], code: string, message: string, src: Footprints) => void;

/** Removes spikes from every ring; rings left without area are dropped, and buildings left without rings. */
function dropSpikes(f: Footprints, tol: number): { footprints: Footprints; kept: number[] } {
  const all = Array.from({ length: f.count }, (_, i) => i);
  const ring: number[] = [];
  let any = false;
  for (let r = 0; r + 1 < f.ringStart.length && !any; r++) {
    ring.length = 0;
    for (let i = f.ringStart[r]; i < f.ringStart[r + 1]; i++) ring.push(f.xy[2 * i], f.xy[2 * i + 1]);
    any = removeSpikes(ring) > 0;
  }
  if (!any) return { footprints: f, kept: all };
  const out = new FootprintBuilder();
  const kept: number[] = [];
  for (let b = 0; b < f.count; b++) {
    for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++) {
      for (let r = f.polyStart[p]; r < f.polyStart[p + 1]; r++) {
        ring.length = 0;
        for (let i = f.ringStart[r]; i < f.ringStart[r + 1]; i++) ring.push(f.xy[2 * i], f.xy[2 * i + 1]);
        removeSpikes(ring);
        const ok = ring.length >= 6 && Math.abs(ringArea(ring, 0, ring.length / 2)) > tol * tol;
        if (ok) out.addRing(ring);
        else if (r === f.polyStart[p]) { out.discardPolygon(); break; }
      }
      out.endPolygon();
    }
    if (out.endBuilding(f.height[b], f.featureIndex[b])) kept.push(b);
  }
  return { footprints: out.finish(), kept };
}

/** Pass 1: snap to the tolerance grid and onto nearby lattice lines, merge points closer than the tolerance, drop collapsed rings and buildings. */
function snapAll(f: Footprints, opts: CleanupOptions, report: Report): { footprints: Footprints; kept: Uint32Array } {
  const tol = opts.snapTolerance, { x0, y0, h } = opts.lattice;
  const lx = (i: number) => latticeX(opts.lattice, i), ly = (j: number) => latticeY(opts.lattice, j);
  const snapped = new Float64Array(f.xy.length);
  for (let i = 0; i < f.xy.length; i += 2) {
    snapped[i] = snapCoord(f.xy[i], x0, h, tol, lx);
    snapped[i + 1] = snapCoord(f.xy[i + 1], y0, h, tol, ly);
  }
  mergeClosePoints(snapped, tol, (x) => snapCoord(x, x0, h, tol, lx), (y) => snapCoord(y, y0, h, tol, ly));
  const out = new FootprintBuilder();
  const kept: number[] = [];
  const ring: number[] = [];
  for (let b = 0; b < f.count; b++) {
    let holesLost = 0, polysLost = 0;
    for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++) {
      for (let r = f.polyStart[p]; r < f.polyStart[p + 1]; r++) {
        ring.length = 0;
        for (let i = f.ringStart[r]; i < f.ringStart[r + 1]; i++) {
          const x = snapped[2 * i], y = snapped[2 * i + 1];
          const n = ring.length;
          if (n >= 2 && ring[n - 2] === x && ring[n - 1] === y) continue;
          ring.push(x, y);
        }
        while (ring.length >= 4 && ring[0] === ring[ring.length - 2] && ring[1] === ring[ring.length - 1]) ring.length -= 2;
        removeSpikes(ring);
        const outer = r === f.polyStart[p];
        const ok = ring.length >= 6 && Math.abs(ringArea(ring, 0, ring.length / 2)) > tol * tol;
        if (ok) out.addRing(ring);
        else if (outer) { out.discardPolygon(); polysLost++; break; }
        else holesLost++;
      }
      out.endPolygon();
    }
    if (holesLost) report(b, "warning", "ring-collapsed", `${holesLost} hole(s) collapsed when snapped to ${tol} m and were dropped`, f);
    if (out.endBuilding(f.height[b], f.featureIndex[b])) {
      kept.push(b);
      if (polysLost) report(b, "warning", "ring-collapsed", `${polysLost} part(s) collapsed when snapped to ${tol} m and were dropped`, f);
    } else report(b, "warning", "collapsed", `footprint collapses to nothing when snapped to ${tol} m; building skipped`, f);
  }
  return { footprints: out.finish(), kept: Uint32Array.from(kept) };
}

/**
 * Points closer than the tolerance become one (grid rounding alone leaves pairs 1 step apart
 * across a cell boundary). Union-find over a bucket grid; each cluster takes its
 * lexicographically smallest point, so the result does not depend on the input order.
 */
function mergeClosePoints(xy: Float64Array, tol: number, sx: (x: number) => number, sy: (y: number) => number): void {
  const n = xy.length / 2, reach = tol * 1.000001, cell = 2 * tol;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => { while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; } return i; };
  const less = (a: number, b: number) => xy[2 * a] < xy[2 * b] || (xy[2 * a] === xy[2 * b] && xy[2 * a + 1] < xy[2 * b + 1]);
  // Points bucketed by grid cell (CSR arrays; cells interned in a PointIndex, not string keys:
  // this pass runs over every vertex of the city).
  const cells = new PointIndex(2, 1024);
  const cellOf = new Int32Array(n);
  for (let i = 0; i < n; i++) cellOf[i] = cells.id(Math.floor(xy[2 * i] / cell), Math.floor(xy[2 * i + 1] / cell));
  const start = new Int32Array(cells.count + 1);
  for (let i = 0; i < n; i++) start[cellOf[i] + 1]++;
  for (let c = 0; c < cells.count; c++) start[c + 1] += start[c];
  const members = new Int32Array(n), fill = start.slice(0, cells.count);
  for (let i = 0; i < n; i++) members[fill[cellOf[i]]++] = i;
  let merged = false;
  for (let i = 0; i < n; i++) {
    const cx = Math.floor(xy[2 * i] / cell), cy = Math.floor(xy[2 * i + 1] / cell);
    for (let dx = -1; dx <= 1; dx++) for (let dy = -1; dy <= 1; dy++) {
      const c = cells.find(cx + dx, cy + dy);
      if (c < 0) continue;
      for (let m = start[c]; m < start[c + 1]; m++) {
        const j = members[m];
        if (j <= i) continue;
        const ex = xy[2 * j] - xy[2 * i], ey = xy[2 * j + 1] - xy[2 * i + 1];
        if ((ex !== 0 || ey !== 0) && ex * ex + ey * ey <= reach * reach) {
          const a = find(i), b = find(j);
          if (a !== b) { if (less(a, b)) parent[b] = a; else parent[a] = b; merged = true; }
        }
      }
    }
  }
  if (!merged) return;
  // Identical points share a representative too (so every copy moves together).
  const positions = new PointIndex(2, n);
  const rep = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const r = find(i), p = positions.id(xy[2 * i], xy[2 * i + 1]), seen = rep[p];
    if (seen < 0) rep[p] = r;
    else { const a = find(seen); if (a !== r) { if (less(a, r)) parent[r] = a; else parent[a] = r; } }
  }
  const nx = new Float64Array(xy.length);
  for (let i = 0; i < n; i++) { const r = find(i); nx[2 * i] = sx(xy[2 * r]); nx[2 * i + 1] = sy(xy[2 * r + 1]); }
  xy.set(nx);
}

export { buildingArea, buildingBoxes };
