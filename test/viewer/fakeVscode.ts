// Just enough of the `vscode` module for ViewerPanel to run in node (test/viewer/panel.test.ts): URIs,
// a file watcher that never fires, and a webview panel whose page the test plays. Not the real API:
// only the members panel.ts touches.
import path from "node:path";

export class Uri {
  private constructor(readonly scheme: string, readonly authority: string, readonly path: string, readonly query = "") {}
  static file(p: string): Uri { return new Uri("file", "", p); }
  static parse(s: string): Uri { const u = new URL(s); return new Uri(u.protocol.slice(0, -1), u.host, u.pathname, u.search.slice(1)); }
  static joinPath(u: Uri, ...parts: string[]): Uri { return new Uri(u.scheme, u.authority, path.posix.join(u.path, ...parts)); }
  get fsPath(): string { return this.path; }
  with(c: { scheme?: string; query?: string }): Uri { return new Uri(c.scheme ?? this.scheme, this.authority, this.path, c.query ?? this.query); }
  toString(): string { return `${this.scheme}://${this.authority}${this.path}${this.query ? `?${this.query}` : ""}`; }
}

export class RelativePattern { constructor(readonly base: unknown, readonly pattern: string) {} }

export const workspace = {
  createFileSystemWatcher: () => ({ onDidChange() {}, onDidCreate() {}, dispose() {} }),
};

export const window = { showWarningMessage: async () => undefined };

type Listener<T> = (e: T) => void;

/** A WebviewPanel whose page is the test: it reads what the panel posts and sends the page's messages. */
export class FakePanel {
  readonly viewType = "citymesh.viewer";
  title = "";
  visible = true;
  readonly posted: { type: string; url?: string; source?: { url: string; bytes?: number } }[] = [];
  /** Times the HTML was set: each is a page (re)load. */
  loads = 0;
  private readonly onMessage: Listener<unknown>[] = [];
  private readonly onDispose: Listener<void>[] = [];
  private readonly onViewState: Listener<void>[] = [];
  readonly webview;
  constructor() {
    const self = this;
    this.webview = {
      cspSource: "vscode-resource:",
      options: {},
      set html(_: string) { self.loads++; },
      asWebviewUri: (u: Uri) => u.with({ scheme: "webview" }),
      onDidReceiveMessage: (cb: Listener<unknown>) => { self.onMessage.push(cb); return { dispose() {} }; },
      postMessage: async (m: { type: string }) => { self.posted.push(m); return true; },
    };
  }
  onDidDispose(cb: Listener<void>) { this.onDispose.push(cb); return { dispose() {} }; }
  onDidChangeViewState(cb: Listener<void>) { this.onViewState.push(cb); return { dispose() {} }; }
  reveal() {}
  /** The page says something. */
  say(m: unknown): void { for (const cb of this.onMessage) cb(m); }
  dispose(): void { for (const cb of this.onDispose.splice(0)) cb(); }
  setVisible(v: boolean): void { this.visible = v; for (const cb of this.onViewState) cb(); }
}
