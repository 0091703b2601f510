// A tasks.json task's input and paths must stay inside the workspace (the mesh is written beside
// the input by default). Wider coverage with real symlinks: test/faults/08-security.test.ts.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { PATH_SETTINGS, taskPathProblems, taskPathSettings } from "../../../src/extension/pathPolicy";

const tmp = () => fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "cm-policy-")));

test("taskPathSettings names the task's path properties, input first", () => {
  assert.deepEqual(taskPathSettings({ input: "a.geojson", output: " ", dem: "d.tif", scratchDir: undefined, pointCloud: ["a.laz", " ", "../b.laz"] }), [
    { name: 'task property "input"', value: "a.geojson", option: "input" },
    { name: 'task property "dem"', value: "d.tif", option: "dem" },
    // A list of paths (the point clouds): each is vetted.
    { name: 'task property "pointCloud"', value: "a.laz", option: "pointCloud" },
    { name: 'task property "pointCloud"', value: "../b.laz", option: "pointCloud" },
  ]);
  assert.deepEqual([...PATH_SETTINGS], ["outputDir", "scratchDir", "dem", "pointCloud"]);
});

test("taskPathProblems refuses an input outside the task's folder: '..', absolute, symlink", () => {
  const ws = tmp(), elsewhere = tmp();
  fs.symlinkSync(elsewhere, path.join(ws, "link"));
  for (const input of ["../x.geojson", path.join(elsewhere, "x.geojson"), "link/x.geojson"]) {
    const p = taskPathProblems({ input }, ws, [ws]);
    assert.equal(p.length, 1, input);
    assert.match(p[0]!, /^task property "input"/);
  }
  assert.deepEqual(taskPathProblems({ input: "data/x.geojson", output: "out/x.glb" }, ws, [ws]), []);
  assert.deepEqual(taskPathProblems({ input: path.join(elsewhere, "x.geojson") }, ws, [ws, elsewhere]), [], "another workspace folder is inside");
  assert.deepEqual(taskPathProblems({ input: "../x.geojson" }, ws, []), [], "no workspace: nothing to vet");
  // Every path of a list: one point cloud outside the folder is refused, by name.
  const clouds = taskPathProblems({ input: "x.geojson", pointCloud: ["a.laz", path.join(elsewhere, "b.laz")] }, ws, [ws]);
  assert.equal(clouds.length, 1);
  assert.match(clouds[0]!, /^task property "pointCloud"/);
  assert.ok(clouds[0]!.includes("b.laz"), clouds[0]);
});
