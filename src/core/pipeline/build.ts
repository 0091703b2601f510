// buildCityMesh: read → plan tiles → build them in a worker pool (each worker writes its tile
// to the HDF5 store itself) → merge from disk in bounded batches → stream the output.
// The footprints are read and planned in a child process that exits before tiles are built
// (planning.ts); the main thread keeps per-tile figures only, never footprints or a mesh of the
// whole city. The manifest on disk, updated as tiles finish, makes builds resumable.
// buildShard and planCity run the same first half for scale-out (see shard.ts).
import fs from "fs";
import path from "path";
import type { BuildOptions, BuildPhase, BuildResult, ProgressEvent } from "../types";
import { CityMeshError } from "../errors";
import { resolveOptions } from "../options";
import { prepareBuild, removeTemps, type Prepared } from "./planning";
import { cancelled, type RunCtx } from "./runCtx";
import { runTiles, type TileRun } from "./tileRunner";
import { MANIFEST_NAME, tileFileName } from "../store/manifest";
import { ensureDir } from "../store/fsLayer";
import { lockStore } from "../store/lock";
import { storeInfoOf, writeStoreInfo, type StoreInfo } from "./storeInfo";
import { BuildPool, findWorkerScript } from "./workerPool";
import { meshBuffers, type MergeJob } from "./jobs";
import { STORE_BUILDINGS_FILE, buildingsFileOf, writeBuildingsFile } from "../writers/buildingsFile";
import { needsBuildingsFile } from "../writers/index";
import type { GlbCompression } from "../writers/glb";
import { shardTiles, tileCost, type ShardSpec } from "./shard";
import type { MergeStats } from "../merge/mergeTiles";
import { removeMergeTemps } from "../merge/temps";
import { gridDomain, tileSpec } from "../tiling/grid";
import { problemList } from "../problemList";

const tileIds = (n: number) => Array.from({ length: n }, (_, i) => i);

export interface BuildHooks {
  onProgress?(e: ProgressEvent): void;
  signal?: AbortSignal;
  /** One line of the build log (CLI prints it, the extension writes it to its output channel). */
  log?(line: string): void;
  /**
   * Folder for a live-preview file (CMPV) of each finished tile (created if missing); each file's path comes in
   * ProgressEvent.tileFile. Outside the store on purpose: the store goes when the merge is done, while a viewer may
   * still be fetching previews; the caller removes the folder once its viewer is done with them.
   */
  previewDir?: string;
  workerScript?: string;
}

function runCtx(hooks: BuildHooks): RunCtx {
  return {
    emit: (phase: BuildPhase, e: Partial<ProgressEvent> = {}) => hooks.onProgress?.({ phase, tilesDone: 0, tilesTotal: 0, triangles: 0, ...e }),
    log: (line: string) => hooks.log?.(line),
    signal: hooks.signal,
  };
}

/**
 * Runs `body` with a prepared build, a worker pool, and (with the disk store) the store locked
 * under `lockName` and its store.json written. Cleans up the pool, lock and temp files.
 */
async function withBuild<T>(options: BuildOptions, hooks: BuildHooks, lockName: string, body: (p: Prepared, pool: BuildPool, ctx: RunCtx, release: () => void) => Promise<T>): Promise<T> {
  const o = resolveOptions(options);
  const ctx = runCtx(hooks);
  const script = findWorkerScript(hooks.workerScript);
  const p = await prepareBuild(o, ctx, script);
  const pool = new BuildPool(script, o.workers);
  const onAbort = () => void pool.close(true);
  hooks.signal?.addEventListener("abort", onAbort);
  let unlock = () => {};
  let finished = false;
  try {
    if (o.useDiskStore) {
      ensureDir(p.storeDir);
      unlock = lockStore(p.storeDir, lockName);
      writeStoreInfo(p.storeDir, storeInfoOf(p));
    }
    const r = await body(p, pool, ctx, () => { unlock(); unlock = () => {}; });
    finished = true;
    return r;
  } finally {
    hooks.signal?.removeEventListener("abort", onAbort);
    await pool.close(true);
    // A merge worker terminated by a cancel cannot remove its spool folder or unrenamed output.
    if (!finished) removeMergeTemps(o.output, "mine", o.scratchDir);
    unlock();
    removeTemps(p.temps);
  }
}

