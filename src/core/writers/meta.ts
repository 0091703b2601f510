// What every writer records so coordinates map back to the world.
import type { CrsInfo } from "../types";
import type { GlbCompression, GlbTable } from "./glb";
import type { FeatureTable } from "./tiles3d/features";

export interface WriteMeta {
  crs: CrsInfo;
  /** Tiles merged into the mesh (recorded in GLB and PLY metadata, for the viewer). */
  tiles?: number;
  /** The buildings side file (JSON lines {b, f, id, properties}): CityJSON's object ids and attributes. */
  buildingsFile?: string;
  /** GLB feature table: GeoJSON properties to carry (empty: every scalar one). */
  featureProperties?: readonly string[];
  /** GLB: none, or EXT_meshopt_compression (meshoptimizer's encoder). */
  glbCompression?: GlbCompression;
  /** GLB: its positions were spooled into its temp file already (glb.ts startGlbInPlace). */
  glbInPlace?: GlbInPlace;
}

/** A GLB begun before the merge: its temp file beside the output, positions from `offset` on (glb.ts). */
export interface GlbInPlace {
  file: string;
  offset: number;
  /**
   * The feature table: the side file opened to size the header, which writeGlb streams and
   * closes; or the table a thread makes while the tiles are welded (merge/mergeTiles.ts).
   */
  table: FeatureTable | Promise<GlbTable>;
}

export const MARKER_CONVENTION = "dtcc: -2 ground, -1 ground touching building, i wall of building i, N+i roof of building i";

/** One-line text for comments/headers: no newlines can break a PLY/OBJ header. */
export const oneLine = (s: string): string => s.replace(/[\r\n]+/g, " ");
