// From read footprints to tile inputs: clean-up, grid, ownership, roof heights. Runs in the
// main thread once per build; only footprints (small typed arrays) are held for the whole city.
import type { Diagnostic, Footprints } from "./types";
import { cleanFootprints } from "./geometry/cleanup";
import { FootprintBuilder, buildingBoxes } from "./geometry/footprintBuilder";
import { type TileGrid, makeGrid } from "./tiling/grid";
import { type TilePlanEntry, planTiles } from "./tiling/assign";
import type { GroundModel, TileInput } from "./mesh/tileInput";

export interface PlanOptions {
  tileSize: number;
  maxMeshSize: number;
  margin: number;
  snapTolerance: number;
  file: string;
  featureId?: (featureIndex: number) => string | number | null;
  ground: GroundModel;
  /** Ground height in local coordinates (DEM or flat), for building bases. */
  zAt: (x: number, y: number) => number;
}

export interface BuildPlan {
  footprints: Footprints;
  /** Kept building → index in the read footprints. */
  sourceIndex: Uint32Array;
  roofZ: Float64Array;
  grid: TileGrid;
  tiles: TilePlanEntry[];
  diagnostics: Diagnostic[];
  options: PlanOptions;
}

export function planBuild(read: Footprints, bounds: [number, number, number, number], o: PlanOptions): BuildPlan {
  const grid = makeGrid(bounds, o);
  const clean = cleanFootprints(read, { lattice: grid.lattice, snapTolerance: o.snapTolerance, file: o.file, featureId: o.featureId });
  const f = clean.footprints;
  // Buildings stand on the terrain: the base is the lowest ground height at the footprint's vertices.
  const roofZ = new Float64Array(f.count);
  for (let b = 0; b < f.count; b++) {
    let base = Infinity;
    const p0 = f.ringStart[f.polyStart[f.buildingStart[b]]], p1 = f.ringStart[f.polyStart[f.buildingStart[b + 1]]];
    for (let i = p0; i < p1; i++) base = Math.min(base, o.zAt(f.xy[2 * i], f.xy[2 * i + 1]));
    roofZ[b] = base + f.height[b];
  }
  const tiles = planTiles(f, grid, o.snapTolerance);
  return { footprints: f, sourceIndex: clean.sourceIndex, roofZ, grid, tiles, diagnostics: clean.diagnostics, options: o };
}

export function tileInput(p: BuildPlan, tileId: number): TileInput {
  const entry = p.tiles[tileId];
  const sub = new FootprintBuilder();
  const owned = new Uint8Array(entry.context.length);
  const roofZ = new Float64Array(entry.context.length);
  const ownedSet = new Set(entry.owned);
  entry.context.forEach((b, k) => {
    sub.copyBuilding(p.footprints, b);
    owned[k] = ownedSet.has(b) ? 1 : 0;
    roofZ[k] = p.roofZ[b];
  });
  return {
    spec: entry.spec,
    lattice: p.grid.lattice,
    snapTolerance: p.options.snapTolerance,
    maxMeshSize: p.options.maxMeshSize,
    buildingCount: p.footprints.count,
    footprints: sub.finish(),
    globalIndex: Uint32Array.from(entry.context),
    owned,
    roofZ,
    ground: p.options.ground,
  };
}

export { buildingBoxes };
