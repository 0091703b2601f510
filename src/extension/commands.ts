// Palette, explorer and editor commands. Each is a thin handler over BuildController.
import fs from "fs";
import os from "os";
import path from "path";
import * as vscode from "vscode";
import { CityMeshError, isCancelled } from "../core/errors";
import { Config } from "./config";
import { folderOf, type BuildController, type BuildRequest } from "./controller";
import { fractionDone, progressText } from "./format";
import { QUICK_PICKS, type BuildOverrides } from "./options";
import { optionSpec } from "../core/optionTable";
import { FOOTPRINT_EXTENSIONS, isGeoJsonName, looksLikeGeoJson } from "./paths";
import { scratchDirOf } from "../core/options";
import { cleanScratchDirs } from "./scratch";

/** Files a command was invoked on: explorer multi-selection, one explorer/editor file, the active editor, or a pick. */
async function targets(uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<string[] | undefined> {
  const chosen = (uris?.length ? uris : uri ? [uri] : []).filter((u) => u.scheme === "file");
  if (chosen.length) return chosen.map((u) => u.fsPath);
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.uri.scheme === "file" && (isGeoJsonName(doc.fileName) || (/\.json$/i.test(doc.fileName) && looksLikeGeoJson(doc.getText(new vscode.Range(0, 0, 200, 0)))))) {
    return [doc.fileName];
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: true, openLabel: "Build City Mesh", title: "Building footprints",
    // The open dialog filters by last extension: .json and .jsonl cover CityJSON's .city.json(l); .zip a zipped Shapefile.
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri, filters: { "Building footprints": [...FOOTPRINT_EXTENSIONS, "json", "jsonl", "zip"] },
  });
  return picked?.map((u) => u.fsPath);
}

/**
 * Runs builds from the palette/menus with a cancellable notification. Several files (explorer multi-selection)
 * are built one after another, one mesh per file; Cancel stops the current one and skips the rest.
 */
async function runWithProgress(controller: BuildController, requests: BuildRequest[]): Promise<void> {
  if (controller.running) {
    const show = "Show Log", cancel = "Cancel Build";
    const pick = await vscode.window.showWarningMessage(`A City Mesh build is already running (${path.basename(controller.runningInput ?? "")}).`, show, cancel);
    if (pick === show) controller.log.show(true);
    if (pick === cancel) await vscode.commands.executeCommand("citymesh.cancelBuild");
    return;
  }
  if (!vscode.workspace.isTrusted) {
    const manage = "Manage Workspace Trust";
    void vscode.window.showWarningMessage("City Mesh builds are disabled in Restricted Mode: a build runs worker threads and writes the mesh and a scratch store. Trust this workspace to build.", manage)
      .then((p) => p && vscode.commands.executeCommand("workbench.trust.manage"));
    return;
  }
  for (let [i, req] of requests.entries()) {
    const title = `City Mesh${requests.length > 1 ? ` (${i + 1}/${requests.length})` : ""}: ${path.basename(req.input)}`;
    let cancelled = false;
    for (;;) try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => { cancelled = true; abort.abort(); });
        let done = 0;
        await controller.run(req, {
          signal: abort.signal,
          onProgress: (e) => {
            const f = fractionDone(e) * 100;
            progress.report({ increment: Math.max(0, f - done), message: progressText(e) });
            done = Math.max(done, f);
          },
        });
      });
      break;
    } catch (e) {
      // A file with several layers (GeoPackage features tables) and none named: ask which, and build that one.
      const layer = isCancelled(e) || cancelled ? undefined : await askLayer(e, req.input);
      if (layer) {
        req = { ...req, overrides: { ...req.overrides, layer } };
        continue;
      }
      if (layer === null) return; // the user closed the pick
      if (isCancelled(e) || cancelled) {
        void vscode.window.showInformationMessage("City Mesh build cancelled. Finished tiles are kept: Resume Build continues where it stopped.", "Resume Build")
          .then((p) => p && vscode.commands.executeCommand("citymesh.resumeBuild"));
        return;
      }
      const log = "Show Log";
      void vscode.window.showErrorMessage(`City Mesh build failed: ${e instanceof Error ? e.message : String(e)}`, log).then((p) => p && controller.log.show(true));
      return;
    }
  }
}

/**
 * When a build failed because its input holds several layers and no `layer` was named (the reader's error lists
 * them in `details.layers`), asks which to build. The chosen layer, null when the pick was dismissed, undefined
 * when the error is another one.
 */
async function askLayer(e: unknown, input: string): Promise<string | null | undefined> {
  const layers = e instanceof CityMeshError && e.code === "input" && !e.details.layer ? e.details.layers : undefined;
  if (!Array.isArray(layers) || layers.length < 2) return undefined;
  const pick = await vscode.window.showQuickPick(layers.map(String), {
    title: `${path.basename(input)} has ${layers.length} layers`, placeHolder: "Which layer holds the building footprints?",
  });
  return pick ?? null;
}

