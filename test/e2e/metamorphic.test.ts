// Metamorphic tests on real data, quick set (issue 13): 54 seeded variants of the three real
// files committed under test/fixtures/real — translated up to 10^7 m and rounded to the
// millimetre, rotated and rounded, 2 × 2 copies side by side, tile sizes 50–2000 m with the grid
// shifted, snap tolerances 0.1–10 mm — each read by the real reader, planned, every tile meshed,
// and the merged mesh judged by the checker: no failed tile, 0 open, over-used (pinch edges
// aside), flipped or degenerate edges, 0 overlapping triangles, every building's volume exact.
// npm run test:faults runs 1,000 more (case 9), with ../shared/data when it is there.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { randomVariant, runVariant, type Variant } from "../support/metamorphic";
import { mulberry32 } from "../support/cityGenerator";

const SEED = 20261130;
const real = (name: string) => JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/real", name), "utf8"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-metamorphic-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

// Per file: variants, and the limits that keep the set quick (tudcampus is 1,529 buildings).
const SETS: { file: string; count: number; maxCopies: number; tileSizes: [number, number] }[] = [
  { file: "delft-bgt.geojson", count: 22, maxCopies: 2, tileSizes: [50, 2000] },
  { file: "zurich-cea.geojson", count: 22, maxCopies: 2, tileSizes: [50, 2000] },
  { file: "tudcampus.geojson", count: 10, maxCopies: 1, tileSizes: [100, 2000] },
];

let total = 0, tiles = 0, triangles = 0, pinches = 0, failing = 0;
for (const set of SETS) {
  test(`${set.count} variants of ${set.file} (seed ${SEED}) build with no failed tile and pass the checker`, async () => {
    const source = real(set.file);
    const next = mulberry32(SEED + set.file.length);
    const failed: string[] = [];
    for (let i = 0; i < set.count; i++) {
      const v: Variant = randomVariant(next, { maxCopies: set.maxCopies, tileSizes: set.tileSizes });
      const r = await runVariant(source, v, path.join(dir, `${set.file}-${i}.geojson`));
      total++; tiles += r.tiles; triangles += r.triangles; pinches += r.report?.pinchEdges ?? 0;
      if (r.failures.length) failing++;
      if (r.failures.length) failed.push(`variant ${i} ${JSON.stringify(v)}: ${r.failures.join("; ")}`);
    }
    assert.deepEqual(failed, []);
  });
}

test.after(() => console.log(`metamorphic quick set: ${total} variants, ${tiles} tiles, ${triangles} triangles, ${pinches} pinch edges (correct corner touches), ${failing} failing`));
