// From read footprints to tile inputs: clean-up, grid, ownership, roof heights. Runs once per
// build in the planner process (core/pipeline/planning.ts), which writes every tile's input to disk.
import type { Diagnostic, Footprints } from "../types";
import type { CleanupOptions, CleanupResult } from "../geometry/cleanup";
import { cleanInPartsHere } from "../geometry/cleanupParts";
import { buildingBoxes, copyBuildings } from "../geometry/footprintBuilder";
import { type TileGrid, gridDomain, makeGrid, tileCount, tileOfPoint } from "./grid";
import { CityMeshError } from "../errors";
import { type TilePlanEntry, planTiles } from "./assign";
import type { GroundModel, TileInput } from "../mesh/tileInput";
import type { FootprintBase } from "../footprintBase";

export interface PlanOptions {
  tileSize: number;
  maxMeshSize: number;
  margin: number;
  snapTolerance: number;
  file: string;
  featureId?: (featureIndex: number) => string | number | null;
  /** 1-based line and column of a feature in the input, so clean-up diagnostics point at it. */
  featurePosition?: (featureIndex: number) => { line: number; column: number } | undefined;
  ground: GroundModel;
  /** Ground height in local coordinates (DEM or flat), for building bases. */
  zAt: (x: number, y: number) => number;
  /**
   * The lowest ground under a building's whole footprint (footprintBase.ts, with a DEM), and whether
   * any of it was nodata or beyond the DEM. Without it the base is the lowest zAt at its vertices
   * (exact for flat ground).
   */
  base?: (f: Footprints, b: number) => FootprintBase;
  /** The DEM file(s), named in the warnings about a base on nodata or beyond the DEM. */
  demName?: string;
  /** Roofs lifted from a point cloud (pointcloud/lift.ts), per building of the read (before clean-up). */
  lifted?: LiftedRoofs;
}

export interface LiftedRoofs {
  /** Absolute roof height (mesh CRS), NaN where the cloud had no point on the building. */
  roofZ: Float64Array;
  /** How many points each roof was taken from. */
  points: Uint32Array;
  /** The clouds, as the diagnostics name them. */
  name: string;
}

/** Fewer points on a building than this and its roof is not taken from the cloud. */
export const MIN_ROOF_POINTS = 10;
/** A lifted roof lower than this above its base is no roof (points missed it or are misclassified): the building keeps its attribute height. */
export const MIN_LIFTED_HEIGHT = 1.5;

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

/** Most tiles one build plans (a million HDF5 files and manifest entries is already far past any city). */
export const MAX_TILES = 1_000_000;
/** Longest side of the data one build covers, metres: no city is this large, and one metric CRS serves it badly. */
export const MAX_DATA_SPAN = 2_000_000;
/**
 * A grid of more than SPARSE_MIN_TILES tiles and SPARSE_MIN_AREA m² where under SPARSE_RATIO of the
 * tiles hold a building is almost all empty ground: typically one feature far from the rest
 * (mistyped coordinates). Below 100 km² the empty ground is cheap (a few million triangles), so
 * small tiles over a small area are never refused.
 */
export const SPARSE_MIN_TILES = 256;
export const SPARSE_MIN_AREA = 100e6;
export const SPARSE_RATIO = 0.005;

/** Plans a build in this thread: planGrid, the clean-up part by part (cleanupParts.ts), planCleaned. */
export function planBuild(read: Footprints, bounds: [number, number, number, number], o: PlanOptions): BuildPlan {
  const grid = planGrid(read, bounds, o);
  return planCleaned(cleanInPartsHere(read, cleanupOptions(grid, o)), grid, o);
}

/** The tile grid of the data, refused up front when no city needs it (checkExtent). */
export function planGrid(read: Footprints, bounds: [number, number, number, number], o: PlanOptions): TileGrid {
  const grid = makeGrid(bounds, o);
  checkExtent(read, bounds, grid, o);
  return grid;
}

export function cleanupOptions(grid: TileGrid, o: PlanOptions): CleanupOptions {
  return { lattice: grid.lattice, snapTolerance: o.snapTolerance, file: o.file, featureId: o.featureId, featurePosition: o.featurePosition };
}

