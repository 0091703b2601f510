// The planner's threads (dist/planner-thread.mjs, cleanupParts.ts): a city large enough to be cleaned in
// parts (one per thread) plans to the same bytes on 2 threads as in one global pass.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { cityToGeoJSON } from "../support/cityGenerator";
import { tangledCity } from "../support/tangledCity";
import { planInProcess } from "../support/planInProcess";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-planner-threads-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("a city cleaned in 2 parts on 2 planner threads plans the same tile inputs, figures and diagnostics as in one pass on 1", async () => {
  const input = path.join(dir, "city.geojson");
  // 120,000 generated buildings and 24,000 footprints over them (noise-level shared walls, overlaps, buildings inside buildings): over 2 × 250,000 points (MIN_PART_POINTS), so 2 threads clean it in 2 parts.
  fs.writeFileSync(input, cityToGeoJSON(tangledCity(120_000, 5, 84123.4, 446321.7)));
  const plan = (workers: number) => planInProcess(input, dir, workers);
  const one = await plan(1), two = await plan(2);
  const parts = (logs: string[]) => logs.find((l) => l.startsWith("clean-up:")) ?? "";
  assert.match(parts(one.logs), /clean-up: 1 part\(s\) on 1 thread/);
  assert.match(parts(two.logs), /clean-up: 2 part\(s\) on 2 threads/);
  assert.ok(two.inputs.equals(one.inputs), "the tile inputs file is the same");
  assert.ok(two.props.equals(one.props));
  assert.deepEqual(two.plan.owned, one.plan.owned);
  assert.deepEqual(two.plan.sourceIndex, one.plan.sourceIndex);
  assert.equal(two.plan.buildings, one.plan.buildings);
  assert.ok(one.plan.buildings < 144_000, "buildings inside taller ones were dropped");
  assert.deepEqual(two.plan.diagnostics, one.plan.diagnostics);
  assert.ok(one.plan.diagnostics.some((d) => d.code === "overlap" && d.line && d.column), "overlap diagnostics carry their feature's position");
});
