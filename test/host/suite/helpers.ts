// Shared by the host tests: the workspace, the extension's API, waiting, screenshots through the driver.
import fs from "fs";
import path from "path";
import * as vscode from "vscode";
import type { CityMeshExtensionApi } from "../../../src/extension/extension";

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

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, stepMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

/** Asks the playwright driver for a workbench screenshot and waits (up to 60 s on a loaded machine) until it is written. */
export async function screenshot(name: string): Promise<string | undefined> {
  const file = path.join(artifacts, `${name}.png`);
  fs.rmSync(file, { force: true });
  console.log(`@@screenshot ${name}`);
  try {
    await waitFor(`screenshot ${name}`, () => fs.existsSync(file), 60_000, 200);
    return file;
  } catch {
    console.log(`  (no screenshot ${name}: not driven by scripts/host/driver.mjs?)`);
    return undefined;
  }
}

/** Runs a task and resolves with its process exit code. */
export async function runTask(task: vscode.Task, timeoutMs = 300_000): Promise<number | undefined> {
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
  return waitFor(`task "${label}" from tasks.json`, async () => (await vscode.tasks.fetchTasks({ type: "citymesh" })).find((t) => t.name === label), 30_000, 500);
}

/** A FeatureCollection of n×n rectangular buildings on a 20 m grid (WGS84 around Delft), one feature per line. */
export function cityGeoJson(n: number, lon0 = 4.35, lat0 = 52.0): string {
  const dLat = 20 / 111_320, dLon = 20 / (111_320 * Math.cos((lat0 * Math.PI) / 180));
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = lon0 + i * dLon, y = lat0 + j * dLat, w = dLon * 0.6, h = dLat * 0.5;
      const ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]].map(([a, b]) => [+a!.toFixed(7), +b!.toFixed(7)]);
      lines.push(JSON.stringify({ type: "Feature", properties: { id: `b${i}_${j}`, height: 5 + ((i * 7 + j * 3) % 40) }, geometry: { type: "Polygon", coordinates: [ring] } }));
    }
  }
  return `{"type":"FeatureCollection","features":[\n${lines.join(",\n")}\n]}\n`;
}
