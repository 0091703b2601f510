// Case 6: mutation fuzzing of reader + geometry clean-up + planner + tile mesher, in-process (a
// worker thread, watched for hangs). 10 000 seeded cases by default (CITYMESH_FAULTS_FUZZ=N to
// change; CITYMESH_FAULTS_QUICK=1: 1 000, some 10–30 s on a 2-core machine — a count, not a
// time budget, so a loaded machine runs the same cases, only slower). Pass: no uncaught exception (only diagnostics
// or CityMeshError), every diagnostic coded and explained, no hang (a case taking over 60 s), no
// tile mesher failure. Failing inputs are kept in $TMPDIR/citymesh-fuzz-failures/.
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { run, tmpDir, tsWorker } from "./support/harness";
import proj4 from "proj4";
import { generateCity, cityToGeoJSON } from "../support/cityGenerator";
import { resolveCrs } from "../../src/core/crs";
import type { FuzzStats } from "./support/fuzzWorker";

const CASE = "6 fuzzing";
const dir = tmpDir("fuzz");
const keep = path.join(os.tmpdir(), "citymesh-fuzz-failures");
const quick = process.env.CITYMESH_FAULTS_QUICK === "1";
const TOTAL = Number(process.env.CITYMESH_FAULTS_FUZZ ?? (quick ? 1_000 : 10_000));
const HANG_MS = 60_000;
// A small block: shared walls, courtyards, rotated towers; 2 × 2 or so tiles of 60 m. Seeds
// 1000–1001 mutate it in RD New (a legacy "crs" member); 1002–1003 in RFC 7946 lon/lat (no member:
// degree range checks, the UTM zone chosen from the data).
const rd = generateCity({ buildings: 14, seed: 3, x0: 84123.4, y0: 446321.7 });
const toLonLat = proj4(resolveCrs("EPSG:28992").proj4, "EPSG:4326");
const ll = { ...rd, xy: rd.xy.map((v, i) => (i % 2 ? v : 0)) };
for (let i = 0; i < rd.xy.length; i += 2) [ll.xy[i], ll.xy[i + 1]] = toLonLat.forward([rd.xy[i], rd.xy[i + 1]]);
const bases = [cityToGeoJSON(rd), JSON.stringify({ type: "FeatureCollection", features: JSON.parse(cityToGeoJSON(ll)).features })];

function fuzz(base: string, unit: number, seed: number, maxCases: number, seconds: number): Promise<FuzzStats & { hang?: number; hangFile?: string }> {
  return new Promise((resolve, reject) => {
    const w = tsWorker(path.join(__dirname, "support/fuzzWorker.ts"), { base, unit, dir, keep, seed, maxCases, deadline: Date.now() + seconds * 1000 });
    let last = Date.now(), current = -1;
    const watchdog = setInterval(() => {
      if (Date.now() - last <= HANG_MS) return;
      clearInterval(watchdog);
      void w.terminate();
      fs.mkdirSync(keep, { recursive: true });
      const hangFile = path.join(keep, `hang-${seed}-${current}.geojson`);
      fs.copyFileSync(path.join(dir, `fuzz-${seed}.geojson`), hangFile);
      resolve({ cases: current + 1, hang: current, hangFile } as FuzzStats & { hang: number; hangFile: string });
    }, 1000);
    w.on("message", (m) => {
      last = Date.now();
      if (m.type === "case") current = m.i;
      else if (m.type === "done") { clearInterval(watchdog); void w.terminate(); resolve(m.stats); }
      else if (m.type === "fatal") { clearInterval(watchdog); void w.terminate(); reject(new Error(m.error)); }
    });
    w.on("error", (e) => { clearInterval(watchdog); reject(e); });
  });
}

const SHARDS = 4;
for (let k = 0; k < SHARDS; k++) {
  const seed = 1000 + k;
  const per = Math.ceil(TOTAL / SHARDS);
  const lonLat = k >= SHARDS / 2;
  run(CASE, `seed ${seed}: ${per} mutated ${lonLat ? "lon/lat" : "RD New"} files through read → clean-up → plan → tile mesher`, async (ctx) => {
    const t0 = Date.now();
    // The hour is only a safety limit: the count decides how many cases run.
    const s = await fuzz(bases[lonLat ? 1 : 0], lonLat ? 1e-5 : 1, seed, per, 3600);
    assert.equal(s.hang, undefined, `case ${s.hang} of seed ${seed} made no progress for ${HANG_MS / 1000} s (input kept as ${s.hangFile})`);
    ctx.note(`${s.cases} cases in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${s.built} planned and meshed (${s.tiles} tiles, largest data span ${(s.maxSpan / 1000).toFixed(1)} km), ` +
      `${s.readErrors} files refused with a CityMeshError, ${s.planErrors} grids refused by the planner, ${s.diagnostics} diagnostics (${s.strays} implausible-size rings), ` +
      `${s.badDiagnostics} malformed diagnostics, ${s.meshErrors} tile mesher failures, ${s.uncaught} uncaught`);
    for (const e of s.examples) ctx.note(e);
    assert.equal(s.cases, per, `${s.cases} of ${per} cases run`);
    assert.equal(s.uncaught, 0, s.examples.join("\n"));
    assert.equal(s.badDiagnostics, 0, s.examples.join("\n"));
    assert.equal(s.meshErrors, 0, s.examples.join("\n"));
    assert.ok(s.built > s.cases / 10, `${s.built} of ${s.cases} cases reached the mesher`);
  }, { timeout: 1_200_000 });
}
