// What a worker needs to mesh one tile: the buildings it sees (as a small Footprints), which
// of them it owns, their roof heights, and how to find ground heights. All typed arrays, so
// it is written to and read from the tile inputs file cheaply (tileInputCodec.ts).
import type { Footprints, TileSpec } from "../types";
import type { Lattice } from "../geometry/lattice";

/**
 * Flat ground, or a DEM: its GeoTIFF(s) in mosaic order, the local origin, and the mesh's CRS (name and
 * proj4), which the worker needs to carry mesh points into a DEM in another CRS.
 */
export type GroundModel = { kind: "flat" } | { kind: "dem"; paths: string[]; origin: [number, number]; crs: { name: string; proj4: string } };

export interface TileInput {
  spec: TileSpec;
  lattice: Lattice;
  snapTolerance: number;
  /** Longest ground triangle edge, metres. */
  maxMeshSize: number;
  /** N: the number of buildings in the whole build (markers: wall i, roof N + i). */
  buildingCount: number;
  /** The buildings this tile sees, in ascending global index. */
  footprints: Footprints;
  /** Local building → global building index. */
  globalIndex: Uint32Array;
  /** 1 when this tile meshes the building. */
  owned: Uint8Array;
  /** Absolute roof height of each building (base on the terrain + height). */
  roofZ: Float64Array;
  ground: GroundModel;
}
