import test from "node:test";
import assert from "node:assert/strict";
import type { Diagnostic } from "../../../src/core/types";
import { HeightResolver, parseLength, parseLevels } from "../../../src/core/height";

test("lengths: numbers, metres, feet, decimal comma", () => {
  assert.equal(parseLength(12), 12);
  assert.equal(parseLength("12"), 12);
  assert.equal(parseLength("12 m"), 12);
  assert.equal(parseLength("12.5m"), 12.5);
  assert.equal(parseLength(" 12,5 metres "), 12.5);
  assert.ok(Math.abs(parseLength("40 ft") - 12.192) < 1e-9);
  assert.ok(Math.abs(parseLength("40'") - 12.192) < 1e-9);
  assert.equal(parseLength("350 cm"), 3.5);
  assert.equal(parseLength("-3 m"), -3);
  for (const bad of ["abc", "12 parsecs", "", "1 2", null, {}, [12], true]) assert.ok(Number.isNaN(parseLength(bad)), String(bad));
  assert.equal(parseLevels("4"), 4);
  assert.ok(Number.isNaN(parseLevels("4 m")));
});

function resolve(props: Record<string, unknown> | null, opts = {}) {
  const r = new HeightResolver(opts);
  const diags: Diagnostic[] = [];
  const h = r.resolve(props, { file: "f.geojson", featureIndex: 3, featureId: "x", line: 9, column: 1 }, (d) => diags.push(d));
  return { ...h, diags, counts: r.counts };
}

test("the ordered attribute list: first plausible value wins", () => {
  assert.deepEqual(resolve({ height: 20, "building:height": 30 }).height, 20);
  assert.equal(resolve({ "building:height": "30 m" }).source, "building:height");
  assert.equal(resolve({ HEIGHT: 7 }).height, 7);
  assert.equal(resolve({ measuredHeight: "40 ft" }).height, 40 * 0.3048);
  const lv = resolve({ "building:levels": "4" });
  assert.deepEqual([lv.height, lv.source], [12, "building:levels"]);
  assert.equal(resolve({ "building:levels": 4 }, { levelHeight: 3.5 }).height, 14);
});

test("the defaults read Overture (num_floors) and City Energy Analyst (height_ag, floors_ag) attributes; floors count storeys", () => {
  assert.deepEqual([resolve({ height_ag: 21, floors_ag: 7 }).height, resolve({ height_ag: 21, floors_ag: 7 }).source], [21, "height_ag"]);
  const ov = resolve({ num_floors: 5, class: "residential" });
  assert.deepEqual([ov.height, ov.source], [15, "num_floors"]);
  assert.equal(resolve({ floors_ag: "4" }, { levelHeight: 2.5 }).height, 10);
  // A measured height wins over a storey count wherever the two are listed.
  assert.equal(resolve({ num_floors: 5, height: 17.5 }).height, 17.5);
  assert.equal(resolve({ "building:levels": 2, height_ag: 9 }).height, 9);
  // A storey count is a number of storeys: "4 m" is not one.
  const bad = resolve({ num_floors: "4 m" });
  assert.deepEqual([bad.source, bad.diags[0]?.code], ["default", "invalid-height"]);
  assert.match(bad.diags[0].message, /"num_floors" = "4 m" is not a number of storeys/);
});

test("no attribute: the default height", () => {
  assert.deepEqual([resolve({}).height, resolve({}).source], [10, "default"]);
  assert.equal(resolve(null, { defaultHeight: 6 }).height, 6);
  assert.equal(resolve({ height: null, "building:height": "" }).diags.length, 0); // empty is absent, not invalid
});

test("rejected values warn and fall through to the next source", () => {
  for (const bad of [-5, 0, "abc", 1e9, "NaN", "2000 m"]) {
    const r = resolve({ height: bad, "building:levels": 2 });
    assert.equal(r.source, "building:levels", String(bad));
    assert.equal(r.height, 6);
    assert.equal(r.diags.length, 1);
    const d = r.diags[0];
    assert.equal(d.code, "invalid-height");
    assert.equal(d.severity, "warning");
    assert.equal(d.pointer, "/features/3/properties/height");
    assert.equal(d.line, 9);
    assert.match(d.message, /height/);
  }
  const last = resolve({ height: -1 });
  assert.equal(last.source, "default");
  // JSON pointer escaping of the attribute name.
  assert.equal(resolve({ "a/b": "x" }, { heightAttributes: ["a/b"] }).diags[0].pointer, "/features/3/properties/a~1b");
});

test("custom attribute list and counts per source", () => {
  const r = new HeightResolver({ heightAttributes: ["h", "levels"], levelHeight: 4 });
  const sink: Diagnostic[] = [];
  const ctx = { file: "f", featureIndex: 0 };
  for (const p of [{ h: 3 }, { h: 5 }, { levels: 2 }, { height: 99 }, {}]) r.resolve(p, ctx, (d) => sink.push(d));
  assert.deepEqual(r.counts, { h: 2, levels: 1, default: 2 }); // "height" is not in this list
  r.uncount("h");
  assert.deepEqual(r.counts, { h: 1, levels: 1, default: 2 });
});
