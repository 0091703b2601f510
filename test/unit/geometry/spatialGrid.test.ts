import test from "node:test";
import assert from "node:assert/strict";
import { Buckets, boxCells, gridOfBoxes, pointCells, segmentCells } from "../../../src/core/geometry/spatialGrid";
import { mulberry32 } from "../../support/cityGenerator";

// Brute force: the ids whose boxes' cells meet the query box's cells.
function expected(boxes: number[][], size: number, q: number[]): number[] {
  const c = (v: number) => Math.floor(v / size);
  const out: number[] = [];
  boxes.forEach((b, k) => {
    if (c(b[0]) <= c(q[2]) && c(b[2]) >= c(q[0]) && c(b[1]) <= c(q[3]) && c(b[3]) >= c(q[1])) out.push(k);
  });
  return out;
}

function checkQueries(grid: Buckets, boxes: number[][], queries: number[][]): void {
  for (const q of queries) assert.deepEqual(grid.query(q[0], q[1], q[2], q[3]), expected(boxes, grid.size, q), `query ${q}`);
}

test("Buckets from boxes: every query finds exactly the boxes whose cells it meets, dense and interned numbering", () => {
  const rnd = mulberry32(11);
  // A compact city (dense cell numbers) and the same boxes with one far outlier (a rectangle of
  // cells too sparse to number densely: the cells are interned).
  for (const spread of [false, true]) {
    const boxes: number[][] = [];
    for (let k = 0; k < 400; k++) {
      const x = 84000 + rnd() * 500, y = 444000 + rnd() * 500, w = rnd() * 30, h = rnd() * 30;
      boxes.push([x, y, x + w, y + h]);
    }
    if (spread) boxes.push([9e6, -3e6, 9e6 + 10, -3e6 + 10]);
    const grid = gridOfBoxes(new Float64Array(boxes.flat()), boxes.length);
    assert.equal((grid as unknown as { interned: unknown }).interned !== null, spread, "numbering path");
    const queries: number[][] = [[9e6, -3e6, 9e6 + 1, -3e6 + 1], [0, 0, 1, 1]];
    for (let k = 0; k < 100; k++) {
      const x = 83990 + rnd() * 520, y = 443990 + rnd() * 520, s = rnd() * 60;
      queries.push([x, y, x + s, y + s]);
    }
    checkQueries(grid, boxes, queries);
    let entries = 0;
    for (let c = 0; c < grid.cellCount; c++) entries += grid.start[c + 1] - grid.start[c];
    assert.equal(entries, grid.ids.length);
  }
});

test("segmentCells and pointCells give the cells of a segment's box and of a point, through index arrays with a stride", () => {
  const size = 10;
  const xy = [5, 5, 25, -15, -0.5, 31, 40, 40];
  // Segments 0→1, 1→2, 3→3 (a point), picked from a flat list of (from, to) pairs.
  const pairs = new Int32Array([0, 1, 1, 2, 3, 3]);
  const seg = new Buckets(size, segmentCells(size, xy, pairs, pairs.subarray(1), 2, 3));
  const segBoxes = [[5, -15, 25, 5], [-0.5, -15, 25, 31], [40, 40, 40, 40]];
  checkQueries(seg, segBoxes, [[0, 0, 0, 0], [-1, 30, -1, 30], [40, 40, 40, 40], [26, -20, 29, -20], [100, 100, 100, 100]]);
  assert.deepEqual(Array.from(segmentCells(size, xy, pairs, pairs.subarray(1), 2, 3)), [0, -2, 2, 0, -1, -2, 2, 3, 4, 4, 4, 4]);
  assert.deepEqual(Array.from(pointCells(size, xy, 4)), [0, 0, 0, 0, 2, -2, 2, -2, -1, 3, -1, 3, 4, 4, 4, 4]);
  assert.deepEqual(Array.from(boxCells(size, [-0.5, 9.99, 10, 20], 1)), [-1, 0, 1, 2]);
});

test("Buckets of no items answers every query with nothing", () => {
  const grid = new Buckets(1, new Int32Array(0));
  assert.equal(grid.cellCount, 0);
  assert.deepEqual(grid.query(-5, -5, 5, 5), []);
});
