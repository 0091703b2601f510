// Where the merge reads tiles from: the HDF5 store or memory. The merge asks for a few tiles at a
// time (mergeBatchSize) and drops them before the next batch, so a source should not cache.
import type { TileMesh } from "../types";
import { readTileFile } from "../store/tileFile";

export interface TileSource {
  count: number;
  read(i: number): TileMesh | Promise<TileMesh>;
}

/** Tiles already in memory (tests, small builds without a disk store). */
export function memoryTileSource(tiles: readonly TileMesh[]): TileSource {
  return { count: tiles.length, read: (i) => tiles[i] };
}

/**
 * Tiles in store files, read (and fully validated: shapes, index ranges, checksum) on demand.
 * `ids[i]`, when given, is the tile id file i must hold.
 */
export function storeTileSource(files: readonly string[], ids?: readonly number[]): TileSource {
  return {
    count: files.length,
    read: async (i) => (await readTileFile(files[i], ids?.[i])).mesh,
  };
}
