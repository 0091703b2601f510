// EtaEstimator: the tile phase's time left, weighted by each tile's planned cost and smoothed, from a clock the
// test gives it (no timing involved).
import test from "node:test";
import assert from "node:assert/strict";
import { EtaEstimator } from "../../../src/core/pipeline/eta";

test("weighs items by cost: cheap tiles finishing fast do not promise an early end", () => {
  // 10 cheap tiles (cost 1) then 10 dear ones (cost 100), 1 s per unit of cost... as planned.
  const costs = [...Array(10).fill(1), ...Array(10).fill(100)];
  const total = costs.reduce((a, b) => a + b, 0);
  const eta = new EtaEstimator(total, 0);
  let t = 0, last = NaN;
  for (const c of costs) {
    t += c * 1000;
    last = eta.finished(c, t)!;
    const truth = (total * 1000 - t) / 1000;
    assert.ok(Math.abs(last - truth) <= 0.01 * total, `at ${t / 1000} s: ${last.toFixed(1)} s left, truly ${truth} s`);
  }
  assert.equal(last, 0, "nothing left: 0");
});

test("smoothed: one tile far slower than planned moves the estimate part of the way, not all of it", () => {
  const eta = new EtaEstimator(100, 0);
  const steady = [eta.finished(10, 10_000)!, eta.finished(10, 20_000)!];
  assert.deepEqual(steady.map((x) => Math.round(x)), [90, 80]);
  const raw = (40 / 30) * 70; // after a 20 s tile of cost 10: 40 s for 30 units, 70 left
  const next = eta.finished(10, 40_000)!;
  const expected = 80 - 20; // the previous estimate, advanced by the 20 s since
  assert.ok(next > expected && next < raw, `${next} between ${expected} and ${raw}`);
});

test("before any work there is no estimate", () => {
  assert.equal(new EtaEstimator(10, 5).finished(0, 5), undefined);
});