export async function buildCityMesh(options: BuildOptions, hooks: BuildHooks = {}): Promise<BuildResult> {
  const started = Date.now();
  return withBuild(options, hooks, "build.lock", async (p, pool, ctx, release) => {
    const { o, plan } = p;
    const n = plan.tiles, ids = tileIds(n);
    removeMergeTemps(o.output, "stale", o.scratchDir); // an earlier build of this output killed mid-merge
    const tiles: TileRun = await runTiles(p, pool, { ids, manifestName: MANIFEST_NAME, previewDir: hooks.previewDir }, ctx);
    if (ctx.signal?.aborted) throw cancelled();

    ctx.emit("merging", { tilesDone: 0, tilesTotal: n, message: `Merging ${n} tile(s)` });
    const mergeStarted = Date.now();
    const job: MergeJob = {
      output: o.output, format: o.format, crs: p.read.crs, buildings: plan.buildings, mergeBatchSize: o.mergeBatchSize, spoolDir: o.scratchDir,
      ...(o.format === "3dtiles" ? { layout: { nx: plan.grid.nx, ny: plan.grid.ny, domain: gridDomain(plan.grid) } } : {}),
      ...(o.format === "glb" || o.format === "3dtiles" ? { featureProperties: o.featureProperties, glbCompression: o.glbCompression as GlbCompression } : {}),
      // With two workers or more, the merge (one thread) has a second for its GLB's property table.
      ...(o.format === "glb" && o.workers > 1 ? { tableThread: true } : {}),
      ...(o.useDiskStore ? { files: ids.map((i) => path.join(p.storeDir, tileFileName(i))), ids } : { meshes: tiles.meshes }),
    };
    const transfer = o.useDiskStore ? [] : tiles.meshes!.flatMap(meshBuffers);
    // The side file is written by this thread while a worker merges (one core each), under a
    // temporary name that becomes the real one only after the mesh is written.
    const buildingsFile = buildingsFileOf(o.output);
    const sideFile = writeBuildingsFile(p.temps.propsTmp, buildingsFile, plan.sourceIndex, false);
    sideFile.catch(() => {}); // awaited below, after the merge
    // The CityJSON writers take ids and attributes from it: then it is finished first (seconds,
    // against the merge's minutes) and the merge worker reads the temporary file.
    if (needsBuildingsFile(o.format)) job.buildingsFile = await sideFile;
    let stats: MergeStats;
    try {
      // The merge gets a fresh thread: the tile workers' heaps and h5wasm memory end with them
      // (New York: peak RSS 363–374 → 329–336 MB).
      const ended = pool.renew();
      const merged = pool.exec("merge", [job], {
        transfer,
        on: ({ done, total, triangles }) => {
          const eta = done > 0 ? ((Date.now() - mergeStarted) / 1000 / done) * (total - done) : undefined;
          ctx.emit(done < total ? "merging" : "writing", { tilesDone: done, tilesTotal: total, triangles, etaSeconds: eta });
        },
      });
      await ended;
      stats = await merged;
    } catch (e) {
      await sideFile.then((tmp) => fs.rmSync(tmp, { force: true }), () => {});
      if (ctx.signal?.aborted) throw cancelled();
      throw e instanceof CityMeshError ? e : new CityMeshError("output", `Merging into ${o.output} failed: ${(e as Error).message}`, { file: o.output });
    }
    const sideTmp = await sideFile;
    if (ctx.signal?.aborted) { fs.rmSync(sideTmp, { force: true }); throw cancelled(); }
    fs.renameSync(sideTmp, buildingsFile);
    if (o.useDiskStore && o.keepIntermediate) fs.copyFileSync(buildingsFile, path.join(p.storeDir, STORE_BUILDINGS_FILE));
    ctx.log(`wrote ${o.output}: ${stats.vertices} vertices, ${stats.triangles} triangles, ${(stats.bytes / 1e6).toFixed(1)} MB`);
    if (o.useDiskStore && !o.keepIntermediate) {
      release();
      fs.rmSync(p.storeDir, { recursive: true, force: true });
    }
    ctx.emit("done", { tilesDone: n, tilesTotal: n, triangles: stats.triangles, message: `Wrote ${o.output}` });
    return {
      output: o.output, format: o.format, vertices: stats.vertices, triangles: stats.triangles, buildings: plan.buildings,
      tiles: n, tilesReused: tiles.reused, crs: p.read.crs, diagnostics: problemList(p.diagnostics), heightSources: p.read.heightSources,
      storeDir: o.useDiskStore && o.keepIntermediate ? p.storeDir : undefined, buildingsFile, seconds: (Date.now() - started) / 1000,
    };
  });
}

