// A whole build in a child process of its own, for callers that must stay light: VS Code's extension host is
// shared by every extension the user has, and a city build's orchestration (the store's bookkeeping, the merge's
// worker, the buffers of progress and results) kept it at 743–943 MB during New York. The child runs
// buildCityMesh exactly as the CLI does, with the CLI's heap tuning, and talks over the IPC channel:
//   parent → child  { type: "build", options, previewDir? }, later { type: "cancel" }
//   child → parent  { type: "log", line } | { type: "progress", event } | { type: "done", result } | { type: "failed", error }
// A cancel is the same AbortSignal a CLI build gets, so the child cleans up (lock, temps, workers) as the CLI does
// before it answers; if the parent goes away, the child cancels its build itself and exits.
import { fork, type ChildProcess } from "child_process";
import type { BuildOptions, BuildResult, ProgressEvent } from "../types";
import { CityMeshError, fromWorker } from "../errors";
import type { BuildHooks } from "./build";

export type ToBuildProcess = { type: "build"; options: BuildOptions; previewDir?: string } | { type: "cancel" };
export type FromBuildProcess =
  | { type: "log"; line: string }
  | { type: "progress"; event: ProgressEvent }
  | { type: "done"; result: BuildResult }
  | { type: "failed"; error: Record<string, unknown> };

/** How much of the child's stderr a crash report quotes. */
const STDERR_TAIL = 4000;

/**
 * Runs buildCityMesh(options, hooks) in a child process started from `script` (dist/build-process.mjs). Progress,
 * log lines and the result arrive as from buildCityMesh; a CityMeshError thrown there is rethrown here with its
 * code and details. hooks.signal cancels the build; the promise settles when the child has cleaned up.
 */
export function buildInProcess(script: string, options: BuildOptions, hooks: BuildHooks = {}): Promise<BuildResult> {
  return new Promise<BuildResult>((resolve, reject) => {
    // Inside VS Code the executable is Electron's: ELECTRON_RUN_AS_NODE makes the child a plain Node process.
    const child: ChildProcess = fork(script, [], {
      serialization: "advanced", // structured clone: typed arrays and nested objects arrive as sent
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
    });
    let stderr = "", settled = false;
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (s: string) => { stderr = (stderr + s).slice(-STDERR_TAIL); });
    const send = (m: ToBuildProcess) => { if (child.connected) child.send(m); };
    const onAbort = () => send({ type: "cancel" });
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener("abort", onAbort);
      f();
    };
    child.on("message", (m: FromBuildProcess) => {
      if (m.type === "log") hooks.log?.(m.line);
      else if (m.type === "progress") hooks.onProgress?.(m.event);
      else if (m.type === "done") settle(() => resolve(m.result));
      else if (m.type === "failed") settle(() => reject(asError(m.error)));
    });
    child.on("error", (e) => settle(() => reject(new CityMeshError("options", `Could not start the build process (${script}): ${e.message}`))));
    child.on("exit", (code, signal) => settle(() => reject(hooks.signal?.aborted
      ? new CityMeshError("cancelled", "Build cancelled.")
      : new Error(`The build process exited unexpectedly (${signal ?? `exit code ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ""}`))));
    hooks.signal?.addEventListener("abort", onAbort);
    send({ type: "build", options, ...(hooks.previewDir ? { previewDir: hooks.previewDir } : {}) });
    if (hooks.signal?.aborted) onAbort();
  });
}

/** The child's side: answers one "build" message, then lets the process end. */
export function serveBuildProcess(build: (o: BuildOptions, h: BuildHooks) => Promise<BuildResult>): void {
  const abort = new AbortController();
  const post = (m: FromBuildProcess) => { if (process.connected) process.send!(m); };
  // The parent is gone (the extension host closed or crashed): nobody wants the result, so stop like a cancel.
  process.on("disconnect", () => abort.abort());
  process.on("message", (m: ToBuildProcess) => {
    if (m.type === "cancel") { abort.abort(); return; }
    if (m.type !== "build") return;
    build(m.options, {
      signal: abort.signal,
      previewDir: m.previewDir,
      log: (line) => post({ type: "log", line }),
      onProgress: (event) => post({ type: "progress", event }),
    }).then(
      (result) => post({ type: "done", result }),
      (e: unknown) => post({ type: "failed", error: errorRecord(e) }),
    ).finally(() => { if (process.connected) process.disconnect(); });
  });
}

/** The child's error record as an Error again: a CityMeshError with its code and details, else an Error with the child's stack. */
function asError(r: Record<string, unknown>): Error {
  const e = fromWorker(r);
  if (e instanceof Error) return e;
  return Object.assign(new Error(String(r.message)), { name: String(r.name ?? "Error"), ...(typeof r.stack === "string" ? { stack: r.stack } : {}) });
}

/** An error as plain data that fromWorker turns back into a CityMeshError (or an Error with its message). */
function errorRecord(e: unknown): Record<string, unknown> {
  if (e instanceof CityMeshError) return e.toJSON();
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: "Error", message: String(e) };
}
