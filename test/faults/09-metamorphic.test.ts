// Case 9: metamorphic variants of real cities (issue 13). From every real file — tudcampus,
// delft-bgt and zurich-cea (committed under test/fixtures/real, the same files as in
// ../shared/data) and, when ../shared/data is beside the repository, nyc-osm-buildings (102,034
// OSM buildings; districts of 800 m × 800 m, projected to UTM 18N) — derive what a user could
// produce: translated up to 10^7 m and rounded to the millimetre, rotated and rounded, k × k
// copies side by side, tile sizes 50–2000 m with the grid shifted, snap tolerances 0.1–10 mm.
// Every variant must build in process with no failed tile and pass the mesh checker (0 open,
// over-used other than pinch, flipped or degenerate edges, 0 overlapping triangles, exact
// volumes). 1,000 variants by default (CITYMESH_FAULTS_QUICK=1: 200; CITYMESH_FAULTS_METAMORPHIC=N),
// a count, not a time; seeded (the seed is printed). A failing variant is shrunk to the
// smallest set of buildings that still fails and kept in $TMPDIR/citymesh-metamorphic-failures/
// in the format of test/fixtures/geometry/, ready to commit with its test.
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { run, tmpDir, tsWorker } from "./support/harness";
import type { VariantSummary } from "./support/metamorphicWorker";

const CASE = "9 metamorphic real data";
const SEED = Number(process.env.CITYMESH_FAULTS_SEED ?? 9001);
const quick = process.env.CITYMESH_FAULTS_QUICK === "1";
const TOTAL = Number(process.env.CITYMESH_FAULTS_METAMORPHIC ?? (quick ? 200 : 1000));
const keep = path.join(os.tmpdir(), "citymesh-metamorphic-failures");
const dir = tmpDir("metamorphic");
const root = path.resolve(__dirname, "../..");
const shared = path.resolve(root, "../shared/data");
const nyc = path.join(shared, "nyc-osm-buildings.geojson");
const haveNyc = fs.existsSync(nyc);
console.log(`case 9: seed ${SEED}, ${TOTAL} variants${haveNyc ? "" : `; ${nyc} is not there: the NYC districts are SKIPPED, their share goes to the committed files`}`);

interface Source { name: string; file: string; share: number; maxCopies: number; tileSizes: [number, number]; window?: { half: number; zone: number } }
const committed = (n: string) => path.join(root, "test/fixtures/real", n);
const SOURCES: Source[] = [
  { name: "delft-bgt", file: committed("delft-bgt.geojson"), share: haveNyc ? 0.4 : 0.5, maxCopies: 3, tileSizes: [50, 2000] },
  { name: "zurich-cea", file: committed("zurich-cea.geojson"), share: haveNyc ? 0.35 : 0.4, maxCopies: 2, tileSizes: [50, 2000] },
  { name: "tudcampus", file: committed("tudcampus.geojson"), share: 0.1, maxCopies: 1, tileSizes: [80, 2000] },
  ...(haveNyc ? [{ name: "nyc-osm-buildings", file: nyc, share: 0.15, maxCopies: 1, tileSizes: [50, 2000] as [number, number], window: { half: 400, zone: 18 } }] : []),
];

function build(src: Source, seed: number, count: number): Promise<VariantSummary[]> {
  const workers = Math.max(1, Math.min(2, os.cpus().length));
  const results: VariantSummary[] = [];
  return new Promise((resolve, reject) => {
    let running = workers;
    for (let w = 0; w < workers; w++) {
      const indices = Array.from({ length: count }, (_, i) => i).filter((i) => i % workers === w);
      const worker = tsWorker(path.join(__dirname, "support/metamorphicWorker.ts"), { file: src.file, name: src.name, seed, indices, dir, keep, maxCopies: src.maxCopies, tileSizes: src.tileSizes, window: src.window }, { maxOldGenerationSizeMb: 6000 });
      worker.on("message", (m) => {
        if (m.done) { void worker.terminate(); if (--running === 0) resolve(results.sort((a, b) => a.i - b.i)); }
        else if (m.fatal) { void worker.terminate(); reject(new Error(m.fatal)); }
        else results.push(m as VariantSummary);
      });
      worker.on("error", reject);
    }
  });
}

const stats: string[] = [];
SOURCES.forEach((src, k) => {
  const count = Math.round(TOTAL * src.share);
  const seed = SEED + k;
  run(CASE, `${count} variants of ${src.name}${src.window ? ` (districts of ${2 * src.window.half} m)` : ""}, seed ${seed}`, async (ctx) => {
    const t0 = Date.now();
    const r = await build(src, seed, count);
    const bad = r.filter((x) => !x.ok);
    const sum = (f: (x: VariantSummary) => number) => r.reduce((t, x) => t + f(x), 0);
    const line = `${r.length} variants in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${sum((x) => x.buildings).toLocaleString("en")} buildings, ${sum((x) => x.tiles).toLocaleString("en")} tiles, ` +
      `${sum((x) => x.triangles).toLocaleString("en")} triangles checked; ${sum((x) => x.pinch)} pinch edges (corner touches, correct); ${bad.length} failing; slowest ${(Math.max(...r.map((x) => x.ms)) / 1000).toFixed(1)} s`;
    ctx.note(line);
    stats.push(`${src.name}: ${line}`);
    for (const b of bad.slice(0, 5)) ctx.note(`variant ${b.i} failed: ${b.failure?.slice(0, 400)} (shrunk case kept as ${b.kept})`);
    assert.equal(r.length, count, `${r.length} of ${count} variants ran`);
    assert.deepEqual(bad.map((b) => `variant ${b.i}: ${b.failure}`), []);
  }, { timeout: 3_600_000 });
});
