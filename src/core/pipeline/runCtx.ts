// What a running build reports to and answers to: progress and log lines out, the cancel signal
// in. Every stage of the pipeline (planning, tile runner, merge) gets one from build.ts.
import type { BuildPhase, ProgressEvent } from "../types";
import { CityMeshError } from "../errors";

export interface RunCtx {
  emit(phase: BuildPhase, e?: Partial<ProgressEvent>): void;
  log(line: string): void;
  signal?: AbortSignal;
}

export const cancelled = () => new CityMeshError("cancelled", "Build cancelled; finished tiles stay in the scratch store and the next run resumes from them.");
