// Contributions and wiring that need no core pipeline: activation, commands, menus, task type, settings, trust rules.
import assert from "assert";
import fs from "fs";
import path from "path";
import * as vscode from "vscode";
import { EXTENSION_ID, api, configuredTask, runTask, workspaceDir } from "./helpers";
import { FOOTPRINT_EXTENSIONS, FOOTPRINT_SUFFIXES, FOOTPRINT_WHEN } from "../../../src/extension/paths";

describe("citymesh extension in a real VS Code host", () => {
  it("activates and registers its commands", async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.ok(ext, "extension loaded from extensionDevelopmentPath");
    await api();
    assert.ok(ext.isActive);
    const all = new Set(await vscode.commands.getCommands(true));
    for (const c of ["citymesh.build", "citymesh.buildWithOptions", "citymesh.resumeBuild", "citymesh.cancelBuild", "citymesh.cleanScratch", "citymesh.showLog"]) {
      assert.ok(all.has(c), `command ${c} registered`);
    }
  });

  it("contributes the explorer and editor menus for .geojson files, commands in category City Mesh", () => {
    const c = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes;
    const explorer = c.menus["explorer/context"] as { command: string; when: string }[];
    const build = explorer.find((m) => m.command === "citymesh.build");
    assert.ok(build, "citymesh.build in explorer/context");
    // The when clause's patterns, taken as VS Code takes them (extension, or the whole name for .city.json),
    // offer footprint files and nothing else.
    const [, ext, extFlags, name, nameFlags] = /^\(resourceExtname =~ \/([^/]+)\/(\w*) \|\| resourceFilename =~ \/([^/]+)\/(\w*)\)/.exec(build!.when) ?? [];
    assert.ok(ext && name, build!.when);
    const byExt = new RegExp(ext, extFlags), byName = new RegExp(name, nameFlags);
    const offered = (file: string) => byExt.test(path.extname(file)) || byName.test(file);
    for (const e of FOOTPRINT_EXTENSIONS) assert.ok(offered(`a.${e}`) && offered(`a.${e.toUpperCase()}`), `offered for .${e}`);
    for (const s of FOOTPRINT_SUFFIXES) assert.ok(offered(`3dbag.${s}`), `offered for .${s}`);
    for (const f of ["a.json", "a.jsonl", "a.zip", "a.dbf", "a.glb", "a.geojson.bak", "city.json"]) assert.ok(!offered(f), `not offered for ${f}`);
    for (const m of Object.values(c.menus as Record<string, { command: string; when?: string }[]>).flat()) {
      if (m.when?.includes("resourceExtname")) assert.ok(m.when.includes(FOOTPRINT_WHEN), `every menu offers the same files: ${m.command} ${m.when}`);
    }
    assert.ok((c.menus["editor/title"] as { command: string }[]).some((m) => m.command === "citymesh.build"));
    for (const cmd of c.commands as { command: string; category?: string }[]) {
      if (cmd.command.startsWith("citymesh.") && cmd.command !== "citymesh.openViewer") assert.equal(cmd.category, "City Mesh", cmd.command);
    }
    const cancel = (c.menus.commandPalette as { command: string; when: string }[]).find((m) => m.command === "citymesh.cancelBuild");
    assert.equal(cancel?.when, "citymesh.building");
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    assert.ok(!(pkg.activationEvents as string[]).includes("*"), "no startup activation");
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, "limited");
  });

  it("declares the settings with their defaults", () => {
    const cfg = vscode.workspace.getConfiguration("citymesh");
    assert.equal(cfg.get("tileSize"), 1000);
    assert.equal(cfg.get("workers"), 0);
    assert.equal(cfg.get("useDiskStore"), true);
    assert.equal(cfg.get("mergeBatchSize"), 2);
    assert.equal(cfg.get("format"), "glb");
    assert.equal(cfg.inspect("scratchDir")?.defaultValue, "");
  });

  it("auto-detects one citymesh task per .geojson", async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: "citymesh" });
    const t = tasks.find((x) => x.name === "build tiny.geojson");
    assert.ok(t, `auto-detected task for tiny.geojson among ${tasks.map((x) => x.name).join(", ")}`);
    assert.equal(t!.definition.input, "${workspaceFolder}/tiny.geojson");
    assert.equal(t!.source, "citymesh");
  });

  it("contributes a Getting Started walkthrough whose first step copies the bundled sample into the workspace", async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const w = ext.packageJSON.contributes.walkthroughs[0];
    assert.deepEqual(w.steps.map((s: { id: string }) => s.id), ["sample", "build", "view", "tasks"]);
    for (const step of w.steps) assert.ok(fs.existsSync(path.join(ext.extensionPath, step.media.markdown)), step.media.markdown);
    const copy = path.join(workspaceDir(), "sample-city.geojson");
    const saved = copy + ".saved";
    if (fs.existsSync(copy)) fs.renameSync(copy, saved);
    try {
      await vscode.commands.executeCommand("citymesh.openSample");
      assert.ok(fs.existsSync(copy), "sample copied");
      assert.equal(fs.readFileSync(copy, "utf8"), fs.readFileSync(path.join(ext.extensionPath, "media", "sample", "sample-city.geojson"), "utf8"));
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, copy, "and opened");
    } finally {
      if (fs.existsSync(saved)) fs.renameSync(saved, copy);
    }
  });

  it("a tasks.json task with an invalid definition ends with exit code 1", async () => {
    assert.equal(await runTask(await configuredTask("cm bad format")), 1);
  });

  it("a tasks.json task may not point the scratch store outside the workspace", async () => {
    const outside = path.join(path.dirname(workspaceDir()), "outside-scratch");
    assert.equal(await runTask(await configuredTask("cm escape")), 1);
    assert.ok(!fs.existsSync(outside), "nothing written outside the workspace");
  });
});
