// The store's table of contents: manifest.json beside the tile files. It records what was built
// from which input with which parameters, so a rebuild reuses tiles whose buildKey still matches.
// Pure node fs, no h5wasm: the extension host can list and clean a store without loading wasm.
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import type { CrsInfo } from "../types";
import { CityMeshError } from "../errors";
import { ensureDir, isTempName, nodeFs, writeFileAtomic, type StoreFs } from "./fsLayer";
import type { Bounds } from "./tileFile";

export const MANIFEST_VERSION = 1;
export const MANIFEST_NAME = "manifest.json";
/** Lock file of a running build (see lock.ts); cleanStore leaves it, so a held store keeps its directory. */
export const LOCK_NAME = "build.lock";

export type TileStatus = "done" | "failed" | "pending";

export interface TileEntry {
  status: TileStatus;
  /** File name relative to the store directory. */
  file: string;
  checksum: string;
  vertices: number;
  triangles: number;
  bounds: Bounds;
  error?: string;
}

export interface GridInfo {
  tileSize: number;
  cols: number;
  rows: number;
  /** Bounds of the whole grid, local metres. */
  bounds: Bounds;
}

export interface Manifest {
  version: number;
  buildKey: string;
  inputHash: string;
  params: Record<string, unknown>;
  crs: CrsInfo;
  grid: GridInfo;
  tiles: Record<string, TileEntry>;
}

/** File name of a tile in the store. */
export const tileFileName = (tileId: number): string => `tile_${tileId}.h5`;

/** JSON with object keys sorted at every level, so equal parameters give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
    }
    return v;
  });
}

/**
 * Short (16 hex) sha256 of the input hash and the parameters that change geometry. Callers pass
 * only those parameters (see GEOMETRY_PARAMS); worker count or output format must not invalidate tiles.
 */
/**
 * The geometry the tile meshes come from, as a number in the build key: a store built by an
 * earlier kernel (version 1: float snapping and polygon differences) is not resumed by this one
 * (2: the exact kernel), whose tiles would not meet it at the seams.
 */
export const GEOMETRY_VERSION = 2;

export function buildKey(inputHash: string, params: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalJson({ inputHash, params, geometry: GEOMETRY_VERSION })).digest("hex").slice(0, 16);
}

/** BuildOptions fields that change the tile meshes (resolve defaults and autoTileSize first). */
export const GEOMETRY_PARAMS = [
  "tileSize",
  "margin",
  "maxMeshSize",
  "minBuildingArea",
  "snapTolerance",
  "defaultHeight",
  "heightAttributes",
  "levelHeight",
  "crs",
  "sourceCrs",
  "dem",
  "layer",
] as const;

/** Picks GEOMETRY_PARAMS out of a (resolved) options object. */
export function geometryParams(opts: object): Record<string, unknown> {
  const o = opts as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of GEOMETRY_PARAMS) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** Streaming sha256 (hex) of a file; the input can be larger than memory. */
export function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    fs.createReadStream(file, { highWaterMark: 1 << 20 })
      .on("data", (chunk) => h.update(chunk))
      .on("error", (e: NodeJS.ErrnoException) =>
        reject(new CityMeshError("input", `Cannot read ${file}: ${e.code ?? e.message}`, { file, errno: e.code })),
      )
      .on("end", () => resolve(h.digest("hex")));
  });
}

/** Writes manifest.json atomically (temp + rename), creating the directory if needed. */
export function writeManifest(dir: string, manifest: Manifest, fsl: StoreFs = nodeFs, name = MANIFEST_NAME): void {
  ensureDir(dir, fsl);
  writeFileAtomic(path.join(dir, name), JSON.stringify(manifest, null, 1) + "\n", fsl);
}

/**
 * Reads manifest.json. Returns null when there is none (a fresh store). A manifest that cannot be
 * parsed or has another version throws CityMeshError("store"); callers may then clean the store.
 */
