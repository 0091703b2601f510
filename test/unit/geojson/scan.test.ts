// Streaming scanner. The real-file checks read the committed TU Delft campus
// (test/fixtures/real/tudcampus.geojson, see test/fixtures/README.md); everything else is generated
// here. Reading speed is measured by the benchmark (npm run bench, phase "read"), not here.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { FeatureCollectionScanner, looksLikeFeatureCollection, type ScannedFeature } from "../../../src/core/geojson/scan";

const TUD = path.resolve(import.meta.dirname ?? __dirname, "../../fixtures/real/tudcampus.geojson");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-scan-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

function scan(file: string, opts = {}) {
  const s = new FeatureCollectionScanner(file, opts);
  const features: ScannedFeature[] = [...s.features()];
  return { s, features, codes: s.diagnostics.map((d) => d.code) };
}

/** 1-based line and UTF-16 column of string index i, computed independently of the scanner. */
function position(text: string, i: number): { line: number; column: number } {
  const before = text.slice(0, i);
  const nl = before.lastIndexOf("\n");
  return { line: before.split("\n").length, column: i - nl };
}

test("tudcampus: 1,529 features, identical to JSON.parse of the whole file, members and 6 courtyards", () => {
  const { s, features, codes } = scan(TUD);
  const whole = JSON.parse(fs.readFileSync(TUD, "utf8"));
  assert.deepEqual(codes, []);
  assert.equal(features.length, 1529);
  assert.equal(s.featureCount, 1529);
  assert.deepEqual(features.map((f) => f.value), whole.features);
  assert.deepEqual(s.members, { type: "FeatureCollection", name: whole.name, crs: whole.crs });
  assert.equal(s.memberPositions.crs.afterFeatures, false);
  let holes = 0;
  for (const f of features) for (const p of (f.value as { geometry: { coordinates: unknown[][] } }).geometry.coordinates) holes += p.length - 1;
  assert.equal(holes, 6);
});

test("tudcampus: line and column of features match the file text", () => {
  const text = fs.readFileSync(TUD, "utf8");
  const { features } = scan(TUD);
  for (const k of [0, 1, 700, 1528]) {
    const f = features[k];
    assert.equal(f.index, k);
    // The source text is exactly the file's bytes at that offset.
    assert.equal(text.slice(f.offset, f.offset + f.text.length), f.text); // ASCII file: byte offset = string index
    assert.deepEqual({ line: f.line, column: f.column }, position(text, f.offset));
  }
  assert.equal(features[0].line, 6); // after type, name, crs, "features": [
});

/** A generated collection with awkward text: multi-byte characters, escapes, brackets in strings, CRLF and odd whitespace. */
function generated(n: number): { text: string; starts: number[] } {
  const names = ["Straße", "Kaiserstraße 🏠 Nr. 5", 'quote \\" and \\\\ backslash', "brackets } ] { [ in a string", "tab\\t and \\u00e9", "日本語のビル"];
  let text = '{"type":"FeatureCollection",\r\n  "name": "gen 🏙",\n  "features" :\n[';
  const starts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) text += i % 3 === 0 ? ",\n" : i % 3 === 1 ? " , " : ",\r\n\t";
    starts.push(text.length);
    const x = 1000 + i * 7.25;
    text += `{"type":"Feature","id":${i},"properties":{"name":"${names[i % names.length]}","nested":{"a":[1,[2,[3]]],"b":null}},` + `"geometry":{"type":"Polygon","coordinates":[[[${x},0],[${x + 5},0],[${x + 5},5.5],[${x},0]]]}}`;
  }
  text += '\n],\n"crs": {"type":"name","properties":{"name":"EPSG:28992"}}\n}\n';
  return { text, starts };
}

test("streaming: a file many times the block size reads the same as JSON.parse, with exact positions", () => {
  const { text, starts } = generated(400);
  const file = write("gen.geojson", text);
  const size = fs.statSync(file).size;
  const whole = JSON.parse(text);
  for (const blockSize of [16, 61, 1000, 4096]) {
    assert.ok(size > 10 * blockSize);
    const { s, features, codes } = scan(file, { blockSize });
    assert.deepEqual(codes, [], `block ${blockSize}`);
    assert.deepEqual(features.map((f) => f.value), whole.features, `block ${blockSize}`);
    assert.deepEqual(s.members, { type: whole.type, name: whole.name, crs: whole.crs });
    assert.equal(s.memberPositions.crs.afterFeatures, true); // crs after features is captured too
    for (let i = 0; i < features.length; i++) {
      assert.deepEqual({ line: features[i].line, column: features[i].column }, position(text, starts[i]), `feature ${i}, block ${blockSize}`);
      assert.equal(features[i].text, text.slice(starts[i], starts[i] + features[i].text.length)); // exact source text
      assert.deepEqual(JSON.parse(features[i].text), whole.features[i]);
    }
  }
});

