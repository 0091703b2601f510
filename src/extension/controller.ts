// Runs one build at a time and shows it: status bar, log, Problems panel, live viewer tiles, the finished mesh.
// Palette commands and tasks both go through run(); only how they report progress differs.
import fs from "fs";
import path from "path";
import * as vscode from "vscode";
import { CityMeshError, isCancelled } from "../core/errors";
import { problemCountText } from "../core/problemList";
import { newPreviewDir } from "../core/pipeline/scratchNames";
import type { BuildResult, Diagnostic, ProgressEvent } from "../core/types";
import { Config } from "./config";
import { loadBuild, type BuildFn, type ViewerApi } from "./deps";
import { phaseLabel, progressLine, statusBarText, summaryLines } from "./format";
import type { BuildOverrides } from "./options";
import { toBuildOptions } from "./options";
import type { ResolvedOptions } from "../core/options";
import { PATH_OPTIONS } from "../core/optionTable";
import { checkPathsInsideWorkspace, type PathSetting } from "./paths";
import { pathValues } from "./pathPolicy";
import { Problems } from "./problems";

export const BUILDING_CONTEXT_KEY = "citymesh.building";
/** Output formats the viewer draws; the others (CityJSON) are not shown in it after a build. */
const VIEWER_FORMATS: readonly string[] = ["glb", "ply", "obj", "stl"];
const LAST_REQUEST_KEY = "citymesh.lastRequest";

export interface BuildRequest {
  /** Absolute path of the GeoJSON. */
  input: string;
  overrides: BuildOverrides;
  /**
   * Where the overrides come from. "workspace" (a tasks.json definition) is vetted like workspace settings:
   * its paths must stay inside the workspace folder. "user" (quick picks, dialogs) is the user's own choice.
   */
  overridesFrom: "user" | "workspace";
  /** Open the finished mesh in the viewer and offer "Reveal in Explorer". */
  showResult: boolean;
}

export interface RunHooks {
  signal?: AbortSignal;
  /** Every progress line and core log line, for a task terminal. */
  onLine?(line: string): void;
  onProgress?(e: ProgressEvent): void;
}

/** The workspace folder a file belongs to (multi-root: the folder containing it), else the first one. */
export function folderOf(file: string): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) ?? vscode.workspace.workspaceFolders?.[0];
}

