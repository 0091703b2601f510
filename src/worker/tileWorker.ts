// The workerpool worker: registers the jobs. Big results cross back by transfer, not by copy.
import workerpool from "workerpool";
import { buildTileJob, verifyTileJob, mergeJob, type BuildTileJob, type MergeJob } from "../core/pipeline/jobHandlers";
import type { ResolvedOptions } from "../core/options";
import { planCityInputs, type PlannerFiles } from "../core/pipeline/planning";

workerpool.worker({
  async buildTile(job: BuildTileJob) {
    const r = await buildTileJob(job);
    if (!r.mesh) return r;
    const m = r.mesh;
    return new workerpool.Transfer(r, [m.vertices.buffer, m.faces.buffer, m.markers.buffer, m.seam.buffer] as ArrayBuffer[]);
  },
  // Planning runs alone in a child process that exits afterwards (workerPool.ts: execAlone); its
  // result is copied over the IPC channel (no transfer there), and it is small: per tile, not per building.
  plan: (o: ResolvedOptions, files: PlannerFiles) => planCityInputs(o, files, (e) => workerpool.workerEmit(e)),
  verifyTile: (file: string, tileId: number, checksum?: string) => verifyTileJob(file, tileId, checksum),
  merge: (job: MergeJob) => mergeJob(job, (done, total, triangles) => workerpool.workerEmit({ done, total, triangles })),
});