test("a UTF-8 BOM is skipped and does not shift columns", () => {
  const body = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}';
  const a = scan(write("nobom.json", body));
  const b = scan(write("bom.json", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)])));
  assert.deepEqual(b.codes, []);
  assert.equal(b.features.length, 1);
  assert.deepEqual([b.features[0].line, b.features[0].column], [a.features[0].line, a.features[0].column]);
  assert.equal(b.features[0].column, 41);
});

test("UTF-16 input is a file-level diagnostic", () => {
  const r = scan(write("utf16.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"type":"FeatureCollection"}', "utf16le")])));
  assert.deepEqual(r.codes, ["unsupported-encoding"]);
  assert.equal(r.features.length, 0);
});

test("a feature that fails JSON.parse is skipped with its position; the rest still read", () => {
  const text = '{"type":"FeatureCollection","features":[\n{"type":"Feature","id":1},\n{"type":"Feature","id":NaN},\n{"type":"Feature","id":3}\n]}';
  const r = scan(write("nan.json", text));
  assert.deepEqual(r.features.map((f) => (f.value as { id: number }).id), [1, 3]);
  assert.deepEqual(r.features.map((f) => f.index), [0, 2]);
  assert.equal(r.s.diagnostics[0].code, "invalid-json");
  assert.equal(r.s.diagnostics[0].featureIndex, 1);
  assert.deepEqual([r.s.diagnostics[0].line, r.s.diagnostics[0].column], [3, 1]);
});

test("truncated file: features before the cut are kept, file-level diagnostic", () => {
  const text = '{"type":"FeatureCollection","features":[{"type":"Feature","id":1},{"type":"Feature","id":2,"geometry":{"type":"Pol';
  const r = scan(write("cut.json", text), { blockSize: 16 });
  assert.equal(r.features.length, 1);
  assert.deepEqual(r.codes, ["truncated"]);
  assert.equal(r.s.diagnostics[0].featureIndex, -1);
});

test("broken structure between features stops reading with invalid-json, no crash", () => {
  const text = '{"type":"FeatureCollection","features":[{"type":"Feature","id":1} {"type":"Feature","id":2}]}';
  const r = scan(write("nocomma.json", text));
  assert.equal(r.features.length, 1);
  assert.deepEqual(r.codes, ["invalid-json"]);
  assert.match(r.s.diagnostics[0].message, /","/);
});

test("deep nesting is bounded: 100,000 nested arrays give too-deep, not a stack overflow", () => {
  const deep = "[".repeat(100000) + "]".repeat(100000);
  const text = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"x":${deep}}},{"type":"Feature","id":2}],"extra":${deep}}`;
  const r = scan(write("deep.json", text), { blockSize: 4096 });
  assert.deepEqual(r.features.map((f) => (f.value as { id?: number }).id), [2]);
  assert.deepEqual(r.codes.sort(), ["too-deep", "too-deep"]);
  assert.equal(r.s.members.extra, undefined);
});

test("wrong top-level values are file-level diagnostics", () => {
  assert.deepEqual(scan(write("num.json", "42")).codes, ["not-feature-collection"]);
  assert.deepEqual(scan(write("str.json", '"x"')).codes, ["not-feature-collection"]);
  assert.deepEqual(scan(write("feature.json", '{"type":"Feature","geometry":null,"properties":{}}')).codes, ["not-feature-collection"]);
  assert.deepEqual(scan(write("nofeatures.json", '{"type":"FeatureCollection"}')).codes, ["no-features"]);
  assert.deepEqual(scan(write("empty.json", "")).codes, ["empty-file"]);
  assert.deepEqual(scan(write("featuresobj.json", '{"type":"FeatureCollection","features":{}}')).codes, ["features-not-array"]);
  const arr = scan(write("array.json", '[{"type":"Feature","id":1}]'));
  assert.deepEqual(arr.codes, ["not-feature-collection"]);
  assert.equal(arr.features.length, 1);
});

test("elements of features that are not objects are counted and reported", () => {
  const r = scan(write("elems.json", '{"type":"FeatureCollection","features":[1, "two", null, [3], {"type":"Feature","id":5}]}'));
  assert.equal(r.s.featureCount, 5);
  assert.deepEqual(r.features.map((f) => f.index), [4]);
  assert.deepEqual(r.codes, ["not-a-feature", "not-a-feature", "not-a-feature", "not-a-feature"]);
});

test("looksLikeFeatureCollection reads only the start of the file", () => {
  assert.equal(looksLikeFeatureCollection(TUD), true);
  assert.equal(looksLikeFeatureCollection(write("fc2.json", '\uFEFF  {"features": [')), true);
  assert.equal(looksLikeFeatureCollection(write("arr2.json", "[1,2]")), false);
  assert.equal(looksLikeFeatureCollection(write("geom.json", '{"type":"Polygon","coordinates":[]}')), false);
  assert.equal(looksLikeFeatureCollection(path.join(dir, "missing.json")), false);
});
