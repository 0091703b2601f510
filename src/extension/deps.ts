// The two modules this glue calls but does not own: the core pipeline (src/core/build.ts) and the viewer
// (src/extension/viewer/index.ts), both bundled into dist/extension.js. The core is looked up through require()
// inside try/catch so the extension still bundles (esbuild only warns) while it is missing, and a missing core
// becomes a clear error at the moment a build needs it.
import type * as vscode from "vscode";
import { registerViewer, type ViewerApi } from "./viewer/index";
import { CityMeshError } from "../core/errors";
import type { BuildOptions, BuildResult, ProgressEvent } from "../core/types";

export interface BuildHooks {
  onProgress?(e: ProgressEvent): void;
  signal?: AbortSignal;
  log?(line: string): void;
}
export type BuildFn = (options: BuildOptions, hooks?: BuildHooks) => Promise<BuildResult>;

export type { ViewerApi };

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

/** Registers the viewer (its custom editor, panel serializer and citymesh.openViewer command) and returns its API. */
export function loadViewer(context: vscode.ExtensionContext): ViewerApi {
  return registerViewer(context);
}
