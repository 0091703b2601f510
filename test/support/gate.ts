// The test side of the fault hook's "hold" mode (src/core/pipeline/faultHook.ts): a build is parked at an
// exact phase of an exact tile, the test waits for the event that says so (the reached file), then
// acts (SIGINT, SIGKILL, a second build) while that phase certainly runs, whatever the machine's
// load. No sleeps: every wait here is for an event, with a safety limit measured in minutes.
import fs from "fs";
import path from "path";

export type HoldPhase = "build" | "merge" | "merge-read" | "plan";

/** Safety limit on waiting for an event (a held phase, a log line): only reached when something is broken. */
export const EVENT_TIMEOUT = 300_000;

const open = new Set<Gate>();

export class Gate {
  readonly dir: string;
  private released = false;

  /** A gate folder under `parent` (the test's temp folder). */
  constructor(parent: string, name: string) {
    this.dir = fs.mkdtempSync(path.join(parent, `gate-${name}-`));
    open.add(this);
  }

  /** CITYMESH_FAULT that holds `tiles` (-1: the merge, or the planner) at `phase`. */
  env(phase: HoldPhase, tiles: number[]): Record<string, string> {
    return { CITYMESH_FAULT: JSON.stringify({ tiles, mode: "hold", gate: this.dir, phase }) };
  }

  /** Whether `tile` has reached `phase` (and is held there, unless the gate was released). */
  isReached(phase: HoldPhase, tile: number): boolean {
    return fs.existsSync(path.join(this.dir, `reached-${phase}-${tile}`));
  }

  /** Tiles that reached `phase`, in id order. */
  reachedTiles(phase: HoldPhase): number[] {
    return fs.readdirSync(this.dir).map((n) => new RegExp(`^reached-${phase}-(-?\\d+)$`).exec(n)).filter(Boolean).map((m) => Number(m![1])).sort((a, b) => a - b);
  }

  /** Lets every held phase go on (idempotent). */
  release(): void {
    if (this.released) return;
    this.released = true;
    open.delete(this);
    try { fs.writeFileSync(path.join(this.dir, "release"), ""); } catch { /* the folder is gone: nothing can be held on it */ }
  }
}

/** Releases every gate not released yet (a test's finally: a held worker must never outlive its test). */
export function releaseAllGates(): void {
  for (const g of [...open]) g.release();
}

/**
 * Waits until `cond()` is true, polling (the held worker and the CLI signal through files and
 * their stderr). Rejects, naming `what`, when `ended()` says the process that should make it true
 * is gone first, or after the safety limit.
 */
export async function waitFor(what: string, cond: () => boolean, ended: () => boolean = () => false, timeoutMs = EVENT_TIMEOUT, detail: () => string = () => ""): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (cond()) return;
    if (ended()) {
      if (cond()) return;
      throw new Error(`the process ended before ${what}${detail() ? `:\n${detail()}` : ""}`);
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${what} within the safety limit of ${timeoutMs / 1000} s${detail() ? `:\n${detail()}` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
