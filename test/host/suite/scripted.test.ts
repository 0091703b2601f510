// Exact details of the extension's side of a build, against a scripted pipeline (controller.setBuildFunction):
// exact options handed to the core, exact diagnostic severities and messages, cancel after exactly n tiles, resume
// reusing exactly those, a second build refused while one runs. Every capability here is ALSO tested against the
// real pipeline in build.test.ts (GLB written, Problems from a bad GeoJSON, task exit 0 and exit 1, status bar,
// cancel and resume) and in the UI pass of driver.mjs.
// A check that must act while a build runs holds the scripted build at a tile until it is cancelled (holdAt), so
// nothing here depends on how fast the machine is.
import assert from "assert";
import fs from "fs";
import path from "path";
import * as vscode from "vscode";
import { CityMeshError } from "../../../src/core/errors";
import type { BuildOptions, BuildResult, Diagnostic } from "../../../src/core/types";
import type { BuildHooks } from "../../../src/extension/deps";
import { PROBLEM_ROW, STATUS_ITEM, api, configuredTask, runTask, screenshot, sleep, waitFor, workspaceDir } from "./helpers";

/**
 * A fake pipeline: `tiles` tiles of `msPerTile`, tiles done before are reused (like the scratch store), honours the
 * signal. With `holdAt`, its first build stops before that tile until it is cancelled; `held` resolves when it got there.
 */
function scriptedBuild(tiles: number, msPerTile: number, diagnostics: (o: BuildOptions) => Diagnostic[] = () => [], holdAt?: number) {
  const store = new Map<string, Set<number>>();
  const calls: BuildOptions[] = [];
  let reached!: () => void;
  const held = new Promise<void>((r) => (reached = r));
  const fn = async (o: BuildOptions, h: BuildHooks = {}): Promise<BuildResult> => {
    calls.push(o);
    const first = calls.length === 1;
    const done = store.get(o.input) ?? new Set<number>();
    store.set(o.input, done);
    const reused = done.size;
    const t0 = Date.now();
    h.onProgress?.({ phase: "reading", tilesDone: 0, tilesTotal: 0, triangles: 0 });
    h.log?.(`scripted build of ${o.input}`);
    for (let i = 0; i < tiles; i++) {
      if (h.signal?.aborted) throw new CityMeshError("cancelled", "Build cancelled.");
      if (first && i === holdAt) {
        reached();
        await new Promise<void>((r) => { if (h.signal?.aborted) r(); else h.signal?.addEventListener("abort", () => r(), { once: true }); });
        throw new CityMeshError("cancelled", "Build cancelled.");
      }
      if (!done.has(i)) await sleep(msPerTile);
      if (h.signal?.aborted) throw new CityMeshError("cancelled", "Build cancelled.");
      done.add(i);
      h.onProgress?.({ phase: "building", tilesDone: i + 1, tilesTotal: tiles, triangles: (i + 1) * 1000, etaSeconds: ((tiles - i - 1) * msPerTile) / 1000 });
    }
    h.onProgress?.({ phase: "writing", tilesDone: tiles, tilesTotal: tiles, triangles: tiles * 1000 });
    fs.mkdirSync(path.dirname(o.output!), { recursive: true });
    fs.writeFileSync(o.output!, "glTF scripted");
    return {
      output: o.output!, format: o.format ?? "glb", vertices: tiles * 600, triangles: tiles * 1000, buildings: tiles * 10, tiles, tilesReused: reused,
      crs: { name: "EPSG:32631", proj4: "", origin: [0, 0], sourceCrs: "EPSG:4326" }, diagnostics: diagnostics(o), heightSources: {}, seconds: (Date.now() - t0) / 1000,
    };
  };
  return { fn, calls, store, held };
}

