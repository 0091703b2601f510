// Case 7: concurrency and cancellation. Two builds of one input into one scratch store at once:
// the store's lock lets exactly one in, the other stops at once with a message naming the lock
// and its holder, and the winner's output equals a clean build. Ctrl-C (SIGINT) during the
// merge: exit 130, every tile still in the store, no lock, no output and no temp files left, and
// the rerun reuses every tile and writes output byte-identical to a clean build. The output is
// replaced atomically: a reader polling the path during a build sees only the old complete file
// or the new complete file, and a build killed (SIGKILL) mid-merge leaves the old file intact.
import assert from "node:assert/strict";
import fs from "fs";
import path from "path";
import { run, cli, cliStart, cliKillWhen, tmpDir, writeCity, cleanBuild, CITY_ARGS, tilesDone, reusedCount, slowTiles, storeOf, storedTiles, mulberry32, type CliResult } from "./support/harness";
import { readManifest } from "../../src/core/store/manifest";

const CASE = "7 concurrency and cancellation";
const dir = tmpDir("conc");
const input = writeCity(dir);
const clean = cleanBuild(input, dir);
const TILES = 77;
const rnd = mulberry32(20261128);

/** Temp files a build makes next to its output (spool folder, output and side file before their rename). */
const temps = (out: string) => {
  const base = path.basename(out), stem = path.basename(out, path.extname(out));
  return fs.readdirSync(path.dirname(out)).filter((n) => n.startsWith(`.${base}.merge-`) || n.startsWith(`${base}.tmp-`) || n.startsWith(`${stem}.buildings.jsonl.tmp-`));
};

function isCompleteGlb(b: Buffer): boolean {
  if (b.length < 20 || b.readUInt32LE(0) !== 0x46546c67 || b.readUInt32LE(8) !== b.length) return false;
  try { JSON.parse(b.subarray(20, 20 + b.readUInt32LE(12)).toString("utf8")); return true; } catch { return false; }
}

async function race(k: number, staggered: boolean, ctx: { lost: number; note(s: string): void }): Promise<void> {
  const scratch = path.join(dir, `s-race-${k}`);
  const outs = [path.join(dir, `race-${k}-a.glb`), path.join(dir, `race-${k}-b.glb`)];
  const argsOf = (o: string) => ["build", input, "-o", o, ...CITY_ARGS, "--scratch-dir", scratch];
  // Tiles slowed so the first build certainly still holds the lock when the second arrives.
  const env = slowTiles(100);
  const a = cliStart(argsOf(outs[0]), env);
  if (staggered) {
    const t0 = Date.now();
    while (!/^building:/m.test(a.stderr()) && Date.now() - t0 < 120_000 && a.child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    assert.match(a.stderr(), /^building:/m, "the first build never reached the tiles");
  }
  const b = cliStart(argsOf(outs[1]), env);
  const [ra, rb] = await Promise.all([a.done, b.done]);
  const results: CliResult[] = [ra, rb];
  const winners = results.map((r, i) => (r.code === 0 ? i : -1)).filter((i) => i >= 0);
  assert.equal(winners.length, 1, `exactly one build may win the store (exit codes ${ra.code}, ${rb.code}):\n${ra.stderr.slice(-1500)}\n---\n${rb.stderr.slice(-1500)}`);
  const w = winners[0], l = 1 - w;
  const lost = results[l];
  assert.equal(lost.code, 1, lost.stderr.slice(-2000));
  const lock = /citymesh: Another build \(process (\d+)@[^)]+\) is using the scratch store (\S+)\. Wait for it to finish or cancel it; if no build is running, delete (\S+build\.lock)\./.exec(lost.stderr);
  assert.ok(lock, `the refused build names the lock and its holder:\n${lost.stderr.slice(-2000)}`);
  assert.equal(Number(lock[1]), [a, b][w].child.pid, "the named holder is the winning build");
  assert.equal(path.dirname(lock[3]), lock[2]);
  assert.ok(lock[2].startsWith(scratch));
  assert.equal(tilesDone(lost.stderr).length, 0, "the refused build built no tile");
  assert.ok(!fs.existsSync(outs[l]), "the refused build wrote no output");
  const same = fs.readFileSync(outs[w]).equals(clean);
  if (!same) ctx.lost++;
  assert.ok(same, "the winning build's output differs from a clean build");
  assert.equal(tilesDone(results[w].stderr).length, TILES);
  assert.deepEqual(fs.readdirSync(scratch).filter((n) => !n.startsWith(".") && n !== ".gitignore"), [], "the store is removed after the successful build (no keep-intermediate), nothing else left");
  ctx.note(`${staggered ? "second build started once the first was building" : "both started together"}: build ${w === 0 ? "A" : "B"} won, the other stopped with "${lost.stderr.trim().split("\n").pop()!.replace(dir, "<tmp>").slice(0, 300)}"`);

  // The refused build, run again once the store is free, succeeds with the same bytes.
  const again = cli(argsOf(outs[l]));
  assert.equal(again.code, 0, again.stderr.slice(-2000));
  const same2 = fs.readFileSync(outs[l]).equals(clean);
  if (!same2) ctx.lost++;
  assert.ok(same2, "the retried build's output differs from a clean build");
}

