// The planner's job (jobs.ts: PlannerJobName), apart from the build's, so the planner's bundle
// (src/worker/plannerWorker.ts) imports reading, clean-up and tiling but not HDF5 or the mesher.
// Its threads' jobs are in plannerThreadHandlers.ts.
import { planCityInputs } from "./planning";
import type { JobHandlers, PlannerJobName } from "./jobs";

export const plannerHandlers: Pick<JobHandlers, PlannerJobName> = {
  plan: (emit, o, files, script) => planCityInputs(o, files, emit, undefined, script),
};
