// Builds through the real extension host with the REAL pipeline (the core's buildCityMesh, worker threads from
// dist/worker.mjs): palette command → GLB and the viewer showing it, tasks.json tasks (exit 0, and exit 1 when the
// pipeline fails), Problems panel, status bar, cancel and resume. scripted.test.ts adds exact extension-side details.
// Nothing here depends on the machine's speed: the cancel acts on a build held at the server's gate (buildHold),
// and every wait is for an event or a condition with a limit meant for a heavily loaded machine.
import assert from "assert";
import fs from "fs";
import path from "path";
import * as vscode from "vscode";
import type { BuildResult } from "../../../src/core/types";
import type { BuildRequest } from "../../../src/extension/controller";
import type { ViewerShownEvent } from "../../../src/extension/viewer/index";
import { PROBLEM_ROW, STATUS_ITEM, api, buildHold, cityGeoJson, configuredTask, repoRoot, runTask, screenshot, waitFor, workspaceDir } from "./helpers";

type Finish = { request: BuildRequest; result?: BuildResult; error?: unknown };

async function nextFinish(input: string, timeoutMs = 900_000): Promise<Finish> {
  const { controller } = await api();
  return new Promise<Finish>((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no build of ${input} finished within ${timeoutMs} ms`)); }, timeoutMs);
    const sub = controller.onDidFinish((f) => {
      if (f.request.input !== input) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(f);
    });
  });
}

const isGlb = (file: string) => fs.existsSync(file) && fs.readFileSync(file).subarray(0, 4).toString("latin1") === "glTF";

describe("builds in a real VS Code host", function () {
  this.timeout(1_800_000);
  before(async () => {
    const { controller } = await api();
    controller.setBuildFunction(undefined); // the core's buildCityMesh, whatever an earlier suite left
  });
  afterEach(async () => {
    const { controller } = await api();
    if (controller.running) {
      controller.cancel();
      await waitFor("the build to stop", () => !controller.running, 300_000);
    }
  });

  it("Build City Mesh builds the sample city and the mesh file appears", async () => {
    const input = path.join(workspaceDir(), "sample-city.geojson");
    assert.ok(fs.existsSync(input), "sample city copied into the workspace");
    const output = path.join(workspaceDir(), "sample-city.glb");
    fs.rmSync(output, { force: true });
    const { viewer } = await api();
    const finished = nextFinish(input);
    const shown = new Promise<ViewerShownEvent>((resolve) => {
      const sub = viewer.onDidShowMesh((e) => { if (e.uri.fsPath === output) { sub.dispose(); resolve(e); } });
    });
    await vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(input));
    const f = await finished;
    assert.ifError(f.error);
    assert.equal(f.result?.output, output);
    assert.ok(isGlb(output), `${output} is a GLB`);
    assert.ok(f.result!.triangles > 0 && f.result!.buildings > 0);
    assert.equal(f.result!.buildings, 300, "the sample's 300 footprints");
    assert.ok(fs.existsSync(path.join(workspaceDir(), ".citymesh", ".gitignore")), ".citymesh/.gitignore written");
    // The finished mesh opens in the viewer panel: the webview fetched the GLB and drew its first frame.
    const e = await Promise.race([shown, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the viewer did not show the built mesh within 600 s")), 600_000))]);
    assert.equal(e.viewType, "citymesh.viewer");
    assert.equal(e.triangles, f.result!.triangles, "the viewer draws every triangle of the build");
    assert.equal(e.buildings, 300);
    console.log(`    viewer: first frame ${e.firstFrameMs} ms after the load began`);
    assert.ok(await screenshot("host-viewer-after-build"), "workbench screenshot with the viewer open");
  });

  it("a 3D Tiles build shows its tileset streamed in the viewer, every building counted", async () => {
    const input = path.join(workspaceDir(), "sample-city.geojson");
    const output = path.join(workspaceDir(), "out", "sample-3dtiles");
    fs.rmSync(output, { recursive: true, force: true });
    const { controller, viewer } = await api();
    const tileset = path.join(output, "tileset.json");
    const shown = new Promise<ViewerShownEvent>((resolve) => {
      const sub = viewer.onDidShowMesh((e) => { if (e.uri.fsPath === tileset) { sub.dispose(); resolve(e); } });
    });
    const finished = nextFinish(input);
    void controller.run({ input, overrides: { format: "3dtiles", output }, overridesFrom: "user", showResult: true });
    const f = await finished;
    assert.ifError(f.error);
    assert.ok(fs.existsSync(tileset), "tileset.json written");
    const e = await Promise.race([shown, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the viewer did not show the tileset within 600 s")), 600_000))]);
    assert.equal(e.viewType, "citymesh.viewer");
    assert.equal(e.buildings, 300, "the page counted the sample's 300 buildings in the tileset's contents");
    assert.ok(await screenshot("host-viewer-tileset"), "workbench screenshot with the tileset open");
  });

  it("a tasks.json citymesh task runs and ends with exit code 0 (${workspaceFolder} resolved)", async () => {
    const output = path.join(workspaceDir(), "out", "sample-task.glb");
    fs.rmSync(output, { force: true });
    assert.equal(await runTask(await configuredTask("cm sample")), 0);
    assert.ok(isGlb(output), `${output} written by the task`);
  });

  it("a tasks.json task whose input has no usable building fails in the pipeline: exit code 1, problems listed", async () => {
    const { controller } = await api();
    const file = path.join(workspaceDir(), "no-buildings.geojson");
    fs.writeFileSync(file, [
      '{"type":"FeatureCollection","features":[', //                                                   1
      '{"type":"Feature","properties":{"id":"nullgeom"},"geometry":null},', //                           2
      JSON.stringify({ type: "Feature", properties: { id: "twopoints" }, geometry: { type: "Polygon", coordinates: [[[4.354, 52], [4.3542, 52]]] } }), // 3
      "]}",
    ].join("\n") + "\n");
    const output = path.join(workspaceDir(), "no-buildings.glb");
    fs.rmSync(output, { force: true });
    const finished = nextFinish(file);
    assert.equal(await runTask(await configuredTask("cm no buildings")), 1);
    const f = await finished;
    assert.ok(f.error instanceof Error, "the build failed");
    assert.equal((f.error as { code?: string }).code, "input", `a core input error: ${(f.error as Error).message}`);
    assert.match((f.error as Error).message, /no valid building footprints/);
    assert.ok(!controller.running);
    assert.ok(!fs.existsSync(output), "no mesh written");
    const lines = new Set(vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.source === "citymesh").map((d) => d.range.start.line + 1));
    assert.ok(lines.has(2) && lines.has(3), `the features' problems in the Problems panel at lines 2 and 3 (got ${[...lines].join(", ")})`);
  });

  it("a tasks.json task with a point cloud (pointCloud, roofPercentile) lifts the buildings it covers from the LAZ", async () => {
    const input = path.join(workspaceDir(), "delft-bgt.geojson"), output = path.join(workspaceDir(), "out", "delft-lidar.glb");
    fs.rmSync(output, { force: true });
    const finished = nextFinish(input);
    assert.equal(await runTask(await configuredTask("cm delft lidar")), 0);
    const f = await finished;
    assert.ifError(f.error);
    assert.ok(isGlb(output), `${output} written by the task`);
    assert.equal(f.result!.buildings, 160);
    // A relative path in the task resolves against the workspace folder; the percentile reaches the build.
    assert.deepEqual(f.request.overrides.pointCloud, ["delft-2chunks.laz"]);
    const few = f.result!.diagnostics.filter((d) => d.code === "pointcloud-few-points");
    assert.ok(few.length > 0 && few.length < 160, `${few.length} buildings beyond the cut keep their default height; the others were lifted`);
    assert.ok(few.every((d) => d.message.includes(path.join(workspaceDir(), "delft-2chunks.laz"))), "the cloud is named by its absolute path");
  });

  it("an auto-detected task builds too", async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: "citymesh" });
    const t = tasks.find((x) => x.name === "build sample-city.geojson");
    assert.ok(t, "auto-detected task for the sample");
    assert.equal(await runTask(t!), 0);
  });

  it("a GeoPackage with two features tables asks which one to build, then builds it", async () => {
    const input = path.join(workspaceDir(), "two-layers.gpkg");
    fs.copyFileSync(path.join(repoRoot, "test/fixtures/formats/two-layers.gpkg"), input);
    const output = path.join(workspaceDir(), "two-layers.glb");
    fs.rmSync(output, { force: true });
    const { controller } = await api();
    const finishes: Finish[] = [];
    const sub = controller.onDidFinish((f) => { if (f.request.input === input) finishes.push(f); });
    try {
      const run = vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(input));
      // The first build stops at the reader: the file has "first" (20 buildings) and "second" (5). The driver
      // chooses "second" in the pick the command then shows; the command returns once that build has finished.
      console.log("@@pick second");
      await run;
    } finally {
      sub.dispose();
    }
    assert.equal(finishes.length, 2, "a refused build, then the chosen layer's");
    assert.match(String((finishes[0].error as Error)?.message), /2 features tables \("first", "second"\)/);
    assert.ifError(finishes[1].error);
    assert.equal(finishes[1].request.overrides.layer, "second");
    assert.equal(finishes[1].result?.buildings, 5, "the second table's 5 buildings");
    assert.ok(isGlb(output));
    assert.equal(controller.lastRequest?.overrides.layer, "second", "Resume Build rebuilds the chosen layer");
  });

  it("a broken GeoJSON gives diagnostics at the features' lines in the Problems panel", async () => {
    const file = path.join(workspaceDir(), "broken.geojson");
    const ok = (id: string, x: number) => JSON.stringify({ type: "Feature", properties: { id, height: 12 }, geometry: { type: "Polygon", coordinates: [[[x, 52], [x + 0.0002, 52], [x + 0.0002, 52.0002], [x, 52.0002], [x, 52]]] } });
    const lines = [
      '{"type":"FeatureCollection","features":[', // 1
      ok("a", 4.35) + ",", //                          2
      ok("b", 4.3505) + ",", //                        3
      '{"type":"Feature","properties":{"id":"nullgeom"},"geometry":null},', // 4
      ok("c", 4.351) + ",", //                         5
      JSON.stringify({ type: "Feature", properties: { id: "bowtie" }, geometry: { type: "Polygon", coordinates: [[[4.352, 52], [4.3522, 52.0002], [4.3522, 52], [4.352, 52.0002], [4.352, 52]]] } }) + ",", // 6
      ok("d", 4.353) + ",", //                         7
      JSON.stringify({ type: "Feature", properties: { id: "twopoints" }, geometry: { type: "Polygon", coordinates: [[[4.354, 52], [4.3542, 52]]] } }), // 8
      "]}", //                                         9
    ];
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const finished = nextFinish(file);
    await vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(file));
    const f = await finished;
    assert.ifError(f.error);
    const diags = vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.source === "citymesh");
    const byLine = new Map<number, vscode.Diagnostic[]>();
    for (const d of diags) byLine.set(d.range.start.line + 1, [...(byLine.get(d.range.start.line + 1) ?? []), d]);
    console.log(`    diagnostics: ${diags.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${vscode.DiagnosticSeverity[d.severity]}`).join("; ")}`);
    for (const line of [4, 6, 8]) assert.ok(byLine.has(line), `a diagnostic on line ${line}`);
    for (const line of [2, 3, 5, 7]) assert.ok(!byLine.has(line), `no diagnostic on valid line ${line}`);
    for (const d of diags) assert.ok(typeof d.code === "string" && d.code.length > 0, "code set");
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    await vscode.commands.executeCommand("workbench.actions.view.problems");
    await screenshot("problems-panel", PROBLEM_ROW);
    // A successful build of the fixed file clears them.
    fs.writeFileSync(file, [lines[0], lines[1], lines[2]!.replace(/,$/, ""), "]}"].join("\n") + "\n");
    const again = nextFinish(file);
    await vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(file));
    assert.ifError((await again).error);
    assert.equal(vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.source === "citymesh").length, 0, "cleared after a clean build");
  });

  it("explorer multi-selection builds one mesh per file", async () => {
    const a = path.join(workspaceDir(), "multi-a.geojson"), b = path.join(workspaceDir(), "multi-b.geojson");
    fs.writeFileSync(a, cityGeoJson(3));
    fs.writeFileSync(b, cityGeoJson(3, 4.36));
    const fa = nextFinish(a), fb = nextFinish(b);
    await vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(a), [vscode.Uri.file(a), vscode.Uri.file(b)]);
    assert.ifError((await fa).error);
    assert.ifError((await fb).error);
    assert.ok(isGlb(a.replace(/geojson$/, "glb")) && isGlb(b.replace(/geojson$/, "glb")));
  });

  it("Cancel stops a running build and Resume finishes it, reusing the stored tiles", async () => {
    const { controller } = await api();
    // With the server's build hold, the build stops at tile hold.tile (one worker: tiles before it are done) until
    // the gate opens, so the cancel certainly lands mid-build; a small city then resumes quickly. Without the hook
    // (a VSIX: production bundle) a big city (25,600 buildings, 256 tiles) makes a mid-build cancel very likely only.
    const hold = buildHold();
    const input = path.join(workspaceDir(), "big-city.geojson");
    const output = path.join(workspaceDir(), "big-city.glb");
    fs.writeFileSync(input, cityGeoJson(hold ? 40 : 160)); // about 800 m (25 tiles) or 3.2 km (256 tiles) square
    if (!hold) console.log("    (no build hold in this host: cancelling a big build instead)");
    const cfg = vscode.workspace.getConfiguration("citymesh");
    await cfg.update("tileSize", 200, vscode.ConfigurationTarget.Workspace);
    await cfg.update("workers", 1, vscode.ConfigurationTarget.Workspace);
    hold?.close();
    try {
      let maxDone = 0;
      const sub = controller.onDidProgress((e) => { if (e.phase === "building") maxDone = Math.max(maxDone, e.tilesDone); });
      const first = nextFinish(input);
      const command = vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(input));
      if (hold) await hold.reached();
      const before = hold ? hold.tile : 2;
      await waitFor(`${before} finished tiles`, () => maxDone >= before, 600_000, 50);
      assert.ok(controller.running, "still building");
      // Status bar: phase, tiles done/total (and an ETA once the rate is known).
      assert.match(controller.statusBar.text, /^\$\(sync~spin\) City Mesh: (Building tiles \d+\/\d+|Merging|Writing)/, "status bar mid-build");
      console.log(`    status bar: ${controller.statusBar.text}`);
      await screenshot("status-bar-mid-build", STATUS_ITEM);
      await vscode.commands.executeCommand("citymesh.cancelBuild");
      const f1 = await first;
      await command;
      sub.dispose();
      assert.ok(f1.error, "the first build ended with an error");
      assert.equal((f1.error as { code?: string }).code, "cancelled");
      assert.ok(!controller.running);
      assert.ok(!fs.existsSync(output), "no mesh from a cancelled build");
      console.log(`    cancelled after ${maxDone} tiles${hold ? ` (held at tile ${hold.tile})` : ""}`);
      hold?.open();

      const second = nextFinish(input);
      await vscode.commands.executeCommand("citymesh.resumeBuild");
      const f2 = await second;
      assert.ifError(f2.error);
      if (hold) assert.equal(f2.result!.tilesReused, hold.tile, `resume reused the ${hold.tile} tiles built before the hold`);
      else assert.ok(f2.result!.tilesReused >= 1, `resume reused tiles (${f2.result!.tilesReused} of ${f2.result!.tiles})`);
      assert.ok(isGlb(output));
      console.log(`    resumed: ${f2.result!.tilesReused}/${f2.result!.tiles} tiles reused`);
    } finally {
      hold?.open();
      await cfg.update("tileSize", undefined, vscode.ConfigurationTarget.Workspace);
      await cfg.update("workers", undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
