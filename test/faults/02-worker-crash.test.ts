// Case 2: a worker thread throws or exits on a chosen tile (the test-only fault hook). Once: the
// tile is retried in a fresh worker and the output equals a clean build. Persistent: exit 1, an
// error naming the tile and the reason, the other tiles kept in the store, and a rerun without
// the fault builds only what is missing. The production bundle must not contain the hook.
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import fs from "fs";
import path from "path";
import { run, cli, tmpDir, writeCity, cleanBuild, CITY_ARGS, tilesDone, reusedCount, storeOf, storedTiles, ROOT } from "./support/harness";
import { readManifest } from "../../src/core/store/manifest";
import { buildIn, projectCopy } from "../support/projectCopy.mjs";

const CASE = "2 worker crash";
const dir = tmpDir("crash");
const input = writeCity(dir);
const clean = cleanBuild(input, dir);
const TILES = 77;

for (const [mode, tile] of [["throw", 7], ["exit", 40]] as const) {
  run(CASE, `worker ${mode === "exit" ? "thread exits" : "throws"} once on tile ${tile}: retried in a fresh worker, output identical`, (ctx) => {
    const out = path.join(dir, `once-${mode}.glb`);
    const r = cli(["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", path.join(dir, `s-once-${mode}`)], { CITYMESH_FAULT: JSON.stringify({ tiles: [tile], mode, once: path.join(dir, `once-${mode}`) }) });
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.match(r.stderr, new RegExp(`tile ${tile} failed \\(.+\\); retrying in a fresh worker`));
    assert.ok(tilesDone(r.stderr).includes(tile));
    const same = fs.readFileSync(out).equals(clean);
    if (!same) ctx.lost++;
    assert.ok(same, "output differs from a clean build");
  });
}

for (const [mode, tile] of [["throw", TILES - 1], ["exit", TILES - 1], ["throw", 20]] as const) {
  run(CASE, `persistent ${mode} on tile ${tile}: exit 1 naming the tile, other tiles kept, rerun builds only the missing`, (ctx) => {
    const out = path.join(dir, `fail-${mode}-${tile}.glb`), scratch = path.join(dir, `s-fail-${mode}-${tile}`);
    const args = ["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch];
    const r = cli(args, { CITYMESH_FAULT: JSON.stringify({ tiles: [tile], mode }) });
    assert.equal(r.code, 1, r.stderr.slice(-3000));
    const reason = mode === "throw" ? `injected fault on tile ${tile}` : "exit|terminated|Worker";
    assert.match(r.stderr, new RegExp(`citymesh: Tile ${tile} \\(bounds [-\\d., ]+ m\\) failed twice: .*(${reason})`));
    assert.ok(!fs.existsSync(out), "no output after a failed build");
    const store = storeOf(scratch);
    const m = readManifest(store)!;
    assert.equal(m.tiles[tile].status, "failed");
    const built = tilesDone(r.stderr);
    const kept = storedTiles(store);
    // Every tile reported done is in the store (nothing finished is dropped) and the failed one is not.
    const missing = built.filter((t) => !kept.includes(t));
    ctx.lost += missing.length;
    assert.deepEqual(missing, [], "tiles reported done are missing from the store");
    assert.ok(!kept.includes(tile));
    if (tile === TILES - 1) assert.equal(kept.length, TILES - 1, "all other tiles complete in the store");
    ctx.note(`${kept.length} of ${TILES - 1} other tiles in the store after the failure`);

    const again = cli(args);
    assert.equal(again.code, 0, again.stderr.slice(-3000));
    assert.equal(reusedCount(again.stderr), kept.length);
    const rebuilt = tilesDone(again.stderr).sort((a, b) => a - b);
    const expected = Array.from({ length: TILES }, (_, i) => i).filter((i) => !kept.includes(i));
    assert.deepEqual(rebuilt, expected, "the rerun builds exactly the tiles missing from the store");
    const same = fs.readFileSync(out).equals(clean);
    if (!same) ctx.lost++;
    assert.ok(same, "output differs from a clean build");
  });
}

run(CASE, "production build: the fault hook is compiled out (CITYMESH_FAULT has no effect)", (ctx) => {
  const b = path.join(dir, "prod");
  fs.mkdirSync(b);
  // The same command as `npm run build -- --production`, in a private copy (other work uses ./dist).
  buildIn(projectCopy(b), true);
  for (const f of ["worker.mjs", "cli.mjs", "extension.js"]) {
    const text = fs.readFileSync(path.join(b, "dist", f), "utf8");
    assert.ok(!text.includes("CITYMESH_FAULT"), `${f} still reads CITYMESH_FAULT`);
    assert.ok(!text.includes("injected fault"), `${f} still contains the fault hook`);
  }
  const dev = fs.readFileSync(path.join(process.env.CITYMESH_FAULTS_DIST ?? path.join(ROOT, "dist"), "worker.mjs"), "utf8");
  assert.ok(dev.includes("CITYMESH_FAULT"), "the dev worker has the hook (so the check above means something)");
  const out = path.join(dir, "prod.glb");
  const r = spawnSync(process.execPath, [path.join(b, "dist", "cli.mjs"), "build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", path.join(dir, "s-prod"), "--quiet"], {
    encoding: "utf8", env: { ...process.env, CITYMESH_FAULT: JSON.stringify({ tiles: [3], mode: "throw" }) }, timeout: 240_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const same = fs.readFileSync(out).equals(clean);
  if (!same) ctx.lost++;
  assert.ok(same, "production output differs from the dev build");
});
