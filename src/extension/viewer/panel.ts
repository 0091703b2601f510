// One viewer webview (a panel or a custom editor): its HTML, resource roots and messages.
// The page asks for nothing but "ready" and "pick"; the mesh reaches it as a webview URI that
// it fetches as binary. Whatever the page shows is replayed on "ready", so a reload (theme,
// new resource root, restore) loses nothing. Live tile files are tracked until the page says it
// is done with them ("tilesDone"), so a build knows when it may delete them (releaseLive).
import fs from "fs";
import path from "path";
import * as vscode from "vscode";
import type { HostToViewer, MeshSource, ViewerToHost } from "../../../webview/protocol";
import { BuildingsLookup, guessBuildingsFile } from "./buildings";
import { makeNonce, renderViewerHtml } from "./html";

export const MESH_EXTENSIONS = ["glb", "ply", "obj", "stl"];

/** A 3D Tiles tileset's JSON: the page streams its tiles from the same folder (webview resource URIs). */
export function isTilesetFile(uri: vscode.Uri): boolean {
  return /\.json$/i.test(uri.path);
}

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

/** The live view after a batch of tiles was drawn (the page's "liveView"). */
export interface LiveViewReport {
  tilesDrawn: number;
  /** The camera shows every drawn tile (all corners of their bounding box in view). */
  coversTiles: boolean;
}

/** A mesh being loaded: bytes fetched of the total (0 when unknown). */
export interface LoadProgressReport {
  uri: vscode.Uri;
  loaded: number;
  total: number;
}

/** What a panel passes on from its page, for ViewerApi's events. */
export interface ViewerReports {
  shown?(e: ViewerShownEvent): void;
  live?(e: LiveViewReport): void;
  load?(e: LoadProgressReport): void;
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
  /** Live tile URLs posted to the current page that it has not reported done; a count, as a file may come twice. */
  private readonly tilesAtPage = new Map<string, number>();
  private releaseWaiters: (() => void)[] = [];

  constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private readonly reports: ViewerReports = {}) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: ViewerToHost) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      // Without retainContextWhenHidden a hidden webview's page is destroyed (and reloads, saying "ready", when
      // shown again): it fetches nothing meanwhile, and messages posted to it would be lost.
      panel.onDidChangeViewState(() => { if (!panel.visible) this.pageGone(); }),
    );
    this.render();
  }

  readonly onDidDispose = (cb: () => void): void => { this.disposables.push(this.panel.onDidDispose(cb)); };

  /** Shows a mesh file; replaces live tiles. Reloads when the file is rewritten. */
  show(uri: vscode.Uri, buildingsFile?: string): void {
    const file = uri.scheme === "file" ? uri.fsPath : undefined;
    // A tileset's properties are in its contents' property tables: no side file.
    const sideFile = isTilesetFile(uri) ? undefined : buildingsFile ?? (file ? guessBuildingsFile(file) : undefined);
    this.live = undefined; // the page drops the live tiles it has not fetched once this mesh replaced them ("tilesDone")
    this.mesh = { uri, buildingsFile: sideFile, buildings: sideFile ? new BuildingsLookup(sideFile) : undefined, version: Date.now() };
    this.panel.title = path.basename(uri.path);
    this.watch(uri);
    if (this.allowFolder(dirOf(uri))) this.send(this.loadMessage());
    this.settleRelease();
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
    if (this.allowFolder(dirOf(uri))) this.sendTile(uri);
  }

  /**
   * Resolves when the page no longer needs a live tile file it was given: each was reported done (fetched,
   * failed, or dropped when the final mesh replaced the live view), or the page is gone (reloaded, hidden,
   * disposed) with no tile waiting to be replayed to it. Event-driven only: every path that can make the
   * files unneeded calls settleRelease. Released tiles are not replayed to a reloaded page.
   */
  releaseLive(): Promise<void> {
    return new Promise<void>((resolve) => { this.releaseWaiters.push(resolve); this.settleRelease(); });
  }

  private needsLiveFiles(): boolean {
    if (this.disposed) return false;
    // Tiles not posted yet (the page is loading) will be replayed to it on "ready", while the build is live.
    return this.tilesAtPage.size > 0 || (!!this.live && this.live.tiles.length > 0 && !this.ready);
  }

  private settleRelease(): void {
    if (!this.releaseWaiters.length || this.needsLiveFiles()) return;
    if (this.live) this.live.tiles = []; // the caller may delete them now: a reload must not fetch them again
    for (const w of this.releaseWaiters.splice(0)) w();
  }

  private sendTile(uri: vscode.Uri): void {
    if (!this.ready || this.disposed) return; // replayed on "ready"
    const url = this.panel.webview.asWebviewUri(uri).toString();
    this.tilesAtPage.set(url, (this.tilesAtPage.get(url) ?? 0) + 1);
    void this.panel.webview.postMessage({ type: "addTile", url } satisfies HostToViewer);
  }

  /** The page went away (reload, hidden): whatever it was fetching it fetches no more. */
  private pageGone(): void {
    this.ready = false;
    this.tilesAtPage.clear();
    this.settleRelease();
  }

  private loadMessage(): HostToViewer {
    const m = this.mesh!;
    const name = path.basename(m.uri.path);
    const url = this.panel.webview.asWebviewUri(m.uri).with({ query: `v=${m.version}` }).toString();
    const format = isTilesetFile(m.uri) ? "3dtiles" : path.extname(name).slice(1).toLowerCase();
    const source: MeshSource = { url, key: m.uri.toString(), name, format, buildingsFile: m.buildingsFile, bytes: fileSize(m.uri) };
    return { type: "load", source };
  }

  private onMessage(m: ViewerToHost): void {
    if (m.type === "ready") {
      this.tilesAtPage.clear(); // a new page: the one that had them is gone
      this.ready = true;
      for (const w of this.readyWaiters.splice(0)) w();
      if (this.live) {
        this.send({ type: "beginLive", title: this.live.title });
        for (const t of this.live.tiles) this.sendTile(t);
      } else if (this.mesh) this.send(this.loadMessage());
      this.settleRelease();
    } else if (m.type === "pick") {
      const lookup = this.mesh?.buildings;
      const answer = (info: Awaited<ReturnType<BuildingsLookup["get"]>>, error?: string) =>
        this.send({ type: "buildingInfo", requestId: m.requestId, building: m.building, info, error });
      if (!lookup) answer(null, "no buildings side file next to this mesh");
      else lookup.get(m.building).then((i) => answer(i), (e: Error) => answer(null, e.message));
    } else if (m.type === "shown") {
      if (this.mesh && m.key === this.mesh.uri.toString()) {
        this.reports.shown?.({ uri: this.mesh.uri, viewType: this.panel.viewType, triangles: m.triangles, buildings: m.buildings, firstFrameMs: m.firstFrameMs });
      }
    } else if (m.type === "tilesDone") {
      for (const url of m.urls) {
        const n = this.tilesAtPage.get(url) ?? 0;
        if (n > 1) this.tilesAtPage.set(url, n - 1); else this.tilesAtPage.delete(url);
      }
      this.settleRelease();
    } else if (m.type === "liveView") {
      this.reports.live?.({ tilesDrawn: m.tilesDrawn, coversTiles: m.coversTiles });
    } else if (m.type === "loadProgress") {
      if (this.mesh && m.key === this.mesh.uri.toString()) this.reports.load?.({ uri: this.mesh.uri, loaded: m.loaded, total: m.total });
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
    this.pageGone(); // the new HTML replaces the page
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
    this.settleRelease(); // a closed panel needs no file
    clearTimeout(this.reloadTimer);
    this.watcher?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

const dirOf = (uri: vscode.Uri) => vscode.Uri.joinPath(uri, "..");

/** A local file's size in bytes (the page's load progress total), undefined when unknown. */
function fileSize(uri: vscode.Uri): number | undefined {
  if (uri.scheme !== "file") return undefined;
  try { return fs.statSync(uri.fsPath).size; } catch { return undefined; }
}

function isInside(dir: vscode.Uri, target: vscode.Uri): boolean {
  if (dir.scheme !== target.scheme || dir.authority !== target.authority) return false;
  const rel = path.posix.relative(dir.path, target.path);
  return !rel.startsWith("..") && !path.posix.isAbsolute(rel);
}
