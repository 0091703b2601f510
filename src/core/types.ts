// Shared data shapes of the pipeline: read → tile → mesh → store → merge → write → view.
// Everything bulky is a flat typed array; nothing here holds one JS object per coordinate.
import type { BuildFormat, OptionValues } from "./optionTable";

/**
 * Building footprints in the local metric CRS, relative to `origin`.
 * A building is one or more polygons; a polygon is an outer ring (counter-clockwise)
 * followed by its holes (clockwise). Rings are open: the last point is not a copy of the first.
 */
export interface Footprints {
  /** Number of buildings. */
  count: number;
  /** x,y pairs, metres relative to the origin. */
  xy: Float64Array;
  /** Ring r holds points ringStart[r] .. ringStart[r+1]-1 (point indices, not xy indices). Length rings+1. */
  ringStart: Uint32Array;
  /** Polygon p holds rings polyStart[p] .. polyStart[p+1]-1; the first is the outer ring. Length polygons+1. */
  polyStart: Uint32Array;
  /** Building b holds polygons buildingStart[b] .. buildingStart[b+1]-1. Length count+1. */
  buildingStart: Uint32Array;
  /** Height of each building above its base, metres. */
  height: Float64Array;
  /** Index of the source feature in the input FeatureCollection. */
  featureIndex: Uint32Array;
}

export type Severity = "error" | "warning" | "info";

/** One problem found in the input. Invalid input never throws; it becomes diagnostics. */
export interface Diagnostic {
  file: string;
  /** Index of the feature in the FeatureCollection, or -1 for file-level problems. */
  featureIndex: number;
  /** The feature's `id` (or `properties.id`) when it has one. */
  featureId?: string | number | null;
  /** JSON pointer into the feature, e.g. "/features/12/geometry/coordinates/0/3". */
  pointer?: string;
  /** 1-based line and column of the feature (or of the file-level problem) in the source text. */
  line?: number;
  column?: number;
  severity: Severity;
  /** Stable machine-readable code, e.g. "unclosed-ring", "self-intersection". */
  code: string;
  /** Human-readable reason. */
  message: string;
  /** True when the problem was repaired and the feature kept. */
  repaired?: boolean;
  /** An entry summing up several problems (problemList.ts): how many. Absent: one. */
  count?: number;
}

/** Local metric frame of a build: every output records it so coordinates map back. */
export interface CrsInfo {
  /** EPSG code or a descriptive name of the metric CRS the mesh is in, e.g. "EPSG:32631". */
  name: string;
  /** proj4 definition string of that CRS. */
  proj4: string;
  /** Local origin (metric CRS units) subtracted from every coordinate. */
  origin: [number, number];
  /** CRS the input was in, e.g. "EPSG:4326" or "EPSG:28992". */
  sourceCrs: string;
}

/** A triangle mesh of one tile (or of a merged city), float64 coordinates relative to the origin. Z is up. */
export interface TileMesh {
  /** x,y,z per vertex. */
  vertices: Float64Array;
  /** Three vertex indices per triangle, counter-clockwise seen from outside. */
  faces: Int32Array;
  /** Per face, dtcc-core's convention: -2 ground, -1 ground touching a building, i wall of building i, N+i roof of building i. */
  markers: Int32Array;
  /** Per vertex, 1 when the vertex may be shared with another tile (seam or foreign footprint), else 0. */
  seam: Uint8Array;
}

/** Square tile of the grid. Bounds are [xmin, ymin, xmax, ymax] in local metres. */
export interface TileSpec {
  id: number;
  /** Column and row in the grid. */
  col: number;
  row: number;
  bounds: [number, number, number, number];
}

export type { BuildFormat } from "./optionTable";

/**
 * Parameters of a build: the input and any option of the option table (optionTable.ts: names,
 * defaults, limits and descriptions follow dtcc-core's tiled builder). Unset = the table's default.
 */
export type BuildOptions = { input: string } & Partial<OptionValues>;

export type BuildPhase = "reading" | "tiling" | "building" | "merging" | "writing" | "done";

export interface ProgressEvent {
  phase: BuildPhase;
  tilesDone: number;
  tilesTotal: number;
  triangles: number;
  /** Seconds left, when it can be estimated. */
  etaSeconds?: number;
  message?: string;
  /** Set when a tile has just been written to the store (for the live viewer). */
  tileFile?: string;
  tileId?: number;
}

export interface BuildResult {
  output: string;
  format: BuildFormat;
  vertices: number;
  triangles: number;
  buildings: number;
  tiles: number;
  tilesReused: number;
  crs: CrsInfo;
  diagnostics: Diagnostic[];
  heightSources: Record<string, number>;
  storeDir?: string;
  /** Side file: building index → feature index, id and properties (JSON). */
  buildingsFile?: string;
  seconds: number;
}
