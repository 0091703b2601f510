import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { SETTINGS_DEFAULTS, taskDefinitionToOverrides, toBuildOptions } from "../../../src/extension/options";

test("toBuildOptions with defaults: output beside the input, scratch in .citymesh, workers left to the core", () => {
  const o = toBuildOptions("/w/data/city.geojson", SETTINGS_DEFAULTS, "/w");
  assert.equal(o.output, path.join("/w/data", "city.glb"));
  assert.equal(o.format, "glb");
  assert.equal(o.scratchDir, path.join("/w", ".citymesh", "scratch"));
  assert.equal(o.workers, undefined);
  assert.equal(o.tileSize, 1000);
  assert.equal(o.mergeBatchSize, 2);
  assert.equal(o.crs, undefined);
  assert.equal(o.dem, undefined);
  assert.deepEqual(o.heightAttributes, SETTINGS_DEFAULTS.heightAttributes);
});

test("toBuildOptions: overrides win, relative paths resolve against the workspace folder", () => {
  const s = { ...SETTINGS_DEFAULTS, outputDir: "meshes", scratchDir: "tmp/store", dem: "dem.tif" };
  const o = toBuildOptions("/w/city.geojson", s, "/w", { format: "ply", workers: 3, tileSize: 250 });
  assert.equal(o.output, path.join("/w/meshes", "city.ply"));
  assert.equal(o.scratchDir, path.join("/w/tmp/store"));
  assert.equal(o.dem, path.join("/w/dem.tif"));
  assert.equal(o.workers, 3);
  assert.equal(o.tileSize, 250);
  assert.equal(toBuildOptions("/w/city.geojson", s, "/w", { output: "x/y.obj" }).output, path.join("/w/x/y.obj"));
});

test("toBuildOptions without a workspace folder uses the input's folder", () => {
  assert.equal(toBuildOptions("/tmp/c/a.geojson", SETTINGS_DEFAULTS, undefined).scratchDir, path.join("/tmp/c/.citymesh/scratch"));
});

test("taskDefinitionToOverrides validates types and formats", () => {
  assert.deepEqual(taskDefinitionToOverrides({ type: "citymesh", input: "a.geojson", tileSize: 500, format: "obj", heightAttributes: ["h"] }),
    { input: "a.geojson", overrides: { tileSize: 500, format: "obj", heightAttributes: ["h"] } });
  assert.match((taskDefinitionToOverrides({ type: "citymesh" }) as { error: string }).error, /needs "input"/);
  assert.match((taskDefinitionToOverrides({ type: "citymesh", input: "a", tileSize: "big" }) as { error: string }).error, /tileSize.*number/);
  assert.match((taskDefinitionToOverrides({ type: "citymesh", input: "a", format: "fbx" }) as { error: string }).error, /one of glb/);
  assert.match((taskDefinitionToOverrides({ type: "citymesh", input: "a", heightAttributes: [1] }) as { error: string }).error, /string\[\]/);
});
