// One table of build options (src/core/optionTable.ts); every front end agrees with it: the CLI's
// flags and help, package.json's settings and task schema, the README's option table, the
// settings the extension reads and resolveOptions' limits. A disagreement fails here.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { test } from "node:test";
import { OPTION_NAMES, OPTION_TABLE, SETTING_NAMES, cliFlag, optionDefaults, optionSpec, type OptionName } from "../../../src/core/optionTable";
import { resolveOptions } from "../../../src/core/options";
import { plannedMeshSize } from "../../../src/core/pipeline/planning";
import { DEM_MAX_MESH_SIZE } from "../../../src/core/optionTable";
import { GEOMETRY_PARAMS } from "../../../src/core/store/manifest";
import { BUILD_FLAGS, buildOptionsFromFlags, buildOptionsHelp } from "../../../src/cli/buildArgs";
import { syncedPackageJson, syncedReadme } from "../../../scripts/syncOptions";
import { settingDefaults } from "../../../src/extension/options";
import { CityMeshError } from "../../../src/core/errors";

const root = new URL("../../../", import.meta.url);
const read = (f: string) => fs.readFileSync(new URL(f, root), "utf8");

test("package.json's settings, task schema and restricted settings are the table's (npm run sync-options)", () => {
  const text = read("package.json");
  assert.equal(syncedPackageJson(text), text, "package.json differs from the option table: run npm run sync-options");
  const pkg = JSON.parse(text);
  const settings = pkg.contributes.configuration.properties;
  assert.deepEqual(Object.keys(settings).sort(), SETTING_NAMES.map((n) => `citymesh.${n}`).sort());
  for (const n of SETTING_NAMES) assert.deepEqual(settings[`citymesh.${n}`].default, OPTION_TABLE[n].default, n);
  const task = pkg.contributes.taskDefinitions.find((d: { type: string }) => d.type === "citymesh");
  assert.deepEqual(Object.keys(task.properties).sort(), ["input", ...OPTION_NAMES].sort());
});

test("the README's option table is the table's", () => {
  const text = read("README.md");
  assert.equal(syncedReadme(text), text, "README.md's option table differs from the option table: run npm run sync-options");
});

test("every option that changes a build is a CLI flag, a setting and a task field", () => {
  const help = buildOptionsHelp();
  for (const n of OPTION_NAMES) {
    assert.ok(BUILD_FLAGS[cliFlag(n)], `--${cliFlag(n)} is parsed`);
    assert.match(help, new RegExp(`--${cliFlag(n)}\\b`), `--${cliFlag(n)} in the help`);
  }
  // Only the output file is not a setting: a setting names no single file (outputDir does).
  assert.deepEqual(OPTION_NAMES.filter((n) => !SETTING_NAMES.includes(n as never)), ["output"]);
  for (const k of GEOMETRY_PARAMS) assert.ok(SETTING_NAMES.includes(k as never), `${k} changes the geometry and is a setting`);
  assert.deepEqual(settingDefaults(), Object.fromEntries(SETTING_NAMES.map((n) => [n, optionDefaults()[n]])));
});

/** A valid value other than the default, as the CLI writes it and as the build receives it. */
function sample(n: OptionName): { argv: string[]; value: unknown } {
  const s = optionSpec(n), flag = `--${cliFlag(n)}`;
  switch (s.kind) {
    case "boolean": return { argv: [flag], value: !s.default };
    case "string[]": return { argv: [flag, "a, b"], value: ["a", "b"] };
    case "format": return { argv: [flag, "ply"], value: "ply" };
    case "choice": { const v = s.choices!.find((c) => c !== s.default)!; return { argv: [flag, v], value: v }; }
    case "string": return { argv: [flag, "x"], value: "path" in s && s.path ? path.resolve("x") : "x" };
    default: {
      const v = s.minimum !== undefined && s.minimum > 0 ? s.minimum : 2;
      return { argv: [flag, String(v)], value: v };
    }
  }
}

