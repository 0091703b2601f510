// buildCityMesh: read → plan tiles → build them in a worker pool (each worker writes its tile
// to the HDF5 store itself) → merge from disk in bounded batches → stream the output.
// The main thread holds the footprints (small typed arrays) and tile metadata, never a mesh
// of the whole city. The manifest on disk, updated as tiles finish, makes builds resumable.
import fs from "fs";
import path from "path";
import { randomBytes } from "crypto";
import type { BuildPhase, BuildResult, Diagnostic, ProgressEvent, TileMesh } from "./types";
import { CityMeshError } from "./errors";
import { resolveOptions, type ResolvedOptions } from "./options";
import { readFootprints, type ReadResult } from "./geojson/read";
import { openDem } from "./dem";
import { demHeight } from "./groundHeight";
import { planBuild, tileInput, type BuildPlan } from "./plan";
import { tileInputBuffers } from "./mesh/tileInput";
import { autoTileSize } from "./tiling/grid";
import { gridDomain } from "./tiling/grid";
import { MANIFEST_VERSION, buildKey, geometryParams, hashFile, readManifest, tileFileName, writeManifest, type Manifest } from "./store/manifest";
import { ensureDir } from "./store/fsLayer";
import { lockStore } from "./store/lock";
import { BuildPool, findWorkerScript } from "./workerPool";
import { writeBuildingsFile } from "./buildingsFile";
import type { TileMeta } from "../worker/jobs";
import type { MergeStats } from "./merge/mergeTiles";

export interface BuildHooks {
  onProgress?(e: ProgressEvent): void;
  signal?: AbortSignal;
  /** One line of the build log (CLI prints it, the extension writes it to its output channel). */
  log?(line: string): void;
  /** Write a live-preview file (CMPV) next to each finished tile; its path comes in ProgressEvent.tileFile. */
  preview?: boolean;
  workerScript?: string;
}

const cancelled = () => new CityMeshError("cancelled", "Build cancelled; finished tiles stay in the scratch store and the next run resumes from them.");

