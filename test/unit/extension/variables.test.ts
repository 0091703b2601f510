import assert from "node:assert/strict";
import os from "node:os";
import { test } from "node:test";
import { substituteInDefinition, substituteVariables } from "../../../src/extension/variables";

const ctx = { workspaceFolder: "/w/proj", workspaceFolders: { other: "/w/other" }, file: "/w/proj/data/c.geojson", env: { DEM: "/d/dem.tif" } };

test("substituteVariables resolves the usual task variables", () => {
  assert.equal(substituteVariables("${workspaceFolder}/a.geojson", ctx), "/w/proj/a.geojson");
  assert.equal(substituteVariables("${file}", ctx), "/w/proj/data/c.geojson");
  assert.equal(substituteVariables("${fileDirname}/${fileBasenameNoExtension}.glb", ctx), "/w/proj/data/c.glb");
  assert.equal(substituteVariables("${workspaceFolder:other}/x", ctx), "/w/other/x");
  assert.equal(substituteVariables("${env:DEM}", ctx), "/d/dem.tif");
  assert.equal(substituteVariables("${userHome}", ctx), os.homedir());
  assert.equal(substituteVariables("${relativeFile}", ctx), "data/c.geojson");
});

test("unknown or unavailable variables are kept and reported", () => {
  const un: string[] = [];
  assert.equal(substituteVariables("${input:pick}/${file}", { workspaceFolder: "/w" }, un), "${input:pick}/${file}");
  assert.deepEqual(un, ["${input:pick}", "${file}"]);
});

test("substituteInDefinition walks arrays and nested objects", () => {
  const d = substituteInDefinition({ type: "citymesh", input: "${workspaceFolder}/a.geojson", heightAttributes: ["${env:DEM}"], tileSize: 5 }, ctx);
  assert.deepEqual(d, { type: "citymesh", input: "/w/proj/a.geojson", heightAttributes: ["/d/dem.tif"], tileSize: 5 });
});
