// The read on the planner's threads (geojson/parallelRead.ts, the readRange job of dist/planner-thread.mjs):
// a FeatureCollection large enough to be read in ranges plans to the same bytes on 2 threads as on
// 1 (read serially), bad features included: the same read figures, diagnostics with their lines
// and columns, properties side file and tile inputs.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { writeCityGeoJSON } from "../support/cityGenerator";
import { planInProcess } from "../support/planInProcess";
import { BuildPool } from "../../src/core/pipeline/workerPool";
import { PARALLEL_MIN_BYTES } from "../../src/core/geojson/parallelRead";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-parallel-read-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("a city read in ranges on 2 planner threads plans the same bytes as read serially on 1", async () => {
  const input = path.join(dir, "city.geojson");
  const { bytes } = writeCityGeoJSON(input, { buildings: 90_000, seed: 3, x0: 84000.37, y0: 444000.61, shapes: "varied" });
  assert.ok(bytes > PARALLEL_MIN_BYTES, `${bytes} bytes: large enough to be read in ranges`);
  // Damage a few features: an unusable height, a feature that is not valid JSON, an unclosed ring is left to the generator's closed ones.
  let text = fs.readFileSync(input, "utf8");
  text = text.replace('"id":"b1000","properties":{"height":', '"id":"b1000","properties":{"height":"tall","h":');
  text = text.replace('"id":"b20000",', '"id":"b20000",,');
  text = text.replace('"id":"b30000","properties":{', '"id":"b30000","properties":{"name2":"Zürich 🏠",');
  fs.writeFileSync(input, text);

  const exec = BuildPool.prototype.exec;
  let ranges = 0;
  // Count the ranges the planner sends to its threads.
  BuildPool.prototype.exec = function (this: BuildPool, ...a: Parameters<typeof exec>) {
    if (a[0] === "readRange") ranges++;
    return exec.apply(this, a);
  } as typeof exec;
  const plan = (workers: number) => planInProcess(input, dir, workers);
  try {
    const one = await plan(1);
    assert.equal(ranges, 0, "one worker: read serially");
    const two = await plan(2);
    assert.ok(ranges >= 16, `${ranges} ranges read on the planner's threads`);
    assert.deepEqual(two.logs.filter((l) => !l.startsWith("clean-up:")), one.logs.filter((l) => !l.startsWith("clean-up:")));
    assert.equal(JSON.stringify(two.read), JSON.stringify(one.read));
    assert.ok(two.props.equals(one.props), "the properties side file is the same");
    assert.ok(two.inputs.equals(one.inputs), "the tile inputs file is the same");
    assert.deepEqual(two.plan.sourceIndex, one.plan.sourceIndex);
    assert.equal(JSON.stringify(two.plan.diagnostics), JSON.stringify(one.plan.diagnostics));
    const codes = two.read.diagnostics.map((d) => `${d.code}@${d.featureIndex}:${d.line}`);
    assert.ok(codes.includes("invalid-height@1000:1002"), codes.join(" "));
    assert.ok(codes.includes("invalid-json@20000:20002"), codes.join(" "));
  } finally {
    BuildPool.prototype.exec = exec;
  }
});
