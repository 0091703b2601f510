// Table-driven test over the hostile corpus in test/fixtures/bad (made by
// test/fixtures/generate-fixtures.ts). Every file has one problem and one valid building (id
// "valid"); reading must report exactly the listed diagnostic codes and keep the valid building.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { readFootprints } from "../../../src/core/geojson/read";
import { CityMeshError } from "../../../src/core/errors";

const dir = path.resolve(import.meta.dirname ?? __dirname, "../../fixtures/bad");

interface Case {
  /** Diagnostic codes expected, exactly (as a set). */
  codes: string[];
  /** Feature ids of the buildings kept. */
  kept: (string | number | null)[];
  /** Severity of the first diagnostic with the first code. */
  severity?: "error" | "warning" | "info";
  /** Extra check on the result. */
  check?: (r: Awaited<ReturnType<typeof readFootprints>>) => void;
}

const TABLE: Record<string, Case> = {
  "invalid-json.geojson": { codes: ["invalid-json"], kept: ["valid"], severity: "error" },
  "nan-token.geojson": { codes: ["invalid-json"], kept: ["valid"], severity: "error" },
  "truncated.geojson": { codes: ["truncated"], kept: ["valid"], severity: "error" },
  "bom.geojson": { codes: [], kept: ["valid"], check: (r) => assert.equal(r.featureCount, 1) },
  "top-level-array.geojson": { codes: ["not-feature-collection"], kept: ["valid"], severity: "error" },
  "wrong-type.geojson": { codes: ["not-feature-collection"], kept: ["valid"], severity: "error" },
  "missing-geometry.geojson": { codes: ["missing-geometry"], kept: ["valid"], severity: "warning" },
  "null-geometry.geojson": { codes: ["null-geometry"], kept: ["valid"], severity: "info" },
  "geometry-collection.geojson": { codes: ["unsupported-geometry"], kept: ["valid"], severity: "warning" },
  "point-linestring.geojson": { codes: ["unsupported-geometry"], kept: ["valid"], check: (r) => assert.equal(r.diagnostics.filter((d) => d.code === "unsupported-geometry").length, 2) },
  "empty-coordinates.geojson": { codes: ["empty-geometry"], kept: ["valid"] },
  "empty-polygon.geojson": { codes: ["too-few-points", "empty-polygon"], kept: ["valid"] },
  "ring-one-point.geojson": { codes: ["too-few-points"], kept: ["valid"], severity: "error" },
  "ring-two-points.geojson": { codes: ["too-few-points"], kept: ["valid"], severity: "error" },
  "unclosed-ring.geojson": { codes: ["unclosed-ring"], kept: ["valid", "open"], severity: "warning", check: (r) => assert.equal(r.footprints.xy.length, 16) },
  "string-coordinates.geojson": {
    codes: ["non-numeric-coordinate"],
    kept: ["valid"],
    check: (r) => {
      const d = r.diagnostics.filter((x) => x.code === "non-numeric-coordinate");
      assert.deepEqual(d.map((x) => x.pointer), ["/features/1/geometry/coordinates/0/1/0", "/features/2/geometry/coordinates/0/1/1"]);
    },
  },
  "infinity-coordinates.geojson": { codes: ["non-finite-coordinate"], kept: ["valid"] },
  "huge-coordinates.geojson": { codes: ["coordinate-out-of-range"], kept: ["valid"] },
  "bowtie.geojson": { codes: ["self-intersection"], kept: ["valid"], severity: "error" },
  "duplicate-points.geojson": { codes: ["duplicate-points"], kept: ["valid", "dups"], check: (r) => assert.equal(ringPoints(r, 1), 4) },
  "spike.geojson": { codes: ["spike"], kept: ["valid", "spike"], check: (r) => assert.equal(ringPoints(r, 1), 4) },
  "zero-area.geojson": { codes: ["zero-area"], kept: ["valid"], severity: "error" },
  "hole-outside-shell.geojson": { codes: ["hole-outside-shell"], kept: ["valid", "hole"], check: (r) => assert.equal(r.footprints.ringStart.length - 1, 2) },
  "overlapping-buildings.geojson": { codes: [], kept: ["valid", "overlap"] },
  "positions-3d.geojson": { codes: ["extra-ordinates"], kept: ["valid", "z"], severity: "info" },
  "positions-4d.geojson": { codes: ["extra-ordinates"], kept: ["valid", "zm"], severity: "warning" },
  "wrong-winding.geojson": { codes: ["winding-repaired"], kept: ["valid", "cw"], severity: "info", check: (r) => assert.ok(r.diagnostics[0].repaired && r.diagnostics[0].featureIndex === -1) },
  "lonlat-swapped.geojson": {
    codes: ["lonlat-out-of-range"],
    kept: ["valid"],
    check: (r) => {
      assert.match(r.diagnostics[0].message, /swap/);
      assert.equal(r.crs.name, "EPSG:32631"); // the valid building is in Delft, 4.37° E
    },
  },
  "crs-after-features.geojson": { codes: [], kept: ["valid"], check: (r) => assert.equal(r.crs.name, "EPSG:28992") },
  "height-negative.geojson": { codes: ["invalid-height"], kept: ["valid", "neg"], check: (r) => assert.deepEqual(r.heightSources, { default: 2 }) },
  "height-zero.geojson": { codes: ["invalid-height"], kept: ["valid", "zero"], check: (r) => assert.equal(r.footprints.height[1], 12) },
  "height-abc.geojson": { codes: ["invalid-height"], kept: ["valid", "abc"], severity: "warning" },
  "height-absurd.geojson": { codes: ["invalid-height"], kept: ["valid", "absurd"] },
  "deeply-nested.geojson": { codes: ["too-deep"], kept: ["valid"], severity: "error" },
  "not-a-feature.geojson": { codes: ["not-a-feature"], kept: ["valid"], check: (r) => assert.equal(r.featureCount, 3) },
  "trailing-garbage.geojson": { codes: ["trailing-content"], kept: ["valid"] },
};

