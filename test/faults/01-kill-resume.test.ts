// Case 1: SIGKILL the CLI at 5 seeded random points across the read/plan, tile and merge phases.
// Each rerun must complete with output byte-identical to a clean build, and no tile that was
// finished before the kill may be built again.
import assert from "node:assert/strict";
import fs from "fs";
import path from "path";
import { run, cli, cliKillWhen, tmpDir, writeCity, cleanBuild, CITY_ARGS, tilesDone, reusedCount, slowTiles, mulberry32 } from "./support/harness";

const CASE = "1 kill and resume";
const dir = tmpDir("kill");
const input = writeCity(dir);
const clean = cleanBuild(input, dir);
const TILES = 77;
const rnd = mulberry32(20261125);

type Point = { phase: "read/plan" | "tiles" | "merge"; describe: string; when: (log: string) => boolean; delay: number; env: Record<string, string> };
const points: Point[] = [];
// Read/plan: after the tiling message, before any tile is done (tiles slowed so none can finish first).
{ const d = Math.floor(rnd() * 150); points.push({ phase: "read/plan", describe: `${d} ms after planning starts`, when: (l) => /^tiling:/m.test(l), delay: d, env: slowTiles(400) }); }
// Tiles: after k tiles are done (seeded), tiles slowed to 40 ms each.
for (let i = 0; i < 2; i++) { const k = 2 + Math.floor(rnd() * (TILES - 10)); points.push({ phase: "tiles", describe: `after ${k} of ${TILES} tiles`, when: (l) => tilesDone(l).length >= k, delay: 0, env: slowTiles(40) }); }
// Merge: a seeded delay after the merge starts; every tile read by the merge slowed to 30 ms (≈ 2.3 s).
for (let i = 0; i < 2; i++) { const d = 100 + Math.floor(rnd() * 1800); points.push({ phase: "merge", describe: `${d} ms into the merge`, when: (l) => /^merging:/m.test(l), delay: d, env: slowTiles(30, "merge-read") }); }

points.forEach((p, i) => {
  run(CASE, `kill ${i + 1} (${p.phase}, ${p.describe})`, async (ctx) => {
    const out = path.join(dir, `out-${i}.glb`), scratch = path.join(dir, `s-${i}`);
    const args = ["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch];
    const k = await cliKillWhen(args, p.when, p.env, p.delay);
    assert.ok(k.killed, `the build ended (exit ${k.code}) before the kill point; stderr:\n${k.stderr.slice(-2000)}`);
    const before = tilesDone(k.stderr);
    const phaseAtKill = [...k.stderr.matchAll(/^(reading|tiling|building|merging|writing|done):/gm)].map((m) => m[1]).pop();
    ctx.note(`killed in phase "${phaseAtKill}" with ${before.length} tile(s) finished`);
    if (p.phase === "read/plan") assert.equal(before.length, 0, "killed during read/plan");
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
