// Test-only fault injection, so the reliability tests can make chosen tiles throw, exit or hang.
// Production bundles are built with __CITYMESH_FAULTS__ = false and this code is removed.
// CITYMESH_FAULT = JSON {tiles: number[] (-1: the merge), mode: "throw"|"exit"|"slow",
//   ms?: number (slow), once?: path — fire only while this marker file does not exist yet}.
import fs from "fs";

declare const __CITYMESH_FAULTS__: boolean | undefined;

export function injectFault(tileId: number, phase: "build" | "merge"): void {
  if (typeof __CITYMESH_FAULTS__ !== "undefined" && !__CITYMESH_FAULTS__) return;
  const spec = process.env.CITYMESH_FAULT;
  if (!spec) return;
  const f = JSON.parse(spec) as { tiles: number[]; mode: "throw" | "exit" | "slow"; ms?: number; once?: string; phase?: string };
  if (!f.tiles.includes(tileId) || (f.phase && f.phase !== phase)) return;
  if (f.mode === "slow") {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, f.ms ?? 1000);
    return;
  }
  if (f.once) {
    try { fs.writeFileSync(f.once, String(tileId), { flag: "wx" }); } catch { return; }
  }
  if (f.mode === "exit") process.exit(70);
  throw new Error(`injected fault on tile ${tileId}`);
}
