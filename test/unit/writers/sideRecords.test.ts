import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { SideRecords } from "../../../src/core/writers/sideRecords";
import { FeatureTable } from "../../../src/core/writers/tiles3d/features";

const tmpFile = (text: string) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-side-")), "b.jsonl");
  fs.writeFileSync(f, text);
  return f;
};

/** Every building 0..n-1 through SideRecords and through FeatureTable.record: the same records. */
function sameAsFeatureTable(file: string, n: number, order: number[] = Array.from({ length: n }, (_, b) => b)): void {
  const ft = new FeatureTable(file, n);
  const r = new SideRecords(file, (b) => ft.record(b));
  try {
    for (const b of order) assert.deepEqual(r.record(b), ft.record(b), `building ${b}`);
  } finally {
    r.close();
    ft.close();
  }
}

test("a side file in building order (gaps, CRLF, a last line without newline, lines longer than the read buffer) reads as FeatureTable.record does, without falling back", () => {
  const long = "x".repeat(3 << 20);
  const lines = [0, 1, 3, 4, 7].map((b) => JSON.stringify({ b, f: b, id: `w${b}`, properties: { name: b === 3 ? long : `n${b}` } }));
  const file = tmpFile(lines.slice(0, 3).join("\r\n") + "\n\n" + lines.slice(3).join("\n"));
  const ft = new FeatureTable(file, 9);
  let fallbacks = 0;
  const r = new SideRecords(file, (b) => { fallbacks++; return ft.record(b); });
  for (let pass = 0; pass < 2; pass++) { // streamTable goes over the rows once per group of columns
    for (let b = 0; b < 9; b++) assert.deepEqual(r.record(b), ft.record(b), `pass ${pass}, building ${b}`);
  }
  r.close();
  ft.close();
  assert.equal(fallbacks, 0);
});

test("a side file out of order, or naming a building twice, falls back to FeatureTable's answers (the last line wins)", () => {
  const rec = (b: number, v: string) => JSON.stringify({ b, id: v });
  sameAsFeatureTable(tmpFile([rec(2, "a"), rec(0, "b"), rec(1, "c")].join("\n") + "\n"), 3);
  sameAsFeatureTable(tmpFile([rec(0, "a"), rec(1, "b"), rec(1, "c"), rec(2, "d")].join("\n") + "\n"), 3);
  const ft = new FeatureTable(tmpFile([rec(0, "a"), rec(1, "b"), rec(1, "c")].join("\n")), 2);
  assert.equal(ft.record(1)?.id, "c");
  ft.close();
});

test("lines in another shape (b not first) are found by parsing them; random access order still answers right", () => {
  const file = tmpFile(['{ "id": "p", "b": 0 }', '{"id":"q","b":1}', '{"b":2,"id":"r"}'].join("\n") + "\n");
  sameAsFeatureTable(file, 4, [0, 1, 2, 3]);
  sameAsFeatureTable(file, 4, [3, 1, 2, 0, 2]);
});

test("no side file: no records", () => {
  const r = new SideRecords(undefined, () => assert.fail("no fallback without a file"));
  assert.equal(r.record(0), undefined);
  r.close();
  const missing = new SideRecords(path.join(os.tmpdir(), "citymesh-no-such-side-file.jsonl"), () => undefined);
  assert.equal(missing.record(0), undefined);
});
