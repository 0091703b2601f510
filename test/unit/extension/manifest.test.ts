// package.json's contributions agree with the code that reads them (the option table's own
// contributions: test/unit/options/optionTable.test.ts).
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { PATH_SETTINGS } from "../../../src/extension/pathPolicy";

const pkg = JSON.parse(fs.readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));

test("path settings are machine-overridable and restricted in untrusted workspaces", () => {
  const props = pkg.contributes.configuration.properties;
  for (const k of PATH_SETTINGS) {
    assert.equal(props[`citymesh.${k}`].scope, "machine-overridable", `${k} scope`);
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`citymesh.${k}`), `${k} restricted`);
  }
});

test("activation only on demand, commands in the City Mesh category", () => {
  assert.ok(!pkg.activationEvents.includes("*") && !pkg.activationEvents.includes("onStartupFinished"));
  assert.ok(pkg.activationEvents.includes("onTaskType:citymesh"));
  for (const c of pkg.contributes.commands) assert.equal(c.category, "City Mesh", c.command);
});
