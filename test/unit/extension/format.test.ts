import assert from "node:assert/strict";
import { test } from "node:test";
import { formatEta, fractionDone, progressLine, progressText, statusBarText } from "../../../src/extension/format";
import { groupByFile, toDiagnosticSpec } from "../../../src/extension/diagnosticsMap";

test("formatEta", () => {
  assert.equal(formatEta(undefined), "");
  assert.equal(formatEta(Number.NaN), "");
  assert.equal(formatEta(44.6), "45 s");
  assert.equal(formatEta(200), "3 min 20 s");
  assert.equal(formatEta(3900), "1 h 05 min");
});

test("status bar and terminal lines", () => {
  const e = { phase: "building" as const, tilesDone: 12, tilesTotal: 40, triangles: 1234567, etaSeconds: 65, message: "tile 17" };
  assert.equal(statusBarText(e), "$(sync~spin) City Mesh: Building tiles 12/40 · ETA 1 min 05 s");
  assert.equal(progressText(e), "Building tiles 12/40 · ETA 1 min 05 s", "the notification says what the status bar says, with no second \"tiles\"");
  assert.equal(progressText({ phase: "merging", tilesDone: 16, tilesTotal: 200, triangles: 0 }), "Merging 16/200");
  assert.equal(progressLine(e), "[building] 12/40 tiles, 1,234,567 triangles, ETA 1 min 05 s — tile 17");
  assert.equal(statusBarText({ phase: "reading", tilesDone: 0, tilesTotal: 0, triangles: 0 }), "$(sync~spin) City Mesh: Reading");
  assert.equal(progressLine({ phase: "reading", tilesDone: 0, tilesTotal: 0, triangles: 0 }), "[reading]");
  assert.ok(Math.abs(fractionDone(e) - (0.05 + 0.8 * 12 / 40)) < 1e-12);
});

test("diagnostics: 1-based line/column become 0-based, severity and code kept", () => {
  const s = toDiagnosticSpec({ file: "/w/a.geojson", featureIndex: 3, featureId: "b7", line: 12, column: 5, severity: "warning", code: "unclosed-ring", message: "ring not closed", repaired: true });
  assert.deepEqual(s, { file: "/w/a.geojson", line: 11, character: 4, severity: 1, code: "unclosed-ring", message: 'Feature "b7": ring not closed (repaired, feature kept)' });
  assert.equal(toDiagnosticSpec({ file: "a", featureIndex: 4, featureId: "x", severity: "error", code: "c", message: 'Feature 4 (id "x"): bad ring' }).message, 'Feature 4 (id "x"): bad ring', "no second prefix");
  const f = toDiagnosticSpec({ file: "/w/a.geojson", featureIndex: -1, severity: "error", code: "json", message: "bad" });
  assert.deepEqual([f.line, f.character, f.severity, f.message], [0, 0, 0, "bad"]);
  const g = groupByFile([{ file: "a", featureIndex: 0, severity: "info", code: "x", message: "m" }, { file: "b", featureIndex: 1, severity: "info", code: "y", message: "n" }, { file: "a", featureIndex: 2, severity: "info", code: "z", message: "o" }]);
  assert.deepEqual([...g.keys()], ["a", "b"]);
  assert.equal(g.get("a")!.length, 2);
  assert.equal(g.get("a")![0]!.severity, 2);
});
