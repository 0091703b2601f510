// City Mesh for VS Code: wiring only. Builds run in-process through src/core (worker threads from dist/worker.mjs);
// see controller.ts (one build at a time, status bar, Problems), commands.ts, tasks.ts, config.ts.
import * as vscode from "vscode";
import { Config } from "./config";
import { BUILDING_CONTEXT_KEY, BuildController } from "./controller";
import { registerCommands } from "./commands";
import { loadViewer, type ViewerApi } from "./deps";
import { MESH_EDITOR_TYPE } from "./viewer/index";
import { Problems } from "./problems";
import { CityMeshTaskProvider, TASK_TYPE } from "./tasks";

export interface CityMeshExtensionApi {
  /** For tests and other extensions: the build controller (running state, last request). */
  readonly controller: BuildController;
  /** The mesh viewer (tests wait on onDidShowMesh for a drawn mesh). */
  readonly viewer: ViewerApi;
}

export function activate(context: vscode.ExtensionContext): CityMeshExtensionApi {
  const log = vscode.window.createOutputChannel("City Mesh", { log: true });
  const problems = new Problems();
  const viewer: ViewerApi = loadViewer(context); // registers the custom editor, serializer and citymesh.openViewer
  const controller = new BuildController(context, log, problems, viewer);
  context.subscriptions.push(log, problems, controller);
  void vscode.commands.executeCommand("setContext", BUILDING_CONTEXT_KEY, false);

  registerCommands(context, controller);
  context.subscriptions.push(vscode.tasks.registerTaskProvider(TASK_TYPE, new CityMeshTaskProvider(controller)));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (Config.affectsBuild(e)) log.debug("citymesh settings changed; they apply to the next build.");
  }));
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => log.info("Workspace trusted: City Mesh builds are enabled.")));
  log.info(`City Mesh ${context.extension.packageJSON.version} activated${vscode.workspace.isTrusted ? "" : " in Restricted Mode (builds disabled)"}.`);
  context.subscriptions.push(viewer.onDidShowMesh((e) =>
    log.info(`Viewer${e.viewType === MESH_EDITOR_TYPE ? " (custom editor)" : ""}: ${e.uri.fsPath || e.uri.toString()} on screen, ${e.triangles.toLocaleString("en-US")} triangles, ${e.buildings.toLocaleString("en-US")} buildings, first frame after ${e.firstFrameMs} ms.`)));
  return { controller, viewer };
}

export function deactivate(): void {
  // Disposables (including a running build's AbortController) go with context.subscriptions.
}
