// Merges live tiles into one mesh so a batch of tiles is one draw call per surface class instead of
// one per tile per class. Each tile is already grouped by class (groupFacesByClass); the batch keeps
// that order (all ground, then walls, then roofs), its markers permuted alongside for picking.
import { SurfaceClass, type MeshData, type MeshGroup } from "./meshData";

const CLASSES = [SurfaceClass.Ground, SurfaceClass.Wall, SurfaceClass.Roof, SurfaceClass.Other];

/** Tiles of one build share N (the city's building count), which their markers are written against. */
export function mergeTiles(tiles: MeshData[]): MeshData {
  if (tiles.length === 1) return tiles[0];
  const n = tiles[0].buildings;
  let nv = 0, ni = 0;
  for (const t of tiles) {
    if (t.buildings !== n) throw new Error("mergeTiles: tiles of different cities");
    nv += t.positions.length / 3; ni += t.index.length;
  }
  const withMarkers = tiles.every((t) => t.markers);
  const positions = new Float32Array(3 * nv);
  const index = new Uint32Array(ni);
  const markers = withMarkers ? new Int32Array(ni / 3) : undefined;
  const base = new Uint32Array(tiles.length); // first vertex of each tile in the batch
  for (let t = 0, v = 0; t < tiles.length; t++) { base[t] = v; positions.set(tiles[t].positions, 3 * v); v += tiles[t].positions.length / 3; }
  const groups: MeshGroup[] = [];
  let out = 0;
  for (const cls of CLASSES) {
    const start = out;
    for (let t = 0; t < tiles.length; t++) {
      const tile = tiles[t], off = base[t], src = tile.index;
      for (const g of tile.groups) {
        if (g.cls !== cls) continue;
        for (let i = g.start, end = g.start + g.count; i < end; i++) index[out++] = src[i] + off;
        if (markers) markers.set(tile.markers!.subarray(g.start / 3, (g.start + g.count) / 3), (out - g.count) / 3);
      }
    }
    if (out > start) groups.push({ start, count: out - start, cls });
  }
  return { positions, index, groups, markers, buildings: n };
}
