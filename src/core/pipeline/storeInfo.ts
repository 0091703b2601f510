// store.json: what a scratch store holds, written by every build or shard that fills it (the
// content is a deterministic function of input and parameters, so concurrent shards write the
// same bytes, atomically). `citymesh merge` needs nothing else to turn a store into a mesh.
import fs from "fs";
import path from "path";
import type { CrsInfo } from "../types";
import { CityMeshError } from "../errors";
import { writeFileAtomic } from "../store/fsLayer";
import { gridDomain } from "../tiling/grid";
import type { Prepared } from "./planning";

export const STORE_INFO = "store.json";

export interface StoreInfo {
  version: 1;
  buildKey: string;
  inputHash: string;
  /** Input file name (not path: stores move between machines). */
  input: string;
  crs: CrsInfo;
  /** N of the marker convention. */
  buildings: number;
  tiles: number;
  tileSize: number;
  domain: [number, number, number, number];
  params: Record<string, unknown>;
}

/** store.json of a prepared build. */
export function storeInfoOf(p: Prepared): StoreInfo {
  return {
    version: 1, buildKey: p.key, inputHash: p.inputHash, input: path.basename(p.o.input), crs: p.read.crs,
    buildings: p.plan.buildings, tiles: p.plan.tiles, tileSize: p.o.tileSize, domain: gridDomain(p.plan.grid),
    params: p.params,
  };
}

export function writeStoreInfo(dir: string, info: StoreInfo): void {
  writeFileAtomic(path.join(dir, STORE_INFO), JSON.stringify(info, null, 1) + "\n");
}

export function readStoreInfo(dir: string): StoreInfo {
  const file = path.join(dir, STORE_INFO);
  try {
    const info = JSON.parse(fs.readFileSync(file, "utf8")) as StoreInfo;
    if (info.version !== 1 || !info.buildKey || !(info.tiles > 0)) throw new Error("unexpected content");
    return info;
  } catch (e) {
    throw new CityMeshError("store", `${file} is missing or unreadable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): not a citymesh scratch store.`, { file });
  }
}

/** A store directory, or a scratch directory holding exactly one store. */
export function findStore(dir: string): string {
  if (fs.existsSync(path.join(dir, STORE_INFO))) return dir;
  let subs: string[] = [];
  try {
    subs = fs.readdirSync(dir).map((n) => path.join(dir, n)).filter((p) => fs.existsSync(path.join(p, STORE_INFO)));
  } catch (e) {
    throw new CityMeshError("store", `Cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? e}`, { dir });
  }
  if (subs.length === 1) return subs[0];
  if (subs.length === 0) throw new CityMeshError("store", `${dir} holds no citymesh scratch store (no ${STORE_INFO}).`, { dir });
  throw new CityMeshError("store", `${dir} holds ${subs.length} stores; name one: ${subs.map((s) => path.basename(s)).join(", ")}.`, { dir });
}
