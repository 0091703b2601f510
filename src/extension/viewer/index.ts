// The mesh viewer's VS Code side: the citymesh.openViewer command, the viewer panel (restored
// after a reload by its serializer) and a read-only custom editor for .glb/.ply/.obj/.stl.
// The page itself (webview/) knows nothing of VS Code.
import * as vscode from "vscode";
import type { ViewerState } from "../../../webview/protocol";
import { MESH_EXTENSIONS, ViewerPanel, webviewOptions, type ViewerShownEvent } from "./panel";

export type { ViewerShownEvent };

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
}

export function registerViewer(context: vscode.ExtensionContext): ViewerApi {
  const extensionUri = context.extensionUri;
  let main: ViewerPanel | undefined;
  /** The panel the live tiles went to (releaseLive asks it, even if another panel became the main one since). */
  let livePanel: ViewerPanel | undefined;
  const shown = new vscode.EventEmitter<ViewerShownEvent>();
  const onShown = (e: ViewerShownEvent) => shown.fire(e);
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
    return adopt(new ViewerPanel(panel, extensionUri, onShown));
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
  };

  context.subscriptions.push(
    vscode.commands.registerCommand("citymesh.openViewer", async (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : (await vscode.window.showOpenDialog({
        canSelectMany: false, openLabel: "Open in City Mesh Viewer", filters: { "Meshes": MESH_EXTENSIONS },
      }))?.[0];
      if (target) mainPanel().show(target);
    }),
    vscode.window.registerWebviewPanelSerializer(VIEWER_PANEL_TYPE, {
      async deserializeWebviewPanel(panel, state) {
        const v = new ViewerPanel(panel, extensionUri, onShown);
        if (!main) adopt(v);
        const source = (state as ViewerState | undefined)?.source;
        if (source?.key) v.show(vscode.Uri.parse(source.key), source.buildingsFile);
      },
    }),
    vscode.window.registerCustomEditorProvider(MESH_EDITOR_TYPE, new MeshEditorProvider(extensionUri, onShown), {
      supportsMultipleEditorsPerDocument: true,
    }),
  );
  return api;
}

/** Read-only: the document is just the file's URI; the page fetches the bytes itself. */
class MeshEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly extensionUri: vscode.Uri, private readonly onShown: (e: ViewerShownEvent) => void) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = webviewOptions(this.extensionUri, []);
    new ViewerPanel(panel, this.extensionUri, this.onShown).show(document.uri);
  }
}
