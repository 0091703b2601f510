// Runs only in the multi-root pass (test/host/fixtures/multiroot: folders "north" and "south", south has folder
// settings): a build belongs to the folder of its input — settings, scratch store and relative paths from there.
import assert from "assert";
import path from "path";
import * as vscode from "vscode";
import type { BuildOptions, BuildResult } from "../../../src/core/types";
import { api } from "./helpers";

describe("multi-root workspace", () => {
  it("each input builds with its own folder's settings and scratch store", async () => {
    const folders = vscode.workspace.workspaceFolders!;
    assert.deepEqual(folders.map((f) => f.name), ["north", "south"]);
    const [north, south] = folders.map((f) => f.uri.fsPath) as [string, string];
    const { controller } = await api();
    const calls: BuildOptions[] = [];
    controller.setBuildFunction(async (o) => {
      calls.push(o);
      return { output: o.output!, format: "glb", vertices: 0, triangles: 0, buildings: 0, tiles: 0, tilesReused: 0, crs: { name: "", proj4: "", origin: [0, 0], sourceCrs: "" }, diagnostics: [], heightSources: {}, seconds: 0 } satisfies BuildResult;
    });
    try {
      await vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(path.join(north, "north.geojson")));
      await vscode.commands.executeCommand("citymesh.build", vscode.Uri.file(path.join(south, "south.geojson")));
    } finally {
      controller.setBuildFunction(undefined);
    }
    assert.equal(calls.length, 2);
    assert.equal(calls[0]!.scratchDir, path.join(north, ".citymesh", "scratch"));
    assert.equal(calls[0]!.tileSize, 1000);
    assert.equal(calls[0]!.output, path.join(north, "north.glb"));
    assert.equal(calls[1]!.scratchDir, path.join(south, ".citymesh", "scratch"));
    assert.equal(calls[1]!.tileSize, 300, "south's folder setting");
    assert.equal(calls[1]!.output, path.join(south, "meshes", "south.glb"), "outputDir relative to south");
  });

  it("auto-detected tasks are scoped to their folder", async () => {
    const tasks = await vscode.tasks.fetchTasks({ type: "citymesh" });
    const south = tasks.find((t) => t.name === "build south.geojson");
    assert.ok(south);
    assert.equal((south!.scope as vscode.WorkspaceFolder).name, "south");
  });
});
