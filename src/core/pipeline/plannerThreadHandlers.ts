// The jobs of the planner's threads (jobs.ts: PlannerThreadJobName): a range of the read, a part
// of the clean-up. Apart from the planner's own job (plannerHandlers.ts), so the threads' bundle
// (src/worker/plannerThread.ts) holds the reader and the clean-up only, not the planning with
// every input format, DEM and point cloud reader: each thread compiles its bundle when it starts.
import { cleanFootprints } from "../geometry/cleanup";
import { runReadJob } from "../geojson/readRange";
import type { JobHandlers, PlannerThreadJobName } from "./jobs";

export const plannerThreadHandlers: Pick<JobHandlers, PlannerThreadJobName> = {
  cleanPart: async (_emit, part, o) => cleanFootprints(part, o),
  readRange: async (_emit, job) => runReadJob(job),
};
