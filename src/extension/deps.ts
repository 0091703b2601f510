// The two modules this glue calls but does not own, both bundled into dist/extension.js: the core pipeline
// (src/core/pipeline/build.ts; it starts its workers from dist/worker.mjs beside the bundle) and the viewer
// (src/extension/viewer/index.ts).
import type * as vscode from "vscode";
import { buildCityMesh, type BuildHooks } from "../core/pipeline/build";
import type { BuildOptions, BuildResult } from "../core/types";
import { registerViewer, type ViewerApi } from "./viewer/index";

export type { BuildHooks, ViewerApi };
export type BuildFn = (options: BuildOptions, hooks?: BuildHooks) => Promise<BuildResult>;

/** The core's buildCityMesh. */
export function loadBuild(): BuildFn {
  return buildCityMesh;
}

/** Registers the viewer (its custom editor, panel serializer and citymesh.openViewer command) and returns its API. */
export function loadViewer(context: vscode.ExtensionContext): ViewerApi {
  return registerViewer(context);
}
