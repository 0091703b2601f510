import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import path from "path";
import YAML from "yaml";
import { parseShard, shardTiles, tileCost } from "../../../src/core/pipeline/shard";
import { summarise } from "../../../src/core/pipeline/mergeStore";
import { generateCity } from "../../support/cityGenerator";
import { planBuild } from "../../../src/core/tiling/plan";
import { footprintBounds } from "../../support/meshCity";

test("--shard I/N and --shard auto from each engine's environment", () => {
  assert.deepEqual(parseShard("2/4", {}), { index: 2, count: 4 });
  assert.deepEqual(parseShard("auto", { JOB_COMPLETION_INDEX: "3", CITYMESH_SHARDS: "8" }), { index: 3, count: 8 });
  assert.deepEqual(parseShard("auto", { JOB_COMPLETION_INDEX: "3" }, 5), { index: 3, count: 5 });
  assert.deepEqual(parseShard("auto", { SLURM_ARRAY_TASK_ID: "6", SLURM_ARRAY_TASK_COUNT: "8" }), { index: 6, count: 8 });
  assert.deepEqual(parseShard("auto", { SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "4" }), { index: 3, count: 4 }, "--array=1-4 counts from 1");
  assert.deepEqual(parseShard("auto", { AWS_BATCH_JOB_ARRAY_INDEX: "0", CITYMESH_SHARDS: "2" }), { index: 0, count: 2 });
});

test("bad shard specs are clear errors", () => {
  assert.throws(() => parseShard("4/4", {}), /Shard index 4 is outside 0\.\.3/);
  assert.throws(() => parseShard("x", {}), /--shard takes I\/N/);
  assert.throws(() => parseShard("auto", {}), /none of JOB_COMPLETION_INDEX/);
  assert.throws(() => parseShard("auto", { JOB_COMPLETION_INDEX: "1" }), /number of shards is unknown/);
});

test("shards cover every tile once, in contiguous runs of about equal work", () => {
  const f = generateCity({ buildings: 900, seed: 2 });
  const built = planBuild(f, footprintBounds(f), { tileSize: 80, maxMeshSize: 10, margin: 0, snapTolerance: 0.001, file: "x", ground: { kind: "flat" }, zAt: () => 0 });
  const n = built.tiles.length;
  const plan = { tiles: n, grid: built.grid, owned: Uint32Array.from(built.tiles, (t) => t.owned.length) };
  for (const count of [1, 2, 3, 4, 7]) {
    const shards = shardTiles(plan, count);
    assert.equal(shards.length, count);
    assert.deepEqual(shards.flat(), Array.from({ length: n }, (_, i) => i));
    const work = shards.map((ids) => ids.reduce((s, i) => s + tileCost(plan, i), 0));
    const mean = work.reduce((a, b) => a + b, 0) / count, maxTile = Math.max(...built.tiles.map((_, i) => tileCost(plan, i)));
    for (const w of work) assert.ok(Math.abs(w - mean) <= maxTile, `shard work ${w} vs mean ${mean} (largest tile ${maxTile})`);
  }
});

test("summarise folds runs of tile ids", () => {
  assert.equal(summarise([1, 2, 3, 7, 9, 10]), "1–3, 7, 9–10");
});

test("the Kubernetes examples are valid Jobs with the fields the engine requires", () => {
  const dir = path.join(__dirname, "../../../docs/scale-out");
  const shards = YAML.parse(fs.readFileSync(path.join(dir, "k8s-indexed-job.yaml"), "utf8"));
  assert.equal(shards.apiVersion, "batch/v1");
  assert.equal(shards.kind, "Job");
  assert.equal(shards.spec.completionMode, "Indexed");
  assert.ok(Number.isInteger(shards.spec.completions) && shards.spec.completions > 0);
  const pod = shards.spec.template.spec;
  assert.ok(["Never", "OnFailure"].includes(pod.restartPolicy), "Jobs need restartPolicy Never or OnFailure");
  const c = pod.containers[0];
  assert.ok(c.name && c.image && Array.isArray(c.command));
  assert.deepEqual(c.command.slice(0, 2), ["citymesh", "build"]);
  assert.ok(c.command.includes("--shard") && c.command[c.command.indexOf("--shard") + 1] === "auto");
  assert.equal(c.env.find((e: { name: string }) => e.name === "CITYMESH_SHARDS").value, String(shards.spec.completions), "CITYMESH_SHARDS must equal completions");
  const claim = pod.volumes[0].persistentVolumeClaim.claimName;
  const merge = YAML.parse(fs.readFileSync(path.join(dir, "k8s-merge-job.yaml"), "utf8"));
  assert.equal(merge.kind, "Job");
  assert.ok(["Never", "OnFailure"].includes(merge.spec.template.spec.restartPolicy));
  assert.deepEqual(merge.spec.template.spec.containers[0].command.slice(0, 2), ["citymesh", "merge"]);
  assert.equal(merge.spec.template.spec.volumes[0].persistentVolumeClaim.claimName, claim, "both Jobs mount the same store");
});

test("the Slurm examples request an array and a dependent merge", () => {
  const dir = path.join(__dirname, "../../../docs/scale-out");
  const shards = fs.readFileSync(path.join(dir, "slurm-shards.sbatch"), "utf8"), merge = fs.readFileSync(path.join(dir, "slurm-merge.sbatch"), "utf8");
  assert.match(shards, /^#!\/bin\/bash/);
  assert.match(shards, /^#SBATCH --array=\d+-\d+$/m);
  assert.match(shards, /--shard auto/);
  assert.match(merge, /citymesh merge/);
  assert.match(shards, /--dependency=afterok/);
});
