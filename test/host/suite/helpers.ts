// Shared by the host tests: the workspace, the extension's API, waiting, screenshots through the driver.
import fs from "fs";
import path from "path";
import * as vscode from "vscode";
import type { CityMeshExtensionApi } from "../../../src/extension/extension";

// The host checks' GeoJSON city, one copy for this suite (bundled by esbuild) and the UI driver (plain node).
export { cityGeoJson } from "../../support/cityGeoJson.mjs";

export const EXTENSION_ID = "citymesh.citymesh";
export const repoRoot = path.resolve(__dirname, "..", "..", "..");
export const artifacts = path.join(repoRoot, "test", "artifacts");

export function workspaceDir(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error("the host suite needs a workspace folder");
  return f.uri.fsPath;
}

export async function api(): Promise<CityMeshExtensionApi> {
  const ext = vscode.extensions.getExtension<CityMeshExtensionApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  return ext.activate();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a condition (state this process cannot subscribe to) until it holds; the limit is for a loaded machine. */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 120_000, stepMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

/**
 * Asks the playwright driver for a workbench screenshot and waits until it is written. With `showing` (a CSS
 * selector) the driver first waits for that element to show, so the picture has what it is meant to show without
 * a guessed sleep. Limits are for a heavily loaded machine.
 */
export async function screenshot(name: string, showing?: string): Promise<string | undefined> {
  const file = path.join(artifacts, `${name}.png`);
  fs.rmSync(file, { force: true });
  console.log(`@@screenshot ${name}${showing ? ` ${showing}` : ""}`);
  try {
    await waitFor(`screenshot ${name}`, () => fs.existsSync(file), 300_000, 200);
    return file;
  } catch {
    console.log(`  (no screenshot ${name}: not driven by test/host/driver.mjs?)`);
    return undefined;
  }
}

/** Workbench elements a screenshot waits for (CSS with Playwright's :has-text, resolved by the driver). */
export const PROBLEM_ROW = ".markers-panel .monaco-list-row";
export const STATUS_ITEM = ".statusbar-item:has-text('City Mesh:')";
export const NOTIFICATION_BELL_DOT = ".statusbar-item .codicon-bell-dot";

/**
 * The build hold of this VS Code server, if it has one: run-host-tests.mjs starts the server with the test fault
 * hook in "hold" mode (CITYMESH_FAULT, inherited by the extension host and its workers), so tile `tile` of every
 * build waits at a gate folder while the gate is closed. The gate starts open. A test that must act while a real
 * build certainly runs closes it, starts the build, awaits `reached()` and opens it again when done. Undefined in a
 * host without the hook (a VSIX is a production bundle: the hook is compiled out).
 */
export interface BuildHold {
  tile: number;
  close(): void;
  open(): void;
  reached(timeoutMs?: number): Promise<true>;
}
export function buildHold(): BuildHold | undefined {
  const spec = process.env.CITYMESH_FAULT;
  if (!spec) return undefined;
  const f = JSON.parse(spec) as { tiles?: number[]; mode?: string; gate?: string; phase?: string };
  if (f.mode !== "hold" || !f.gate || f.phase !== "build" || f.tiles?.length !== 1) return undefined;
  const gate = f.gate, tile = f.tiles[0]!;
  const reachedFile = path.join(gate, `reached-build-${tile}`), release = path.join(gate, "release");
  return {
    tile,
    close: () => { fs.rmSync(reachedFile, { force: true }); fs.rmSync(release, { force: true }); },
    open: () => fs.writeFileSync(release, ""),
    reached: (timeoutMs = 600_000) => waitFor(`tile ${tile} to reach the build hold`, () => fs.existsSync(reachedFile), timeoutMs, 50),
  };
}

/** Runs a task and resolves with its process exit code. */
export async function runTask(task: vscode.Task, timeoutMs = 600_000): Promise<number | undefined> {
  return new Promise<number | undefined>((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`task ${task.name} did not end within ${timeoutMs} ms`)); }, timeoutMs);
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name === task.name && e.execution.task.definition.type === task.definition.type) {
        clearTimeout(timer);
        sub.dispose();
        resolve(e.exitCode);
      }
    });
    vscode.tasks.executeTask(task).then(undefined, (err) => { clearTimeout(timer); sub.dispose(); reject(err); });
  });
}

/** A task from the workspace's .vscode/tasks.json, as VS Code resolved it through the provider. */
export async function configuredTask(label: string): Promise<vscode.Task> {
  return waitFor(`task "${label}" from tasks.json`, async () => (await vscode.tasks.fetchTasks({ type: "citymesh" })).find((t) => t.name === label), 120_000, 500);
}
