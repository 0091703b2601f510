// The planner's jobs (jobs.ts: PlannerJobName), apart from the build's, so the planner's bundle
// (src/worker/plannerWorker.ts) imports reading, clean-up and tiling but not HDF5 or the mesher.
import { planCityInputs } from "./planning";
import { cleanFootprints } from "../geometry/cleanup";
import { runReadJob } from "../geojson/readRange";
import type { JobHandlers, PlannerJobName } from "./jobs";

export const plannerHandlers: Pick<JobHandlers, PlannerJobName> = {
  plan: (emit, o, files, script) => planCityInputs(o, files, emit, undefined, script),
  cleanPart: async (_emit, part, o) => cleanFootprints(part, o),
  readRange: async (_emit, job) => runReadJob(job),
};