describe("exact build details (scripted pipeline; the real one is in build.test.ts)", function () {
  this.timeout(600_000);
  let input: string;
  before(async () => {
    input = path.join(workspaceDir(), "scripted.geojson");
    fs.writeFileSync(input, '{"type":"FeatureCollection","features":[\n{"type":"Feature","properties":{},"geometry":null},\n{"type":"Feature","properties":{},"geometry":null}\n]}\n');
  });
  afterEach(async () => {
    const { controller } = await api();
    controller.cancel();
    await waitFor("idle", () => !controller.running, 120_000);
    controller.setBuildFunction(undefined);
  });

  it("settings the option table refuses are logged and replaced by defaults; sourceCrs and the new settings reach the core", async () => {
    const { controller } = await api();
    const s = scriptedBuild(1, 1);
    controller.setBuildFunction(s.fn);
    const cfg = vscode.workspace.getConfiguration("citymesh");
    const set = { tileSize: 10, sourceCrs: "EPSG:28992", snapTolerance: 0.002, margin: 25, autoTileSize: true };
    for (const [k, v] of Object.entries(set)) await cfg.update(k, v, vscode.ConfigurationTarget.Workspace);
    const lines: string[] = [];
    try {
      await controller.run({ input, overrides: {}, overridesFrom: "user", showResult: false }, { onLine: (l) => lines.push(l) });
    } finally {
      for (const k of Object.keys(set)) await cfg.update(k, undefined, vscode.ConfigurationTarget.Workspace);
    }
    const o = s.calls[0]!;
    assert.equal(o.tileSize, 1000, "tileSize 10 is under the table's minimum (50): the default is used");
    assert.ok(lines.some((l) => l.startsWith("Setting citymesh.tileSize ignored: tileSize must be at least 50 (got 10)")), lines.join("\n"));
    assert.equal(o.sourceCrs, "EPSG:28992");
    assert.equal(o.snapTolerance, 0.002);
    assert.equal(o.margin, 25);
    assert.equal(o.autoTileSize, true);
  });

  it("passes settings to the core, shows the status bar, publishes diagnostics at their lines", async () => {
    const { controller } = await api();
    const s = scriptedBuild(6, 150, (o) => [
      { file: o.input, featureIndex: 0, line: 2, column: 1, severity: "error", code: "null-geometry", message: "Feature has no geometry; skipped." },
      { file: o.input, featureIndex: 1, featureId: "b1", line: 3, column: 1, severity: "warning", code: "unclosed-ring", message: "Ring not closed.", repaired: true },
    ]);
    controller.setBuildFunction(s.fn);
    let sawBuilding = false;
    const sub = controller.onDidProgress((e) => { if (e.phase === "building") sawBuilding = true; });
    await vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(input));
    sub.dispose();
    assert.ok(sawBuilding);
    const o = s.calls[0]!;
    assert.equal(o.input, input);
    assert.equal(o.output, path.join(workspaceDir(), "scripted.glb"));
    assert.equal(o.scratchDir, path.join(workspaceDir(), ".citymesh", "scratch"));
    assert.equal(o.tileSize, 1000);
    assert.equal(o.mergeBatchSize, 2);
    const diags = vscode.languages.getDiagnostics(vscode.Uri.file(input));
    assert.deepEqual(diags.map((d) => [d.range.start.line, d.severity, d.code, d.source]), [
      [1, vscode.DiagnosticSeverity.Error, "null-geometry", "citymesh"],
      [2, vscode.DiagnosticSeverity.Warning, "unclosed-ring", "citymesh"],
    ]);
    assert.match(diags[1]!.message, /Feature "b1": Ring not closed\. \(repaired, feature kept\)/);
    await vscode.window.showTextDocument(vscode.Uri.file(input));
    await vscode.commands.executeCommand("workbench.actions.view.problems");
    await screenshot("problems-panel-scripted", PROBLEM_ROW);
  });

  it("a clean build clears the file's problems", async () => {
    const { controller } = await api();
    controller.setBuildFunction(scriptedBuild(2, 10).fn);
    await vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(input));
    assert.equal(vscode.languages.getDiagnostics(vscode.Uri.file(input)).length, 0);
  });

  it("Cancel stops a running build (status bar mid-build), Resume finishes it reusing done tiles", async () => {
    const { controller } = await api();
    const s = scriptedBuild(40, 10, undefined, 3); // the first build waits before tile 3 until it is cancelled
    controller.setBuildFunction(s.fn);
    const output = path.join(workspaceDir(), "scripted.glb");
    fs.rmSync(output, { force: true });
    let done = 0;
    const sub = controller.onDidProgress((e) => { if (e.phase === "building") done = e.tilesDone; });
    const finished = new Promise<unknown>((r) => { const f = controller.onDidFinish((x) => { f.dispose(); r(x.error); }); });
    const command = vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(input));
    await s.held;
    assert.equal(done, 3, "three tiles reported before the hold");
    assert.ok(controller.running);
    const names = await vscode.commands.getCommands(true);
    assert.ok(names.includes("citymesh.cancelBuild"));
    await screenshot("status-bar-mid-build-scripted", STATUS_ITEM);
    await vscode.commands.executeCommand("citymesh.cancelBuild");
    const err = await finished;
    await command;
    sub.dispose();
    assert.equal((err as CityMeshError).code, "cancelled");
    assert.ok(!controller.running);
    assert.ok(!fs.existsSync(output), "no mesh from the cancelled build");
    assert.equal(s.store.get(input)!.size, 3, "stopped after the 3 tiles before the hold");

    const resumed = new Promise<{ tilesReused: number } | undefined>((r) => { const f = controller.onDidFinish((x) => { f.dispose(); r(x.result); }); });
    await vscode.commands.executeCommand("citymesh.resumeBuild");
    const result = await resumed;
    assert.equal(result?.tilesReused, 3, "resume reuses the tiles done before the cancel");
    assert.ok(fs.existsSync(output));
    assert.deepEqual(s.calls[1], s.calls[0], "resume reruns with the same options");
  });

  it("a second build while one runs is refused; the task fails with exit code 1 and the first goes on", async () => {
    const { controller } = await api();
    const s = scriptedBuild(20, 10, undefined, 1); // runs until cancelled
    controller.setBuildFunction(s.fn);
    const first = vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(input));
    await s.held;
    assert.equal(await runTask(await configuredTask("cm sample")), 1);
    assert.ok(controller.running, "the first build is still running");
    assert.equal(s.calls.length, 1, "the task did not start a build");
    controller.cancel();
    await first;
  });

  it("a tasks.json task runs through CustomExecution with ${workspaceFolder} resolved and exits 0", async () => {
    const { controller } = await api();
    const s = scriptedBuild(5, 50);
    controller.setBuildFunction(s.fn);
    assert.equal(await runTask(await configuredTask("cm sample")), 0);
    const o = s.calls[0]!;
    assert.equal(o.input, path.join(workspaceDir(), "sample-city.geojson"));
    assert.equal(o.output, path.join(workspaceDir(), "out", "sample-task.glb"));
    assert.equal(o.tileSize, 500);
  });

  it("a failing build ends its task with exit code 1", async () => {
    const { controller } = await api();
    controller.setBuildFunction(async () => { throw new CityMeshError("input", "Cannot read sample-city.geojson: scripted failure"); });
    assert.equal(await runTask(await configuredTask("cm sample")), 1);
  });

  it("Clean Scratch Store removes store files and keeps others", async () => {
    const scratch = path.join(workspaceDir(), ".citymesh", "scratch");
    const store = path.join(scratch, "0123456789abcdef");
    fs.mkdirSync(store, { recursive: true });
    fs.writeFileSync(path.join(store, "manifest.json"), "{}");
    fs.writeFileSync(path.join(store, "tile_7.h5"), "x");
    fs.writeFileSync(path.join(scratch, "keep.txt"), "not a store file");
    await vscode.commands.executeCommand("citymesh.cleanScratch", { confirm: false });
    assert.ok(!fs.existsSync(store));
    assert.ok(fs.existsSync(path.join(scratch, "keep.txt")));
  });
});
