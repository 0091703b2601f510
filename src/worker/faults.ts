// Test-only fault injection, so the reliability tests can make chosen tiles throw, exit or hang.
// Production bundles are built with __CITYMESH_FAULTS__ = false and this code is removed.
// CITYMESH_FAULT = JSON {tiles: number[] (-1: the merge), mode: "throw"|"exit"|"slow"|"enospc",
//   ms?: number (slow), once?: path — fire only while this marker file does not exist yet,
//   phase?: "build"|"merge"|"merge-read"}. Without a phase a fault fires in "build" and "merge";
//   "merge-read" (each tile read back by the merge, tile id = index) fires only when named.
//   "enospc" fails the tile's store write as a full disk would (for machines where the tests
//   cannot mount a small file system).
import fs from "fs";
import { storeError } from "../core/store/fsLayer";

declare const __CITYMESH_FAULTS__: boolean | undefined;

export function injectFault(tileId: number, phase: "build" | "merge" | "merge-read", dir?: string): void {
  if (typeof __CITYMESH_FAULTS__ !== "undefined" && !__CITYMESH_FAULTS__) return;
  const spec = process.env.CITYMESH_FAULT;
  if (!spec) return;
  const f = JSON.parse(spec) as { tiles: number[]; mode: "throw" | "exit" | "slow" | "enospc"; ms?: number; once?: string; phase?: string };
  if (!f.tiles.includes(tileId) || (f.phase ? f.phase !== phase : phase === "merge-read")) return;
  if (f.mode === "slow") {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, f.ms ?? 1000);
    return;
  }
  if (f.once) {
    try { fs.writeFileSync(f.once, String(tileId), { flag: "wx" }); } catch { return; }
  }
  if (f.mode === "exit") process.exit(70);
  if (f.mode === "enospc") throw storeError(Object.assign(new Error("ENOSPC (injected)"), { code: "ENOSPC" }), dir ?? "(no store)", `write tile ${tileId} (tile_${tileId}.h5)`);
  throw new Error(`injected fault on tile ${tileId}`);
}
