// Tiles read from the HDF5 store. Kept apart from tileSource.ts so that code merging from memory
// (and the CommonJS extension bundle) does not pull in h5wasm.
import type { TileSource } from "./tileSource";
import { readTileFile } from "../store/tileFile";

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