export async function buildCityMesh(options: Parameters<typeof resolveOptions>[0], hooks: BuildHooks = {}): Promise<BuildResult> {
  const started = Date.now();
  const o = resolveOptions(options);
  const log = (line: string) => hooks.log?.(line);
  const signal = hooks.signal;
  const emit = (phase: BuildPhase, e: Partial<ProgressEvent> = {}) => hooks.onProgress?.({ phase, tilesDone: 0, tilesTotal: 0, triangles: 0, ...e });
  const checkAbort = () => { if (signal?.aborted) throw cancelled(); };

  emit("reading", { message: `Reading ${o.input}` });
  prepareScratch(o.scratchDir);
  const propsTmp = path.join(o.scratchDir, `properties-${process.pid}-${randomBytes(4).toString("hex")}.jsonl`);
  let read: ReadResult;
  try {
    read = await readFootprints(o.input, { crs: o.crs, heightAttributes: o.heightAttributes, defaultHeight: o.defaultHeight, levelHeight: o.levelHeight, minBuildingArea: o.minBuildingArea, propertiesOut: propsTmp }, signal);
  } catch (e) {
    fs.rmSync(propsTmp, { force: true });
    throw e;
  }
  try {
    log(`read ${read.footprints.count} buildings from ${read.featureCount} features of ${o.input} (CRS ${read.crs.name}, origin ${read.crs.origin.join(", ")})`);
    log(`heights: ${Object.entries(read.heightSources).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`);
    if (read.footprints.count === 0) {
      throw new CityMeshError("input", `${o.input}: no valid building footprints (${read.diagnostics.length} problem(s) reported).`, { diagnostics: read.diagnostics });
    }
    checkAbort();

    emit("tiling", { message: "Cleaning footprints and planning tiles" });
    const [bx0, by0, bx1, by1] = read.bounds;
    const tileSize = o.autoTileSize ? autoTileSize({ buildings: read.footprints.count, area: (bx1 - bx0) * (by1 - by0), maxMeshSize: o.maxMeshSize, workers: o.workers }) : o.tileSize;
    let zAt = (_x: number, _y: number) => 0;
    if (o.dem) zAt = demHeight(await openDem(o.dem), read.crs.origin);
    const ids = new Map<number, string | number | null>();
    read.footprints.featureIndex.forEach((f, b) => ids.set(f, read.featureIds[b]));
    const plan = planBuild(read.footprints, read.bounds, {
      tileSize, maxMeshSize: o.maxMeshSize, margin: o.margin, snapTolerance: o.snapTolerance, file: o.input,
      featureId: (f) => ids.get(f) ?? null,
      ground: o.dem ? { kind: "dem", path: o.dem, origin: read.crs.origin } : { kind: "flat" },
      zAt,
    });
    const diagnostics: Diagnostic[] = [...read.diagnostics, ...plan.diagnostics];
    const nTiles = plan.tiles.length;
    log(`${plan.footprints.count} buildings after clean-up, ${nTiles} tile(s) of ${plan.grid.cellsX * plan.grid.lattice.h} m, ground elements ≤ ${o.maxMeshSize} m`);
    checkAbort();

    const inputHash = await hashFile(o.input);
    const key = buildKey(inputHash, geometryParams({ ...o, tileSize }));
    const storeDir = path.join(o.scratchDir, key);
    const pool = new BuildPool(findWorkerScript(hooks.workerScript), o.workers);
    const onAbort = () => void pool.close(true);
    signal?.addEventListener("abort", onAbort);
    let unlock = () => {};
    try {
      let manifest: Manifest | null = null;
      if (o.useDiskStore) {
        ensureDir(storeDir);
        unlock = lockStore(storeDir);
        const old = readManifest(storeDir);
        manifest = old && old.buildKey === key ? old : {
          version: MANIFEST_VERSION, buildKey: key, inputHash, params: geometryParams({ ...o, tileSize }), crs: read.crs,
          grid: { tileSize, cols: plan.grid.nx, rows: plan.grid.ny, bounds: gridDomain(plan.grid) }, tiles: {},
        };
        writeManifest(storeDir, manifest);
      }
      const tiles = await buildTiles(o, plan, pool, storeDir, manifest, diagnostics, { emit, log, signal, preview: !!hooks.preview });
      checkAbort();

      emit("merging", { tilesDone: 0, tilesTotal: nTiles, message: `Merging ${nTiles} tile(s)` });
      const mergeStarted = Date.now();
      const job = {
        output: o.output, format: o.format, crs: read.crs, buildings: plan.footprints.count, mergeBatchSize: o.mergeBatchSize,
        ...(o.useDiskStore ? { files: plan.tiles.map((_, i) => path.join(storeDir, tileFileName(i))), ids: plan.tiles.map((_, i) => i) } : { meshes: tiles.meshes }),
      };
      const transfer = o.useDiskStore ? [] : tiles.meshes!.flatMap((m) => [m.vertices.buffer, m.faces.buffer, m.markers.buffer, m.seam.buffer] as ArrayBuffer[]);
      let stats: MergeStats;
      try {
        stats = await pool.exec<MergeStats>("merge", [job], {
          transfer,
          on: (p) => {
            const { done, total, triangles } = p as { done: number; total: number; triangles: number };
            const eta = done > 0 ? ((Date.now() - mergeStarted) / 1000 / done) * (total - done) : undefined;
            emit(done < total ? "merging" : "writing", { tilesDone: done, tilesTotal: total, triangles, etaSeconds: eta });
          },
        });
      } catch (e) {
        if (signal?.aborted) throw cancelled();
        throw e instanceof CityMeshError ? e : new CityMeshError("output", `Merging into ${o.output} failed: ${(e as Error).message}`, { file: o.output });
      }
      checkAbort();
      const buildingsFile = o.output.replace(/\.[^./\\]+$/, "") + ".buildings.jsonl";
      await writeBuildingsFile(propsTmp, buildingsFile, plan.sourceIndex);
      log(`wrote ${o.output}: ${stats.vertices} vertices, ${stats.triangles} triangles, ${(stats.bytes / 1e6).toFixed(1)} MB`);
      if (o.useDiskStore && !o.keepIntermediate) {
        unlock();
        unlock = () => {};
        fs.rmSync(storeDir, { recursive: true, force: true });
      }
      emit("done", { tilesDone: nTiles, tilesTotal: nTiles, triangles: stats.triangles, message: `Wrote ${o.output}` });
      return {
        output: o.output, format: o.format, vertices: stats.vertices, triangles: stats.triangles, buildings: plan.footprints.count,
        tiles: nTiles, tilesReused: tiles.reused, crs: read.crs, diagnostics, heightSources: read.heightSources,
        storeDir: o.useDiskStore && o.keepIntermediate ? storeDir : undefined, buildingsFile, seconds: (Date.now() - started) / 1000,
      };
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await pool.close(true);
      unlock();
    }
  } finally {
    fs.rmSync(propsTmp, { force: true });
  }
}

