// package.json's contributions agree with the code that reads them.
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { PATH_SETTINGS_FOR_TEST } from "./manifestKeys";
import { SETTINGS_DEFAULTS, TASK_PROPERTY_TYPES } from "../../../src/extension/options";

const pkg = JSON.parse(fs.readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));

test("every setting is contributed with the default the code assumes", () => {
  const props = pkg.contributes.configuration.properties;
  for (const [k, v] of Object.entries(SETTINGS_DEFAULTS)) {
    assert.ok(props[`citymesh.${k}`], `citymesh.${k} contributed`);
    assert.deepEqual(props[`citymesh.${k}`].default, v, `citymesh.${k} default`);
    assert.ok(props[`citymesh.${k}`].description || props[`citymesh.${k}`].markdownDescription, `citymesh.${k} described`);
  }
  for (const k of PATH_SETTINGS_FOR_TEST) {
    assert.equal(props[`citymesh.${k}`].scope, "machine-overridable", `${k} scope`);
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`citymesh.${k}`), `${k} restricted`);
  }
});

test("the citymesh task schema lists what the task code reads", () => {
  const def = pkg.contributes.taskDefinitions.find((d: { type: string }) => d.type === "citymesh");
  assert.deepEqual(def.required, ["input"]);
  assert.deepEqual(Object.keys(def.properties).sort(), ["input", ...Object.keys(TASK_PROPERTY_TYPES)].sort());
  for (const [k, t] of Object.entries(TASK_PROPERTY_TYPES)) assert.equal(def.properties[k].type, t === "string[]" ? "array" : t === "number" && def.properties[k].type === "integer" ? "integer" : t, k);
});

test("activation only on demand, commands in the City Mesh category", () => {
  assert.ok(!pkg.activationEvents.includes("*") && !pkg.activationEvents.includes("onStartupFinished"));
  assert.ok(pkg.activationEvents.includes("onTaskType:citymesh"));
  for (const c of pkg.contributes.commands) assert.equal(c.category, "City Mesh", c.command);
});
