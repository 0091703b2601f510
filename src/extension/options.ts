// Build parameters as the extension sees them: settings (read by config.ts), per-build overrides
// (quick picks, task definitions), all named and checked by the core's option table, and the
// resolved options of one build. No vscode import: unit-tested directly.
import path from "path";
import { FORMATS, OPTION_NAMES, SETTING_NAMES, optionDefaults, optionProblem, type OptionValues, type SettingValues } from "../core/optionTable";
import { resolveOptions, type ResolvedOptions } from "../core/options";

/** Every `citymesh.*` build setting. */
export type CityMeshSettings = SettingValues;

/** The settings' defaults: the option table's. */
export function settingDefaults(): CityMeshSettings {
  const all = optionDefaults();
  return Object.fromEntries(SETTING_NAMES.map((n) => [n, all[n]])) as CityMeshSettings;
}

/** Per-build overrides: the quick picks of "Build with Options…" and a task definition's fields (any option). */
export type BuildOverrides = Partial<OptionValues>;

/** A `citymesh` task definition (contributes.taskDefinitions, generated from the option table): the input and any option. */
export type CityMeshTaskDefinition = { type: "citymesh"; input: string } & BuildOverrides;

/**
 * Overrides carried by a task definition, checked against the option table (type, enum, limits):
 * the overrides, or the reason the definition is unusable. Checked here because tasks.json is
 * hand-written and VS Code only warns about schema violations.
 */
export function taskDefinitionToOverrides(def: Record<string, unknown>): { input: string; overrides: BuildOverrides } | { error: string } {
  if (typeof def.input !== "string" || def.input === "") return { error: 'A "citymesh" task needs "input": the GeoJSON file to build.' };
  const o: Record<string, unknown> = {};
  for (const k of OPTION_NAMES) {
    const v = def[k];
    if (v === undefined) continue;
    const problem = optionProblem(k, v);
    if (problem) return { error: `Task property "${k}": ${problem}` };
    o[k] = v;
  }
  return { input: def.input, overrides: o as BuildOverrides };
}

/**
 * One build's resolved options: settings, then overrides, through the core's resolveOptions.
 * Relative paths are relative to the workspace folder (the input's folder when there is none).
 */
export function toBuildOptions(input: string, settings: CityMeshSettings, workspaceFolder: string | undefined, overrides: BuildOverrides = {}): ResolvedOptions {
  const defined: BuildOverrides = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const fromSettings: Partial<CityMeshSettings> = { ...settings };
  // A task naming its output file (x.ply) and no format writes the format of that name, as the CLI's -o does.
  if (defined.output && defined.format === undefined) delete fromSettings.format;
  return resolveOptions({ ...fromSettings, ...defined, input }, workspaceFolder ?? path.dirname(input));
}

/**
 * "Build City Mesh with Options…": the options it asks for, in order, with the values it offers
 * (the DEM step offers flat ground, the current setting or a file). A test checks every offered
 * value against the option table.
 */
export const QUICK_PICKS = {
  tileSize: [250, 500, 1000, 2000],
  workers: [1, 2, 4, 8],
  format: FORMATS,
  dem: [] as string[],
  pointCloud: [] as string[][],
} as const satisfies { [K in keyof BuildOverrides]: readonly NonNullable<BuildOverrides[K]>[] };
