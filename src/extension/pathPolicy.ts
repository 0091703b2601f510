// Which paths a build takes from the workspace, and the rule for them: a workspace someone hands
// you (its settings, its tasks.json) may not make a build read or write outside its folders.
// Path settings are restricted in untrusted workspaces (package.json restrictedConfigurations) and
// builds are off there anyway; in a trusted one, workspace-level values are vetted with
// checkPathsInsideWorkspace ('..' refused, symlinks resolved). No vscode import: tested directly.
import path from "path";
import { PATH_OPTIONS, SETTING_NAMES } from "../core/optionTable";
import { checkPathsInsideWorkspace, type PathSetting } from "./paths";

/** Settings holding paths that may leave the workspace; only user (or machine) settings may point outside it. */
export const PATH_SETTINGS = SETTING_NAMES.filter((n) => PATH_OPTIONS.includes(n));

/** Path properties of a `citymesh` task definition. The input counts too: the mesh is written beside it by default. */
export const TASK_PATH_PROPERTIES = ["input", ...PATH_OPTIONS] as const;

/** The non-empty paths a path option's value holds: one for a string, each of a list (pointCloud). */
export function pathValues(v: unknown): string[] {
  const all = typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  return all.map((x) => x.trim()).filter(Boolean);
}

/** The non-empty path properties of a task definition, named as the user sees them. */
export function taskPathSettings(def: Partial<Record<string, unknown>>): PathSetting[] {
  const out: PathSetting[] = [];
  for (const k of TASK_PATH_PROPERTIES) for (const value of pathValues(def[k])) out.push({ name: `task property "${k}"`, value, option: k });
  return out;
}

/**
 * Problems with a task definition's paths (after variable substitution). Relative values are
 * relative to `base` (the task's folder); each path must lie inside one of `folders` (the task's
 * folder, or every folder of the workspace for a workspace-wide task), with no '..' segment and
 * symlinks resolved. No folders (no workspace open): nothing to vet.
 */
export function taskPathProblems(def: Partial<Record<string, unknown>>, base: string, folders: string[]): string[] {
  if (folders.length === 0) return [];
  const problems: string[] = [];
  for (const s of taskPathSettings(def)) {
    const atBase = checkPathsInsideWorkspace([s], base);
    if (atBase.length === 0) continue;
    const dots = s.value.split(/[\\/]+/).includes("..");
    const abs = { ...s, value: path.resolve(base, s.value) };
    if (!dots && folders.some((f) => checkPathsInsideWorkspace([abs], f).length === 0)) continue;
    problems.push(atBase[0]);
  }
  return problems;
}
