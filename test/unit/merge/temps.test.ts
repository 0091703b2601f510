// removeMergeTemps: after a cancelled build (merge worker terminated) the spool folder and the
// unrenamed output of this process go; other processes' temp files and user files stay.
// Found by test:faults case 7 (Ctrl-C during the merge left `.city.glb.merge-<pid>-<hex>/`).
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { spawn, spawnSync } from "child_process";
import { mergeTempDir, removeMergeTemps } from "../../../src/core/merge/temps";

test("removeMergeTemps removes only this process's temp files for that output", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-temps-"));
  try {
    const out = path.join(dir, "city.glb");
    const spool = mergeTempDir(out);
    assert.match(path.basename(spool), new RegExp(`^\\.city\\.glb\\.merge-${process.pid}-[0-9a-f]{8}$`));
    fs.mkdirSync(spool);
    fs.writeFileSync(path.join(spool, "positions.f64"), "x");
    const mine = [`city.glb.tmp-${process.pid}-0a1b2c3d`];
    const others = [`.city.glb.merge-${process.pid + 1}-0a1b2c3d`, `city.glb.tmp-${process.pid + 1}-0a1b2c3d`, `.other.glb.merge-${process.pid}-0a1b2c3d`, `city.glb.tmp-${process.pid}-notes.txt`, "city.glb"];
    for (const n of [...mine, ...others]) fs.writeFileSync(path.join(dir, n), "x");
    removeMergeTemps(out);
    assert.deepEqual(fs.readdirSync(dir).sort(), others.sort());
    removeMergeTemps(path.join(dir, "missing", "x.glb")); // no folder: nothing to do, no throw
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("removeMergeTemps 'stale' removes the temp files of processes that no longer run, and no others", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-temps-"));
  // Lives until killed (it waits on its stdin), however long the test takes.
  const live = spawn(process.execPath, ["-e", "process.stdin.resume()"], { stdio: ["pipe", "ignore", "ignore"] });
  try {
    // A pid that surely ran and is gone: a child that has exited (and been reaped).
    const gone = spawnSync(process.execPath, ["-e", "process.pid"]).pid!;
    const out = path.join(dir, "city.glb");
    const dead = [`.city.glb.merge-${gone}-0a1b2c3d`, `city.glb.tmp-${gone}-0a1b2c3d`];
    const keep = [`.city.glb.merge-${live.pid}-0a1b2c3d`, `city.glb.tmp-${live.pid}-0a1b2c3d`, `.city.glb.merge-${process.pid}-0a1b2c3d`, `.other.glb.merge-${gone}-0a1b2c3d`, "city.glb"];
    fs.mkdirSync(path.join(dir, dead[0]));
    fs.writeFileSync(path.join(dir, dead[0], "positions.f64"), "x");
    for (const n of [...dead.slice(1), ...keep]) fs.writeFileSync(path.join(dir, n), "x");
    removeMergeTemps(out, "stale");
    assert.deepEqual(fs.readdirSync(dir).sort(), keep.sort());
  } finally {
    live.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a build's spool folder goes to its scratch directory, not beside the output, and is removed from there", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-temps-"));
  try {
    const outDir = path.join(dir, "workspace"), scratch = path.join(dir, "scratch");
    fs.mkdirSync(outDir);
    fs.mkdirSync(scratch);
    const out = path.join(outDir, "city.glb");
    const spool = mergeTempDir(out, scratch);
    assert.equal(path.dirname(spool), scratch);
    fs.mkdirSync(spool);
    fs.writeFileSync(path.join(spool, "positions.f64"), "x");
    fs.writeFileSync(path.join(outDir, `city.glb.tmp-${process.pid}-0a1b2c3d`), "x"); // the unrenamed output stays beside it
    removeMergeTemps(out, "mine", scratch);
    assert.deepEqual(fs.readdirSync(scratch), []);
    assert.deepEqual(fs.readdirSync(outDir), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
