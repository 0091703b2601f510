// The planner refuses a grid no city needs (found by test:faults case 6: a far-away vertex made a
// grid of hundreds of thousands of tiles) with a message naming the features at the data's edges.
import test from "node:test";
import assert from "node:assert/strict";
import { planBuild, MAX_TILES, SPARSE_RATIO } from "../../../src/core/tiling/plan";
import { CityMeshError } from "../../../src/core/errors";
import { footprints, rect } from "../../support/footprints";
import { footprintBounds } from "../../support/meshCity";

const opts = (tileSize: number) => ({ tileSize, maxMeshSize: 10, margin: 0, snapTolerance: 0.001, file: "city.geojson", ground: { kind: "flat" as const }, zAt: () => 0 });

test("data thousands of kilometres across is refused with the features at its edges", () => {
  // Building 2 is 4,460 km north of the others (one coordinate with extra digits).
  const f = footprints([[[rect(0, 0, 20, 20)], 10], [[rect(30, 0, 50, 20)], 10], [[rect(0, 4_460_000, 20, 4_460_020)], 10]]);
  assert.throws(() => planBuild(f, footprintBounds(f), opts(1000)), (e: unknown) => {
    assert.ok(e instanceof CityMeshError);
    assert.equal(e.code, "input");
    assert.match(e.message, /^city\.geojson: the footprints span 0\.1 km × 4460 km; more than 2000 km, larger than any city\. The data's edges are set by west: feature 0, east: feature 1, south: feature 0, north: feature 2: check them for misplaced coordinates\.$/);
    return true;
  });
});

test("a grid of more than MAX_TILES tiles is refused, suggesting a larger tile size", () => {
  const f = footprints([[[rect(0, 0, 20, 20)], 10], [[rect(150_000, 150_000, 150_020, 150_020)], 10]]);
  assert.throws(() => planBuild(f, footprintBounds(f), opts(100)), (e: unknown) => {
    assert.ok(e instanceof CityMeshError);
    assert.match(e.message, /span 150 km × 150 km; at a tile size of 100 m that is 2,253,001 tiles \(at most 1,000,000\).*north: feature 1.*or use a larger tile size\.$/);
    return true;
  });
  assert.ok(2_253_001 > MAX_TILES);
});

test("a grid that is almost all empty ground (one building hundreds of km from the rest) is refused; spread-out data is planned", () => {
  // Found by test:faults case 6 (lon/lat fuzzing): one feature's longitudes lost a digit and it
  // landed 290 km west of its block; the grid became 3,500 tiles of 1 km (928,150 of 60 m) of empty ground.
  const block: [number[][], number][] = Array.from({ length: 13 }, (_, i) => [[rect(290_000 + 20 * i, 11_300, 290_015 + 20 * i, 11_315)], 10]);
  const f = footprints([...block, [[rect(0, 0, 12, 12)], 10]]);
  for (const tileSize of [60, 1000]) {
    assert.throws(() => planBuild(f, footprintBounds(f), opts(tileSize)), (e: unknown) => {
      assert.ok(e instanceof CityMeshError);
      assert.match(e.message, /span 290 km × 11 km; at a tile size of \d+ m that is [\d,]+ tiles of which only \d hold a building: almost all of it would be empty ground\. The data's edges are set by west: feature 13, east: feature 12, south: feature 13, north: feature 0: .*build its parts separately or use a larger tile size\.$/);
      return true;
    });
  }
  // A larger tile size is the way to build it anyway (under SPARSE_MIN_TILES tiles).
  assert.equal(planBuild(f, footprintBounds(f), opts(5000)).tiles.length, 59 * 3);
  // Two buildings 6 km apart diagonally in 60 m tiles: over 10,000 tiles, 2 holding a building, but
  // only 38 km² of ground (under SPARSE_MIN_AREA): cheap, so planned.
  const pair = footprints([[[rect(0, 0, 12, 12)], 10], [[rect(6_200, 6_200, 6_212, 6_212)], 10]]);
  const tiles = planBuild(pair, footprintBounds(pair), opts(60)).tiles.length;
  assert.ok(tiles > 10_000 && 2 / tiles < SPARSE_RATIO, `${tiles} tiles`);
  // Villages every 1 km over 20 km × 20 km: spread out, but every tile holds a building.
  const villages = footprints(Array.from({ length: 400 }, (_, i) => [[rect(1000 * (i % 20) + 400, 1000 * Math.floor(i / 20) + 400, 1000 * (i % 20) + 420, 1000 * Math.floor(i / 20) + 420)], 10] as [number[][], number]));
  assert.equal(planBuild(villages, footprintBounds(villages), opts(1000)).tiles.length, 400);
});
