import assert from "node:assert/strict";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { QUICK_PICKS, settingDefaults, taskDefinitionToOverrides, toBuildOptions } from "../../../src/extension/options";
import { optionProblem } from "../../../src/core/optionTable";

const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);

test("toBuildOptions with defaults: output beside the input, scratch in .citymesh, one worker per core", () => {
  const o = toBuildOptions("/w/data/city.geojson", settingDefaults(), "/w");
  assert.equal(o.output, path.join("/w/data", "city.glb"));
  assert.equal(o.format, "glb");
  assert.equal(o.scratchDir, path.join("/w", ".citymesh", "scratch"));
  assert.equal(o.workers, cores);
  assert.equal(o.tileSize, 1000);
  assert.equal(o.mergeBatchSize, 2);
  assert.equal(o.crs, undefined);
  assert.equal(o.sourceCrs, undefined);
  assert.equal(o.dem, undefined);
  assert.deepEqual(o.heightAttributes, settingDefaults().heightAttributes);
});

test("toBuildOptions: overrides win, relative paths resolve against the workspace folder", () => {
  const s = { ...settingDefaults(), outputDir: "meshes", scratchDir: "tmp/store", dem: "dem.tif", sourceCrs: "EPSG:28992" };
  const o = toBuildOptions("/w/city.geojson", s, "/w", { format: "ply", workers: 3, tileSize: 250 });
  assert.equal(o.output, path.join("/w/meshes", "city.ply"));
  assert.equal(o.scratchDir, path.join("/w/tmp/store"));
  assert.equal(o.dem, path.join("/w/dem.tif"));
  assert.equal(o.sourceCrs, "EPSG:28992");
  assert.equal(o.workers, 3);
  assert.equal(o.tileSize, 250);
  const named = toBuildOptions("/w/city.geojson", s, "/w", { output: "x/y.obj" });
  assert.equal(named.output, path.join("/w/x/y.obj"));
  assert.equal(named.format, "obj", "a named output file without a format writes its extension's format, as the CLI's -o does");
});

test("toBuildOptions without a workspace folder uses the input's folder", () => {
  assert.equal(toBuildOptions("/tmp/c/a.geojson", settingDefaults(), undefined).scratchDir, path.join("/tmp/c/.citymesh/scratch"));
});

test("taskDefinitionToOverrides checks every field against the option table: type, enum, limits", () => {
  assert.deepEqual(taskDefinitionToOverrides({ type: "citymesh", input: "a.geojson", tileSize: 500, format: "obj", heightAttributes: ["h"], levelHeight: 2.5, crs: "EPSG:2056" }),
    { input: "a.geojson", overrides: { tileSize: 500, format: "obj", heightAttributes: ["h"], levelHeight: 2.5, crs: "EPSG:2056" } });
  const error = (def: Record<string, unknown>) => (taskDefinitionToOverrides({ type: "citymesh", input: "a", ...def }) as { error: string }).error;
  assert.match((taskDefinitionToOverrides({ type: "citymesh" }) as { error: string }).error, /needs "input"/);
  assert.match(error({ tileSize: "big" }), /^Task property "tileSize": tileSize must be a number/);
  assert.match(error({ tileSize: 10 }), /^Task property "tileSize": tileSize must be at least 50 \(got 10\)/);
  assert.match(error({ workers: 1.5 }), /workers must be a whole number/);
  assert.match(error({ format: "fbx" }), /one of glb, ply, obj, stl/);
  assert.match(error({ heightAttributes: [1] }), /string\[\]/);
  assert.match(error({ autoTileSize: "yes" }), /autoTileSize must be true or false/);
});

test("Build with Options offers only values the option table accepts", () => {
  let offered = 0;
  for (const [name, values] of Object.entries(QUICK_PICKS)) {
    for (const v of values) {
      assert.equal(optionProblem(name as keyof typeof QUICK_PICKS, v), undefined, `${name} = ${v}`);
      offered++;
    }
  }
  assert.ok(offered >= 12, `${offered} values`);
});
