// Task type "citymesh": one auto-detected task per .geojson in the workspace, tasks.json definitions resolved,
// all run in-process through CustomExecution (the build needs the extension's state: one build at a time, status
// bar, Problems panel) with a Pseudoterminal that streams progress; close() of the terminal cancels the build.
import path from "path";
import * as vscode from "vscode";
import { isCancelled } from "../core/errors";
import type { BuildController } from "./controller";
import { taskDefinitionToOverrides, type CityMeshTaskDefinition } from "./options";
import { substituteInDefinition } from "./variables";
import { taskPathProblems } from "./pathPolicy";
import { FOOTPRINT_EXTENSIONS, FOOTPRINT_SUFFIXES } from "./paths";

export const TASK_TYPE = "citymesh";
/** At most this many GeoJSON files are offered as auto-detected tasks. */
const MAX_DETECTED = 50;

export class CityMeshTaskProvider implements vscode.TaskProvider {
  constructor(private readonly controller: BuildController) {}

  async provideTasks(token: vscode.CancellationToken): Promise<vscode.Task[]> {
    const files = await vscode.workspace.findFiles(`**/*.{${[...FOOTPRINT_EXTENSIONS, ...FOOTPRINT_SUFFIXES].join(",")}}`, "{**/node_modules/**,**/.citymesh/**}", MAX_DETECTED, token);
    return files.map((uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const input = folder ? "${workspaceFolder}/" + path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join("/") : uri.fsPath;
      return this.makeTask({ type: TASK_TYPE, input }, folder ?? vscode.TaskScope.Workspace, `build ${path.basename(uri.fsPath)}`);
    });
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as CityMeshTaskDefinition;
    if (def.type !== TASK_TYPE) return undefined;
    // Keep the user's definition object as is: VS Code matches resolved tasks to tasks.json entries by it.
    return this.makeTask(def, task.scope ?? vscode.TaskScope.Workspace, task.name);
  }

  makeTask(def: CityMeshTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope, name: string): vscode.Task {
    const t = new vscode.Task(def, scope, name, TASK_TYPE,
      new vscode.CustomExecution(async (resolved) => new BuildTerminal(this.controller, resolved, typeof scope === "object" ? scope : undefined)),
      []);
    t.group = vscode.TaskGroup.Build;
    t.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    return t;
  }
}

/** Terminal of one task run. Lines from the build are written as they come; the exit code is 0 or 1. */
export class BuildTerminal implements vscode.Pseudoterminal {
  private readonly write = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.write.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly abort = new AbortController();

  constructor(private readonly controller: BuildController, private readonly definition: vscode.TaskDefinition, private readonly folder?: vscode.WorkspaceFolder) {}

  open(): void {
    void this.runBuild();
  }

  /** The terminal was closed or the task terminated: cancel the build (finished tiles stay in the store). */
  close(): void {
    this.abort.abort();
  }

  private line(s: string): void {
    this.write.fire(s.replace(/\r?\n/g, "\r\n") + "\r\n");
  }

  private async runBuild(): Promise<void> {
    let code = 1;
    try {
      // VS Code has resolved ${...} variables already in most cases; substitute whatever is left.
      const unresolved: string[] = [];
      const editor = vscode.window.activeTextEditor?.document.uri;
      const folders = Object.fromEntries((vscode.workspace.workspaceFolders ?? []).map((f) => [f.name, f.uri.fsPath]));
      const def = substituteInDefinition(this.definition, {
        workspaceFolder: this.folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
        workspaceFolders: folders,
        file: editor?.scheme === "file" ? editor.fsPath : undefined,
      }, unresolved);
      if (unresolved.length) throw new Error(`Cannot resolve ${[...new Set(unresolved)].join(", ")} in the task definition.`);
      const parsed = taskDefinitionToOverrides(def as Record<string, unknown>);
      if ("error" in parsed) throw new Error(parsed.error);
      const base = this.folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
      // tasks.json is workspace content: its input (the mesh goes beside it) and paths stay inside the workspace.
      const taskFolders = this.folder ? [this.folder.uri.fsPath] : (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
      const problems = taskPathProblems({ input: parsed.input, ...parsed.overrides }, base, taskFolders);
      if (problems.length) throw new Error(`Refusing to build: ${problems.join(" ")}`);
      const input = path.resolve(base, parsed.input);
      const result = await this.controller.run({ input, overrides: parsed.overrides, overridesFrom: "workspace", showResult: false }, {
        signal: this.abort.signal,
        onLine: (l) => this.line(l),
      });
      this.line(`\x1b[32mDone: ${result.output}\x1b[0m`);
      code = 0;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.line(isCancelled(e) ? `\x1b[33m${msg}\x1b[0m` : `\x1b[31mcitymesh: ${msg}\x1b[0m`);
    }
    this.closeEmitter.fire(code);
  }
}
