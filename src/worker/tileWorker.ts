// The workerpool worker: registers the pipeline's job handlers (core/pipeline/jobHandlers.ts) under
// their names in the job contract (core/pipeline/jobs.ts), which the type check holds this list to.
// Big results cross back by transfer, not by copy.
import workerpool from "workerpool";
import { jobHandlers } from "../core/pipeline/jobHandlers";
import { meshBuffers, type Transferred, type TileWorkerMethods } from "../core/pipeline/jobs";

const emit = (e: unknown) => workerpool.workerEmit(e);
const transfer = <T extends object>(result: T, buffers: ArrayBuffer[]) => new workerpool.Transfer(result, buffers) as Transferred<T>;

workerpool.worker({
  buildTile: async (job) => { const r = await jobHandlers.buildTile(emit, job); return r.mesh ? transfer(r, meshBuffers(r.mesh)) : r; },
  verifyTile: (file, tileId, checksum) => jobHandlers.verifyTile(emit, file, tileId, checksum),
  merge: (job) => jobHandlers.merge(emit, job),
  glbTable: (job) => jobHandlers.glbTable(emit, job),
} satisfies TileWorkerMethods);
