// The store lock: one holder, a refusal that names it, stale locks taken over, and a lock that
// is never seen half-written (builds started together each find either no lock or a whole one).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { lockStore } from "../../../src/core/store/lock";
import { CityMeshError } from "../../../src/core/errors";
import { isTempName } from "../../../src/core/store/fsLayer";

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-lock-"));
const me = `${process.pid}@${os.hostname()}`;

test("the lock names its holder, a second lock is refused naming it, release removes it and leaves no temp file", () => {
  const dir = tmpDir();
  const release = lockStore(dir);
  assert.equal(fs.readFileSync(path.join(dir, "build.lock"), "utf8"), me);
  assert.throws(() => lockStore(dir), (e: unknown) => {
    assert.ok(e instanceof CityMeshError && e.code === "store");
    assert.ok(e.message.includes(`Another build (process ${me})`), e.message);
    assert.ok(e.message.includes(path.join(dir, "build.lock")));
    return true;
  });
  release();
  assert.deepEqual(fs.readdirSync(dir), []);
  lockStore(dir)();
});

test("a stale lock (its process is gone, this machine) is taken over; another machine's is not", () => {
  const dir = tmpDir();
  const dead = 2 ** 22 + 12345; // above Linux's pid_max default: never a running process
  fs.writeFileSync(path.join(dir, "build.lock"), `${dead}@${os.hostname()}`);
  const release = lockStore(dir);
  assert.equal(fs.readFileSync(path.join(dir, "build.lock"), "utf8"), me);
  release();
  fs.writeFileSync(path.join(dir, "build.lock"), `${dead}@some-other-node`);
  assert.throws(() => lockStore(dir), /Another build \(process \d+@some-other-node\)/);
});

test("a lock file in a directory that cannot take it is a store error naming the directory", () => {
  const dir = path.join(tmpDir(), "missing");
  assert.throws(() => lockStore(dir), (e: unknown) => e instanceof CityMeshError && e.code === "store" && e.message.includes(dir));
});

test("processes racing for one lock: exactly one wins each round, every refusal names the winner (never 'unknown')", async () => {
  const src = path.resolve(import.meta.dirname ?? __dirname, "../../../src/core/store/lock.ts");
  // Each racer waits for a go file (so all start the race together), tries the lock once, prints the outcome.
  const racer = `
    const fs = require("fs");
    const { lockStore } = require(${JSON.stringify(src)});
    const [dir, go] = process.argv.slice(-2);
    process.stdin.once("data", () => {
      try { lockStore(dir); console.log("WON"); } catch (e) { console.log("REFUSED " + e.message); }
      process.stdin.once("data", () => process.exit(0)); // holds the lock until told to end
    });
    console.log("READY");
  `;
  for (let round = 0; round < 6; round++) {
    const dir = tmpDir();
    const kids = Array.from({ length: 6 }, () => spawn(process.execPath, ["--import", "tsx", "-e", racer, dir, "go"], { stdio: ["pipe", "pipe", "inherit"] }));
    try {
      const outs = kids.map(() => "");
      const lines = (i: number, want: RegExp) => new Promise<void>((resolve, reject) => {
        const check = () => { if (want.test(outs[i])) { kids[i].stdout!.off("data", on); resolve(); } };
        const on = (d: Buffer) => { outs[i] += d; check(); };
        kids[i].stdout!.on("data", on);
        kids[i].once("exit", () => (want.test(outs[i]) ? resolve() : reject(new Error(`racer ${i} ended: ${outs[i]}`))));
        check();
      });
      await Promise.all(kids.map((_, i) => lines(i, /READY/)));
      for (const k of kids) k.stdin!.write("go\n");
      await Promise.all(kids.map((_, i) => lines(i, /WON|REFUSED/)));
      const won = outs.filter((o) => o.includes("WON")).length;
      const refused = outs.filter((o) => o.includes("REFUSED"));
      assert.equal(won, 1, `exactly one racer holds the lock:\n${outs.join("")}`);
      for (const r of refused) assert.match(r, /Another build \(process \d+@[^)]+\)/, "a refusal names the holder");
      for (const k of kids) k.stdin!.write("end\n");
      await Promise.all(kids.map((k) => (k.exitCode !== null ? Promise.resolve() : new Promise((r) => k.once("exit", r)))));
    } finally {
      for (const k of kids) if (k.exitCode === null) k.kill("SIGKILL"); // a failed round must not leave racers holding the runner open
    }
    assert.deepEqual(fs.readdirSync(dir).filter(isTempName), [], "no temp file left");
  }
});
