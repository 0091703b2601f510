// Messages between the viewer page and whoever hosts it (the VS Code extension, or the
// standalone test page). Types only: imported by both sides, no runtime code, no vscode.

/** What the page shows; `url` is fetched as binary (a webview URI inside VS Code). */
export interface MeshSource {
  url: string;
  /** Stable identity of the mesh (its file path in VS Code); camera state is kept per key. */
  key: string;
  /** Display name. */
  name: string;
  /** "glb" | "ply" | "obj" | "stl" | "3dtiles" (a tileset.json, streamed), from the file extension when absent. */
  format?: string;
  /** JSON-lines buildings side file, fetched directly by the standalone page. */
  buildingsUrl?: string;
  /** Host-side path of that file (VS Code answers picks from it); opaque to the page. */
  buildingsFile?: string;
  /** The file's size when the host knows it: the load's progress total if the response states no Content-Length. */
  bytes?: number;
}

/** One building's line of the buildings side file. */
export interface BuildingInfo {
  b: number;
  f?: number;
  id?: unknown;
  properties?: Record<string, unknown>;
}

export type HostToViewer =
  | { type: "load"; source: MeshSource }
  | { type: "beginLive"; title: string }
  | { type: "addTile"; url: string }
  | { type: "buildingInfo"; requestId: number; building: number; info: BuildingInfo | null; error?: string };

export type ViewerToHost =
  | { type: "ready" }
  | { type: "pick"; requestId: number; building: number }
  /** A loaded mesh (not live tiles) is on screen: its first frame was drawn. */
  | { type: "shown"; key: string; triangles: number; buildings: number; firstFrameMs: number }
  /**
   * Live tile URLs (as received in addTile) the page no longer needs: fetched, failed, or dropped because the
   * final mesh replaced the live view or a new build began. Every addTile URL is reported once, so the host
   * knows when the preview files may be deleted.
   */
  | { type: "tilesDone"; urls: string[] }
  /**
   * After each batch of live tiles drawn: how many are on screen, and whether the camera shows all of them (every
   * corner of their bounding box inside the view). The host passes it on (ViewerApi.onDidReportLive).
   */
  | { type: "liveView"; tilesDrawn: number; coversTiles: boolean }
  /** The mesh being loaded: bytes fetched of the total (0 when unknown), at most once per percent. */
  | { type: "loadProgress"; key: string; loaded: number; total: number }
  | { type: "error"; message: string };

/** Persisted with getState/setState; the host's serializer reads `source` to restore a panel. */
export interface ViewerState {
  v: 1;
  source?: MeshSource;
  /** Camera position and target per mesh key. */
  camera?: { key: string; position: [number, number, number]; target: [number, number, number] };
  colorMode: "class" | "height";
  wireframe: boolean;
}
