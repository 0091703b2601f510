// One viewer webview (a panel or a custom editor): its HTML, resource roots and messages.
// The page asks for nothing but "ready" and "pick"; the mesh reaches it as a webview URI that
// it fetches as binary. Whatever the page shows is replayed on "ready", so a reload (theme,
// new resource root, restore) loses nothing.
import fs from "fs";
import path from "path";
import * as vscode from "vscode";
import type { HostToViewer, MeshSource, ViewerToHost } from "../../../webview/protocol";
import { BuildingsLookup, guessBuildingsFile } from "./buildings";
import { makeNonce, renderViewerHtml } from "./html";

export const MESH_EXTENSIONS = ["glb", "ply", "obj", "stl"];

export function webviewOptions(extensionUri: vscode.Uri, folders: vscode.Uri[]): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist"), vscode.Uri.joinPath(extensionUri, "media"), ...folders],
  };
}

/** A mesh (not live tiles) reached the screen in a viewer: its first frame was drawn. */
export interface ViewerShownEvent {
  uri: vscode.Uri;
  /** "citymesh.viewer" (the panel) or "citymesh.meshViewer" (the custom editor). */
  viewType: string;
  triangles: number;
  buildings: number;
  firstFrameMs: number;
}

export class ViewerPanel {
  private folders: vscode.Uri[] = [];
  private ready = false;
  private mesh?: { uri: vscode.Uri; buildings?: BuildingsLookup; buildingsFile?: string; version: number };
  private live?: { title: string; tiles: vscode.Uri[] };
  private watcher?: vscode.FileSystemWatcher;
  private reloadTimer?: NodeJS.Timeout;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readyWaiters: (() => void)[] = [];

  constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private readonly onShown?: (e: ViewerShownEvent) => void) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: ViewerToHost) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
    );
    this.render();
  }

  readonly onDidDispose = (cb: () => void): void => { this.disposables.push(this.panel.onDidDispose(cb)); };

  /** Shows a mesh file; replaces live tiles. Reloads when the file is rewritten. */
  show(uri: vscode.Uri, buildingsFile?: string): void {
    const file = uri.scheme === "file" ? uri.fsPath : undefined;
    const sideFile = buildingsFile ?? (file ? guessBuildingsFile(file) : undefined);
    this.live = undefined;
    this.mesh = { uri, buildingsFile: sideFile, buildings: sideFile ? new BuildingsLookup(sideFile) : undefined, version: Date.now() };
    this.panel.title = path.basename(uri.path);
    this.watch(uri);
    if (this.allowFolder(dirOf(uri))) this.send(this.loadMessage());
  }

  /**
   * Shows "waiting for tiles". `folders`: where the live tiles and the final mesh will be (the scratch store, the
   * output's folder). Allowing them now means one page reload before the first tile instead of one per new folder
   * later, so the final mesh replaces the live tiles without the page going blank in between.
   */
  beginLive(title: string, folders: vscode.Uri[] = []): void {
    this.live = { title, tiles: [] };
    this.panel.title = `${title} (building…)`;
    if (this.allowFolders(folders)) this.send({ type: "beginLive", title });
  }

  /** Resolves once the page has said "ready" (it then shows what this panel holds), or after timeoutMs. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.ready || this.disposed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() { clearTimeout(timer); resolve(); }
      this.readyWaiters.push(done);
    });
  }

  addTile(file: string): void {
    if (!this.live) this.beginLive("City mesh");
    const uri = vscode.Uri.file(file);
    this.live!.tiles.push(uri);
    if (this.allowFolder(dirOf(uri))) this.send({ type: "addTile", url: this.panel.webview.asWebviewUri(uri).toString() });
  }

  private loadMessage(): HostToViewer {
    const m = this.mesh!;
    const name = path.basename(m.uri.path);
    const url = this.panel.webview.asWebviewUri(m.uri).with({ query: `v=${m.version}` }).toString();
    const source: MeshSource = { url, key: m.uri.toString(), name, format: path.extname(name).slice(1).toLowerCase(), buildingsFile: m.buildingsFile };
    return { type: "load", source };
  }

  private onMessage(m: ViewerToHost): void {
    if (m.type === "ready") {
      this.ready = true;
      for (const w of this.readyWaiters.splice(0)) w();
      if (this.live) {
        this.send({ type: "beginLive", title: this.live.title });
        for (const t of this.live.tiles) this.send({ type: "addTile", url: this.panel.webview.asWebviewUri(t).toString() });
      } else if (this.mesh) this.send(this.loadMessage());
    } else if (m.type === "pick") {
      const lookup = this.mesh?.buildings;
      const answer = (info: Awaited<ReturnType<BuildingsLookup["get"]>>, error?: string) =>
        this.send({ type: "buildingInfo", requestId: m.requestId, building: m.building, info, error });
      if (!lookup) answer(null, "no buildings side file next to this mesh");
      else lookup.get(m.building).then((i) => answer(i), (e: Error) => answer(null, e.message));
    } else if (m.type === "shown") {
      if (this.mesh && m.key === this.mesh.uri.toString()) {
        this.onShown?.({ uri: this.mesh.uri, viewType: this.panel.viewType, triangles: m.triangles, buildings: m.buildings, firstFrameMs: m.firstFrameMs });
      }
    } else if (m.type === "error") {
      void vscode.window.showWarningMessage(`City mesh viewer: ${m.message}`);
    }
  }

  private send(m: HostToViewer): void {
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(m);
  }

  /**
   * Lets the page load files from a folder. A new root means new webview options, which reload
   * the page; its "ready" then replays the current content. Returns true when no reload happens.
   */
  private allowFolder(dir: vscode.Uri): boolean {
    return this.allowFolders([dir]);
  }

  private allowFolders(dirs: vscode.Uri[]): boolean {
    const added = dirs.filter((d) => !this.folders.some((f) => isInside(f, d)));
    if (!added.length) return true;
    this.folders.push(...added);
    this.render(); // sets the new options (resource roots) and reloads the page
    return false;
  }

  private render(): void {
    const w = this.panel.webview;
    const template = fs.readFileSync(path.join(this.extensionUri.fsPath, "media", "viewer.html"), "utf8");
    const asUri = (...p: string[]) => w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...p)).toString();
    this.ready = false;
    w.options = webviewOptions(this.extensionUri, this.folders);
    w.html = renderViewerHtml(template, {
      cspSource: w.cspSource, nonce: makeNonce(),
      scriptUri: asUri("dist", "webview.js"), styleUri: asUri("media", "viewer.css"), title: "City Mesh Viewer",
    });
  }

  private watch(uri: vscode.Uri): void {
    this.watcher?.dispose();
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dirOf(uri), path.basename(uri.path)));
    const reload = () => {
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => {
        if (!this.mesh || this.live) return;
        this.mesh.version = Date.now();
        this.send(this.loadMessage());
      }, 500);
    };
    w.onDidChange(reload);
    w.onDidCreate(reload);
    this.watcher = w;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const w of this.readyWaiters.splice(0)) w();
    clearTimeout(this.reloadTimer);
    this.watcher?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

const dirOf = (uri: vscode.Uri) => vscode.Uri.joinPath(uri, "..");

function isInside(dir: vscode.Uri, target: vscode.Uri): boolean {
  if (dir.scheme !== target.scheme || dir.authority !== target.authority) return false;
  const rel = path.posix.relative(dir.path, target.path);
  return !rel.startsWith("..") && !path.posix.isAbsolute(rel);
}
