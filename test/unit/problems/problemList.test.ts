// problemList: the one problem list every surface shows (CLI, log, notification, Problems panel).
import test from "node:test";
import assert from "node:assert/strict";
import path from "path";
import type { Diagnostic } from "../../../src/core/types";
import { MAX_PROBLEMS, problemCountText, problemList } from "../../../src/core/problemList";
import { planCityInputs } from "../../../src/core/pipeline/planning";
import { resolveOptions } from "../../../src/core/options";
import fs from "fs";
import os from "os";

const FILE = "/data/city.geojson";
const d = (featureIndex: number, severity: Diagnostic["severity"], code: string, extra: Partial<Diagnostic> = {}): Diagnostic =>
  ({ file: FILE, featureIndex, line: featureIndex + 2, column: 1, severity, code, message: `${code} of ${featureIndex}`, ...extra });

test("repairs become one summary per code and file, with the count and the first locations", () => {
  const input = [
    ...Array.from({ length: 40 }, (_, i) => d(i, "warning", "duplicate-points", { repaired: true })),
    d(3, "warning", "overlap"),
    ...Array.from({ length: 7 }, (_, i) => d(100 + i, "info", "overlap-snapped")),
    d(200, "warning", "duplicate-points", { file: "/data/other.geojson", repaired: true }),
  ];
  const list = problemList(input);
  assert.equal(list.length, 4, "overlap, one summary per repair code and file");
  const dup = list.find((x) => x.code === "duplicate-points" && x.file === FILE)!;
  assert.equal(dup.count, 40);
  assert.equal(dup.severity, "info", "a repair is a note, not a warning");
  assert.equal(dup.line, 2, "the summary sits at the first repaired feature's line");
  assert.match(dup.message, /^40 rings with repeated consecutive positions.*feature 0 \(line 2\), feature 1 \(line 3\), feature 2 \(line 4\), feature 3 \(line 5\), feature 4 \(line 6\) and 35 more\. Repaired; nothing to do\.$/);
  const snapped = list.find((x) => x.code === "overlap-snapped")!;
  assert.equal(snapped.count, 7);
  assert.doesNotMatch(snapped.message, /-\d/, "no negative figures");
  const single = list.find((x) => x.file === "/data/other.geojson")!;
  assert.equal(single.message, "duplicate-points of 200", "a code repaired once keeps its own entry");
  assert.equal(list[0].code, "overlap", "the problem a user must look at comes first");
});

test("most serious first: errors, warnings that drop a building, other warnings, notes; file order within each", () => {
  const input = [
    d(1, "info", "small-building"), d(2, "warning", "overlap"), d(3, "warning", "overlap-contained"),
    d(4, "error", "zero-area"), d(5, "warning", "invalid-height"), d(6, "warning", "collapsed"), d(7, "error", "too-few-points"),
  ];
  assert.deepEqual(problemList(input).map((x) => x.featureIndex), [4, 7, 3, 6, 2, 5, 1]);
});

test("never more than MAX_PROBLEMS entries: the rest folded into one entry that counts them; the list is stable", () => {
  const input = [
    ...Array.from({ length: 1500 }, (_, i) => d(i, "warning", "overlap")),
    ...Array.from({ length: 30 }, (_, i) => d(2000 + i, "warning", "overlap-contained")),
    ...Array.from({ length: 5000 }, (_, i) => d(3000 + i, "warning", "spike", { repaired: true })),
  ];
  const list = problemList(input);
  assert.equal(list.length, MAX_PROBLEMS);
  assert.deepEqual(list.slice(0, 30).map((x) => x.code), Array(30).fill("overlap-contained"), "every dropped building is listed");
  const last = list[list.length - 1];
  assert.equal(last.code, "more-problems");
  assert.equal(last.count, 1500 - (MAX_PROBLEMS - 1 - 30) + 5000, "the overlaps left out and the spikes their summary stood for");
  assert.match(last.message, /^5,531 more problem\(s\) not listed \(at most 1000 entries are\): 531 overlap, 5,000 spike\.$/);
  const small = problemList(input.slice(0, 10));
  assert.deepEqual(problemList(small), small, "a list it made comes back unchanged");
});

test("the count reads the same wherever it is shown", () => {
  assert.equal(problemCountText([]), "no problems");
  assert.equal(problemCountText([d(1, "error", "zero-area")]), "1 error");
  assert.equal(problemCountText([d(1, "warning", "overlap"), d(2, "warning", "overlap"), d(3, "info", "x")]), "2 warnings, 1 note");
});

test("the bundled sample: no errors or warnings, only notes about repairs (a first-time user sees nothing broken)", async () => {
  const sample = path.resolve(import.meta.dirname ?? __dirname, "../../../media/sample/sample-city.geojson");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-problems-"));
  try {
    const o = resolveOptions({ input: sample, output: path.join(dir, "s.glb"), scratchDir: dir });
    const { read, plan } = await planCityInputs(o, { propsTmp: path.join(dir, "p.jsonl"), inputsFile: path.join(dir, "t.bin") }, () => {});
    const list = problemList([...read.diagnostics, ...plan.diagnostics]);
    assert.deepEqual(list.filter((x) => x.severity !== "info").map((x) => `${x.code}: ${x.message}`), []);
    assert.ok(list.every((x) => x.repaired || x.code === "small-building"), list.map((x) => x.message).join("\n"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
