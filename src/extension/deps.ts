// The two modules this glue calls but does not own: the core pipeline, run in a child process of its own
// (dist/build-process.mjs beside dist/extension.js, src/core/pipeline/buildProcess.ts) so a city build never
// weighs on VS Code's shared extension host, and the viewer (src/extension/viewer/index.ts, bundled).
import path from "path";
import type * as vscode from "vscode";
import type { BuildHooks } from "../core/pipeline/build";
import { buildInProcess } from "../core/pipeline/buildProcess";
import type { BuildOptions, BuildResult } from "../core/types";
import { registerViewer, type ViewerApi } from "./viewer/index";

export type { BuildHooks, ViewerApi };
export type BuildFn = (options: BuildOptions, hooks?: BuildHooks) => Promise<BuildResult>;

/** The core's buildCityMesh, run in dist/build-process.mjs. */
export function loadBuild(): BuildFn {
  const script = path.join(__dirname, "build-process.mjs");
  return (options, hooks) => buildInProcess(script, options, hooks);
}

/** Registers the viewer (its custom editor, panel serializer and citymesh.openViewer command) and returns its API. */
export function loadViewer(context: vscode.ExtensionContext): ViewerApi {
  return registerViewer(context);
}
