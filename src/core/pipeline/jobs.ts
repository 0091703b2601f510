// The jobs that run outside the build's thread, as one typed contract: job name → arguments →
// result → the events the job emits while it runs. The main thread calls them by name through
// workerPool.ts (BuildPool.exec/execFresh, execAlone), which takes these types; jobHandlers.ts
// implements them; the worker bundle's entry (tileWorker.ts, in src/worker) registers those
// handlers under these names, checked against WorkerMethods. A job's name, arguments or events
// cannot drift between the caller and the worker without the type check saying so.
import type { BuildFormat, CrsInfo, Footprints, TileMesh } from "../types";
import type { CleanupResult } from "../geometry/cleanup";
import type { PartOptions } from "../geometry/cleanupParts";
import type { ReadJob, ReadJobResult } from "../geojson/readRange";
import type { ResolvedOptions } from "../options";
import type { MergeStats } from "../merge/mergeTiles";
import type { TilesetLayout } from "../writers/tiles3d/tileset";
import type { GlbCompression, GlbTable, GlbTableJob } from "../writers/glb";
import type { FeatureColumn } from "../writers/tiles3d/features";
import type { PlanSummary, PlannerEvent, PlannerFiles, ReadSummary } from "./planning";

export interface TileMeta {
  tileId: number;
  vertices: number;
  triangles: number;
  checksum: string;
  file?: string;
  bytes?: number;
  ms: number;
}

export interface BuildTileJob {
  /** The tile inputs file the planner wrote, and where in it this tile's input lies. */
  inputs: { file: string; start: number; end: number };
  /** Store file to write; without it the mesh is returned. */
  file?: string;
  /** Live-preview file to write (CMPV). */
  preview?: string;
}

/** A built tile: its figures, and its mesh only when there is no store to write it to. */
export interface BuiltTile {
  meta: TileMeta;
  mesh?: TileMesh;
}

/** A stored tile read back: good (with its figures) or the reason it is not. */
export interface TileCheck {
  ok: boolean;
  reason?: string;
  meta?: TileMeta;
}

export interface MergeJob {
  files?: string[];
  ids?: number[];
  meshes?: TileMesh[];
  output: string;
  format: BuildFormat;
  crs: CrsInfo;
  buildings: number;
  mergeBatchSize: number;
  /** Folder for the merge's spool (the scratch directory); default beside the output. */
  spoolDir?: string;
  /** The buildings side file, complete, for writers that carry attributes (CityJSON, 3D Tiles). */
  buildingsFile?: string;
  /** 3D Tiles: the tile grid (tile id = row · nx + col) and its rectangle in local metres. */
  layout?: TilesetLayout;
  /** GeoJSON properties for the feature tables (empty: every scalar one). */
  featureProperties?: string[];
  /** GLB: none, or EXT_meshopt_compression. */
  glbCompression?: GlbCompression;
  /** An uncompressed GLB's property table is made on a thread of the merge's own (the glbTable job) while it welds the tiles. */
  tableThread?: boolean;
}

/** Tiles merged so far (`done` of `total`) and the triangles they hold. */
export interface MergeProgress {
  done: number;
  total: number;
  triangles: number;
}

export interface JobContract {
  /** Read and plan the city; runs alone in the planner process (execAlone, planning.ts), which is dist/planner.mjs (`script`: dist/planner-thread.mjs, the script of the planner's own threads). */
  plan: { args: [o: ResolvedOptions, files: PlannerFiles, script?: string]; result: { read: ReadSummary; plan: PlanSummary }; event: PlannerEvent };
  /** Clean one part of the city's footprints (geometry/cleanupParts.ts); runs on a thread of the planner process. */
  cleanPart: { args: [part: Footprints, o: PartOptions]; result: CleanupResult; event: never };
  /** Validate one range of a FeatureCollection's features, or project a run of its coordinates (geojson/parallelRead.ts); runs on a thread of the planner process (dist/planner-thread.mjs). */
  readRange: { args: [job: ReadJob]; result: ReadJobResult; event: never };
  /** Mesh one tile and write it to the store (and its preview file). */
  buildTile: { args: [job: BuildTileJob]; result: BuiltTile; event: never };
  /** Read a stored tile back in full and compare its checksum with the manifest's, if given. */
  verifyTile: { args: [file: string, tileId: number, checksum?: string]; result: TileCheck; event: never };
  /** Merge the tiles (store files or meshes) into the output file. */
  merge: { args: [job: MergeJob]; result: MergeStats; event: MergeProgress };
  /** A GLB's property table into files of the merge's spool folder; runs on a thread the merge starts. Its event: the table's columns, as soon as the buildings file has been scanned. */
  glbTable: { args: [job: GlbTableJob]; result: GlbTable; event: { columns: FeatureColumn[] } };
}

export type JobName = keyof JobContract;
export type JobArgs<K extends JobName> = JobContract[K]["args"];
export type JobResult<K extends JobName> = JobContract[K]["result"];
export type JobEvent<K extends JobName> = JobContract[K]["event"];

/** A job's implementation: `emit` sends one of its events to the caller, then the job's arguments. */
export type JobHandler<K extends JobName> = (emit: (e: JobEvent<K>) => void, ...args: JobArgs<K>) => Promise<JobResult<K>>;
export type JobHandlers = { [K in JobName]: JobHandler<K> };

/** A result handed to workerpool as a Transfer: `message` is the result, `transfer` the buffers that move instead of being copied. */
export interface Transferred<T> {
  message: T;
  transfer: object[];
}

/** What a worker entry registers with workerpool: each job under its name, taking its arguments. */
export type WorkerMethods = { [K in JobName]: (...args: JobArgs<K>) => Promise<JobResult<K> | Transferred<JobResult<K>>> };
/** The planner's job: dist/planner.mjs (src/worker/plannerWorker.ts) runs it, without HDF5 or the mesher. */
export type PlannerJobName = "plan";
export type PlannerMethods = Pick<WorkerMethods, PlannerJobName>;
/** The jobs of the planner's threads: dist/planner-thread.mjs (src/worker/plannerThread.ts). */
export type PlannerThreadJobName = "cleanPart" | "readRange";
export type PlannerThreadMethods = Pick<WorkerMethods, PlannerThreadJobName>;
/** The build's jobs: dist/worker.mjs (src/worker/tileWorker.ts). */
export type TileWorkerMethods = Omit<WorkerMethods, PlannerJobName | PlannerThreadJobName>;

/** The buffers of a tile mesh, which cross between threads by transfer (a worker's result, the merge's input). */
export const meshBuffers = (m: TileMesh): ArrayBuffer[] => [m.vertices.buffer, m.faces.buffer, m.markers.buffer, m.seam.buffer] as ArrayBuffer[];

/** The buffers of footprints, which cross to and from the planner's threads by transfer. */
export const footprintBuffers = (f: Footprints): ArrayBuffer[] => [f.xy.buffer, f.ringStart.buffer, f.polyStart.buffer, f.buildingStart.buffer, f.height.buffer, f.featureIndex.buffer] as ArrayBuffer[];

/** The buffers of a read job, which move to the planner's thread instead of being copied: each job's arrays are made for it alone (rangeJob, projectInRuns). */
export const readJobBuffers = (job: ReadJob): ArrayBuffer[] => ("xy" in job ? [job.xy.buffer] : [job.starts.buffer, job.ends.buffer, job.lines.buffer, job.columns.buffer]) as ArrayBuffer[];
