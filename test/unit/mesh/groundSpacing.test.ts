// Interior ground points keep clear of footprint edges. Three ways to find the edges near a point
// (scan every edge, a CSR grid of cells, a map of cells for a huge square) must agree exactly:
// which one runs depends on sizes only, and the tile must not depend on that.
import test from "node:test";
import assert from "node:assert/strict";
import { segmentBuckets, segmentScan } from "../../../src/core/mesh/ground";

function edges(n: number, x0: number, y0: number, span: number, seed: number): Float64Array {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out = new Float64Array(4 * n);
  for (let k = 0; k < n; k++) {
    const x = x0 + rnd() * span, y = y0 + rnd() * span, len = rnd() * 30;
    const a = rnd() * 2 * Math.PI;
    out.set([x, y, Math.min(x0 + span, Math.max(x0, x + len * Math.cos(a))), Math.min(y0 + span, Math.max(y0, y + len * Math.sin(a)))], 4 * k);
  }
  return out;
}

test("scan, CSR grid and map of cells find the same points near footprint edges", () => {
  for (const [span, s] of [[1000, 8], [1000, 800], [20000, 8]] as const) {
    const x0 = 84000, y0 = 444000, segs = edges(400, x0, y0, span, span + s);
    const clear = 0.2 * s;
    const buckets = segmentBuckets(segs, x0, y0, x0 + span, y0 + span, s, clear);
    let near = 0;
    let seed = 3;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const xs: number[] = [], ys: number[] = [];
    for (let k = 0; k < 20000; k++) {
      // Points near an edge's end (within a few clearances), and anywhere in the square.
      const e = 4 * Math.floor(rnd() * 400);
      xs.push(k % 2 ? segs[e] + (rnd() - 0.5) * 4 * clear : x0 + rnd() * span);
      ys.push(k % 2 ? segs[e + 1] + (rnd() - 0.5) * 4 * clear : y0 + rnd() * span);
    }
    const scan = segmentScan(segs, x0, y0, s, clear, xs, ys);
    for (let k = 0; k < xs.length; k++) {
      assert.equal(buckets(xs[k], ys[k]), scan[k] === 1, `span ${span}, s ${s}: (${xs[k]}, ${ys[k]})`);
      if (scan[k]) near++;
    }
    assert.ok(near > 1000, `span ${span}, s ${s}: ${near} points near an edge`);
  }
});
