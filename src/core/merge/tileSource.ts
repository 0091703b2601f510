// Where the merge reads tiles from: memory (here) or the HDF5 store (storeSource.ts). The merge
// asks for a few tiles at a time (mergeBatchSize) and drops them before the next batch, so a
// source should not cache.
import type { TileMesh } from "../types";

export interface TileSource {
  count: number;
  read(i: number): TileMesh | Promise<TileMesh>;
}

/** Tiles already in memory (tests, small builds without a disk store). */
export function memoryTileSource(tiles: readonly TileMesh[]): TileSource {
  return { count: tiles.length, read: (i) => tiles[i] };
}