export function readManifest(dir: string, name = MANIFEST_NAME): Manifest | null {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CityMeshError("store", `Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file });
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new CityMeshError("store", `Store manifest ${file} is corrupt: ${(e as Error).message}`, { file });
  }
  if (!m || typeof m !== "object" || m.version !== MANIFEST_VERSION || typeof m.tiles !== "object" || m.tiles === null) {
    throw new CityMeshError("store", `Store manifest ${file} has an unknown format (version ${String(m?.version)}, expected ${MANIFEST_VERSION})`, { file });
  }
  return m;
}

export interface StoreTileInfo {
  id: number;
  status: TileStatus | "untracked";
  file: string;
  /** Bytes on disk, 0 when the file is missing. */
  bytes: number;
  exists: boolean;
  triangles: number;
  error?: string;
}

export interface StoreListing {
  dir: string;
  exists: boolean;
  manifest: Pick<Manifest, "version" | "buildKey" | "inputHash" | "crs" | "grid" | "params"> | null;
  /** Reason the manifest could not be read, when it exists but is unusable. */
  manifestError?: string;
  tiles: StoreTileInfo[];
  counts: Record<TileStatus | "untracked", number>;
  /** Leftover temp files of interrupted writes. */
  tempFiles: string[];
  /** Content of build.lock (the process holding the store, "pid@host"), if a build holds it. */
  lock: string | null;
  totalBytes: number;
}

const sizeOf = (file: string): number => {
  try {
    return fs.statSync(file).size;
  } catch {
    return -1;
  }
};

/** Everything `citymesh info` shows about a store: tiles with status and size, temp leftovers. */
export function listStore(dir: string): StoreListing {
  const counts = { done: 0, failed: 0, pending: 0, untracked: 0 };
  const empty: StoreListing = { dir, exists: false, manifest: null, tiles: [], counts, tempFiles: [], lock: null, totalBytes: 0 };
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return empty;
  }
  let manifest: Manifest | null = null;
  let manifestError: string | undefined;
  try {
    manifest = readManifest(dir);
  } catch (e) {
    manifestError = (e as Error).message;
  }
  const tiles: StoreTileInfo[] = [];
  const tracked = new Set<string>();
  let totalBytes = 0;
  for (const name of names) {
    const s = sizeOf(path.join(dir, name));
    if (s > 0) totalBytes += s;
  }
  if (manifest) {
    for (const [id, t] of Object.entries(manifest.tiles)) {
      const s = sizeOf(path.join(dir, t.file));
      tracked.add(t.file);
      tiles.push({ id: Number(id), status: t.status, file: t.file, bytes: Math.max(s, 0), exists: s >= 0, triangles: t.triangles, error: t.error });
      counts[t.status]++;
    }
  }
  for (const name of names) {
    const m = /^tile_(-?\d+)\.h5$/.exec(name);
    if (m && !tracked.has(name)) {
      tiles.push({ id: Number(m[1]), status: "untracked", file: name, bytes: Math.max(sizeOf(path.join(dir, name)), 0), exists: true, triangles: 0 });
      counts.untracked++;
    }
  }
  tiles.sort((a, b) => a.id - b.id);
  const meta = manifest
    ? { version: manifest.version, buildKey: manifest.buildKey, inputHash: manifest.inputHash, crs: manifest.crs, grid: manifest.grid, params: manifest.params }
    : null;
  let lock: string | null = null;
  try {
    lock = fs.readFileSync(path.join(dir, LOCK_NAME), "utf8").trim();
  } catch {
    // not locked
  }
  return { dir, exists: true, manifest: meta, manifestError, tiles, counts, tempFiles: names.filter(isTempName), lock, totalBytes };
}

/**
 * Removes what the store made (tile_*.h5, manifest.json, temp leftovers) and then the directory
 * if it is empty. Never removes other files: a mistyped scratch dir must not lose user data.
 */
export function cleanStore(dir: string): { removed: number; bytes: number; dirRemoved: boolean } {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { removed: 0, bytes: 0, dirRemoved: false };
    throw new CityMeshError("store", `Cannot list scratch store ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { dir });
  }
  let removed = 0;
  let bytes = 0;
  for (const name of names) {
    if (!(name === MANIFEST_NAME || /^manifest-shard-\d+-of-\d+\.json$/.test(name) || name === "store.json" || name === "buildings.jsonl" || /^tile_-?\d+\.(h5|cmpv)$/.test(name) || isTempName(name))) continue;
    const file = path.join(dir, name);
    const s = sizeOf(file);
    try {
      fs.unlinkSync(file);
    } catch (e) {
      throw new CityMeshError("store", `Cannot remove ${file} from scratch store ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { dir, file });
    }
    removed++;
    bytes += Math.max(s, 0);
  }
  let dirRemoved = false;
  try {
    fs.rmdirSync(dir);
    dirRemoved = true;
  } catch {
    // not empty: other files stay
  }
  return { removed, bytes, dirRemoved };
}
