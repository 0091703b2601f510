// Mutation fuzzing: randomly damaged versions of a small valid file never crash the scanner or
// the reader. Anything wrong must come back as diagnostics (or, for the reader, a CityMeshError).
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { FeatureCollectionScanner } from "../../../src/core/geojson/scan";
import { readFootprints } from "../../../src/core/geojson/read";
import { CityMeshError } from "../../../src/core/errors";

const BASE = JSON.stringify({
  type: "FeatureCollection",
  crs: { type: "name", properties: { name: "urn:ogc:def:crs:EPSG::28992" } },
  features: [0, 1, 2, 3].map((i) => ({
    type: "Feature",
    id: i,
    properties: { height: i === 2 ? "12 m" : 8 + i, name: `b"${i}\\é🏠` },
    geometry: { type: i === 3 ? "MultiPolygon" : "Polygon", coordinates: i === 3 ? [[[[0, 100], [10, 100], [10, 110], [0, 100]]]] : [[[i * 20, 0], [i * 20 + 10, 0], [i * 20 + 10, 10], [i * 20, 10], [i * 20, 0]], [[i * 20 + 2, 2], [i * 20 + 2, 4], [i * 20 + 4, 4], [i * 20 + 2, 2]]] },
  })),
}, null, 1);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-fuzz-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("300 damaged files: no crash, only diagnostics or CityMeshErrors", async () => {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const tokens = ["{", "}", "[", "]", '"', "\\", ",", ":", "NaN", "-", "1e999", "null", "\n", "\uFEFF", "é"];
  const bytes = Buffer.from(BASE);
  let withDiagnostics = 0;
  let readOk = 0;
  for (let t = 0; t < 300; t++) {
    let b = Buffer.from(bytes);
    for (let m = 1 + rand(3); m > 0; m--) {
      const at = rand(b.length);
      const op = rand(3);
      if (op === 0) b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rand(8))]); // delete
      else if (op === 1) b = Buffer.concat([b.subarray(0, at), Buffer.from(tokens[rand(tokens.length)]), b.subarray(at)]); // insert
      else b = b.subarray(0, at); // truncate
    }
    const file = path.join(dir, `f${t}.geojson`);
    fs.writeFileSync(file, b);
    const s = new FeatureCollectionScanner(file, { blockSize: 1 + rand(64) });
    for (const f of s.features()) assert.equal(typeof f.text, "string");
    if (s.diagnostics.length) withDiagnostics++;
    try {
      const r = await readFootprints(file, { blockSize: 7 + rand(100) });
      assert.ok(r.footprints.count <= 4);
      readOk++;
    } catch (e) {
      assert.ok(e instanceof CityMeshError, `file ${t}: ${(e as Error).stack}`);
    }
  }
  assert.ok(withDiagnostics > 100, `${withDiagnostics} damaged files reported`);
  assert.ok(readOk > 100, `${readOk} still read`);
});
