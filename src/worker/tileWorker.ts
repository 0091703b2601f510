// The workerpool worker: registers the jobs. Big results cross back by transfer, not by copy.
import workerpool from "workerpool";
import { buildTileJob, verifyTileJob, mergeJob, type BuildTileJob, type MergeJob } from "./jobs";
import type { ResolvedOptions } from "../core/options";
import { planCityInputs, type PlannerFiles } from "../core/planner";

workerpool.worker({
  async buildTile(job: BuildTileJob) {
    const r = await buildTileJob(job);
    if (!r.mesh) return r;
    const m = r.mesh;
    return new workerpool.Transfer(r, [m.vertices.buffer, m.faces.buffer, m.markers.buffer, m.seam.buffer] as ArrayBuffer[]);
  },
  // Planning runs alone in a child process that exits afterwards (workerPool.ts: execAlone).
  async plan(o: ResolvedOptions, files: PlannerFiles) {
    const r = await planCityInputs(o, files, (e) => workerpool.workerEmit(e));
    return new workerpool.Transfer(r, [r.plan.sourceIndex.buffer, r.plan.owned.buffer, r.plan.inputOffsets.buffer] as ArrayBuffer[]);
  },
  verifyTile: (file: string, tileId: number, checksum?: string) => verifyTileJob(file, tileId, checksum),
  merge: (job: MergeJob) => mergeJob(job, (done, total, triangles) => workerpool.workerEmit({ done, total, triangles })),
});