function ringPoints(r: Awaited<ReturnType<typeof readFootprints>>, building: number): number {
  const f = r.footprints;
  const ring = f.polyStart[f.buildingStart[building]];
  return f.ringStart[ring + 1] - f.ringStart[ring];
}

test("the corpus has at least 30 files and every file is in the table", () => {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".geojson"));
  assert.ok(files.length >= 30, `${files.length} files`);
  for (const f of files) assert.ok(f in TABLE || f === "unknown-crs.geojson", `${f} has an entry`);
});

for (const [file, c] of Object.entries(TABLE)) {
  test(`bad/${file}: ${c.codes.join(", ") || "no diagnostics"}; the valid building still reads`, async () => {
    const r = await readFootprints(path.join(dir, file));
    const codes = [...new Set(r.diagnostics.map((d) => d.code))].sort();
    assert.deepEqual(codes, [...c.codes].sort(), JSON.stringify(r.diagnostics, null, 1));
    assert.deepEqual(r.featureIds, c.kept);
    assert.equal(r.footprints.count, c.kept.length);
    if (c.severity) assert.equal(r.diagnostics.find((d) => d.code === c.codes[0])?.severity, c.severity);
    for (const d of r.diagnostics) {
      assert.equal(d.file, path.join(dir, file));
      assert.ok(d.message.length > 10);
      if (d.featureIndex >= 0) {
        assert.ok(d.line! >= 1 && d.column! >= 1, `feature diagnostics carry a position: ${JSON.stringify(d)}`);
        assert.ok(d.pointer?.startsWith(`/features/${d.featureIndex}`), `pointer ${d.pointer}`);
      }
    }
    // The valid building: a 10 m square, counter-clockwise, default height.
    const v = r.featureIds.indexOf("valid");
    const f = r.footprints;
    const ring = f.polyStart[f.buildingStart[v]];
    assert.equal(f.ringStart[ring + 1] - f.ringStart[ring], 4);
    c.check?.(r);
  });
}

test("bad/unknown-crs.geojson: a CityMeshError naming the code and the way out; sourceCrs reads it", async () => {
  const file = path.join(dir, "unknown-crs.geojson");
  await assert.rejects(readFootprints(file), (e: unknown) => {
    assert.ok(e instanceof CityMeshError);
    assert.equal(e.code, "crs");
    assert.match(e.message, /EPSG:99999/);
    assert.match(e.message, /proj4/);
    assert.match(e.message, /sourceCrs/);
    return true;
  });
  const r = await readFootprints(file, { sourceCrs: "+proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +units=m +no_defs" });
  assert.deepEqual(r.featureIds, ["valid"]);
  assert.equal(r.crs.name, "custom");
  assert.deepEqual(r.diagnostics.map((d) => d.code), ["crs-overridden"]);
  assert.deepEqual(r.crs.origin, [85000, 446000]);
});

test("a 100k-vertex building (generated, not committed) reads next to the valid one", async () => {
  const n = 100_000;
  const ring: number[][] = [];
  for (let i = 0; i < n; i++) ring.push([85100 + 50 * Math.cos((2 * Math.PI * i) / n), 446100 + 50 * Math.sin((2 * Math.PI * i) / n)]);
  ring.push(ring[0]);
  const text = fs.readFileSync(path.join(dir, "overlapping-buildings.geojson"), "utf8").replace(/\{ "type": "Feature", "id": "overlap".*\n/, JSON.stringify({ type: "Feature", id: "huge", properties: {}, geometry: { type: "Polygon", coordinates: [ring] } }) + "\n");
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-huge-")), "huge.geojson");
  fs.writeFileSync(tmp, text);
  try {
    const r = await readFootprints(tmp, { blockSize: 1 << 16 }); // the feature spans ~60 blocks
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.featureIds, ["valid", "huge"]);
    assert.equal(r.footprints.xy.length, 2 * (4 + n));
  } finally {
    fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  }
});
