// The planner copies buildings by blocks (gatherBuildings) where it had fed a FootprintBuilder
// point by point, and asks the grid for an owned building's neighbours only when the building
// reaches out of its tile. Both must give exactly what the slow way gave: the tile inputs, and so
// the meshes, are byte-identical.
import test from "node:test";
import assert from "node:assert/strict";
import { generateCity } from "../../support/cityGenerator";
import { footprintBounds } from "../../support/meshCity";
import { FootprintBuilder, buildingBoxes, copyBuildings, gatherBuildings, keptBuildings } from "../../../src/core/geometry/footprintBuilder";
import { planTiles } from "../../../src/core/tiling/assign";
import { makeGrid, tileCount, tileSpec } from "../../../src/core/tiling/grid";
import type { Footprints } from "../../../src/core/types";

const city = generateCity({ buildings: 400, seed: 5, shapes: "varied" });

function byBuilder(list: ArrayLike<number>, src: (k: number) => Footprints = () => city): Footprints {
  const out = new FootprintBuilder();
  for (let k = 0; k < list.length; k++) out.copyBuilding(src(k), list[k]);
  return out.finish();
}

test("copyBuildings = a FootprintBuilder fed copyBuilding, array for array (any order, repeats, none)", () => {
  const holes = Array.from({ length: city.count }, (_, b) => b).filter((b) => city.polyStart[city.buildingStart[b] + 1] - city.polyStart[city.buildingStart[b]] > 1);
  assert.ok(holes.length > 0, "the varied city has courtyards (rings after the outer one)");
  const lists = [
    Array.from({ length: city.count }, (_, b) => b),
    [7, 3, 3, 399, 0, ...holes],
    Int32Array.from(holes.reverse()),
    [],
  ];
  for (const list of lists) assert.deepEqual(copyBuildings(city, list), byBuilder(list), `list of ${list.length}`);
});

test("gatherBuildings from several sources = the builder; keptBuildings = the builder's finishKept", () => {
  const a = copyBuildings(city, [0, 1, 2, 3, 4]), b = copyBuildings(city, [200, 201, 202]);
  const pick: [Footprints, number][] = [[b, 2], [a, 0], [a, 4], [b, 0], [a, 1]];
  assert.deepEqual(gatherBuildings(pick.length, (k) => pick[k][0], (k) => pick[k][1]), byBuilder(pick.map((p) => p[1]), (k) => pick[k][0]));
  const keep = Uint8Array.from({ length: city.count }, (_, i) => (i % 3 === 1 ? 1 : 0));
  const builder = new FootprintBuilder();
  for (let i = 0; i < city.count; i++) builder.copyBuilding(city, i);
  assert.deepEqual(keptBuildings(city, keep), builder.finishKept(keep));
});

test("a source holding a ring under 3 points, an empty polygon or an empty building is copied as the builder copies it (dropped)", () => {
  // Building 0: a triangle and a 2-point ring; building 1: an empty polygon then a square; building 2: no polygon.
  const odd: Footprints = {
    count: 3,
    xy: Float64Array.from([0, 0, 1, 0, 0, 1, 5, 5, 6, 6, 10, 10, 11, 10, 11, 11, 10, 11]),
    ringStart: Uint32Array.from([0, 3, 5, 9]),
    polyStart: Uint32Array.from([0, 2, 2, 3]),
    buildingStart: Uint32Array.from([0, 1, 3, 3]),
    height: Float64Array.from([3, 4, 5]),
    featureIndex: Uint32Array.from([10, 11, 12]),
  };
  const got = copyBuildings(odd, [0, 1, 2]);
  assert.deepEqual(got, byBuilder([0, 1, 2], () => odd));
  assert.equal(got.count, 2, "the building without a polygon is dropped, as the builder drops it");
  assert.deepEqual([...got.ringStart], [0, 3, 7], "the 2-point ring is dropped");
});

test("planTiles: each tile's context = every building whose box meets the tile or an owned building's box (tolerance included)", () => {
  const tol = 0.001;
  for (const tileSize of [60, 150]) {
    const grid = makeGrid(footprintBounds(city), { tileSize, maxMeshSize: tileSize, margin: 0, snapTolerance: tol });
    const plan = planTiles(city, grid, tol);
    const boxes = buildingBoxes(city);
    const meets = (c: number, x0: number, y0: number, x1: number, y1: number) => boxes[4 * c] <= x1 + tol && boxes[4 * c + 2] >= x0 - tol && boxes[4 * c + 1] <= y1 + tol && boxes[4 * c + 3] >= y0 - tol;
    let reaching = 0;
    for (let t = 0; t < tileCount(grid); t++) {
      const [x0, y0, x1, y1] = tileSpec(grid, t).bounds;
      const want: number[] = [];
      for (let c = 0; c < city.count; c++) {
        if (meets(c, x0, y0, x1, y1) || plan[t].owned.some((b) => meets(c, boxes[4 * b], boxes[4 * b + 1], boxes[4 * b + 2], boxes[4 * b + 3]))) want.push(c);
      }
      assert.deepEqual(plan[t].context, want, `tile ${t} at ${tileSize} m`);
      reaching += plan[t].owned.filter((b) => boxes[4 * b] < x0 || boxes[4 * b + 1] < y0 || boxes[4 * b + 2] > x1 || boxes[4 * b + 3] > y1).length;
    }
    assert.ok(reaching > 0, `some owned buildings reach out of their tile at ${tileSize} m (the case that still queries)`);
  }
});
