// dist/planner.mjs: the planner process (reading and planning, run alone by execAlone in
// core/pipeline/planning.ts) and the threads it starts for the parts of its work that split
// (the clean-up's parts, core/geometry/cleanupParts.ts). A bundle of its own, without HDF5 and
// the mesher, so the planner and its threads do not compile what they never run.
import workerpool from "workerpool";
import { plannerHandlers } from "../core/pipeline/plannerHandlers";
import { footprintBuffers, type PlannerMethods, type Transferred } from "../core/pipeline/jobs";
// The test-only fault hook (compiled out of production bundles): loading it holds the planner
// process at its start when a test asks (phase "plan"), so the test can kill a build in its read/plan phase.
import "../core/pipeline/faultHook";

const emit = (e: unknown) => workerpool.workerEmit(e);

workerpool.worker({
  // The plan's result is copied over the IPC channel (no transfer there); it is small: per tile, not per building.
  plan: (o, files, script) => plannerHandlers.plan(emit, o, files, script),
  cleanPart: async (part, o) => {
    const r = await plannerHandlers.cleanPart(emit, part, o);
    return new workerpool.Transfer(r, [...footprintBuffers(r.footprints), r.sourceIndex.buffer]) as Transferred<typeof r>;
  },
  readRange: async (job) => {
    const r = await plannerHandlers.readRange(emit, job);
    return new workerpool.Transfer(r, r instanceof Float64Array ? [r.buffer] : [...footprintBuffers(r.footprints), r.positions.buffer, r.sources.buffer]) as Transferred<typeof r>;
  },
} satisfies PlannerMethods);
