// The page's link to whoever hosts it. Inside VS Code: acquireVsCodeApi (state, messages,
// building properties answered by the extension). Standalone (the test page): URL parameters,
// window messages, an in-memory state, and the buildings side file fetched directly.
import type { BuildingInfo, HostToViewer, MeshSource, ViewerState, ViewerToHost } from "./protocol";

export interface Host {
  readonly kind: "vscode" | "standalone";
  getState(): ViewerState | undefined;
  setState(s: ViewerState): void;
  post(msg: ViewerToHost): void;
  onMessage(cb: (m: HostToViewer) => void): void;
  buildingInfo(source: MeshSource, building: number): Promise<BuildingInfo | null>;
  /** Called once the page listens: announces readiness (VS Code) or loads from the URL. */
  start(): void;
}

interface VsCodeApi { getState(): unknown; setState(s: unknown): void; postMessage(m: unknown): void }
declare const acquireVsCodeApi: (() => VsCodeApi) | undefined;

export function createHost(): Host {
  return typeof acquireVsCodeApi === "function" ? vscodeHost(acquireVsCodeApi()) : standaloneHost();
}

function listen(cb: (m: HostToViewer) => void): void {
  window.addEventListener("message", (e: MessageEvent) => {
    const m = e.data as HostToViewer | undefined;
    if (m && typeof m === "object" && typeof m.type === "string") cb(m);
  });
}

function vscodeHost(api: VsCodeApi): Host {
  let nextId = 1;
  const waiting = new Map<number, (info: BuildingInfo | null) => void>();
  listen((m) => {
    if (m.type === "buildingInfo") { waiting.get(m.requestId)?.(m.info); waiting.delete(m.requestId); }
  });
  return {
    kind: "vscode",
    getState: () => api.getState() as ViewerState | undefined,
    setState: (s) => api.setState(s),
    post: (msg) => api.postMessage(msg),
    onMessage: listen,
    buildingInfo(_source, building) {
      const requestId = nextId++;
      return new Promise((resolve) => {
        waiting.set(requestId, resolve);
        setTimeout(() => { if (waiting.delete(requestId)) resolve(null); }, 15000);
        api.postMessage({ type: "pick", requestId, building } satisfies ViewerToHost);
      });
    },
    start: () => api.postMessage({ type: "ready" } satisfies ViewerToHost),
  };
}

function standaloneHost(): Host {
  let state: ViewerState | undefined;
  // What the page would tell a host, kept for tests to read (the standalone page has no host to tell).
  const posted: ViewerToHost[] = [];
  (window as unknown as { citymeshPosted: ViewerToHost[] }).citymeshPosted = posted;
  const sideFiles = new Map<string, Promise<Map<number, BuildingInfo>>>();
  const handlers: ((m: HostToViewer) => void)[] = [];
  listen((m) => handlers.forEach((h) => h(m)));
  return {
    kind: "standalone",
    getState: () => state,
    setState: (s) => { state = s; },
    post: (msg) => { posted.push(msg); },
    onMessage: (cb) => { handlers.push(cb); },
    async buildingInfo(source, building) {
      if (!source.buildingsUrl) return null;
      let file = sideFiles.get(source.buildingsUrl);
      if (!file) { file = fetch(source.buildingsUrl).then((r) => r.ok ? r.text() : "").then(parseBuildingLines); sideFiles.set(source.buildingsUrl, file); }
      return (await file).get(building) ?? null;
    },
    start() {
      const q = new URLSearchParams(location.search);
      const url = q.get("mesh");
      if (!url) return;
      const source: MeshSource = { url, key: url, name: q.get("name") ?? url.split("/").pop() ?? url, format: q.get("format") ?? undefined, buildingsUrl: q.get("buildings") ?? undefined };
      handlers.forEach((h) => h({ type: "load", source }));
    },
  };
}

/** Parses a JSON-lines buildings file into building index → line. Bad lines are skipped. */
export function parseBuildingLines(text: string): Map<number, BuildingInfo> {
  const out = new Map<number, BuildingInfo>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try { const o = JSON.parse(line) as BuildingInfo; if (typeof o.b === "number") out.set(o.b, o); } catch { /* skip */ }
  }
  return out;
}
