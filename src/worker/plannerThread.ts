// dist/planner-thread.mjs: the threads the planner process starts for the parts of its work that
// split (the read's ranges, geojson/parallelRead.ts; the clean-up's parts,
// core/geometry/cleanupParts.ts). A bundle of its own, about an eighth of the planner's: a thread
// compiles its whole bundle when it starts, and the planner starts its threads twice per build
// (New York, 2 threads: ready in 151-174 ms and 261-273 ms of CPU, against 259-284 ms and
// 478-498 ms with the planner's bundle).
import workerpool from "workerpool";
import { plannerThreadHandlers } from "../core/pipeline/plannerThreadHandlers";
import { footprintBuffers, type PlannerThreadMethods, type Transferred } from "../core/pipeline/jobs";

const none = () => {};

workerpool.worker({
  cleanPart: async (part, o) => {
    const r = await plannerThreadHandlers.cleanPart(none, part, o);
    return new workerpool.Transfer(r, [...footprintBuffers(r.footprints), r.sourceIndex.buffer]) as Transferred<typeof r>;
  },
  readRange: async (job) => {
    const r = await plannerThreadHandlers.readRange(none, job);
    return new workerpool.Transfer(r, r instanceof Float64Array ? [r.buffer] : [...footprintBuffers(r.footprints), r.positions.buffer, r.sources.buffer, ...(r.properties ? [r.properties.bytes.buffer, r.properties.ends.buffer] : [])]) as Transferred<typeof r>;
  },
} satisfies PlannerThreadMethods);
