// Diagnostics made after reading (overlap, snapping, small buildings) point at their feature's
// line and column in the GeoJSON, like the reader's own: the planner carries the reader's
// per-feature positions to the clean-up. Runs the planner in-process on a small inline file.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { planCityInputs } from "../../../src/core/pipeline/planning";
import { resolveOptions } from "../../../src/core/options";
import { toDiagnosticSpec } from "../../../src/extension/diagnosticsMap";
import type { Diagnostic } from "../../../src/core/types";

const X = 85000, Y = 446000; // EPSG:28992 metres
const sq = (x0: number, y0: number, x1: number, y1: number): number[][] => [[X + x0, Y + y0], [X + x1, Y + y0], [X + x1, Y + y1], [X + x0, Y + y1], [X + x0, Y + y0]];
const cw = (ring: number[][]): number[][] => [...ring].reverse();
const feature = (id: string, height: number, rings: number[][][]) =>
  JSON.stringify({ type: "Feature", id, properties: { height }, geometry: { type: "Polygon", coordinates: rings } });

// Features 0 and 1 share a line, so the second one's column is not 1; the rest are indented.
const features = [
  feature("tall", 20, [sq(0, 0, 20, 20)]),
  feature("low", 10, [sq(10, 0, 30, 20)]), // overlaps "tall": the overlap goes to "tall"
  feature("tiny", 10, [sq(100, 100, 101, 101)]), // 1 m², under a minBuildingArea of 5 m²
  feature("speck", 10, [sq(200.0001, 200.0001, 200.0003, 200.0003)]), // snaps to one point
  feature("courtyard", 10, [sq(300, 0, 320, 20), cw(sq(310.0001, 10.0001, 310.0003, 10.0003))]), // its hole snaps away
];
const TEXT = [
  "{",
  '  "type": "FeatureCollection",',
  '  "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::28992" } },',
  '  "features": [',
  `  ${features[0]}, ${features[1]},`,
  `      ${features[2]},`,
  `    ${features[3]},`,
  `   ${features[4]}`,
  "  ]",
  "}",
  "",
].join("\n");

/** 1-based line and column of the opening brace of feature `i` in TEXT. */
function where(i: number): { line: number; column: number } {
  const at = TEXT.indexOf(features[i]);
  assert.ok(at >= 0);
  const before = TEXT.slice(0, at).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

async function plan(minBuildingArea = 0): Promise<Diagnostic[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-cleanup-pos-"));
  try {
    const input = path.join(dir, "city.geojson");
    fs.writeFileSync(input, TEXT);
    const o = resolveOptions({ input, scratchDir: dir, minBuildingArea, tileSize: 100 });
    const { read, plan } = await planCityInputs(o, { propsTmp: path.join(dir, "p.jsonl"), inputsFile: path.join(dir, "t.bin") }, () => {});
    return [...read.diagnostics, ...plan.diagnostics];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const byCode = (ds: Diagnostic[], code: string): Diagnostic => {
  const found = ds.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code} diagnostic in ${JSON.stringify(ds, null, 1)}`);
  return found[0];
};

function assertAt(d: Diagnostic, f: number): void {
  assert.equal(d.featureIndex, f, d.code);
  assert.deepEqual({ line: d.line, column: d.column }, where(f), `${d.code} of feature ${f}`);
}

/** Every diagnostic about a feature has a position. */
function allPlaced(ds: Diagnostic[]): void {
  for (const d of ds) if (d.featureIndex >= 0) assert.ok(d.line && d.column, `${d.code} of feature ${d.featureIndex} has no position`);
}

test("clean-up diagnostics (overlap, snapping) carry their feature's line and column", async () => {
  const ds = await plan();
  assertAt(byCode(ds, "overlap"), 1);
  assertAt(byCode(ds, "collapsed"), 3);
  assertAt(byCode(ds, "ring-collapsed"), 4);
  assert.ok(where(1).column > 1 && new Set([2, 3, 4].map((f) => where(f).column)).size === 3, "the fixture tests columns, not just lines");
  assert.match(byCode(ds, "overlap").message, /overlaps taller feature 0/);
  assert.equal(byCode(ds, "overlap").featureId, "low");
  allPlaced(ds);
});

test("a small-building diagnostic (minBuildingArea) carries its feature's line and column", async () => {
  const ds = await plan(5);
  assertAt(ds.find((d) => d.code === "small-building" && d.featureIndex === 2)!, 2);
  allPlaced(ds);
});

test("the Problems panel puts a clean-up diagnostic at its feature (0-based), not at line 1", async () => {
  const d = (await plan()).find((x) => x.code === "overlap")!;
  const s = toDiagnosticSpec(d);
  const at = where(1);
  assert.deepEqual({ line: s.line, character: s.character }, { line: at.line - 1, character: at.column - 1 });
});