/** Quick-pick title of each step of Build with Options; its placeholder is the option table's summary. */
const STEP_LABELS: Record<keyof typeof QUICK_PICKS, string> = { tileSize: "tile size", workers: "workers", format: "output format", dem: "terrain (DEM)", pointCloud: "point cloud (LiDAR)" };
const stepTitle = (i: number, name: keyof typeof QUICK_PICKS) => `Build City Mesh with Options (${i}/${Object.keys(QUICK_PICKS).length}): ${STEP_LABELS[name]}`;

/** The DEM step's "Choose a folder…" entry. */
const FOLDER = "\0folder";

async function pickOverrides(input: string): Promise<BuildOverrides | undefined> {
  const s = new Config(folderOf(input)?.uri ?? vscode.Uri.file(input)).settings;
  const mark = (v: unknown, cur: unknown) => (v === cur ? " (current)" : "");
  const hint = (name: keyof typeof QUICK_PICKS) => optionSpec(name).summary;
  const tile = await vscode.window.showQuickPick(
    QUICK_PICKS.tileSize.map((n) => ({ label: `${n} m`, description: mark(n, s.tileSize), value: n })),
    { title: stepTitle(1, "tileSize"), placeHolder: hint("tileSize") });
  if (!tile) return undefined;
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const workers = await vscode.window.showQuickPick(
    [{ label: "Auto", description: `one per core (${cores})${mark(0, s.workers)}`, value: 0 },
      ...QUICK_PICKS.workers.filter((n) => n <= Math.max(cores, 2)).map((n) => ({ label: String(n), description: mark(n, s.workers), value: n }))],
    { title: stepTitle(2, "workers"), placeHolder: hint("workers") });
  if (!workers) return undefined;
  const format = await vscode.window.showQuickPick(
    QUICK_PICKS.format.map((f) => ({ label: f, description: mark(f, s.format), value: f })),
    { title: stepTitle(3, "format"), placeHolder: hint("format") });
  if (!format) return undefined;
  const demItems = [
    { label: "Flat ground", description: s.dem ? "" : "(current)", value: "" as string | undefined },
    ...(s.dem ? [{ label: path.basename(s.dem), description: "(current setting)", value: s.dem as string | undefined }] : []),
    { label: "Choose a GeoTIFF…", description: "any CRS its GeoKeys name", value: undefined as string | undefined },
    { label: "Choose a folder of GeoTIFF tiles…", description: "a mosaic: the first file in name order wins where they overlap", value: FOLDER as string | undefined },
  ];
  const dem = await vscode.window.showQuickPick(demItems, { title: stepTitle(4, "dem"), placeHolder: hint("dem") });
  if (!dem) return undefined;
  let demPath = dem.value;
  if (demPath === undefined || demPath === FOLDER) {
    // One dialog cannot offer files and folders on Windows and Linux: a folder (a mosaic) has its own entry.
    const folder = demPath === FOLDER;
    const f = await vscode.window.showOpenDialog(folder
      ? { title: "Folder of DEM GeoTIFF tiles", canSelectFiles: false, canSelectFolders: true, defaultUri: vscode.Uri.file(path.dirname(input)) }
      : { title: "DEM GeoTIFF (in any CRS its GeoKeys name)", filters: { GeoTIFF: ["tif", "tiff"] }, defaultUri: vscode.Uri.file(path.dirname(input)) });
    if (!f?.[0]) return undefined;
    demPath = f[0].fsPath;
  }
  const cur = s.pointCloud;
  const cloudItems = [
    { label: "No point cloud", description: cur.length ? "" : "(current)", value: [] as string[] | undefined },
    ...(cur.length ? [{ label: cur.map((p) => path.basename(p)).join(", "), description: "(current setting)", value: cur as string[] | undefined }] : []),
    { label: "Choose LAS/LAZ files…", description: "heights from the roof points; the terrain from the ground points unless a DEM was chosen", value: undefined as string[] | undefined },
    { label: "Choose a folder of LAS/LAZ files…", description: "every .las and .laz file in it", value: [FOLDER] as string[] | undefined },
  ];
  const cloud = await vscode.window.showQuickPick(cloudItems, { title: stepTitle(5, "pointCloud"), placeHolder: hint("pointCloud") });
  if (!cloud) return undefined;
  let clouds = cloud.value;
  if (clouds === undefined || clouds[0] === FOLDER) {
    const folder = clouds !== undefined;
    const f = await vscode.window.showOpenDialog(folder
      ? { title: "Folder of LAS/LAZ point clouds", canSelectFiles: false, canSelectFolders: true, defaultUri: vscode.Uri.file(path.dirname(input)) }
      : { title: "LAS/LAZ point clouds (several may be chosen)", canSelectMany: true, filters: { "Point clouds": ["las", "laz"] }, defaultUri: vscode.Uri.file(path.dirname(input)) });
    if (!f?.length) return undefined;
    clouds = f.map((u) => u.fsPath);
  }
  return { tileSize: tile.value, workers: workers.value, format: format.value, dem: demPath, pointCloud: clouds };
}

