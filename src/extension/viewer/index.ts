// The mesh viewer's VS Code side: the citymesh.openViewer command, the viewer panel (restored
// after a reload by its serializer) and a read-only custom editor for .glb/.ply/.obj/.stl and 3D Tiles tileset.json files.
// The page itself (webview/) knows nothing of VS Code.
import * as vscode from "vscode";
import type { ViewerState } from "../../../webview/protocol";
import { MESH_EXTENSIONS, ViewerPanel, webviewOptions, type LiveViewReport, type LoadProgressReport, type ViewerReports, type ViewerShownEvent } from "./panel";

export type { LiveViewReport, LoadProgressReport, ViewerShownEvent };

export const VIEWER_PANEL_TYPE = "citymesh.viewer";
export const MESH_EDITOR_TYPE = "citymesh.meshViewer";
/** How long a build waits for the live viewer page to come up before it starts anyway. */
const LIVE_PAGE_WAIT_MS = 15_000;

export interface ViewerApi {
  show(meshPath: string, opts?: { buildingsFile?: string }): Promise<void>;
  /**
   * Live view of a running build; `folders`: the scratch store and the output's folder (tiles and mesh load from
   * there). Resolves when the page is up (at most a few seconds): a build keeps the extension host busy, and a page
   * that only comes up after the build would never show a tile.
   */
  beginLive(title: string, folders?: string[]): Promise<void>;
  addLiveTile(previewFile: string): void;
  /** Resolves when the viewer no longer needs any live tile file it was given: each was fetched (or failed),
   *  or the final mesh replaced the live view, or the panel was closed. The caller may then delete them. */
  releaseLive(): Promise<void>;
  /** A mesh reached the screen in a viewer panel or custom editor (first frame drawn). */
  readonly onDidShowMesh: vscode.Event<ViewerShownEvent>;
  /** The live view drew a batch of tiles: how many are on screen, and whether the camera shows them all. */
  readonly onDidReportLive: vscode.Event<LiveViewReport>;
  /** A mesh is being loaded into a viewer: bytes fetched of the total. */
  readonly onDidReportLoad: vscode.Event<LoadProgressReport>;
}

export function registerViewer(context: vscode.ExtensionContext): ViewerApi {
  const extensionUri = context.extensionUri;
  let main: ViewerPanel | undefined;
  /** The panel the live tiles went to (releaseLive asks it, even if another panel became the main one since). */
  let livePanel: ViewerPanel | undefined;
  const shown = new vscode.EventEmitter<ViewerShownEvent>();
  const liveReports = new vscode.EventEmitter<LiveViewReport>(), loadReports = new vscode.EventEmitter<LoadProgressReport>();
  const reports: ViewerReports = { shown: (e) => shown.fire(e), live: (e) => liveReports.fire(e), load: (e) => loadReports.fire(e) };
  context.subscriptions.push(liveReports, loadReports);
  context.subscriptions.push(shown);

  const adopt = (v: ViewerPanel): ViewerPanel => {
    main = v;
    v.onDidDispose(() => { if (main === v) main = undefined; });
    return v;
  };
  const mainPanel = (): ViewerPanel => {
    if (main) { main.panel.reveal(undefined, true); return main; }
    const panel = vscode.window.createWebviewPanel(VIEWER_PANEL_TYPE, "City Mesh Viewer",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(extensionUri, []));
    return adopt(new ViewerPanel(panel, extensionUri, reports));
  };

  const api: ViewerApi = {
    show: async (meshPath, opts) => mainPanel().show(vscode.Uri.file(meshPath), opts?.buildingsFile),
    beginLive: (title, folders = []) => {
      const v = livePanel = mainPanel();
      v.beginLive(title, folders.map((f) => vscode.Uri.file(f)));
      return v.whenReady(LIVE_PAGE_WAIT_MS);
    },
    addLiveTile: (file) => (livePanel = main ?? mainPanel()).addTile(file),
    releaseLive: () => livePanel?.releaseLive() ?? Promise.resolve(),
    onDidShowMesh: shown.event,
    onDidReportLive: liveReports.event,
    onDidReportLoad: loadReports.event,
  };

  context.subscriptions.push(
    vscode.commands.registerCommand("citymesh.openViewer", async (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : (await vscode.window.showOpenDialog({
        canSelectMany: false, openLabel: "Open in City Mesh Viewer", filters: { "Meshes": MESH_EXTENSIONS, "3D Tiles tileset": ["json"] },
      }))?.[0];
      if (target) mainPanel().show(target);
    }),
    vscode.window.registerWebviewPanelSerializer(VIEWER_PANEL_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        const v = new ViewerPanel(panel, extensionUri, reports);
        if (!main) adopt(v);
        const source = (state as ViewerState | undefined)?.source;
        if (source?.key) v.show(vscode.Uri.parse(source.key), source.buildingsFile);
      },
    }),
    vscode.window.registerCustomEditorProvider(MESH_EDITOR_TYPE, new MeshEditorProvider(extensionUri, reports), {
      supportsMultipleEditorsPerDocument: true,
    }),
  );
  return api;
}

/** Read-only: the document is just the file's URI; the page fetches the bytes itself. */
class MeshEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly extensionUri: vscode.Uri, private readonly reports: ViewerReports) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.extensionUri, []);
    new ViewerPanel(panel, this.extensionUri, this.reports).show(document.uri);
  }
}
