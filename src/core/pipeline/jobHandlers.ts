// The work the build's pool threads do (the planner's jobs are in plannerHandlers.ts): one handler per job of the contract
// (jobs.ts), as plain async functions (the worker entry only registers them, so tests can call
// them in-process too). A built tile is written to the store by the thread that built it; only
// metadata goes back, never the big arrays (unless there is no store).
import type { TileInput } from "../mesh/tileInput";
import { meshTile, flatGround, type HeightAt } from "../mesh/tileMesher";
import { writeTileFile, readTileFile } from "../store/tileFile";
import { tileChecksum } from "../store/checksum";
import { openGround, groundZ, type GroundSurface } from "../groundHeight";
import { writePreview } from "../writers/preview";
import { mergeTiles, type MergeStats, type TableThread } from "../merge/mergeTiles";
import { streamGlbTable, type GlbTable, type GlbTableJob } from "../writers/glb";
import { FeatureTable, type FeatureColumn } from "../writers/tiles3d/features";
import { BuildPool, findWorkerScript } from "./workerPool";
import { fromWorker } from "../errors";
import { memoryTileSource } from "../merge/tileSource";
import { storeTileSource } from "../merge/storeSource";
import { readTileInput } from "../tiling/tileInputsFile";
import { injectFault } from "./faultHook";
import type { BuildTileJob, BuiltTile, JobHandlers, PlannerJobName, PlannerThreadJobName, MergeJob, MergeProgress, TileCheck, TileMeta } from "./jobs";
import path from "path";

/** The build's jobs (the planner's are in plannerHandlers.ts and plannerThreadHandlers.ts, so this worker's bundle has no readers or clean-up). */
export const jobHandlers: Omit<JobHandlers, PlannerJobName | PlannerThreadJobName> = {
  buildTile: (_emit, job) => buildTileJob(job),
  verifyTile: (_emit, file, tileId, checksum) => verifyTileJob(file, tileId, checksum),
  merge: (emit, job) => mergeJob(job, emit),
  glbTable: async (emit, job) => glbTableJob(job, (columns) => emit({ columns })),
};

// One open ground per worker and build: every tile of a build carries the same ground model.
const grounds = new Map<string, Promise<GroundSurface>>();

async function groundFor(t: TileInput): Promise<HeightAt> {
  if (t.ground.kind === "flat") return flatGround;
  const key = JSON.stringify(t.ground);
  let g = grounds.get(key);
  if (!g) {
    if (grounds.size >= 4) grounds.clear(); // a long-lived worker serving several builds keeps only the recent DEMs
    g = openGround(t.ground.paths, t.ground.crs, t.ground.origin).then((r) => r.ground);
    g.catch(() => grounds.delete(key)); // a failed open is retried by the next tile, not cached
    grounds.set(key, g);
  }
  return groundZ(await g);
}

async function buildTileJob(job: BuildTileJob): Promise<BuiltTile> {
  const t0 = performance.now();
  const input = readTileInput(job.inputs.file, job.inputs.start, job.inputs.end);
  const id = input.spec.id;
  injectFault(id, "build", job.file && path.dirname(job.file));
  const mesh = meshTile(input, await groundFor(input));
  const meta: TileMeta = { tileId: id, vertices: mesh.vertices.length / 3, triangles: mesh.faces.length / 3, checksum: "", ms: 0 };
  if (job.file) {
    const w = await writeTileFile(job.file, id, mesh, input.spec.bounds);
    Object.assign(meta, { checksum: w.checksum, file: w.file, bytes: w.bytes });
  } else meta.checksum = tileChecksum(mesh);
  if (job.preview) writePreview(job.preview, mesh, input.buildingCount);
  meta.ms = performance.now() - t0;
  return job.file ? { meta } : { meta, mesh };
}

/**
 * Reads a stored tile back in full (shapes, index ranges, its own checksum) and, when the
 * manifest knows the tile, compares checksums too. Never throws: a bad tile is rebuilt.
 */
async function verifyTileJob(file: string, tileId: number, checksum?: string): Promise<TileCheck> {
  try {
    const c = await readTileFile(file, tileId);
    if (checksum && c.checksum !== checksum) return { ok: false, reason: `checksum ${c.checksum} does not match the manifest's ${checksum}` };
    return { ok: true, meta: { tileId, vertices: c.mesh.vertices.length / 3, triangles: c.mesh.faces.length / 3, checksum: c.checksum, file, ms: 0 } };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

async function mergeJob(job: MergeJob, emit: (e: MergeProgress) => void): Promise<MergeStats> {
  injectFault(-1, "merge");
  const inner = job.meshes ? memoryTileSource(job.meshes) : storeTileSource(job.files ?? [], job.ids);
  const source = { count: inner.count, read: (i: number) => { injectFault(i, "merge-read"); return inner.read(i); } };
  return mergeTiles(source, {
    output: job.output, format: job.format, crs: job.crs, buildings: job.buildings, mergeBatchSize: job.mergeBatchSize, spoolDir: job.spoolDir, buildingsFile: job.buildingsFile, layout: job.layout, tileIds: job.ids, featureProperties: job.featureProperties, glbCompression: job.glbCompression,
    ...(job.tableThread ? { tableThread: startTableThread } : {}),
    onProgress: (done, total, triangles) => emit({ done, total, triangles }),
  });
}

/** The side file scanned (its columns told at once), then its columns streamed into the spool folder. */
function glbTableJob(job: GlbTableJob, onColumns: (columns: FeatureColumn[]) => void): GlbTable {
  const ft = new FeatureTable(job.buildingsFile, job.buildings, job.featureProperties);
  try {
    onColumns(ft.columns);
    return streamGlbTable(ft, job.buildings, job.dir);
  } finally {
    ft.close();
  }
}

/**
 * A GLB's property table made on a thread of its own (this bundle, one-thread pool) while the
 * merge welds on this one. The merge is one thread; on a machine with a core to spare, this
 * takes the table's two passes over the buildings file off it.
 */
function startTableThread(job: GlbTableJob): TableThread {
  // Its garbage is a parsed line at a time: a young generation of 8 MiB instead of V8's default
  // holds its heap down (`citymesh merge` of 1,000,000 buildings: peak RSS 341–351 MB by default,
  // 310 MB with 8 MiB, 299 MB with 4 MiB, against 263–268 MB without the thread; times within noise).
  const pool = new BuildPool(findWorkerScript(), 1, { maxYoungGenerationSizeMb: 8 });
  let told: (columns: FeatureColumn[]) => void = () => {};
  let failed: (e: unknown) => void = () => {};
  const columns = new Promise<FeatureColumn[]>((resolve, reject) => { told = resolve; failed = reject; });
  columns.catch(() => {}); // the merge reads the outcome when it needs it
  // workerpool's exec gives a promise of its own class; the merge awaits and chains a native one.
  const run = pool.exec("glbTable", [job], { on: (e) => told(e.columns) });
  const table = new Promise<GlbTable>((resolve, reject) => { run.then(resolve, reject); }).then(
    (t) => t,
    (e: unknown) => {
      const error = fromWorker(e);
      failed(error); // columns never told: the scan failed
      throw error;
    },
  );
  // Closed once: when the table is made, or at once when the merge fails.
  let closing: Promise<void> | undefined;
  const close = (force: boolean) => (closing ??= pool.close(force));
  table.then(() => close(false), () => close(true));
  return { columns, table, stop: () => close(true) };
}