test("each flag reaches the resolved options with the table's limits; out-of-range values name the option and its flag", () => {
  for (const n of OPTION_NAMES) {
    const { argv, value } = sample(n);
    const { values } = parseArgs({ args: argv, options: BUILD_FLAGS, strict: true });
    const opts = { input: "city.geojson", ...buildOptionsFromFlags(values) };
    const r = resolveOptions(opts) as unknown as Record<string, unknown>;
    if (n === "outputDir") assert.equal(r.output, path.resolve("x", "city.glb"));
    else if (n === "output") assert.equal(r.output, value);
    else if (n === "tileSize") assert.equal(r.tileSize, 50); // and maxMeshSize 10 ≤ 50
    else if (n === "pointCloud") assert.deepEqual(r[n], (value as string[]).map((p) => path.resolve(p)), n); // paths, made absolute
    else assert.deepEqual(r[n], value, n);
    const s = optionSpec(n);
    for (const bad of [s.minimum !== undefined ? s.minimum - 1e-6 : undefined, s.maximum !== undefined ? s.maximum * 1.01 : undefined]) {
      if (bad === undefined) continue;
      assert.throws(() => resolveOptions({ input: "city.geojson", [n]: bad }), (e: unknown) =>
        e instanceof CityMeshError && e.code === "options" && e.message.startsWith(`${n} must be`) && e.message.includes(`(--${cliFlag(n)})`), `${n} = ${bad}`);
    }
  }
});

test("resolveOptions: the table's defaults, one output rule, one scratch rule", () => {
  const r = resolveOptions({ input: "data/city.geojson" }, "/w");
  for (const n of ["tileSize", "margin", "mergeBatchSize", "maxMeshSize", "minBuildingArea", "snapTolerance", "defaultHeight", "levelHeight", "autoTileSize", "useDiskStore", "keepIntermediate"] as const) {
    assert.equal(r[n], OPTION_TABLE[n].default, n);
  }
  assert.equal(r.output, path.join("/w/data/city.glb"));
  assert.equal(r.scratchDir, path.join("/w/.citymesh/scratch"));
  assert.equal(resolveOptions({ input: "/d/a.geo.json", format: "ply" }).output, path.join("/d/a.geo.ply"));
  assert.equal(resolveOptions({ input: "/d/roads.txt", outputDir: "/o" }).output, path.join("/o/roads.glb"));
  assert.equal(resolveOptions({ input: "/d/plain" }).output, path.join("/d/plain.glb"));
  assert.equal(resolveOptions({ input: "/d/a.geojson", output: "/o/m.STL" }).format, "stl");
  assert.throws(() => resolveOptions({ input: "/d/a.geojson", tileSize: 100, maxMeshSize: 200 }), /maxMeshSize \(200 m\) must not exceed tileSize \(100 m\)/);
  assert.throws(() => resolveOptions({ input: "/d/a.geojson", output: "/o/m.fbx" }), /Unknown output format "fbx"/);
});

test("maxMeshSize 0 is auto: 10 m with a DEM, the tile size (no refinement) on flat ground; an explicit value wins", () => {
  assert.equal(resolveOptions({ input: "/d/a.geojson" }).maxMeshSize, 0);
  assert.throws(() => resolveOptions({ input: "/d/a.geojson", maxMeshSize: 0.3 }), /maxMeshSize must be 0 \(auto\) or at least 0\.5 \(got 0\.3\)/);
  assert.equal(plannedMeshSize({ maxMeshSize: 0 }, 1000), 1000);
  assert.equal(plannedMeshSize({ maxMeshSize: 0, dem: "/d/dem.tif" }, 1000), DEM_MAX_MESH_SIZE);
  assert.equal(plannedMeshSize({ maxMeshSize: 5 }, 1000), 5);
  assert.equal(plannedMeshSize({ maxMeshSize: 5, dem: "/d/dem.tif" }, 1000), 5);
  assert.equal(plannedMeshSize({ maxMeshSize: 0, pointCloud: ["/d/a.laz"] }, 1000), DEM_MAX_MESH_SIZE, "a point cloud's terrain is refined like a DEM");
  assert.equal(plannedMeshSize({ maxMeshSize: 0, pointCloud: [] }, 1000), 1000);
});
