// Where builds read and write: default output and scratch locations, and the Workspace Trust rule that
// settings coming from the workspace may not point outside it. No vscode import: unit-tested directly.
import fs from "fs";
import path from "path";
import type { BuildFormat } from "../core/types";

/** Folder inside a workspace folder that holds everything citymesh writes besides the mesh itself. */
export const CITYMESH_DIR = ".citymesh";

/** `<workspaceFolder>/.citymesh/scratch`: the default tile store. */
export const defaultScratchDir = (workspaceFolder: string): string => path.join(workspaceFolder, CITYMESH_DIR, "scratch");

/** True for names the explorer menus offer builds for. `.json` is not one: telling GeoJSON apart needs the content. */
export const isGeoJsonName = (file: string): boolean => /\.geojson$/i.test(file);

/**
 * Cheap content sniff for `.json` files picked from the palette: a GeoJSON FeatureCollection names its type
 * (or its `features` array) within the first few kilobytes.
 */
export function looksLikeGeoJson(head: string): boolean {
  return /"type"\s*:\s*"(FeatureCollection|Feature)"/.test(head) || /"features"\s*:\s*\[/.test(head);
}

/** The mesh path for an input: `outputDir/<name>.<format>` when an output folder is set, else beside the input. */
export function defaultOutputPath(input: string, format: BuildFormat, outputDir?: string): string {
  const base = path.basename(input).replace(/\.(geo)?json$/i, "");
  return path.join(outputDir || path.dirname(input), `${base}.${format}`);
}

/** Writes `<folder>/.citymesh/.gitignore` containing `*` unless it exists, so scratch tiles never reach git. */
export function ensureCityMeshGitignore(workspaceFolder: string): string {
  const dir = path.join(workspaceFolder, CITYMESH_DIR);
  const file = path.join(dir, ".gitignore");
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, "*\n");
  return file;
}

/** realpath of the longest existing prefix of `p`, with the rest appended: resolves symlinks in paths not created yet. */
export function realpathOfExistingPrefix(p: string): string {
  let head = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(head), ...rest);
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return path.join(head, ...rest);
      rest.unshift(path.basename(head));
      head = parent;
    }
  }
}

/** True when `child` is `parent` or below it (both absolute, already normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

export interface PathSetting {
  /** Setting name shown to the user, e.g. "citymesh.scratchDir". */
  name: string;
  /** The value as written in the settings (relative values are relative to the workspace folder). */
  value: string;
}

/**
 * Checks paths set at workspace level (workspace or folder settings, task definitions) against the workspace folder.
 * A workspace someone hands you must not make a build write (or read a DEM) elsewhere on the machine:
 * any `..` segment is refused outright, and symlinks are resolved with realpath before comparing.
 * Returns one human-readable problem per offending setting; an empty list means all are inside.
 */
export function checkPathsInsideWorkspace(settings: PathSetting[], workspaceFolder: string): string[] {
  const root = realpathOfExistingPrefix(workspaceFolder);
  const problems: string[] = [];
  for (const { name, value } of settings) {
    if (!value) continue;
    if (value.split(/[\\/]+/).includes("..")) {
      problems.push(`${name} ("${value}") contains "..": workspace settings may not point outside the workspace folder ${workspaceFolder}.`);
      continue;
    }
    const real = realpathOfExistingPrefix(path.resolve(workspaceFolder, value));
    if (!isInside(root, real)) {
      problems.push(`${name} ("${value}") resolves to ${real}, outside the workspace folder ${workspaceFolder}. Set it in your user settings instead.`);
    }
  }
  return problems;
}
