// Test-only fault injection, so the reliability tests can make chosen tiles throw, exit or hold.
// Production bundles are built with __CITYMESH_FAULTS__ = false and this code is removed.
// CITYMESH_FAULT = JSON {tiles: number[] (-1: the merge, or the planner), mode: "throw"|"exit"|"hold"|"enospc",
//   once?: path — fire only while this marker file does not exist yet,
//   gate?: folder (hold) — see holdAtGate,
//   phase?: "build"|"merge"|"merge-read"|"plan"}. Without a phase a fault fires in "build" and "merge";
//   "merge-read" (each tile read back by the merge, tile id = index) fires only when named, and so
//   does "plan" (the planner process as it starts, before it reads the input; tile id -1; hold only).
//   "enospc" fails the tile's store write as a full disk would (for machines where the tests
//   cannot mount a small file system).
import fs from "fs";
import path from "path";
import { isMainThread } from "worker_threads";
import { storeError } from "../store/fsLayer";

declare const __CITYMESH_FAULTS__: boolean | undefined;

interface FaultSpec { tiles: number[]; mode: "throw" | "exit" | "hold" | "enospc"; once?: string; gate?: string; phase?: string }

export function injectFault(tileId: number, phase: "build" | "merge" | "merge-read", dir?: string): void {
  // Written out where it is used (not a helper): esbuild folds it to `return` and drops the rest.
  if (typeof __CITYMESH_FAULTS__ !== "undefined" && !__CITYMESH_FAULTS__) return;
  const spec = process.env.CITYMESH_FAULT;
  if (!spec) return;
  const f = JSON.parse(spec) as FaultSpec;
  if (!f.tiles.includes(tileId) || (f.phase ? f.phase !== phase : phase === "merge-read")) return;
  if (f.mode === "hold") return holdAtGate(f.gate!, phase, tileId);
  if (f.once) {
    try { fs.writeFileSync(f.once, String(tileId), { flag: "wx" }); } catch { return; }
  }
  if (f.mode === "exit") process.exit(70);
  if (f.mode === "enospc") throw storeError(Object.assign(new Error("ENOSPC (injected)"), { code: "ENOSPC" }), dir ?? "(no store)", `write tile ${tileId} (tile_${tileId}.h5)`);
  throw new Error(`injected fault on tile ${tileId}`);
}

/**
 * "hold": the phase stops here until the test lets it go, so a cancel, kill or race check acts
 * while this phase certainly runs, whatever the machine's load (slowing the phase down would only make that
 * likely). Arriving writes `<gate>/reached-<phase>-<tile>` (the event the test waits for; written
 * under a temporary name and renamed, so a test that sees it sees it whole); the thread then
 * blocks until `<gate>/release` exists. A cancel or kill that ends the worker ends the wait with
 * it. If the process that started this one is gone (the test, or the CLI for the planner process,
 * was killed), nobody can release the gate any more: the process ends itself rather than hang on.
 */
function holdAtGate(gate: string, phase: string, tileId: number): void {
  const parent = process.ppid;
  const reached = path.join(gate, `reached-${phase}-${tileId}`);
  fs.writeFileSync(`${reached}.tmp-${process.pid}`, String(process.pid));
  fs.renameSync(`${reached}.tmp-${process.pid}`, reached);
  const release = path.join(gate, "release");
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (!fs.existsSync(release)) {
    if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
    Atomics.wait(cell, 0, 0, 20); // a poll of the gate file, not a guess at timing
  }
}

/**
 * Phase "plan": the planner is a child process running the planner bundle (dist/planner.mjs, which
 * loads this module; core/pipeline/workerPool.ts execAlone), the only main thread with an IPC channel
 * that does. It is held here, as the
 * bundle loads and before the plan job can start, so a test can kill a build that is certainly in
 * its read/plan phase.
 */
function holdPlanner(): void {
  if (typeof __CITYMESH_FAULTS__ !== "undefined" && !__CITYMESH_FAULTS__) return;
  if (!isMainThread || typeof process.send !== "function") return;
  const spec = process.env.CITYMESH_FAULT;
  if (!spec) return;
  const f = JSON.parse(spec) as FaultSpec;
  if (f.phase === "plan" && f.mode === "hold" && f.tiles.includes(-1)) holdAtGate(f.gate!, "plan", -1);
}
holdPlanner();