/** `<scratch>/..` named .citymesh gets a .gitignore, so a workspace never commits its scratch store. */
function prepareScratch(dir: string): void {
  ensureDir(dir);
  const parent = path.dirname(dir);
  if (path.basename(parent) === ".citymesh") {
    const gi = path.join(parent, ".gitignore");
    if (!fs.existsSync(gi)) fs.writeFileSync(gi, "# citymesh scratch store: never commit\n*\n");
  }
}

interface TileRun { reused: number; meshes?: TileMesh[] }
interface RunCtx { emit: (phase: BuildPhase, e?: Partial<ProgressEvent>) => void; log: (line: string) => void; signal?: AbortSignal; preview: boolean }

/**
 * Builds every tile not already complete in the store. At most 2 × workers tiles are in
 * flight, so tile inputs are made only shortly before they are needed. A tile that fails is
 * retried once in a fresh worker; if it fails again, the tiles in flight finish (and are kept)
 * and the build stops with an error naming the tile.
 */
async function buildTiles(o: ResolvedOptions, plan: BuildPlan, pool: BuildPool, storeDir: string, manifest: Manifest | null, diagnostics: Diagnostic[], ctx: RunCtx): Promise<TileRun> {
  const n = plan.tiles.length;
  const meshes: TileMesh[] | undefined = o.useDiskStore ? undefined : new Array(n);
  const done = new Set<number>();
  let triangles = 0;

  // Resume: every tile file in the store is read back in full; good ones are kept.
  if (manifest) {
    const present = plan.tiles.map((_, i) => i).filter((i) => fs.existsSync(path.join(storeDir, tileFileName(i))));
    if (present.length) ctx.emit("building", { tilesDone: 0, tilesTotal: n, message: `Checking ${present.length} stored tile(s)` });
    const checks = await Promise.all(present.map((i) =>
      pool.exec<{ ok: boolean; reason?: string; meta?: TileMeta }>("verifyTile", [path.join(storeDir, tileFileName(i)), i, manifest.tiles[i]?.status === "done" ? manifest.tiles[i].checksum : undefined])
        .then((r) => [i, r] as const)));
    for (const [i, r] of checks) {
      if (r.ok && r.meta) {
        done.add(i);
        triangles += r.meta.triangles;
        manifest.tiles[i] = { status: "done", file: tileFileName(i), checksum: r.meta.checksum, vertices: r.meta.vertices, triangles: r.meta.triangles, bounds: plan.tiles[i].spec.bounds };
      } else {
        ctx.log(`warning: stored tile ${i} is damaged and will be rebuilt: ${r.reason}`);
        diagnostics.push({ file: path.join(storeDir, tileFileName(i)), featureIndex: -1, severity: "warning", code: "tile-rebuilt", message: `stored tile ${i} was damaged (${r.reason}) and was rebuilt` });
        delete manifest.tiles[i];
        fs.rmSync(path.join(storeDir, tileFileName(i)), { force: true });
      }
    }
    if (done.size) ctx.log(`resuming: ${done.size} of ${n} tile(s) already built, reused`);
    writeManifest(storeDir, manifest);
  }
  const reused = done.size;
  const todo = plan.tiles.map((_, i) => i).filter((i) => !done.has(i));
  const started = Date.now();
  let lastManifestWrite = 0, builtNow = 0, failure: CityMeshError | null = null;
  const saveManifest = (force = false) => {
    if (!manifest || (!force && Date.now() - lastManifestWrite < 250)) return;
    writeManifest(storeDir, manifest);
    lastManifestWrite = Date.now();
  };
  ctx.emit("building", { tilesDone: done.size, tilesTotal: n, triangles });

  const runOne = async (id: number): Promise<void> => {
    const job = () => {
      const input = tileInput(plan, id);
      return {
        args: [{ input, file: o.useDiskStore ? path.join(storeDir, tileFileName(id)) : undefined, preview: o.useDiskStore && ctx.preview ? path.join(storeDir, `tile_${id}.cmpv`) : undefined }],
        transfer: tileInputBuffers(input),
      };
    };
    type Out = { meta: TileMeta; mesh?: TileMesh };
    let r: Out;
    try {
      const j = job();
      r = await pool.exec<Out>("buildTile", j.args, { transfer: j.transfer });
    } catch (first) {
      if (ctx.signal?.aborted) throw cancelled();
      ctx.log(`tile ${id} failed (${errText(first)}); retrying in a fresh worker`);
      try {
        const j = job();
        r = await pool.execFresh<Out>("buildTile", j.args, { transfer: j.transfer });
      } catch (second) {
        if (ctx.signal?.aborted) throw cancelled();
        const b = plan.tiles[id].spec.bounds;
        const reason = errText(second);
        if (manifest) { manifest.tiles[id] = { status: "failed", file: tileFileName(id), checksum: "", vertices: 0, triangles: 0, bounds: b, error: reason }; saveManifest(true); }
        throw new CityMeshError("tile", `Tile ${id} (bounds ${b.map((v) => v.toFixed(1)).join(", ")} m) failed twice: ${reason}. The other tiles are kept in ${o.useDiskStore ? storeDir : "memory"}; rerun to resume.`, { tile: id, bounds: b, reason });
      }
    }
    done.add(id);
    builtNow++;
    triangles += r.meta.triangles;
    if (meshes && r.mesh) meshes[id] = r.mesh;
    if (manifest) { manifest.tiles[id] = { status: "done", file: tileFileName(id), checksum: r.meta.checksum, vertices: r.meta.vertices, triangles: r.meta.triangles, bounds: plan.tiles[id].spec.bounds }; saveManifest(); }
    ctx.log(`tile ${id} done: ${r.meta.triangles} triangles in ${r.meta.ms.toFixed(0)} ms`);
    const eta = ((Date.now() - started) / 1000 / builtNow) * (n - done.size);
    ctx.emit("building", { tilesDone: done.size, tilesTotal: n, triangles, etaSeconds: eta, tileId: id, tileFile: o.useDiskStore && ctx.preview ? path.join(storeDir, `tile_${id}.cmpv`) : undefined });
  };

  // A fixed number of lanes pull tile ids; after a failure no lane starts a new tile.
  let next = 0;
  const lanes = Array.from({ length: Math.min(todo.length, pool.size * 2) }, async () => {
    while (next < todo.length && !failure && !ctx.signal?.aborted) {
      const id = todo[next++];
      try { await runOne(id); } catch (e) { if (!failure) failure = e instanceof CityMeshError ? e : new CityMeshError("tile", errText(e)); }
    }
  });
  await Promise.all(lanes);
  saveManifest(true);
  if (ctx.signal?.aborted) throw cancelled();
  if (failure) throw failure;
  return { reused, meshes };
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
