// Case 1: SIGKILL the CLI at 5 seeded points across the read/plan, tile and merge phases.
// Each rerun must complete with output byte-identical to a clean build, and no tile that was
// finished before the kill may be built again. Every kill lands in its phase for certain: that
// phase is held (the fault hook's "hold" mode) and the kill follows the event that it was reached;
// the seeds vary which tile is held and how many tiles are done first, not a delay.
import assert from "node:assert/strict";
import fs from "fs";
import path from "path";
import { run, cli, cliSignalAt, tmpDir, writeCity, cleanBuild, CITY_ARGS, tilesDone, reusedCount, mulberry32, Gate } from "./support/harness";

const CASE = "1 kill and resume";
const dir = tmpDir("kill");
const input = writeCity(dir);
const clean = cleanBuild(input, dir);
const TILES = 77;
const rnd = mulberry32(20261125);

type Point = { phase: "read/plan" | "tiles" | "merge"; describe: string; hold: (g: Gate) => Record<string, string>; ready: (g: Gate, log: string) => boolean };
const points: Point[] = [];
// Read/plan: the planner process held as it starts (the CLI has printed "reading:"), so no tile can have started.
points.push({ phase: "read/plan", describe: "planner held before it reads the input", hold: (g) => g.env("plan", [-1]), ready: (g) => g.isReached("plan", -1) });
// Tiles: tile k held in its build (seeded), killed once k tiles are done: tiles are handed out in id
// order, so the k before it finish on the other worker while k cannot.
for (let i = 0; i < 2; i++) {
  const k = 2 + Math.floor(rnd() * (TILES - 10));
  points.push({ phase: "tiles", describe: `tile ${k} held in its build, after ${k} of ${TILES} tiles`, hold: (g) => g.env("build", [k]), ready: (g, l) => g.isReached("build", k) && tilesDone(l).length >= k });
}
// Merge: the merge held as it reads back tile m (seeded).
for (let i = 0; i < 2; i++) {
  const m = Math.floor(rnd() * TILES);
  points.push({ phase: "merge", describe: `merge held reading tile ${m} of ${TILES}`, hold: (g) => g.env("merge-read", [m]), ready: (g) => g.isReached("merge-read", m) });
}

points.forEach((p, i) => {
  run(CASE, `kill ${i + 1} (${p.phase}, ${p.describe})`, async (ctx) => {
    const out = path.join(dir, `out-${i}.glb`), scratch = path.join(dir, `s-${i}`);
    const args = ["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch];
    const gate = new Gate(dir, `kill-${i}`);
    const k = await cliSignalAt(args, p.hold(gate), `the kill point (${p.describe})`, (log) => p.ready(gate, log));
    gate.release();
    assert.equal(k.signal, "SIGKILL", `the build ended (exit ${k.code}) before the kill point; stderr:\n${k.stderr.slice(-2000)}`);
    const before = tilesDone(k.stderr);
    const phaseAtKill = [...k.stderr.matchAll(/^(reading|tiling|building|merging|writing|done):/gm)].map((m) => m[1]).pop();
    ctx.note(`killed in phase "${phaseAtKill}" with ${before.length} tile(s) finished`);
    if (p.phase === "read/plan") assert.equal(before.length, 0, "killed during read/plan");
    if (p.phase === "read/plan") assert.ok(phaseAtKill === "reading" || phaseAtKill === "tiling", `killed in read/plan (phase ${phaseAtKill})`);
    if (p.phase === "tiles") assert.ok(before.length > 0 && before.length < TILES, `killed mid-tiles (${before.length} done)`);
    if (p.phase === "merge") assert.ok(phaseAtKill === "merging" || phaseAtKill === "writing", `killed in the merge (phase ${phaseAtKill})`);
    assert.ok(!fs.existsSync(out), "a killed build left a (partial) output file");

    const r = cli(["build", ...args.slice(1)]);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const rebuilt = new Set(tilesDone(r.stderr));
    const again = before.filter((t) => rebuilt.has(t));
    ctx.lost += again.length;
    assert.deepEqual(again, [], "tiles finished before the kill were rebuilt");
    assert.ok(reusedCount(r.stderr) >= before.length, `reused ${reusedCount(r.stderr)} < ${before.length} finished before the kill`);
    assert.equal(reusedCount(r.stderr) + rebuilt.size, TILES, "every tile is either reused or built once");
    const same = fs.readFileSync(out).equals(clean);
    if (!same) ctx.lost++;
    assert.ok(same, "the resumed output differs from a clean build");
    const leftovers = fs.readdirSync(dir).filter((n) => n.startsWith(`.out-${i}.glb.merge-`) || n.startsWith(`out-${i}.glb.tmp-`));
    if (leftovers.length) ctx.note(`left in the output folder by the killed run: ${leftovers.join(", ")}`);
    ctx.note(`rerun reused ${reusedCount(r.stderr)}, built ${rebuilt.size}; output identical`);
  });
});