export class BuildController implements vscode.Disposable {
  readonly statusBar = vscode.window.createStatusBarItem("citymesh.build", vscode.StatusBarAlignment.Left, 10);
  private abort: AbortController | undefined;
  private buildFn: BuildFn | undefined;
  private current: BuildRequest | undefined;
  private readonly progressEmitter = new vscode.EventEmitter<ProgressEvent>();
  private readonly finishEmitter = new vscode.EventEmitter<{ request: BuildRequest; result?: BuildResult; error?: unknown }>();
  /** Every progress event of the running build. */
  readonly onDidProgress = this.progressEmitter.event;
  /** A build ended: with a result, or with the error (a CityMeshError "cancelled" when cancelled). */
  readonly onDidFinish = this.finishEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    readonly problems: Problems,
    private readonly viewer: ViewerApi,
  ) {
    this.statusBar.name = "City Mesh Build";
    this.statusBar.command = "citymesh.statusBarMenu";
  }

  get running(): boolean {
    return this.abort !== undefined;
  }

  get runningInput(): string | undefined {
    return this.current?.input;
  }

  /** The last build started in this workspace, for Resume Build (kept across reloads). */
  get lastRequest(): BuildRequest | undefined {
    return this.context.workspaceState.get<BuildRequest>(LAST_REQUEST_KEY);
  }

  /** Replaces the core's buildCityMesh (host tests script the pipeline with it); undefined restores the core. */
  setBuildFunction(fn: BuildFn | undefined): void {
    this.buildFn = fn;
  }

  cancel(): void {
    this.abort?.abort();
  }

  /**
   * Options the build would run with, after the Workspace Trust and path checks, and the settings
   * ignored on the way (out of the option table's limits); throws a CityMeshError when refused.
   */
  prepare(req: BuildRequest): { options: ResolvedOptions; ignoredSettings: string[] } {
    if (!vscode.workspace.isTrusted) {
      throw new CityMeshError("options", "City Mesh builds are disabled in Restricted Mode: a build runs worker threads and writes files next to the input and in a scratch store. Trust this workspace (Workspaces: Manage Workspace Trust) to build.");
    }
    const folder = folderOf(req.input);
    const config = new Config(folder?.uri ?? vscode.Uri.file(req.input));
    if (folder) {
      const vetted: PathSetting[] = [...config.workspaceLevelPaths];
      if (req.overridesFrom === "workspace") {
        for (const k of PATH_OPTIONS) for (const value of pathValues(req.overrides[k])) vetted.push({ name: `task property "${k}"`, value, option: k });
      }
      const problems = checkPathsInsideWorkspace(vetted, folder.uri.fsPath);
      if (problems.length) throw new CityMeshError("options", `Refusing to build: ${problems.join(" ")}`);
    }
    const { settings, ignored } = config.read();
    return { options: toBuildOptions(req.input, settings, folder?.uri.fsPath, req.overrides), ignoredSettings: ignored };
  }

  async run(req: BuildRequest, hooks: RunHooks = {}): Promise<BuildResult> {
    if (this.running) {
      throw new CityMeshError("options", `A City Mesh build is already running (${path.basename(this.current!.input)}). Cancel it or wait for it to finish.`);
    }
    const { options, ignoredSettings } = this.prepare(req);
    const build = this.buildFn ?? loadBuild();
    const abort = new AbortController();
    const onOuterAbort = () => abort.abort();
    hooks.signal?.addEventListener("abort", onOuterAbort);
    if (hooks.signal?.aborted) abort.abort();
    this.abort = abort;
    this.current = req;
    await this.context.workspaceState.update(LAST_REQUEST_KEY, req);
    void vscode.commands.executeCommand("setContext", BUILDING_CONTEXT_KEY, true);

    const say = (line: string) => {
      this.log.info(line);
      hooks.onLine?.(line);
    };
    fs.mkdirSync(path.dirname(options.output), { recursive: true }); // outputDir / task "output" may name a new folder, which the live view watches
    say(`Building ${options.input} → ${options.output} (tile size ${options.tileSize} m, ${options.workers} workers, store ${options.useDiskStore ? options.scratchDir : "in memory"})`);
    for (const line of ignoredSettings) say(line);
    this.statusBar.text = `$(sync~spin) City Mesh: starting`;
    this.statusBar.tooltip = `Building ${options.input}\nClick to show the log or cancel the build`;
    this.statusBar.show();
    const viewer = req.showResult ? this.viewer : undefined;
    // Live previews go to a folder of their own: the build removes its store after the merge, while the viewer may
    // still be fetching. The folder goes once the viewer says it needs none of them any more.
    const previewDir = viewer ? newPreviewDir(options.scratchDir) : undefined;
    await viewer?.beginLive(path.basename(options.input), [options.scratchDir, path.dirname(options.output)]);

    let lastPhase = "";
    try {
      const result = await build(options, {
        signal: abort.signal,
        previewDir,
        log: (line) => {
          this.log.info(line);
          hooks.onLine?.(line);
        },
        onProgress: (e) => {
          this.statusBar.text = statusBarText(e);
          const line = progressLine(e);
          if (e.phase !== lastPhase) say(`${phaseLabel(e.phase)}…`);
          lastPhase = e.phase;
          this.log.debug(line);
          hooks.onLine?.(line);
          if (e.tileFile) viewer?.addLiveTile(e.tileFile);
          hooks.onProgress?.(e);
          this.progressEmitter.fire(e);
        },
      });
      this.problems.publish(options.input, result.diagnostics);
      for (const l of summaryLines(result)) say(l);
      if (req.showResult) void this.showResult(result);
      this.finishEmitter.fire({ request: req, result });
      return result;
    } catch (e) {
      this.finishEmitter.fire({ request: req, error: e });
      if (isCancelled(e) || abort.signal.aborted) {
        say(`Build cancelled; finished tiles are kept in ${options.scratchDir}. Run "City Mesh: Resume Build" to continue.`);
        throw e instanceof CityMeshError ? e : new CityMeshError("cancelled", "Build cancelled.");
      }
      const msg = e instanceof Error ? e.message : String(e);
      this.log.error(`Build failed: ${msg}`);
      // An input with no usable building fails the build; its per-feature problems still belong in the Problems panel.
      const diagnostics = e instanceof CityMeshError ? e.details.diagnostics : undefined;
      if (Array.isArray(diagnostics)) this.problems.publish(options.input, diagnostics as Diagnostic[]);
      if (!(e instanceof CityMeshError) && e instanceof Error && e.stack) this.log.error(e.stack);
      throw e;
    } finally {
      hooks.signal?.removeEventListener("abort", onOuterAbort);
      if (viewer && previewDir) {
        void viewer.releaseLive()
          .then(() => fs.rmSync(previewDir, { recursive: true, force: true }))
          .catch((e: Error) => this.log.warn(`Could not remove the live preview folder ${previewDir}: ${e.message}`));
      }
      this.abort = undefined;
      this.current = undefined;
      this.statusBar.hide();
      void vscode.commands.executeCommand("setContext", BUILDING_CONTEXT_KEY, false);
    }
  }

  private async showResult(result: BuildResult): Promise<void> {
    // The viewer reads meshes (GLB, PLY, OBJ, STL) and streams a 3D Tiles tileset (its tileset.json; the properties are
    // in its contents); a CityJSON city model is opened as the JSON text it is, on request.
    const viewable = VIEWER_FORMATS.includes(result.format);
    const file = result.format === "3dtiles" && !/\.json$/i.test(result.output) ? path.join(result.output, "tileset.json") : result.output;
    try {
      if (result.format === "3dtiles") await this.viewer.show(file);
      else if (viewable) await this.viewer.show(result.output, { buildingsFile: result.buildingsFile });
    } catch (e) {
      this.log.error(`Could not open the viewer: ${e instanceof Error ? e.message : String(e)}`);
    }
    const reveal = "Reveal in Explorer", showProblems = "Show Problems", open = "Open File";
    const problems = result.diagnostics.length ? `; input: ${problemCountText(result.diagnostics)}` : "";
    const pick = await vscode.window.showInformationMessage(
      `City mesh written: ${path.basename(result.output)} (${result.triangles.toLocaleString("en-US")} triangles${problems}).`,
      ...(result.diagnostics.length ? [showProblems] : []), ...(viewable || result.format === "3dtiles" ? [] : [open]), reveal,
    );
    if (pick === showProblems) await vscode.commands.executeCommand("workbench.actions.view.problems");
    if (pick === open) await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    if (pick === reveal) {
      const uri = vscode.Uri.file(result.output);
      await vscode.commands.executeCommand(vscode.workspace.getWorkspaceFolder(uri) ? "revealInExplorer" : "revealFileInOS", uri);
    }
  }

  dispose(): void {
    this.cancel();
    this.statusBar.dispose();
    this.progressEmitter.dispose();
    this.finishEmitter.dispose();
  }
}
