// The two modules this glue calls but does not own: the core pipeline (src/core/build.ts) and the viewer
// (src/extension/viewer/index.ts). Both are bundled into dist/extension.js; they are looked up through
// require() inside try/catch so the extension still bundles (esbuild only warns) while either is missing,
// and a missing one becomes a clear error at the moment it is needed.
import type * as vscode from "vscode";
import { CityMeshError } from "../core/errors";
import type { BuildOptions, BuildResult, ProgressEvent } from "../core/types";

export interface BuildHooks {
  onProgress?(e: ProgressEvent): void;
  signal?: AbortSignal;
  log?(line: string): void;
}
export type BuildFn = (options: BuildOptions, hooks?: BuildHooks) => Promise<BuildResult>;

export interface ViewerApi {
  show(meshPath: string, opts?: { buildingsFile?: string }): Promise<void>;
  beginLive(title: string): void;
  addLiveTile(previewFile: string): void;
}

/** The core's buildCityMesh. */
export function loadBuild(): BuildFn {
  let mod: { buildCityMesh?: BuildFn } | undefined;
  try {
    mod = require("../core/build");
  } catch {
    mod = undefined;
  }
  if (!mod?.buildCityMesh) throw new CityMeshError("options", "This citymesh build has no core pipeline bundled (src/core/build.ts is missing).");
  return mod.buildCityMesh;
}

/** The viewer's API, or a stand-in that only logs when the viewer is not bundled. */
export function loadViewer(context: vscode.ExtensionContext, log: (line: string) => void): ViewerApi {
  let mod: { registerViewer?: (c: vscode.ExtensionContext) => ViewerApi } | undefined;
  try {
    mod = require("./viewer/index");
  } catch {
    mod = undefined;
  }
  if (mod?.registerViewer) return mod.registerViewer(context);
  log("The mesh viewer is not bundled in this build; meshes are written but not shown.");
  return { show: async (p) => log(`(no viewer) mesh at ${p}`), beginLive: () => undefined, addLiveTile: () => undefined };
}