/** The rest of the plan once the footprints are clean (by cleanInPartsHere, or cleanInParts on the planner's threads): bases, roofs, tiles. */
export function planCleaned(clean: CleanupResult, grid: TileGrid, o: PlanOptions): BuildPlan {
  const f = clean.footprints;
  // Buildings stand on the terrain: the base is the lowest ground under the footprint (its
  // vertices on flat ground; with a DEM also every cell inside it, footprintBase.ts).
  const roofZ = new Float64Array(f.count);
  const diagnostics = clean.diagnostics;
  const report = (b: number, code: string, message: string) => {
    const fi = f.featureIndex[b], at = o.featurePosition?.(fi);
    diagnostics.push({ file: o.file, featureIndex: fi, featureId: o.featureId?.(fi) ?? null, ...(at ? { line: at.line, column: at.column } : {}), severity: "warning", code, message });
  };
  const dem = o.demName ? `the DEM ${o.demName}` : "the DEM";
  const perMetre = Math.round(1 / o.snapTolerance);
  // A roof from the point cloud replaces the attribute height, measured from the base; too few
  // points or a roof hardly above the base keeps the attribute (or default) height, and says so.
  const lift = (b: number, base: number) => {
    const L = o.lifted!, k = clean.sourceIndex[b], n = L.points[k], z = L.roofZ[k];
    if (n < MIN_ROOF_POINTS) report(b, "pointcloud-few-points", `${n ? `only ${n}` : "no"} point${n === 1 ? "" : "s"} of ${L.name} on this building (at least ${MIN_ROOF_POINTS} needed): it keeps its attribute or default height, ${f.height[b]} m`);
    else if (z - base < MIN_LIFTED_HEIGHT) report(b, "pointcloud-low-roof", `its roof from ${n} points of ${L.name} lies ${(z - base).toFixed(2)} m above its base (less than ${MIN_LIFTED_HEIGHT} m: the points missed the roof or are misclassified): it keeps its attribute or default height, ${f.height[b]} m`);
    else f.height[b] = z - base;
  };
  for (let b = 0; b < f.count; b++) {
    let base = Infinity;
    if (o.base) {
      const r = o.base(f, b);
      base = r.z;
      if (r.nodata) report(b, "dem-nodata", `${dem} has nodata under this building; its base stands on heights filled in from the cells around the hole`);
      if (r.outside) report(b, "dem-outside", `this building lies (partly) beyond ${dem}; its base stands on the DEM's edge height there`);
      // Its base is the lowest ground under it; where the ground at a corner is higher than base + height the roof
      // lies under the ground there, and that side has no wall (the mesh is open there).
      if (r.note) report(b, r.note.code, r.note.message);
      if (o.lifted) lift(b, base);
      if (r.highest > r.z + f.height[b]) report(b, "dem-buried", `the ground under this building rises ${(r.highest - r.z).toFixed(1)} m (${dem}), more than its height (${f.height[b]} m): its roof sinks below the ground at its higher corners, where the mesh stays open`);
    } else {
      const p0 = f.ringStart[f.polyStart[f.buildingStart[b]]], p1 = f.ringStart[f.polyStart[f.buildingStart[b + 1]]];
      for (let i = p0; i < p1; i++) base = Math.min(base, o.zAt(f.xy[2 * i], f.xy[2 * i + 1]));
      if (o.lifted) lift(b, base);
    }
    // On the kernel's grid (the snap tolerance, 1 mm): two roofs are then equal or a grid step apart. A base taken
    // as a percentile (a point cloud's ground) can differ from its neighbour's by 1e-15, and the wall between two
    // such roofs would be a sliver no float32 mesh can hold (a degenerate triangle).
    roofZ[b] = Math.round((base + f.height[b]) * perMetre) / perMetre;
  }
  const tiles = planTiles(f, grid, o.snapTolerance);
  return { footprints: f, sourceIndex: clean.sourceIndex, roofZ, grid, tiles, diagnostics, options: o };
}

