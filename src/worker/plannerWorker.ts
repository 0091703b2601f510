// dist/planner.mjs: the planner process (reading and planning, run alone by execAlone in
// core/pipeline/planning.ts). A bundle of its own, without HDF5 and the mesher, so the planner
// does not compile what it never runs; its threads run dist/planner-thread.mjs (plannerThread.ts).
import workerpool from "workerpool";
import { plannerHandlers } from "../core/pipeline/plannerHandlers";
import type { PlannerMethods } from "../core/pipeline/jobs";
// The test-only fault hook (compiled out of production bundles): loading it holds the planner
// process at its start when a test asks (phase "plan"), so the test can kill a build in its read/plan phase.
import "../core/pipeline/faultHook";

const emit = (e: unknown) => workerpool.workerEmit(e);

workerpool.worker({
  // The plan's result is copied over the IPC channel (no transfer there); it is small: per tile, not per building.
  plan: (o, files, script) => plannerHandlers.plan(emit, o, files, script),
} satisfies PlannerMethods);
