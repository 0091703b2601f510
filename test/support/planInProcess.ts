// Plans a city in this process with the planner threads' bundle (dist/planner-thread.mjs), as the
// planner process does: what the e2e tests of the planner's threads compare between worker counts.
import fs from "fs";
import path from "path";
import { resolveOptions } from "../../src/core/options";
import { planCityInputs } from "../../src/core/pipeline/planning";
import { findWorkerScript, plannerThreadScript } from "../../src/core/pipeline/workerPool";

/** The plan of `input` with `workers` workers (tiles of 250 m), its log lines, and the tile inputs and properties files' bytes. */
export async function planInProcess(input: string, dir: string, workers: number) {
  const o = resolveOptions({ input, scratchDir: dir, workers, tileSize: 250 });
  const files = { propsTmp: path.join(dir, `p${workers}.jsonl`), inputsFile: path.join(dir, `t${workers}.bin`) };
  const logs: string[] = [];
  const r = await planCityInputs(o, files, (e) => { if ("log" in e) logs.push(e.log); }, undefined, plannerThreadScript(findWorkerScript()));
  return { ...r, logs, inputs: fs.readFileSync(files.inputsFile), props: fs.readFileSync(files.propsTmp) };
}
