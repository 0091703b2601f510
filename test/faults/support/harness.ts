// Shared pieces of the reliability suite (npm run test:faults): the built CLI (from the private
// build test/faults/run.mjs makes, so a concurrent `npm run build` cannot swap it mid-run),
// child processes that are killed on cue, seeded cities, and the per-run record that becomes the
// table in RELIABILITY.md. A cancel, kill or race check holds the phase it interrupts (Gate: the
// fault hook's "hold" mode) and acts on the event that it is reached, never after a delay.
import test from "node:test";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { Worker, type WorkerOptions } from "worker_threads";
import { generateCity, cityToGeoJSON, mulberry32 } from "../../support/cityGenerator";
import { Gate, releaseAllGates, waitFor } from "../../support/gate";

export { mulberry32, Gate, waitFor };
export const ROOT = path.resolve(__dirname, "../../..");
export const DIST = process.env.CITYMESH_FAULTS_DIST ?? path.join(ROOT, "dist");
export const CLI = path.join(DIST, "cli.mjs");
/** Generous: the suite runs on a loaded 2-core machine. Nothing here waits on a fixed delay to pass. */
const CHILD_TIMEOUT = 240_000;

export interface CliResult { code: number; stdout: string; stderr: string }

export function cli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: CHILD_TIMEOUT, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface Running {
  child: ChildProcess;
  stderr: () => string;
  /** True once the process has exited. */
  ended: () => boolean;
  /** Resolves once the process has exited and its stdout and stderr are read to the end. */
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Children started by cliStart that have not finished yet: run() kills what a failed test left. */
const live = new Set<Running>();

export function cliStart(args: string[], env: Record<string, string> = {}, onStderr?: (all: string, child: ChildProcess) => void): Running {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let stdout = "", stderr = "", exited = false;
  const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT);
  child.stdout!.on("data", (d) => { stdout += d; });
  child.stderr!.on("data", (d) => { stderr += d; onStderr?.(stderr, child); });
  child.on("exit", () => { exited = true; });
  // "close", not "exit": after "exit" the last of stderr may still be unread.
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => {
    clearTimeout(timer);
    exited = true;
    live.delete(r);
    resolve({ code: code ?? -1, signal, stdout, stderr });
  }));
  const r: Running = { child, stderr: () => stderr, ended: () => exited, done };
  live.add(r);
  return r;
}

/**
 * Runs the CLI with `env` (a hold, see Gate), waits until `ready(stderr)` is true — an event: a
 * held phase reached, tiles reported done — then sends `signal` and waits for the exit. Rejects
 * if the build ends before it is ready. The caller's run() releases gates and kills leftovers.
 */
export async function cliSignalAt(args: string[], env: Record<string, string>, what: string, ready: (stderr: string) => boolean, signal: NodeJS.Signals = "SIGKILL"): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  const r = cliStart(args, env);
  await waitFor(what, () => ready(r.stderr()), r.ended, undefined, () => r.stderr().slice(-2000));
  r.child.kill(signal);
  return r.done;
}

export const tilesDone = (log: string): number[] => [...log.matchAll(/^tile (\d+) done/gm)].map((m) => Number(m[1]));
export const reusedCount = (log: string): number => Number(/resuming: (\d+) of \d+ tile/.exec(log)?.[1] ?? 0);

/**
 * A worker thread running a TypeScript file of this suite. Node 20 does not carry tsx's loader
 * into a worker's entry: the worker registers it, then loads the TypeScript.
 */
export function tsWorker(file: string, workerData: unknown, resourceLimits?: WorkerOptions["resourceLimits"]): Worker {
  return new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(file)});`, { eval: true, workerData, resourceLimits });
}

export function tmpDir(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `citymesh-faults-${name}-`));
  test.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** The suite's city: 300 seeded buildings in RD New, 77 tiles of 80 m. */
export const CITY_ARGS = ["--tile-size", "80", "--workers", "2"];
export function writeCity(dir: string, buildings = 300, seed = 7): string {
  const f = path.join(dir, "city.geojson");
  fs.writeFileSync(f, cityToGeoJSON(generateCity({ buildings, seed, x0: 84123.4, y0: 446321.7 })));
  return f;
}

/** A clean build of `input` (its bytes are the reference every resumed build must equal). */
export function cleanBuild(input: string, dir: string, extra: string[] = []): Buffer {
  const out = path.join(dir, `clean-${path.basename(input, ".geojson")}.glb`);
  const r = cli(["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", path.join(dir, "s-clean"), "--quiet", ...extra]);
  if (r.code !== 0) throw new Error(`clean build failed: ${r.stderr}`);
  return fs.readFileSync(out);
}

/** The one store directory (<scratch>/<build key>) under a scratch dir. */
export function storeOf(scratch: string): string {
  const dirs = fs.readdirSync(scratch).map((n) => path.join(scratch, n)).filter((p) => fs.statSync(p).isDirectory());
  if (dirs.length !== 1) throw new Error(`expected one store under ${scratch}, found ${dirs.length}`);
  return dirs[0];
}
export const storedTiles = (store: string): number[] => fs.readdirSync(store).map((n) => /^tile_(\d+)\.h5$/.exec(n)).filter(Boolean).map((m) => Number(m![1])).sort((a, b) => a - b);

export interface RunCtx {
  /** Items (tiles, outputs, features) lost or silently damaged in this run; must stay 0. */
  lost: number;
  note(s: string): void;
}

/**
 * One run of a reliability case, as a node:test test. Records case, pass/fail and data lost to
 * CITYMESH_FAULTS_REPORT (a JSON-lines file the runner turns into the table).
 */
export function run(caseName: string, title: string, fn: (ctx: RunCtx) => Promise<void> | void, opts: { timeout?: number } = {}): void {
  test(`${caseName}: ${title}`, { timeout: opts.timeout ?? 300_000 }, async () => {
    const notes: string[] = [];
    const ctx: RunCtx = { lost: 0, note: (s) => notes.push(s) };
    const t0 = Date.now();
    let ok = false, error = "";
    try {
      await fn(ctx);
      ok = ctx.lost === 0;
      if (!ok) throw new Error(`${ctx.lost} item(s) lost`);
    } catch (e) {
      error = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 300);
      throw e;
    } finally {
      // A held worker never outlives its test: let every gate go and kill what is still running.
      releaseAllGates();
      const left = [...live];
      for (const c of left) c.child.kill("SIGKILL");
      await Promise.all(left.map((c) => c.done));
      const report = process.env.CITYMESH_FAULTS_REPORT;
      if (report) fs.appendFileSync(report, JSON.stringify({ case: caseName, title, ok, lost: ctx.lost, ms: Date.now() - t0, notes, error }) + "\n");
    }
  });
}
