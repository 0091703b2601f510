import test from "node:test";
import assert from "node:assert/strict";
import { DiagnosticSink } from "../../../src/core/geojson/diagnostics";

test("the sink caps each code and summarises the rest", () => {
  const sink = new DiagnosticSink("big.geojson", 3);
  for (let i = 0; i < 10; i++) sink.add({ featureIndex: i, severity: "warning", code: "wrong-winding", message: `w${i}` });
  sink.add({ featureIndex: 11, severity: "error", code: "zero-area", message: "z" });
  const list = sink.finish();
  assert.equal(sink.count("wrong-winding"), 10);
  assert.deepEqual(list.map((d) => d.code), ["wrong-winding", "wrong-winding", "wrong-winding", "zero-area", "wrong-winding"]);
  assert.match(list[4].message, /7 more "wrong-winding" diagnostics not listed \(10 in total\)/);
  assert.equal(list[4].featureIndex, -1);
  assert.ok(list.every((d) => d.file === "big.geojson"));
  assert.equal(sink.finish().length, 5); // finishing twice adds nothing
});
