// A build's options resolved: the option table's defaults filled in, every value checked against
// the table's limits, paths made absolute. Every front end (CLI, extension, tasks) hands its
// BuildOptions to resolveOptions, so defaults, limits and the default output rule live in one place.
import os from "os";
import path from "path";
import type { BuildOptions } from "./types";
import { CityMeshError } from "./errors";
import { OPTION_NAMES, OPTION_TABLE, cliFlag, optionDefaults, optionProblem, type BuildFormat, type OptionValues } from "./optionTable";
import { CITYMESH_DIR } from "./store/gitignore";

/**
 * A build's options after resolveOptions: absolute paths; "" (auto) CRS and DEM are undefined.
 * maxMeshSize may still be 0 (auto): planning settles it with the tile size (plannedMeshSize).
 */
export type ResolvedOptions = Omit<OptionValues, "outputDir" | "crs" | "sourceCrs" | "dem" | "layer"> & {
  input: string;
  crs?: string;
  sourceCrs?: string;
  layer?: string;
  dem?: string;
};

/**
 * The tile store: `value` relative to `base`, or when empty `.citymesh/scratch` under `base`
 * (the CLI's working folder, the extension's workspace folder).
 */
export const scratchDirOf = (value: string, base: string): string => (value ? path.resolve(base, value) : path.join(base, CITYMESH_DIR, "scratch"));

/** Output extensions that are not a format's name: CityJSON's `.city.json` and CityJSONSeq's `.city.jsonl`. */
const FORMAT_OF_EXTENSION: Record<string, BuildFormat> = { json: "cityjson", jsonl: "cityjsonseq" };
const EXTENSION_OF_FORMAT: Partial<Record<BuildFormat, string>> = { cityjson: "city.json", cityjsonseq: "city.jsonl", "3dtiles": "3dtiles" };

/** The output format: the one given, else the output file's extension, else the table's default. */
export function outputFormat(format: string | undefined, output: string | undefined): string {
  const ext = output ? path.extname(output).slice(1).toLowerCase() : "";
  // 3D Tiles is a folder; naming its tileset.json picks the format too.
  if (!format && output && path.basename(output).toLowerCase() === "tileset.json") return "3dtiles";
  return format ?? ((FORMAT_OF_EXTENSION[ext] ?? ext) || OPTION_TABLE.format.default);
}

/** The mesh for an input when none is named: its name with the format's extension, in `outputDir` or beside it. */
export function defaultOutputPath(input: string, format: BuildFormat, outputDir?: string): string {
  const name = path.basename(input);
  const ext = path.extname(name);
  return path.join(outputDir || path.dirname(input), `${ext ? name.slice(0, -ext.length) : name}.${EXTENSION_OF_FORMAT[format] ?? format}`);
}

/**
 * Fills in the table's defaults and checks every value against its limits. Relative paths are
 * relative to `base` (the CLI's working folder; the extension passes the workspace folder).
 * Throws CityMeshError("options") naming the option (and its CLI flag) and the reason.
 */
export function resolveOptions(o: BuildOptions, base = process.cwd()): ResolvedOptions {
  if (!o.input) throw new CityMeshError("options", "No input file given.");
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<OptionValues>;
  const v: OptionValues = { ...optionDefaults(), ...given, format: outputFormat(o.format, o.output) as BuildFormat };
  for (const name of OPTION_NAMES) {
    const problem = optionProblem(name, v[name]);
    if (problem) throw new CityMeshError("options", name === "format" ? problem : `${problem.replace(/\.$/, "")} (--${cliFlag(name)}).`);
  }
  if (v.maxMeshSize > v.tileSize) throw new CityMeshError("options", `maxMeshSize (${v.maxMeshSize} m) must not exceed tileSize (${v.tileSize} m).`);
  const abs = (p: string) => path.resolve(base, p);
  const input = abs(o.input);
  return {
    input,
    output: v.output ? abs(v.output) : defaultOutputPath(input, v.format, v.outputDir ? abs(v.outputDir) : undefined),
    format: v.format,
    featureProperties: v.featureProperties,
    glbCompression: v.glbCompression,
    tileSize: v.tileSize,
    autoTileSize: v.autoTileSize,
    margin: v.margin,
    workers: v.workers > 0 ? v.workers : Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
    useDiskStore: v.useDiskStore,
    scratchDir: scratchDirOf(v.scratchDir, base),
    keepIntermediate: v.keepIntermediate,
    mergeBatchSize: v.mergeBatchSize,
    maxMeshSize: v.maxMeshSize,
    minBuildingArea: v.minBuildingArea,
    snapTolerance: v.snapTolerance,
    defaultHeight: v.defaultHeight,
    // An empty list means the defaults, so "no attributes named" and "the default list" share a build key.
    heightAttributes: v.heightAttributes.length ? v.heightAttributes : optionDefaults().heightAttributes,
    levelHeight: v.levelHeight,
    crs: v.crs || undefined,
    sourceCrs: v.sourceCrs || undefined,
    layer: v.layer || undefined,
    dem: v.dem ? abs(v.dem) : undefined,
    pointCloud: v.pointCloud.map(abs),
    roofPercentile: v.roofPercentile,
    groundPercentile: v.groundPercentile,
    terrainCellSize: v.terrainCellSize,
  };
}
