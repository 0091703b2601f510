// The workerpool worker: registers the jobs. Big results cross back by transfer, not by copy.
import workerpool from "workerpool";
import { buildTileJob, verifyTileJob, mergeJob, type BuildTileJob, type MergeJob } from "./jobs";

workerpool.worker({
  async buildTile(job: BuildTileJob) {
    const r = await buildTileJob(job);
    if (!r.mesh) return r;
    const m = r.mesh;
    return new workerpool.Transfer(r, [m.vertices.buffer, m.faces.buffer, m.markers.buffer, m.seam.buffer] as ArrayBuffer[]);
  },
  verifyTile: (file: string, tileId: number, checksum?: string) => verifyTileJob(file, tileId, checksum),
  merge: (job: MergeJob) => mergeJob(job, (done, total, triangles) => workerpool.workerEmit({ done, total, triangles })),
});