export function registerCommands(context: vscode.ExtensionContext, controller: BuildController): void {
  const reg = (id: string, fn: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  const request = (input: string, overrides: BuildOverrides = {}): BuildRequest => ({ input, overrides, overridesFrom: "user", showResult: true });

  reg("citymesh.build", async (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
    const files = await targets(uri, uris);
    if (files?.length) await runWithProgress(controller, files.map((f) => request(f)));
  });

  reg("citymesh.buildWithOptions", async (uri?: vscode.Uri, uris?: vscode.Uri[]) => {
    const files = await targets(uri, uris);
    if (!files?.length) return;
    const o = await pickOverrides(files[0]!);
    if (o) await runWithProgress(controller, files.map((f) => request(f, o)));
  });

  reg("citymesh.resumeBuild", async () => {
    const last = controller.lastRequest;
    if (!last) {
      void vscode.window.showInformationMessage("No City Mesh build to resume in this workspace yet: run Build City Mesh first.");
      return;
    }
    controller.log.info(`Resuming the build of ${last.input}: tiles already in the store are reused.`);
    await runWithProgress(controller, [{ ...last, overridesFrom: last.overridesFrom ?? "user", showResult: true }]);
  });

  reg("citymesh.cancelBuild", async (opts?: { confirm?: boolean }) => {
    if (!controller.running) return;
    if (opts?.confirm) {
      // "Stop Build", not "Cancel Build": the dialog's own dismiss button is already called "Cancel".
      const yes = "Stop Build";
      const pick = await vscode.window.showWarningMessage("Stop the running City Mesh build?", { modal: true, detail: "Finished tiles stay in the scratch store; Resume Build continues from them." }, yes);
      if (pick !== yes) return;
    }
    controller.log.info("Cancelling the build…");
    controller.cancel();
  });

  reg("citymesh.statusBarMenu", async () => {
    const pick = await vscode.window.showQuickPick([
      { label: "$(output) Show Log", id: "log" },
      { label: "$(stop-circle) Cancel Build", id: "cancel" },
    ], { title: `City Mesh: building ${path.basename(controller.runningInput ?? "")}` });
    if (pick?.id === "log") controller.log.show(true);
    if (pick?.id === "cancel") await vscode.commands.executeCommand("citymesh.cancelBuild", { confirm: true });
  });

  reg("citymesh.showLog", () => controller.log.show(true));

  /** Palette: asks first. Programmatic callers (walkthrough, tests) may pass { confirm: false }. */
  reg("citymesh.cleanScratch", async (opts?: { confirm?: boolean }) => {
    if (controller.running) {
      void vscode.window.showWarningMessage("A City Mesh build is running; cancel it before cleaning the scratch store.");
      return;
    }
    const dirs = (vscode.workspace.workspaceFolders ?? []).map((f) => scratchDirOf(new Config(f.uri).settings.scratchDir, f.uri.fsPath)).filter((d) => fs.existsSync(d));
    if (!dirs.length) {
      void vscode.window.showInformationMessage("No City Mesh scratch store in this workspace.");
      return;
    }
    if (opts?.confirm !== false) {
      const yes = "Clean";
      const pick = await vscode.window.showWarningMessage("Remove the City Mesh scratch tiles?", { modal: true, detail: `${dirs.join("\n")}\n\nOnly tile files and manifests are removed; the next build starts from scratch.` }, yes);
      if (pick !== yes) return;
    }
    const { removed, bytes } = cleanScratchDirs(dirs);
    controller.log.info(`Cleaned the scratch store: ${removed} files, ${(bytes / 1e6).toFixed(1)} MB.`);
    void vscode.window.showInformationMessage(`City Mesh scratch store cleaned: ${removed} files, ${(bytes / 1e6).toFixed(1)} MB.`);
  });

  reg("citymesh.openSample", async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const src = vscode.Uri.joinPath(context.extensionUri, "media", "sample", "sample-city.geojson");
    if (!folder) {
      // Building the bundled copy would write into the extension's own folder: ask for a folder instead.
      const open = "Open Folder…";
      const pick = await vscode.window.showInformationMessage("Open a folder first: the sample city is copied into it and its mesh is written beside it.", open);
      if (pick === open) await vscode.commands.executeCommand("workbench.action.files.openFolder");
      return;
    }
    const dest = vscode.Uri.joinPath(folder.uri, "sample-city.geojson");
    if (!fs.existsSync(dest.fsPath)) await vscode.workspace.fs.copy(src, dest);
    await vscode.window.showTextDocument(dest, { preview: false });
  });
}
