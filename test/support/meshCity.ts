// In-process tiled build for geometry tests: plan, mesh every tile, no workers or store.
import type { Footprints, TileMesh } from "../../src/core/types";
import { type BuildPlan, planBuild, tileInput } from "../../src/core/tiling/plan";
import { meshTile } from "../../src/core/mesh/tileMesher";
import { buildingBoxes } from "../../src/core/geometry/footprintBuilder";

export interface MeshCityOptions { tileSize: number; maxMeshSize?: number; margin?: number; snapTolerance?: number; order?: number[] }

export function footprintBounds(f: Footprints): [number, number, number, number] {
  const b = buildingBoxes(f);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < f.count; i++) { x0 = Math.min(x0, b[4 * i]); y0 = Math.min(y0, b[4 * i + 1]); x1 = Math.max(x1, b[4 * i + 2]); y1 = Math.max(y1, b[4 * i + 3]); }
  return [x0, y0, x1, y1];
}

export function meshCity(f: Footprints, o: MeshCityOptions): { plan: BuildPlan; tiles: TileMesh[] } {
  const plan = planBuild(f, footprintBounds(f), {
    tileSize: o.tileSize, maxMeshSize: o.maxMeshSize ?? 10, margin: o.margin ?? 0, snapTolerance: o.snapTolerance ?? 0.001,
    file: "test.geojson", ground: { kind: "flat" }, zAt: () => 0,
  });
  const ids = o.order ?? plan.tiles.map((_, i) => i);
  const tiles: TileMesh[] = new Array(plan.tiles.length);
  for (const id of ids) tiles[id] = meshTile(tileInput(plan, id));
  return { plan, tiles };
}
