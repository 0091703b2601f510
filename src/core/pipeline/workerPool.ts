// The worker pool of a build: workerpool threads running dist/worker.mjs. A failed tile is
// retried once in a fresh worker (its own one-thread pool), so a worker left in a bad state
// (or one that exited) cannot fail the retry too. Jobs are named, given arguments and answered as
// the job contract (jobs.ts) says.
import fs from "fs";
import path from "path";
import workerpool from "workerpool";
import { fromWorker } from "../errors";
import type { JobArgs, JobEvent, JobName, JobResult } from "./jobs";

/** How a job is run: buffers to move to the worker instead of copying, and a listener for the job's events. */
export interface ExecOptions<K extends JobName> {
  transfer?: ArrayBuffer[];
  on?: (e: JobEvent<K>) => void;
}

/** dist/worker.mjs beside the running bundle, or in the package when running from source (tests). */
export function findWorkerScript(explicit?: string): string {
  const candidates = [explicit, process.env.CITYMESH_WORKER];
  if (typeof __dirname !== "undefined") candidates.push(path.join(__dirname, "worker.mjs"));
  for (let d = process.cwd(); ; d = path.dirname(d)) {
    candidates.push(path.join(d, "dist", "worker.mjs"));
    if (path.dirname(d) === d) break;
  }
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  throw new Error("citymesh: dist/worker.mjs not found; run `npm run build` first");
}

/** dist/planner.mjs, the planner's bundle, beside the worker bundle. */
export function plannerScript(workerScript: string): string {
  return path.join(path.dirname(workerScript), "planner.mjs");
}

/** The script of the planner's threads (the read's ranges, the clean-up's parts), beside the worker script. */
export function plannerThreadScript(workerScript: string): string {
  return path.join(path.dirname(workerScript), "planner-thread.mjs");
}

/**
 * Runs one job in a child process of its own that exits afterwards. Used for planning, which
 * holds every footprint of the city and a lot of short-lived garbage: a process gives all of it
 * back to the system when it exits, where a thread that ends leaves tens of MB in the malloc
 * arenas of this process (measured: 40 MB after planning 128,000 buildings, none after 8,000),
 * which then stays for the whole build. An abort kills the process at once (the promise then
 * rejects); if this process dies, the child exits when its IPC channel closes.
 */
export async function execAlone<K extends JobName>(script: string, job: K, args: JobArgs<K>, opts: { on?: (e: JobEvent<K>) => void; signal?: AbortSignal } = {}): Promise<JobResult<K>> {
  const p = workerpool.pool(script, {
    maxWorkers: 1,
    workerType: "process",
    // Structured clone over IPC, so typed arrays arrive as typed arrays. Inside VS Code the
    // executable is Electron's: ELECTRON_RUN_AS_NODE makes the child a plain Node process.
    // MALLOC_MMAP_THRESHOLD_ (glibc): the geometry kernel allocates and frees typed arrays of
    // tens of MB in turn; with glibc's sliding threshold they come from the heap, whose freed
    // space stays resident. A fixed 64 KiB threshold maps each one and gives it back when freed
    // (planning 128,000 buildings: peak RSS 356 → 329 MB, three runs each).
    // GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (glibc 2.35+; ignored by older ones and by the kernel
    // when transparent huge pages are off): those mapped arrays get huge pages (madvise), so a
    // fresh 40 MB array costs 20 page faults instead of 10,000, each zeroing 4 KiB. The faults were
    // the price of giving the arrays back: keeping them instead (glibc's sliding threshold) made
    // the plan 30–45 % faster but its peak grew by 30 MB on New York and 280 MiB on 1,000,000
    // buildings. With huge pages, runs interleaved: 512,000 generated buildings planned in 9.4 s
    // instead of 12.0 at 551 vs 520 MiB (one run each); 1,000,000 in 17.9 s instead of 23.2 at
    // the same peak (one run each); New York in 3.6–3.7 s instead of 3.9–4.8 at the same peak
    // (three runs each).
    // A profiled build (node --cpu-prof …) profiles its planner too: workerpool starts the child
    // without this process's flags, and reading and planning are a third of a build's time.
    forkOpts: { serialization: "advanced", env: { MALLOC_MMAP_THRESHOLD_: "65536", GLIBC_TUNABLES: "glibc.malloc.hugetlb=1", ...process.env, ELECTRON_RUN_AS_NODE: "1" }, execArgv: process.execArgv.filter((a) => a.startsWith("--cpu-prof")) },
  });
  const onAbort = () => void p.terminate(true);
  opts.signal?.addEventListener("abort", onAbort);
  try {
    if (opts.signal?.aborted) throw new Error("aborted");
    return (await p.exec(job, args, { on: opts.on })) as JobResult<K>;
  } catch (e) {
    throw fromWorker(e);
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    await p.terminate(true);
  }
}

export class BuildPool {
  private pool: workerpool.Pool;
  private retryPools = new Set<workerpool.Pool>();
  /** `limits`: V8 heap limits of each thread (worker_threads resourceLimits). */
  constructor(private readonly script: string, readonly size: number, private readonly limits?: { maxYoungGenerationSizeMb?: number }) {
    this.pool = workerpool.pool(script, { maxWorkers: size, workerType: "thread", ...(limits ? { workerThreadOpts: { resourceLimits: limits } } : {}) });
  }

  exec<K extends JobName>(job: K, args: JobArgs<K>, opts: ExecOptions<K> = {}): Promise<JobResult<K>> {
    return this.pool.exec(job, args, opts) as unknown as Promise<JobResult<K>>;
  }

  /**
   * Resolves once every thread of the pool has started and answered (workerpool's built-in
   * `methods` call). A job sent to a thread that is still loading waits for the thread's "ready"
   * message, which this thread only reads when its event loop turns: work done here synchronously
   * right after sending (the planner cleaning a part of its own) would hold the thread's job back
   * until it finished (New York: a 1.6 s part answered after 3.3 s).
   */
  async started(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, () => this.pool.exec("methods", [])));
  }

  /**
   * Ends the pool's threads and starts an empty pool in its place (threads start as jobs come).
   * Before the merge: the tile workers' heaps and h5wasm memory, which the merge does not need,
   * go back to the system instead of staying beside the merge worker's.
   */
  renew(): Promise<void> {
    const old = this.pool;
    this.pool = workerpool.pool(this.script, { maxWorkers: this.size, workerType: "thread", ...(this.limits ? { workerThreadOpts: { resourceLimits: this.limits } } : {}) });
    // The old threads are idle: they end while the new pool's first thread starts.
    return old.terminate().then(() => undefined);
  }

  /** Runs a job in a fresh single-thread pool that is discarded afterwards. */
  async execFresh<K extends JobName>(job: K, args: JobArgs<K>, opts: ExecOptions<K> = {}): Promise<JobResult<K>> {
    const p = workerpool.pool(this.script, { maxWorkers: 1, workerType: "thread" });
    this.retryPools.add(p);
    try {
      return (await p.exec(job, args, opts)) as JobResult<K>;
    } finally {
      this.retryPools.delete(p);
      await p.terminate(true);
    }
  }

  async close(force = false): Promise<void> {
    await Promise.all([this.pool.terminate(force), ...[...this.retryPools].map((p) => p.terminate(true))]);
  }
}
