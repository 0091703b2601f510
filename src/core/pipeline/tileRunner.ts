// Builds a set of tiles into the store (or memory) with a worker pool. Each worker reads its
// tile's input from the planner's tile inputs file itself, so no footprints pass through here. Stored
// tiles are read back in full first and reused when good (resume). A tile that fails is
// retried once in a fresh worker; if it fails again, the tiles in flight finish (and are
// kept) and the run stops with an error naming the tile.
import fs from "fs";
import path from "path";
import type { Diagnostic, TileMesh } from "../types";
import { CityMeshError } from "../errors";
import { MANIFEST_VERSION, readManifest, tileFileName, writeManifest, type Manifest } from "../store/manifest";
import { gridDomain, tileSpec } from "../tiling/grid";
import type { BuildPool } from "./workerPool";
import type { BuiltTile, JobArgs } from "./jobs";
import type { Prepared } from "./planning";
import { cancelled, type RunCtx } from "./runCtx";
import { EtaEstimator } from "./eta";
import { tileCost } from "./shard";

export interface TileRun {
  reused: number;
  built: number;
  triangles: number;
  meshes?: TileMesh[];
}

export interface RunTilesOptions {
  /** Tile ids to build (ascending). */
  ids: number[];
  /** Manifest file in the store: shards keep one each, so they never overwrite each other's. */
  manifestName: string;
  /** Folder for a live-preview file (CMPV) of each finished tile; undefined: none. The caller removes it. */
  previewDir?: string;
}

export async function runTiles(p: Prepared, pool: BuildPool, ro: RunTilesOptions, ctx: RunCtx): Promise<TileRun> {
  const { o, plan, storeDir } = p;
  const n = plan.tiles, total = ro.ids.length;
  const boundsOf = (id: number) => tileSpec(plan.grid, id).bounds;
  const meshes: TileMesh[] | undefined = o.useDiskStore ? undefined : new Array(n);
  const done = new Set<number>();
  let triangles = 0;
  const manifest = o.useDiskStore ? loadManifest(p, ro.manifestName, ctx) : null;
  const fileOf = (id: number) => path.join(storeDir, tileFileName(id));
  const previewOf = (id: number) => (ro.previewDir ? path.join(ro.previewDir, `tile_${id}.cmpv`) : undefined);
  if (ro.previewDir) fs.mkdirSync(ro.previewDir, { recursive: true });

  // Resume: every tile file of ours in the store is read back in full; good ones are kept.
  if (manifest) {
    const present = ro.ids.filter((i) => fs.existsSync(fileOf(i)));
    if (present.length) ctx.emit("building", { tilesDone: 0, tilesTotal: total, message: `Checking ${present.length} stored tile(s)` });
    const checks = await Promise.all(present.map((i) =>
      pool.exec("verifyTile", [fileOf(i), i, manifest.tiles[i]?.status === "done" ? manifest.tiles[i].checksum : undefined]).then((r) => [i, r] as const)));
    for (const [i, r] of checks) {
      if (r.ok && r.meta) {
        done.add(i);
        triangles += r.meta.triangles;
        manifest.tiles[i] = { status: "done", file: tileFileName(i), checksum: r.meta.checksum, vertices: r.meta.vertices, triangles: r.meta.triangles, bounds: boundsOf(i) };
      } else {
        ctx.log(`warning: stored tile ${i} is damaged and will be rebuilt: ${r.reason}`);
        p.diagnostics.push({ file: fileOf(i), featureIndex: -1, severity: "warning", code: "tile-rebuilt", message: `stored tile ${i} was damaged (${r.reason}) and was rebuilt` } satisfies Diagnostic);
        delete manifest.tiles[i];
        fs.rmSync(fileOf(i), { force: true });
      }
    }
    if (done.size) ctx.log(`resuming: ${done.size} of ${total} tile(s) already built, reused`);
    writeManifest(storeDir, manifest, undefined, ro.manifestName);
  }
  const reused = done.size;
  const todo = ro.ids.filter((i) => !done.has(i));
  const etaOf = new EtaEstimator(todo.reduce((c, i) => c + tileCost(plan, i), 0), Date.now());
  let lastWrite = 0, built = 0, failure: CityMeshError | null = null;
  const saveManifest = (force = false) => {
    if (!manifest || (!force && Date.now() - lastWrite < 250)) return;
    writeManifest(storeDir, manifest, undefined, ro.manifestName);
    lastWrite = Date.now();
  };
  ctx.emit("building", { tilesDone: done.size, tilesTotal: total, triangles });

  const job = (id: number): JobArgs<"buildTile"> => [{
    inputs: { file: plan.inputsFile, start: plan.inputOffsets[id], end: plan.inputOffsets[id + 1] },
    file: o.useDiskStore ? fileOf(id) : undefined,
    preview: previewOf(id),
  }];
  const runOne = async (id: number): Promise<void> => {
    let r: BuiltTile;
    try {
      r = await pool.exec("buildTile", job(id));
    } catch (first) {
      if (ctx.signal?.aborted) throw cancelled();
      ctx.log(`tile ${id} failed (${errText(first)}); retrying in a fresh worker`);
      try {
        r = await pool.execFresh("buildTile", job(id));
      } catch (second) {
        if (ctx.signal?.aborted) throw cancelled();
        const b = boundsOf(id), reason = errText(second);
        if (manifest) { manifest.tiles[id] = { status: "failed", file: tileFileName(id), checksum: "", vertices: 0, triangles: 0, bounds: b, error: reason }; saveManifest(true); }
        throw new CityMeshError("tile", `Tile ${id} (bounds ${b.map((v) => v.toFixed(1)).join(", ")} m) failed twice: ${reason}. The other tiles are kept in ${o.useDiskStore ? storeDir : "memory"}; rerun to resume.`, { tile: id, bounds: b, reason });
      }
    }
    done.add(id);
    built++;
    triangles += r.meta.triangles;
    if (meshes && r.mesh) meshes[id] = r.mesh;
    if (manifest) { manifest.tiles[id] = { status: "done", file: tileFileName(id), checksum: r.meta.checksum, vertices: r.meta.vertices, triangles: r.meta.triangles, bounds: boundsOf(id) }; saveManifest(); }
    ctx.log(`tile ${id} done: ${r.meta.triangles} triangles in ${r.meta.ms.toFixed(0)} ms`);
    const eta = etaOf.finished(tileCost(plan, id), Date.now());
    ctx.emit("building", { tilesDone: done.size, tilesTotal: total, triangles, etaSeconds: eta, tileId: id, tileFile: previewOf(id) });
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
  return { reused, built, triangles, meshes };
}

/** The store's manifest for this build, or a fresh one (an unreadable manifest is replaced: the tile files are the truth). */
function loadManifest(p: Prepared, name: string, ctx: RunCtx): Manifest {
  let old: Manifest | null = null;
  try {
    old = readManifest(p.storeDir, name);
  } catch (e) {
    ctx.log(`warning: ${(e as Error).message}; starting a new manifest (stored tiles are still checked and reused)`);
  }
  if (old && old.buildKey === p.key) return old;
  return {
    version: MANIFEST_VERSION, buildKey: p.key, inputHash: p.inputHash, params: p.params, crs: p.read.crs,
    grid: { tileSize: p.o.tileSize, cols: p.plan.grid.nx, rows: p.plan.grid.ny, bounds: gridDomain(p.plan.grid) }, tiles: {},
  };
}

export const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").trim();
