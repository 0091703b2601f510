// Build options with dtcc-core's defaults filled in and checked. Every consumer (CLI,
// extension, tasks, workers) goes through resolveOptions, so defaults live in one place.
import os from "os";
import path from "path";
import type { BuildFormat, BuildOptions } from "./types";
import { CityMeshError } from "./errors";

export type ResolvedOptions = Required<Omit<BuildOptions, "crs" | "sourceCrs" | "dem" | "heightAttributes" | "autoTileSize">> & {
  crs?: string;
  sourceCrs?: string;
  dem?: string;
  heightAttributes?: string[];
  autoTileSize: boolean;
};

export const DEFAULTS = {
  tileSize: 1000,
  margin: 0,
  useDiskStore: true,
  keepIntermediate: false,
  mergeBatchSize: 2,
  maxMeshSize: 10,
  minBuildingArea: 0,
  snapTolerance: 0.001,
  defaultHeight: 10,
  levelHeight: 3,
  format: "glb" as BuildFormat,
};

const FORMATS: BuildFormat[] = ["glb", "ply", "obj", "stl"];

export function defaultOutput(input: string, format: BuildFormat): string {
  const ext = path.extname(input);
  return (ext ? input.slice(0, -ext.length) : input) + "." + format;
}

export function resolveOptions(o: BuildOptions, cwd = process.cwd()): ResolvedOptions {
  if (!o.input) throw new CityMeshError("options", "No input file given.");
  const input = path.resolve(cwd, o.input);
  const format = (o.format ?? (o.output ? (path.extname(o.output).slice(1).toLowerCase() as BuildFormat) : DEFAULTS.format)) as BuildFormat;
  if (!FORMATS.includes(format)) throw new CityMeshError("options", `Unknown output format "${format}": use one of ${FORMATS.join(", ")}.`);
  const r: ResolvedOptions = {
    input,
    output: path.resolve(cwd, o.output ?? defaultOutput(input, format)),
    format,
    tileSize: o.tileSize ?? DEFAULTS.tileSize,
    autoTileSize: o.autoTileSize ?? false,
    margin: o.margin ?? DEFAULTS.margin,
    workers: o.workers && o.workers > 0 ? Math.floor(o.workers) : Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
    useDiskStore: o.useDiskStore ?? DEFAULTS.useDiskStore,
    scratchDir: path.resolve(cwd, o.scratchDir ?? path.join(".citymesh", "scratch")),
    keepIntermediate: o.keepIntermediate ?? DEFAULTS.keepIntermediate,
    mergeBatchSize: o.mergeBatchSize ?? DEFAULTS.mergeBatchSize,
    maxMeshSize: o.maxMeshSize ?? DEFAULTS.maxMeshSize,
    minBuildingArea: o.minBuildingArea ?? DEFAULTS.minBuildingArea,
    snapTolerance: o.snapTolerance ?? DEFAULTS.snapTolerance,
    defaultHeight: o.defaultHeight ?? DEFAULTS.defaultHeight,
    levelHeight: o.levelHeight ?? DEFAULTS.levelHeight,
    heightAttributes: o.heightAttributes,
    crs: o.crs,
    sourceCrs: o.sourceCrs,
    dem: o.dem ? path.resolve(cwd, o.dem) : undefined,
  };
  const positive: (keyof ResolvedOptions)[] = ["tileSize", "maxMeshSize", "snapTolerance", "mergeBatchSize", "levelHeight", "defaultHeight"];
  for (const k of positive) {
    const v = r[k] as number;
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0)) throw new CityMeshError("options", `${k} must be a positive number (got ${String(v)}).`);
  }
  if (!(r.margin >= 0)) throw new CityMeshError("options", `margin must be ≥ 0 (got ${r.margin}).`);
  if (!(r.minBuildingArea >= 0)) throw new CityMeshError("options", `minBuildingArea must be ≥ 0 (got ${r.minBuildingArea}).`);
  if (r.maxMeshSize > r.tileSize) throw new CityMeshError("options", `maxMeshSize (${r.maxMeshSize} m) must not exceed tileSize (${r.tileSize} m).`);
  if (r.snapTolerance > 0.1) throw new CityMeshError("options", `snapTolerance ${r.snapTolerance} m is too coarse (at most 0.1 m).`);
  if (!Number.isInteger(r.mergeBatchSize)) throw new CityMeshError("options", `mergeBatchSize must be a whole number (got ${r.mergeBatchSize}).`);
  return r;
}
