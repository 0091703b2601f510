// Global clean-up of footprints before tiling: the exact kernel. Real footprints touch
// (terraced houses, building parts), nearly touch, overlap and cross themselves; a constrained
// triangulation of them throws or leaves cracks unless they form a clean planar subdivision
// first. Done once, globally, so every tile sees identical building geometry (exact seams,
// deterministic output):
//   1. every coordinate to the integer grid of the snap tolerance (lattice.ts);
//   2. iterated snap rounding of all edges together, with a vertex wherever an edge crosses a
//      lattice line and along long edges (snapRound.ts): fragments that never cross;
//   3. the arrangement's faces, each given to the tallest building covering it (arrangement.ts);
//   4. each building's faces traced back into rings, in metres.
// A building that snaps to nothing, or lies under a taller one, is dropped with a diagnostic;
// nothing here throws on geometry.
import type { Diagnostic, Footprints } from "../types";
import { FootprintBuilder, ringArea } from "./footprintBuilder";
import { type Lattice, toMetresX, toMetresY, toUnitsX, toUnitsY } from "./lattice";
import { snapRound } from "./snapRound";
import { resolveArrangement } from "./arrangement";

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

const NONE: readonly number[] = [];

export function cleanFootprints(input: Footprints, opts: CleanupOptions): CleanupResult {
  const l = opts.lattice, tol = opts.snapTolerance;
  const diagnostics: Diagnostic[] = [];
  const report = (b: number, severity: Diagnostic["severity"], code: string, message: string) => {
    const fi = input.featureIndex[b], at = opts.featurePosition?.(fi);
    diagnostics.push({ file: opts.file, featureIndex: fi, featureId: opts.featureId?.(fi) ?? null, ...(at ? { line: at.line, column: at.column } : {}), severity, code, message });
  };

  // 1. Integer points, and the ring edges between distinct consecutive ones.
  const f = input;
  const xy = new Float64Array(f.xy.length);
  for (let i = 0; i < f.xy.length; i += 2) { xy[i] = toUnitsX(l, f.xy[i]); xy[i + 1] = toUnitsY(l, f.xy[i + 1]); }
  const seg = new Int32Array(f.xy.length), segBuilding = new Int32Array(f.xy.length / 2); // at most one edge per point
  let ns = 0;
  const ringsLost = new Int32Array(f.count), partsLost = new Int32Array(f.count);
  for (let b = 0; b < f.count; b++) {
    for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++) {
      for (let r = f.polyStart[p]; r < f.polyStart[p + 1]; r++) {
        const s = f.ringStart[r], e = f.ringStart[r + 1];
        let distinct = 0;
        for (let i = s; i < e; i++) {
          const j = i + 1 < e ? i + 1 : s;
          if (xy[2 * i] === xy[2 * j] && xy[2 * i + 1] === xy[2 * j + 1]) continue;
          distinct++;
          seg[2 * ns] = i; seg[2 * ns + 1] = j;
          segBuilding[ns++] = b;
        }
        if (distinct < 3 || ringArea(xy, s, e) === 0) { if (r === f.polyStart[p]) partsLost[b]++; else ringsLost[b]++; }
      }
    }
  }

  // 2–3. Snap rounding, arrangement, owners.
  const snap = snapRound({ xy, seg: seg.subarray(0, 2 * ns), lattice: l, maxLength: (l.num / l.den) - 2 });
  const regions = resolveArrangement({ snap, segBuilding: segBuilding.subarray(0, ns), height: f.height, buildings: f.count });
  for (const s of snap.unsettled) report(segBuilding[s], "warning", "snap-unsettled", `an edge's snap rounding did not settle; its footprint may be simplified`);

  // 4. Back to metres.
  const out = new FootprintBuilder();
  const kept: number[] = [];
  const m2 = tol * tol;
  const name = (b: number) => `feature ${f.featureIndex[b]}`;
  const g = regions.footprints;
  for (let b = 0; b < f.count; b++) {
    for (let p = g.buildingStart[b]; p < g.buildingStart[b + 1]; p++) {
      for (let r = g.polyStart[p]; r < g.polyStart[p + 1]; r++) {
        out.beginRing();
        for (let k = g.ringStart[r]; k < g.ringStart[r + 1]; k++) out.addPoint(toMetresX(l, g.xy[2 * k]), toMetresY(l, g.xy[2 * k + 1]));
        out.endRing();
      }
      out.endPolygon();
    }
    const lostTo = regions.lostTo.get(b) ?? NONE;
    const others = lostTo.length ? lostTo.map(name).join(", ") : "";
    if (out.endBuilding(f.height[b], f.featureIndex[b])) {
      kept.push(b);
      const lost = (regions.windingArea[b] - regions.ownedArea[b]) * m2;
      if (lostTo.length && lost >= 0.01) report(b, "warning", "overlap", `overlaps taller ${others}; the overlap (${lost.toFixed(2)} m²) is assigned to the taller building`);
      else if (lostTo.length) report(b, "info", "overlap-snapped", `touches ${others} with a sliver overlap (under 0.01 m²), cut away`);
      if (ringsLost[b]) report(b, "warning", "ring-collapsed", `${ringsLost[b]} hole(s) collapsed when snapped to ${tol} m and were dropped`);
      if (partsLost[b]) report(b, "warning", "ring-collapsed", `${partsLost[b]} part(s) collapsed when snapped to ${tol} m and were dropped`);
    } else if (regions.unresolved[b]) report(b, "warning", "unresolved-geometry", `its edges could not be made part of one planar subdivision with its neighbours; building skipped`);
    else if (regions.windingArea[b] > 0 && lostTo.length) report(b, "warning", "overlap-contained", `lies entirely inside taller ${others}; building skipped`);
    else report(b, "warning", "collapsed", `footprint collapses to nothing when snapped to ${tol} m; building skipped`);
  }
  return { footprints: out.finish(), sourceIndex: Uint32Array.from(kept), diagnostics };
}

