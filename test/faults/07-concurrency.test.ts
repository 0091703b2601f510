// Case 7: concurrency and cancellation. Two builds of one input into one scratch store at once:
// the store's lock lets exactly one in, the other stops at once with a message naming the lock
// and its holder, and the winner's output equals a clean build. Ctrl-C (SIGINT) during the
// merge: exit 130, every tile still in the store, no lock, no output and no temp files left, and
// the rerun reuses every tile and writes output byte-identical to a clean build. The output is
// replaced atomically: a reader polling the path during a build sees only the old complete file
// or the new complete file, and a build killed (SIGKILL) mid-merge leaves the old file intact.
// No check here relies on timing: the phase a signal or a second build must meet is held (the
// fault hook's "hold" mode) until the test has acted on the event that it was reached.
import assert from "node:assert/strict";
import fs from "fs";
import path from "path";
import { run, cli, cliStart, cliSignalAt, tmpDir, writeCity, cleanBuild, CITY_ARGS, tilesDone, reusedCount, storeOf, storedTiles, mulberry32, Gate, waitFor, type CliResult } from "./support/harness";
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
  // Each build is held at the build of its first tile (a gate each), so whichever holds the lock
  // certainly still holds it when the other asks, however slow the machine: the gates open only
  // once one build has ended (refused) — or both were held, i.e. both got past the lock.
  const gates = [new Gate(dir, `race-${k}-a`), new Gate(dir, `race-${k}-b`)];
  const held = (i: number) => gates[i].isReached("build", 0);
  const a = cliStart(argsOf(outs[0]), gates[0].env("build", [0]));
  if (staggered) await waitFor("the first build holding its first tile", () => held(0), a.ended, undefined, () => a.stderr().slice(-2000));
  const b = cliStart(argsOf(outs[1]), gates[1].env("build", [0]));
  await waitFor("one build refused or both held", () => a.ended() || b.ended() || (held(0) && held(1)));
  for (const g of gates) g.release();
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
  ctx.note(`${staggered ? "second build started while the first was held building its first tile" : "both started together, each held at its first tile"}: build ${w === 0 ? "A" : "B"} won, the other stopped with "${lost.stderr.trim().split("\n").pop()!.replace(dir, "<tmp>").slice(0, 300)}"`);

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
  const held = Math.floor(rnd() * TILES);
  run(CASE, `Ctrl-C while the merge reads tile ${held} of ${TILES}: exit 130, store resumable, nothing half-written; rerun byte-identical`, async (ctx) => {
    const out = path.join(dir, `cancel-${i}.glb`), scratch = path.join(dir, `s-cancel-${i}`);
    const args = ["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch];
    // The merge is held as it reads tile `held` back, so the signal lands mid-merge; the gate stays
    // shut until the build has ended: it must cancel while held.
    const gate = new Gate(dir, `cancel-${i}`);
    const d = await cliSignalAt(args, gate.env("merge-read", [held]), `the merge reading tile ${held}`, () => gate.isReached("merge-read", held), "SIGINT");
    gate.release();
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
    ctx.note(`cancelled while the merge read tile ${held}, after ${merged ?? 0} of ${TILES} tiles merged; all ${TILES} tiles kept, no lock, no output, no temp files`);

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
  // The merge is held as it reads the last tile back (the output is not replaced before the merge
  // ends): the reader polls at least HELD_POLLS times while it is held, then lets it go on and keeps
  // polling through the write and rename until the build has exited.
  const HELD_POLLS = 20;
  const gate = new Gate(dir, "watched");
  const r = cliStart(["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch], gate.env("merge-read", [TILES - 1]));
  const seen = { old: 0, new: 0, absent: 0, partial: 0, tempSeen: 0 };
  let firstBad = "", heldPolls = 0;
  while (!r.ended()) {
    const held = heldPolls > 0 || gate.isReached("merge-read", TILES - 1);
    let b: Buffer | undefined;
    try { b = fs.readFileSync(out); } catch (e) { if ((e as NodeJS.ErrnoException).code === "ENOENT") seen.absent++; else throw e; }
    if (b) {
      if (b.equals(old)) seen.old++;
      else if (b.equals(clean)) seen.new++;
      else { seen.partial++; firstBad ||= `${b.length} bytes, complete GLB: ${isCompleteGlb(b)}`; }
    }
    if (fs.readdirSync(dir).some((n) => n.startsWith("watched.glb.tmp-"))) seen.tempSeen++;
    if (held && ++heldPolls >= HELD_POLLS) gate.release();
    await new Promise((res) => setTimeout(res, 2));
  }
  const d = await r.done;
  assert.equal(d.code, 0, d.stderr.slice(-2000));
  ctx.lost += seen.partial;
  ctx.note(`${seen.old + seen.new + seen.absent + seen.partial} reads of the path (${heldPolls} while the merge was held at its last tile): ${seen.old} old complete file, ${seen.new} new complete file, ${seen.absent} absent, ${seen.partial} other; the output's temp file was seen beside it in ${seen.tempSeen} poll(s)`);
  assert.equal(seen.partial, 0, `a reader saw a file that is neither the old nor the new mesh (${firstBad})`);
  assert.equal(seen.absent, 0, "the old file vanished before the new one replaced it");
  assert.ok(heldPolls >= HELD_POLLS, `the path was read ${heldPolls} times while the merge was held`);
  assert.ok(seen.old > 10, `the old file was read ${seen.old} times while the build ran`);
  assert.ok(fs.readFileSync(out).equals(clean), "the new file is the clean build");
  assert.deepEqual(temps(out), []);
});

const killAt = Math.floor(rnd() * TILES);
run(CASE, `a build killed (SIGKILL) mid-merge, as it reads tile ${killAt}, leaves the old output intact, never half a file`, async (ctx) => {
  const out = path.join(dir, "killed.glb"), scratch = path.join(dir, "s-killed");
  fs.writeFileSync(out, old);
  const gate = new Gate(dir, "killed");
  const k = await cliSignalAt(["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch], gate.env("merge-read", [killAt]), `the merge reading tile ${killAt}`, () => gate.isReached("merge-read", killAt));
  gate.release();
  assert.equal(k.signal, "SIGKILL", `the build ended (exit ${k.code}) before the kill:\n${k.stderr.slice(-1500)}`);
  const intact = fs.readFileSync(out).equals(old);
  if (!intact) ctx.lost++;
  assert.ok(intact, "the old output was changed by a killed build");
  const left = temps(out);
  ctx.note(`killed while the merge read tile ${killAt}: the path still holds the old complete mesh; left beside it (SIGKILL cannot clean up): ${left.join(", ") || "nothing"}`);
  // The rerun replaces it with the clean build and removes nothing of the store it needs.
  const again = cli(["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch]);
  assert.equal(again.code, 0, again.stderr.slice(-2000));
  assert.equal(reusedCount(again.stderr), TILES);
  const same = fs.readFileSync(out).equals(clean);
  if (!same) ctx.lost++;
  assert.ok(same, "the rerun's output differs from a clean build");
});
