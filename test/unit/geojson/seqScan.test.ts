// Feature sequences (GeoJSONSeq RFC 8142 with RS, line-delimited GeoJSON / NDJSON): read like a
// FeatureCollection, a bad record is one diagnostic at its line and the rest is read.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { FeatureSequenceScanner, isFeatureSequence } from "../../../src/core/geojson/seqScan";
import { readFootprints } from "../../../src/core/geojson/read";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-seq-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A 10 m square building at (x, y) degrees × 1e-4 near Delft, as one JSON line. */
const feature = (id: string, i: number, height = 10) =>
  JSON.stringify({ type: "Feature", id, properties: { height }, geometry: { type: "Polygon", coordinates: [[[4.37 + i * 3e-4, 52], [4.3701 + i * 3e-4, 52], [4.3701 + i * 3e-4, 52.0001], [4.37 + i * 3e-4, 52.0001], [4.37 + i * 3e-4, 52]]] } });
const write = (name: string, text: string | Buffer) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };
const scan = (file: string, blockSize?: number) => {
  const s = new FeatureSequenceScanner(file, { blockSize });
  const out = [...s.features()].map((f) => ({ index: f.index, line: f.line, id: (f.value as { id: string }).id }));
  return { s, out };
};

test("line-delimited: one feature per line, blank lines and CRLF ignored, lines numbered, any block size", () => {
  const f = write("a.geojsonl", [feature("a", 0), "", feature("b", 1), "  ", feature("c", 2)].join("\r\n") + "\r\n");
  for (const bs of [16, 37, 4 << 20]) {
    const { s, out } = scan(f, bs);
    assert.deepEqual(out, [{ index: 0, line: 1, id: "a" }, { index: 1, line: 3, id: "b" }, { index: 2, line: 5, id: "c" }], `block size ${bs}`);
    assert.deepEqual(s.diagnostics, []);
    assert.equal(s.featureCount, 3);
  }
});

test("RFC 8142: records start with RS and may span lines; a UTF-8 BOM is skipped", () => {
  const pretty = JSON.stringify(JSON.parse(feature("b", 1)), null, 2);
  const f = write("b.geojsons", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`\x1e${feature("a", 0)}\n\x1e${pretty}\n\x1e${feature("c", 2)}\n`)]));
  for (const bs of [16, 4 << 20]) assert.deepEqual(scan(f, bs).out, [{ index: 0, line: 1, id: "a" }, { index: 1, line: 2, id: "b" }, { index: 2, line: 2 + pretty.split("\n").length, id: "c" }]);
});

test("a bad record is an invalid-json error at its line; the records after it are read; a cut last record says the file is truncated", () => {
  const good = [feature("a", 0), "{\"type\": \"Feature\", oops", feature("c", 2)];
  const whole = good.join("\n") + "\n" + feature("d", 3);
  const f = write("c.ndjson", whole.slice(0, whole.length - 20));
  const { s, out } = scan(f, 64);
  assert.deepEqual(out.map((o) => o.id), ["a", "c"]);
  assert.deepEqual(s.diagnostics.map((d) => [d.code, d.line, d.featureIndex]), [["invalid-json", 2, 1], ["invalid-json", 4, 3]]);
  assert.match(s.diagnostics[1].message, /^record 4 is not valid JSON \(the file ends inside it: truncated\?\)/);
});

test("a record over the size limit is reported and skipped, the next one read", () => {
  const f = write("d.geojsonl", [feature("a", 0), JSON.stringify({ type: "Feature", properties: { pad: "x".repeat(5000) }, geometry: null }), feature("c", 2)].join("\n"));
  const s = new FeatureSequenceScanner(f, { blockSize: 100, maxRecordBytes: 1000 });
  assert.deepEqual([...s.features()].map((x) => (x.value as { id: string }).id), ["a", "c"]);
  assert.deepEqual(s.diagnostics.map((d) => [d.code, d.line]), [["feature-too-large", 2]]);
});

test("which files are sequences: by extension, by a leading RS, or by a first line that is a whole Feature; never a FeatureCollection or a pretty-printed Feature", () => {
  assert.ok(isFeatureSequence(write("e.ndjson", "")));
  assert.ok(isFeatureSequence(write("e1.geojson", `\x1e${feature("a", 0)}\n`)));
  assert.ok(isFeatureSequence(write("e2.geojson", `${feature("a", 0)}\n${feature("b", 1)}\n`)));
  assert.ok(!isFeatureSequence(write("e3.geojson", `{"type": "FeatureCollection", "features": [\n${feature("a", 0)}\n]}\n`)));
  assert.ok(!isFeatureSequence(write("e4.geojson", JSON.stringify(JSON.parse(feature("a", 0)), null, 2))));
});

test("read end to end: the same footprints, ids, heights and properties file as the FeatureCollection of the same features", async () => {
  const feats = [feature("a", 0, 12), feature("b", 1, 20), feature("c", 2, 7)];
  const fc = write("f.geojson", `{"type": "FeatureCollection", "features": [\n${feats.join(",\n")}\n]}\n`);
  const seq = write("f.geojsonl", feats.join("\n") + "\n");
  const a = await readFootprints(fc, { propertiesOut: path.join(dir, "fa.jsonl") });
  const b = await readFootprints(seq, { propertiesOut: path.join(dir, "fb.jsonl") });
  assert.deepEqual(Array.from(b.footprints.xy), Array.from(a.footprints.xy));
  assert.deepEqual(Array.from(b.footprints.height), Array.from(a.footprints.height));
  assert.deepEqual(b.featureIds, a.featureIds);
  assert.deepEqual(b.crs, a.crs);
  assert.equal(fs.readFileSync(path.join(dir, "fb.jsonl"), "utf8"), fs.readFileSync(path.join(dir, "fa.jsonl"), "utf8"));
  assert.deepEqual(Array.from(b.featurePositions), [1, 1, 2, 1, 3, 1], "each building at its record's line");
});

test("a sequence with no usable record: no-buildings, with every record's problem", async () => {
  const f = write("g.geojsonl", "not json\n{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [4.37, 52]}}\n");
  const r = await readFootprints(f);
  assert.equal(r.footprints.count, 0);
  assert.deepEqual(r.diagnostics.map((d) => d.code).sort(), ["invalid-json", "no-buildings", "unsupported-geometry"]);
});
