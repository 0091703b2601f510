// Build parameters as the extension sees them: settings (typed by config.ts), per-build overrides (quick picks,
// task definitions) and the resulting BuildOptions for the core. No vscode import: unit-tested directly.
import path from "path";
import { DEFAULT_HEIGHT_ATTRIBUTES } from "../core/height";
import type { BuildFormat, BuildOptions } from "../core/types";
import { defaultOutputPath, defaultScratchDir } from "./paths";

export const FORMATS: readonly BuildFormat[] = ["glb", "ply", "obj", "stl"];

/** Every `citymesh.*` build setting, with the manifest's defaults. */
export interface CityMeshSettings {
  tileSize: number;
  /** 0 = one per core. */
  workers: number;
  useDiskStore: boolean;
  /** Empty = `<workspaceFolder>/.citymesh/scratch`. */
  scratchDir: string;
  keepIntermediate: boolean;
  mergeBatchSize: number;
  maxMeshSize: number;
  minBuildingArea: number;
  defaultHeight: number;
  heightAttributes: string[];
  levelHeight: number;
  /** Empty = UTM zone of the data's centre. */
  crs: string;
  /** Empty = flat ground. */
  dem: string;
  format: BuildFormat;
  /** Empty = beside the input. */
  outputDir: string;
}

export const SETTINGS_DEFAULTS: CityMeshSettings = {
  tileSize: 1000,
  workers: 0,
  useDiskStore: true,
  scratchDir: "",
  keepIntermediate: false,
  mergeBatchSize: 2,
  maxMeshSize: 10,
  minBuildingArea: 0,
  defaultHeight: 10,
  heightAttributes: [...DEFAULT_HEIGHT_ATTRIBUTES],
  levelHeight: 3,
  crs: "",
  dem: "",
  format: "glb",
  outputDir: "",
};

/** Per-build overrides: the quick picks of "Build with Options…" and a task definition's fields. */
export type BuildOverrides = Partial<CityMeshSettings> & { output?: string };

/** The properties a `citymesh` task definition may carry (mirrors contributes.taskDefinitions): the build's own options. */
export type CityMeshTaskDefinition = { type: "citymesh" } & Pick<
  BuildOptions,
  "input" | "output" | "format" | "tileSize" | "workers" | "useDiskStore" | "scratchDir" | "keepIntermediate" | "mergeBatchSize" | "maxMeshSize" | "dem" | "heightAttributes" | "defaultHeight"
>;

/** Expected JSON type of each optional task property (the schema in package.json says the same). */
export const TASK_PROPERTY_TYPES = {
  output: "string", format: "string", tileSize: "number", workers: "number", useDiskStore: "boolean", scratchDir: "string",
  keepIntermediate: "boolean", mergeBatchSize: "number", maxMeshSize: "number", dem: "string", heightAttributes: "string[]",
  defaultHeight: "number",
} as const;

/**
 * Overrides carried by a task definition, validated: returns the overrides or the reason the definition is unusable.
 * Types are checked here because tasks.json is hand-written and VS Code only warns about schema violations.
 */
export function taskDefinitionToOverrides(def: Record<string, unknown>): { input: string; overrides: BuildOverrides } | { error: string } {
  if (typeof def.input !== "string" || def.input === "") return { error: 'A "citymesh" task needs "input": the GeoJSON file to build.' };
  const o: Record<string, unknown> = {};
  for (const [k, expected] of Object.entries(TASK_PROPERTY_TYPES)) {
    const v = def[k];
    if (v === undefined) continue;
    const ok = expected === "string[]" ? Array.isArray(v) && v.every((x) => typeof x === "string") : typeof v === expected;
    if (!ok) return { error: `Task property "${k}" must be a ${expected}, got ${JSON.stringify(v)}.` };
    if (k === "format" && !FORMATS.includes(v as BuildFormat)) return { error: `Task property "format" must be one of ${FORMATS.join(", ")}, got "${String(v)}".` };
    o[k] = v;
  }
  return { input: def.input, overrides: o as BuildOverrides };
}

/**
 * The core's BuildOptions for one input. Relative paths in settings and overrides are relative to the workspace folder;
 * `workers: 0` means "one per core" and is left to the core (undefined).
 */
export function toBuildOptions(input: string, settings: CityMeshSettings, workspaceFolder: string | undefined, overrides: BuildOverrides = {}): BuildOptions {
  const s: CityMeshSettings = { ...settings, ...dropUndefined(overrides) };
  const base = workspaceFolder ?? path.dirname(input);
  const abs = (p: string) => (p ? path.resolve(base, p) : "");
  const format = s.format;
  const output = overrides.output ? abs(overrides.output) : defaultOutputPath(input, format, s.outputDir ? abs(s.outputDir) : undefined);
  return {
    input,
    output,
    format,
    tileSize: s.tileSize,
    workers: s.workers > 0 ? s.workers : undefined,
    useDiskStore: s.useDiskStore,
    scratchDir: s.scratchDir ? abs(s.scratchDir) : defaultScratchDir(base),
    keepIntermediate: s.keepIntermediate,
    mergeBatchSize: s.mergeBatchSize,
    maxMeshSize: s.maxMeshSize,
    minBuildingArea: s.minBuildingArea,
    defaultHeight: s.defaultHeight,
    heightAttributes: s.heightAttributes.length ? [...s.heightAttributes] : undefined,
    levelHeight: s.levelHeight,
    crs: s.crs || undefined,
    dem: s.dem ? abs(s.dem) : undefined,
  };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