export interface ShardResult {
  storeDir: string;
  shard: ShardSpec;
  /** Tile ids of this shard. */
  tiles: number[];
  built: number;
  reused: number;
  triangles: number;
  diagnostics: BuildResult["diagnostics"];
  seconds: number;
}

/**
 * Builds only the tiles of one shard into the (shared) store: its own manifest and lock, tile
 * files written atomically, so shards on several machines never overwrite each other's work.
 * Shard 0 also writes the buildings side file into the store for `citymesh merge`.
 */
export async function buildShard(options: BuildOptions, shard: ShardSpec, hooks: BuildHooks = {}): Promise<ShardResult> {
  const started = Date.now();
  const tag = `shard-${shard.index}-of-${shard.count}`;
  return withBuild({ ...options, useDiskStore: true, keepIntermediate: true }, hooks, `build.lock.${tag}`, async (p, pool, ctx) => {
    const ids = shardTiles(p.plan, shard.count)[shard.index];
    ctx.log(`${tag}: ${ids.length} of ${p.plan.tiles} tile(s) into ${p.storeDir}`);
    const run = await runTiles(p, pool, { ids, manifestName: `manifest-${tag}.json`, previewDir: hooks.previewDir }, ctx);
    if (shard.index === 0) await writeBuildingsFile(p.temps.propsTmp, path.join(p.storeDir, STORE_BUILDINGS_FILE), p.plan.sourceIndex);
    ctx.emit("done", { tilesDone: ids.length, tilesTotal: ids.length, triangles: run.triangles, message: `${tag} done` });
    return { storeDir: p.storeDir, shard, tiles: ids, built: run.built, reused: run.reused, triangles: run.triangles, diagnostics: problemList(p.diagnostics), seconds: (Date.now() - started) / 1000 };
  });
}

export interface CityPlan extends StoreInfo {
  storeDir: string;
  tileList: { id: number; bounds: [number, number, number, number]; buildings: number; cost: number; shard?: number }[];
  shards?: number;
}

/** The tile grid, build key and per-tile work of a build, without building anything (`citymesh plan`). */
export async function planCity(options: BuildOptions, shards?: number, hooks: BuildHooks = {}): Promise<CityPlan> {
  const o = resolveOptions(options);
  const p = await prepareBuild(o, runCtx(hooks), findWorkerScript(hooks.workerScript));
  removeTemps(p.temps);
  const split = shards ? shardTiles(p.plan, shards) : undefined;
  const shardOf = new Map<number, number>();
  split?.forEach((ids, s) => ids.forEach((i) => shardOf.set(i, s)));
  return {
    ...storeInfoOf(p),
    storeDir: p.storeDir,
    shards,
    tileList: tileIds(p.plan.tiles).map((i) => ({ id: i, bounds: tileSpec(p.plan.grid, i).bounds, buildings: p.plan.owned[i], cost: tileCost(p.plan, i), ...(split ? { shard: shardOf.get(i) } : {}) })),
  };
}