export function tileInput(p: BuildPlan, tileId: number): TileInput {
  const entry = p.tiles[tileId];
  const owned = new Uint8Array(entry.context.length);
  const roofZ = new Float64Array(entry.context.length);
  // Both lists ascend: walk them side by side.
  for (let k = 0, j = 0; k < entry.context.length; k++) {
    const b = entry.context[k];
    while (j < entry.owned.length && entry.owned[j] < b) j++;
    owned[k] = j < entry.owned.length && entry.owned[j] === b ? 1 : 0;
    roofZ[k] = p.roofZ[b];
  }
  return {
    spec: entry.spec,
    lattice: p.grid.lattice,
    snapTolerance: p.options.snapTolerance,
    maxMeshSize: p.options.maxMeshSize,
    buildingCount: p.footprints.count,
    footprints: copyBuildings(p.footprints, entry.context),
    globalIndex: Uint32Array.from(entry.context),
    owned,
    roofZ,
    ground: p.options.ground,
  };
}

export { buildingBoxes };

/**
 * Refuses a grid no city needs (data thousands of km across, over MAX_TILES tiles, or almost all
 * empty: a feature hundreds of km from the rest) up front,
 * with the features at the data's edges, instead of planning and meshing empty ground for hours
 * or running out of memory. Usually one far-away feature with mistyped coordinates.
 */
function checkExtent(f: Footprints, bounds: [number, number, number, number], grid: TileGrid, o: PlanOptions): void {
  const [x0, y0, x1, y1] = bounds;
  const tiles = tileCount(grid);
  let occupied = tiles;
  const [d0, d1, d2, d3] = gridDomain(grid);
  if (tiles > SPARSE_MIN_TILES && tiles <= MAX_TILES && (d2 - d0) * (d3 - d1) > SPARSE_MIN_AREA) {
    // Tiles holding a building (by its bounding box's centre).
    const boxes = buildingBoxes(f), holding = new Set<number>();
    for (let b = 0; b < f.count && holding.size < tiles * SPARSE_RATIO; b++) holding.add(tileOfPoint(grid, (boxes[4 * b] + boxes[4 * b + 2]) / 2, (boxes[4 * b + 1] + boxes[4 * b + 3]) / 2));
    occupied = holding.size;
  }
  const sparse = occupied < tiles * SPARSE_RATIO;
  if (x1 - x0 <= MAX_DATA_SPAN && y1 - y0 <= MAX_DATA_SPAN && tiles <= MAX_TILES && !sparse) return;
  // Feature holding the westmost, eastmost, southmost and northmost vertex.
  const edge = [0, 0, 0, 0];
  const best = [Infinity, -Infinity, Infinity, -Infinity];
  for (let b = 0; b < f.count; b++) {
    const p0 = f.ringStart[f.polyStart[f.buildingStart[b]]], p1 = f.ringStart[f.polyStart[f.buildingStart[b + 1]]];
    for (let i = p0; i < p1; i++) {
      const x = f.xy[2 * i], y = f.xy[2 * i + 1];
      if (x < best[0]) { best[0] = x; edge[0] = b; }
      if (x > best[1]) { best[1] = x; edge[1] = b; }
      if (y < best[2]) { best[2] = y; edge[2] = b; }
      if (y > best[3]) { best[3] = y; edge[3] = b; }
    }
  }
  const km = (m: number) => `${(m / 1000).toFixed(m < 10_000 ? 1 : 0)} km`;
  const names = ["west", "east", "south", "north"].map((side, k) => `${side}: feature ${f.featureIndex[edge[k]]}`).join(", ");
  const size = grid.cellsX * grid.lattice.h;
  const tooWide = x1 - x0 > MAX_DATA_SPAN || y1 - y0 > MAX_DATA_SPAN;
  const why = tooWide
    ? `more than ${MAX_DATA_SPAN / 1000} km, larger than any city`
    : tiles > MAX_TILES
      ? `at a tile size of ${size} m that is ${tiles.toLocaleString("en")} tiles (at most ${MAX_TILES.toLocaleString("en")})`
      : `at a tile size of ${size} m that is ${tiles.toLocaleString("en")} tiles of which only ${occupied} hold a building: almost all of it would be empty ground`;
  throw new CityMeshError(
    "input",
    `${o.file}: the footprints span ${km(x1 - x0)} × ${km(y1 - y0)}; ${why}. The data's edges are set by ${names}: check them for misplaced coordinates` +
      `${tooWide ? "" : tiles > MAX_TILES ? ", or use a larger tile size" : "; if the data really is this spread out, build its parts separately or use a larger tile size"}.`,
    { path: o.file, span: [x1 - x0, y1 - y0], tiles, occupied, edgeFeatures: edge.map((b) => f.featureIndex[b]) },
  );
}
