// Runs only in the pass where the workspace is NOT trusted (server started without --disable-workspace-trust):
// the extension activates (limited support) but refuses builds with an explanation.
import assert from "assert";
import fs from "fs";
import path from "path";
import * as vscode from "vscode";
import { NOTIFICATION_BELL_DOT, api, screenshot, workspaceDir } from "./helpers";

describe("Restricted Mode (untrusted workspace)", () => {
  it("the workspace is untrusted and the extension is active", async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.ok((await api()).controller);
  });

  it("builds are refused with an explanation and write nothing", async () => {
    const { controller } = await api();
    const input = path.join(workspaceDir(), "sample-city.geojson");
    assert.throws(() => controller.prepare({ input, overrides: {}, overridesFrom: "user", showResult: false }), /Restricted Mode.*Trust this workspace/s);
    await vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(input));
    assert.ok(!fs.existsSync(path.join(workspaceDir(), "sample-city.glb")));
    assert.ok(!fs.existsSync(path.join(workspaceDir(), ".citymesh")));
    // Headless chromium shows no toasts; the bell's dot says the warning arrived, and the screenshot waits for it.
    await screenshot("restricted-mode-refusal", NOTIFICATION_BELL_DOT);
  });
});