run(CASE, "two builds of one input into one store, the second started mid-build: one lock holder, a clear refusal, clean output", (ctx) => race(0, true, ctx));
run(CASE, "two builds of one input into one store started together: exactly one wins the lock", (ctx) => race(1, false, ctx));

for (let i = 0; i < 2; i++) {
  const delay = 150 + Math.floor(rnd() * 1500);
  run(CASE, `Ctrl-C ${delay} ms into the merge: exit 130, store resumable, nothing half-written; rerun byte-identical`, async (ctx) => {
    const out = path.join(dir, `cancel-${i}.glb`), scratch = path.join(dir, `s-cancel-${i}`);
    const args = ["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch];
    let sent = false;
    // Every tile read by the merge slowed to 30 ms (≈ 2.3 s of merge), so the signal lands mid-merge.
    const r = cliStart(args, slowTiles(30, "merge-read"), (log, child) => {
      if (sent || !/^merging:/m.test(log)) return;
      sent = true;
      setTimeout(() => child.kill("SIGINT"), delay);
    });
    const d = await r.done;
    assert.ok(sent, "never reached the merge");
    const phase = [...d.stderr.matchAll(/^(reading|tiling|building|merging|writing|done):/gm)].map((m) => m[1]).pop();
    assert.equal(d.code, 130, `exit ${d.code} (phase ${phase}):\n${d.stderr.slice(-2000)}`);
    assert.match(d.stderr, /^citymesh: Build cancelled; finished tiles stay in the scratch store and the next run resumes from them\.$/m);
    assert.ok(phase === "merging" || phase === "writing", `cancelled in the merge (last phase ${phase})`);
    assert.ok(!fs.existsSync(out), "a cancelled build left an output file");
    assert.deepEqual(temps(out), [], "a cancelled build left temp files next to the output");
    const store = storeOf(scratch);
    assert.ok(!fs.existsSync(path.join(store, "build.lock")), "the lock is released");
    const m = readManifest(store)!;
    const done = Object.values(m.tiles).filter((t) => t.status === "done").length;
    const kept = storedTiles(store).length;
    ctx.lost += TILES - Math.min(done, kept);
    assert.equal(done, TILES, "every tile is recorded done in the manifest");
    assert.equal(kept, TILES, "every tile file is in the store");
    const merged = [...d.stderr.matchAll(/^merging: (\d+)\/\d+ tiles/gm)].map((x) => Number(x[1])).pop();
    ctx.note(`cancelled after ${merged ?? 0} of ${TILES} tiles merged; all ${TILES} tiles kept, no lock, no output, no temp files`);

    const again = cli(args);
    assert.equal(again.code, 0, again.stderr.slice(-3000));
    assert.equal(reusedCount(again.stderr), TILES, "the rerun reuses every tile");
    assert.deepEqual(tilesDone(again.stderr), [], "the rerun builds no tile");
    const same = fs.readFileSync(out).equals(clean);
    if (!same) ctx.lost++;
    assert.ok(same, "the resumed output differs from a clean build");
  });
}

// An older mesh already at the output path: the one a user may be looking at while rebuilding.
const old = (() => {
  const other = path.join(dir, "other");
  fs.mkdirSync(other);
  return cleanBuild(writeCity(other, 120, 11), other);
})();

run(CASE, "a reader polling the output path during a rebuild sees only the old or the new complete GLB", async (ctx) => {
  const out = path.join(dir, "watched.glb"), scratch = path.join(dir, "s-watched");
  fs.writeFileSync(out, old);
  // Merge slowed (30 ms per tile read) so the polling spans the whole merge and write.
  const r = cliStart(["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch], slowTiles(30, "merge-read"));
  let finished = false;
  void r.done.then(() => { finished = true; });
  const seen = { old: 0, new: 0, absent: 0, partial: 0, tempSeen: 0 };
  let firstBad = "";
  while (!finished) {
    let b: Buffer | undefined;
    try { b = fs.readFileSync(out); } catch (e) { if ((e as NodeJS.ErrnoException).code === "ENOENT") seen.absent++; else throw e; }
    if (b) {
      if (b.equals(old)) seen.old++;
      else if (b.equals(clean)) seen.new++;
      else { seen.partial++; firstBad ||= `${b.length} bytes, complete GLB: ${isCompleteGlb(b)}`; }
    }
    if (fs.readdirSync(dir).some((n) => n.startsWith("watched.glb.tmp-"))) seen.tempSeen++;
    await new Promise((res) => setTimeout(res, 2));
  }
  const d = await r.done;
  assert.equal(d.code, 0, d.stderr.slice(-2000));
  ctx.lost += seen.partial;
  ctx.note(`${seen.old + seen.new + seen.absent + seen.partial} reads of the path: ${seen.old} old complete file, ${seen.new} new complete file, ${seen.absent} absent, ${seen.partial} other; the output's temp file was seen beside it in ${seen.tempSeen} poll(s)`);
  assert.equal(seen.partial, 0, `a reader saw a file that is neither the old nor the new mesh (${firstBad})`);
  assert.equal(seen.absent, 0, "the old file vanished before the new one replaced it");
  assert.ok(seen.old > 10, `the old file was read ${seen.old} times while the build ran`);
  assert.ok(fs.readFileSync(out).equals(clean), "the new file is the clean build");
  assert.deepEqual(temps(out), []);
});

run(CASE, "a build killed (SIGKILL) mid-merge leaves the old output intact, never half a file", async (ctx) => {
  const out = path.join(dir, "killed.glb"), scratch = path.join(dir, "s-killed");
  fs.writeFileSync(out, old);
  const delay = 300 + Math.floor(rnd() * 1500);
  const k = await cliKillWhen(["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch], (l) => /^merging:/m.test(l), slowTiles(30, "merge-read"), delay);
  assert.ok(k.killed, `the build ended (exit ${k.code}) before the kill:\n${k.stderr.slice(-1500)}`);
  const intact = fs.readFileSync(out).equals(old);
  if (!intact) ctx.lost++;
  assert.ok(intact, "the old output was changed by a killed build");
  const left = temps(out);
  ctx.note(`killed ${delay} ms into the merge: the path still holds the old complete mesh; left beside it (SIGKILL cannot clean up): ${left.join(", ") || "nothing"}`);
  // The rerun replaces it with the clean build and removes nothing of the store it needs.
  const again = cli(["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch]);
  assert.equal(again.code, 0, again.stderr.slice(-2000));
  assert.equal(reusedCount(again.stderr), TILES);
  const same = fs.readFileSync(out).equals(clean);
  if (!same) ctx.lost++;
  assert.ok(same, "the rerun's output differs from a clean build");
});
