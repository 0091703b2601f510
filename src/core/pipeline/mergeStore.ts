// `citymesh merge`: turns a complete scratch store (from one build or many shards) into a mesh.
// Every tile is read back and checked (shape, index range, checksum) as it is merged; missing
// tiles are named, and only written around (holes) when the user allows it.
import fs from "fs";
import os from "os";
import path from "path";
import type { BuildFormat } from "../types";
import { CityMeshError } from "../errors";
import { OPTION_TABLE, optionProblem } from "../optionTable";
import { outputFormat } from "../options";
import type { GlbCompression } from "../writers/glb";
import { findStore, readStoreInfo, type StoreInfo } from "./storeInfo";
import { tileFileName } from "../store/manifest";
import { BuildPool, findWorkerScript } from "./workerPool";
import type { MergeStats } from "../merge/mergeTiles";
import { removeMergeTemps } from "../merge/temps";
import { STORE_BUILDINGS_FILE, buildingsFileOf } from "../writers/buildingsFile";
import type { BuildHooks } from "./build";
import { needsBuildingsFile } from "../writers/index";

export interface MergeStoreOptions {
  output: string;
  format?: BuildFormat;
  allowMissing?: boolean;
  mergeBatchSize?: number;
  /** 3D Tiles / GLB feature tables: GeoJSON properties to carry (empty: every scalar one). */
  featureProperties?: string[];
  /** GLB: none, or EXT_meshopt_compression. */
  glbCompression?: GlbCompression;
}

export interface MergeStoreResult extends MergeStats {
  output: string;
  storeDir: string;
  info: StoreInfo;
  missing: number[];
  buildingsFile?: string;
}

export async function mergeStore(dir: string, mo: MergeStoreOptions, hooks: BuildHooks = {}): Promise<MergeStoreResult> {
  const storeDir = findStore(path.resolve(dir));
  const info = readStoreInfo(storeDir);
  const output = path.resolve(mo.output);
  const format = outputFormat(mo.format, output) as BuildFormat;
  const mergeBatchSize = mo.mergeBatchSize ?? OPTION_TABLE.mergeBatchSize.default;
  for (const problem of [optionProblem("format", format), optionProblem("mergeBatchSize", mergeBatchSize), ...(mo.glbCompression !== undefined ? [optionProblem("glbCompression", mo.glbCompression)] : [])]) {
    if (problem) throw new CityMeshError("options", problem);
  }
  const ids: number[] = [], missing: number[] = [];
  for (let i = 0; i < info.tiles; i++) (fs.existsSync(path.join(storeDir, tileFileName(i))) ? ids : missing).push(i);
  if (missing.length && !mo.allowMissing) {
    throw new CityMeshError("store", `${storeDir} is incomplete: ${missing.length} of ${info.tiles} tile(s) missing (${summarise(missing)}). Run the shards that build them, or pass --allow-missing to write the mesh with holes.`, { missing });
  }
  if (missing.length) hooks.log?.(`warning: writing ${output} without ${missing.length} missing tile(s): ${summarise(missing)}`);
  const spoolDir = path.dirname(storeDir); // the scratch directory
  removeMergeTemps(output, "stale", spoolDir); // an earlier merge into this output killed mid-way
  const side = path.join(storeDir, STORE_BUILDINGS_FILE);
  const hasSide = fs.existsSync(side);
  if (needsBuildingsFile(format) && !hasSide) hooks.log?.(`warning: ${storeDir} has no ${STORE_BUILDINGS_FILE}: the buildings in ${output} get no source ids or attributes`);
  const pool = new BuildPool(findWorkerScript(hooks.workerScript), 1);
  const onAbort = () => void pool.close(true);
  hooks.signal?.addEventListener("abort", onAbort);
  let finished = false;
  try {
    hooks.onProgress?.({ phase: "merging", tilesDone: 0, tilesTotal: ids.length, triangles: 0 });
    const stats = await pool.exec("merge", [{
      files: ids.map((i) => path.join(storeDir, tileFileName(i))), ids, output, format, crs: info.crs, buildings: info.buildings, mergeBatchSize, spoolDir,
      ...(format === "3dtiles" ? { layout: storeLayout(info) } : {}),
      ...(format === "glb" || format === "3dtiles" ? { featureProperties: mo.featureProperties ?? [], glbCompression: mo.glbCompression ?? "none" } : {}),
      // The merge is one thread: on a machine with a core to spare its GLB's property table gets another.
      ...(format === "glb" && (os.availableParallelism?.() ?? os.cpus().length) > 1 ? { tableThread: true } : {}),
      ...(hasSide && needsBuildingsFile(format) ? { buildingsFile: side } : {}),
    }], { on: ({ done, total, triangles }) => hooks.onProgress?.({ phase: done < total ? "merging" : "writing", tilesDone: done, tilesTotal: total, triangles }) });
    let buildingsFile: string | undefined;
    if (hasSide) {
      buildingsFile = buildingsFileOf(output);
      fs.copyFileSync(side, buildingsFile);
    }
    hooks.log?.(`wrote ${output}: ${stats.vertices} vertices, ${stats.triangles} triangles from ${ids.length} tile(s)`);
    finished = true;
    return { ...stats, output, storeDir, info, missing, buildingsFile };
  } catch (e) {
    if (hooks.signal?.aborted) throw new CityMeshError("cancelled", "Merge cancelled; the store is unchanged.");
    throw e;
  } finally {
    hooks.signal?.removeEventListener("abort", onAbort);
    await pool.close(true);
    if (!finished) removeMergeTemps(output, "mine", spoolDir);
  }
}

/** "3, 7, 12–15" for a sorted id list. */
export function summarise(ids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(j > i ? `${ids[i]}–${ids[j]}` : `${ids[i]}`);
    i = j + 1;
  }
  return parts.length > 12 ? parts.slice(0, 12).join(", ") + ", …" : parts.join(", ");
}

/**
 * The tile grid of a store from store.json: tiles are square (one tileSize on the lattice) unless
 * the data fits one tile, so the domain's aspect gives the columns.
 */
export function storeLayout(info: StoreInfo): { nx: number; ny: number; domain: [number, number, number, number] } {
  const [x0, y0, x1, y1] = info.domain;
  const nx = info.tiles <= 1 ? 1 : Math.max(1, Math.round(Math.sqrt((info.tiles * (x1 - x0)) / (y1 - y0))));
  const ny = Math.round(info.tiles / nx);
  if (nx * ny !== info.tiles) throw new CityMeshError("store", `store.json's domain and ${info.tiles} tile(s) do not form a grid; cannot write 3D Tiles from it`);
  return { nx, ny, domain: info.domain };
}
