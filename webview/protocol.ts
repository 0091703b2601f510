// Messages between the viewer page and whoever hosts it (the VS Code extension, or the
// standalone test page). Types only: imported by both sides, no runtime code, no vscode.

/** What the page shows; `url` is fetched as binary (a webview URI inside VS Code). */
export interface MeshSource {
  url: string;
  /** Stable identity of the mesh (its file path in VS Code); camera state is kept per key. */
  key: string;
  /** Display name. */
  name: string;
  /** "glb" | "ply" | "obj" | "stl", from the file extension when absent. */
  format?: string;
  /** JSON-lines buildings side file, fetched directly by the standalone page. */
  buildingsUrl?: string;
  /** Host-side path of that file (VS Code answers picks from it); opaque to the page. */
  buildingsFile?: string;
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
