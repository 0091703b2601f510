// Case 5: the hostile corpus (test/fixtures/bad, one problem + one valid building per file) through
// the whole pipeline — the built CLI with its disk store — not just the reader. A usable file
// builds (exit 0) with the valid building in the mesh and exactly its diagnostics; an unusable file
// is exit 1 with an error naming the file and the reason; never an internal error.
import assert from "node:assert/strict";
import fs from "fs";
import path from "path";
import { run, cli, tmpDir, ROOT } from "./support/harness";

const CASE = "5 hostile GeoJSON";
const BAD = path.join(ROOT, "test/fixtures/bad");
const dir = tmpDir("corpus");

/** Diagnostic codes of the whole build (reader + clean-up) and the buildings in the mesh. */
const TABLE: Record<string, { codes: string[]; buildings: number }> = {
  "bom.geojson": { codes: [], buildings: 1 },
  "bowtie.geojson": { codes: ["self-intersection"], buildings: 1 },
  "crs-after-features.geojson": { codes: [], buildings: 1 },
  "deeply-nested.geojson": { codes: ["too-deep"], buildings: 1 },
  "duplicate-points.geojson": { codes: ["duplicate-points"], buildings: 2 },
  "empty-coordinates.geojson": { codes: ["empty-geometry"], buildings: 1 },
  "empty-polygon.geojson": { codes: ["too-few-points", "empty-polygon"], buildings: 1 },
  "geometry-collection.geojson": { codes: ["unsupported-geometry"], buildings: 1 },
  "height-abc.geojson": { codes: ["invalid-height"], buildings: 2 },
  "height-absurd.geojson": { codes: ["invalid-height"], buildings: 2 },
  "height-negative.geojson": { codes: ["invalid-height"], buildings: 2 },
  "height-zero.geojson": { codes: ["invalid-height"], buildings: 2 },
  "hole-outside-shell.geojson": { codes: ["hole-outside-shell"], buildings: 2 },
  "huge-coordinates.geojson": { codes: ["coordinate-out-of-range"], buildings: 1 },
  "infinity-coordinates.geojson": { codes: ["non-finite-coordinate"], buildings: 1 },
  "invalid-json.geojson": { codes: ["invalid-json"], buildings: 1 },
  "lonlat-swapped.geojson": { codes: ["lonlat-out-of-range"], buildings: 1 },
  "missing-geometry.geojson": { codes: ["missing-geometry"], buildings: 1 },
  "nan-token.geojson": { codes: ["invalid-json"], buildings: 1 },
  "not-a-feature.geojson": { codes: ["not-a-feature"], buildings: 1 },
  "null-geometry.geojson": { codes: ["null-geometry"], buildings: 1 },
  "overlapping-buildings.geojson": { codes: ["overlap"], buildings: 2 },
  "point-linestring.geojson": { codes: ["unsupported-geometry"], buildings: 1 },
  "positions-3d.geojson": { codes: ["extra-ordinates"], buildings: 2 },
  "positions-4d.geojson": { codes: ["extra-ordinates"], buildings: 2 },
  "ring-one-point.geojson": { codes: ["too-few-points"], buildings: 1 },
  "ring-two-points.geojson": { codes: ["too-few-points"], buildings: 1 },
  "spike.geojson": { codes: ["spike"], buildings: 2 },
  "string-coordinates.geojson": { codes: ["non-numeric-coordinate"], buildings: 1 },
  "top-level-array.geojson": { codes: ["not-feature-collection"], buildings: 1 },
  "trailing-garbage.geojson": { codes: ["trailing-content"], buildings: 1 },
  "truncated.geojson": { codes: ["truncated"], buildings: 1 },
  "unclosed-ring.geojson": { codes: ["unclosed-ring"], buildings: 2 },
  "wrong-type.geojson": { codes: ["not-feature-collection"], buildings: 1 },
  "wrong-winding.geojson": { codes: ["winding-repaired"], buildings: 2 },
  "seq-bad-record.geojsonl": { codes: ["invalid-json"], buildings: 1 },
  "seq-truncated.geojsonl": { codes: ["invalid-json"], buildings: 1 },
  "seq-rs-truncated.geojsons": { codes: ["invalid-json"], buildings: 1 },
  "zero-area.geojson": { codes: ["zero-area"], buildings: 1 },
};
/** Files no build can use: exit 1, the file and the reason named. */
const UNUSABLE: Record<string, { reason: RegExp; make?: () => string }> = {
  "unknown-crs.geojson": { reason: /EPSG:99999 is not among the bundled definitions.*--?source-?[cC]rs|EPSG:99999.*sourceCrs/ },
  "empty-file.geojson": { reason: /no valid building footprints|empty|not.*GeoJSON/i, make: () => "" },
  "binary-garbage.geojson": { reason: /no valid building footprints|not.*(JSON|GeoJSON)/i, make: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)).toString("latin1") },
  "only-invalid.geojson": {
    reason: /no valid building footprints \(\d+ errors?(, \d+ warnings?)?(, \d+ notes?)? reported\)/,
    make: () => JSON.stringify({ type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]] } }] }),
  },
};

run(CASE, "the corpus has ≥ 30 files and each is covered here", () => {
  const files = fs.readdirSync(BAD).filter((f) => /\.geojson[ls]?$/.test(f));
  assert.ok(files.length >= 30, `${files.length} files`);
  for (const f of files) assert.ok(f in TABLE || f in UNUSABLE, `${f} has an entry`);
});

for (const [file, c] of Object.entries(TABLE)) {
  run(CASE, `bad/${file}: builds; ${c.codes.join(", ") || "no diagnostics"}`, (ctx) => {
    const input = path.join(BAD, file), out = path.join(dir, file.replace(/\.[^.]+$/, ".glb"));
    const r = cli(["build", input, "-o", out, "--workers", "1", "--scratch-dir", path.join(dir, "s"), "--json"]);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    const codes = [...new Set((res.diagnostics as { code: string }[]).map((d) => d.code))].sort();
    assert.deepEqual(codes, [...c.codes].sort(), JSON.stringify(res.diagnostics, null, 1));
    for (const d of res.diagnostics) {
      assert.equal(d.file, input);
      assert.ok(d.message.length > 10);
      // Warnings and errors are printed for the user with file (and position when a feature has one) and code.
      if (d.severity !== "info") assert.ok(r.stderr.includes(`[${d.code}]`) && r.stderr.includes(input), `printed: ${d.code}`);
    }
    const lost = c.buildings - res.buildings;
    if (lost > 0) ctx.lost += lost;
    assert.equal(res.buildings, c.buildings, "valid buildings kept");
    const ids = fs.readFileSync(out.replace(/\.glb$/, ".buildings.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).id);
    if (!ids.includes("valid")) ctx.lost++;
    assert.ok(ids.includes("valid"), `the valid building is in the mesh (${ids})`);
    const glb = fs.readFileSync(out);
    assert.equal(glb.readUInt32LE(0), 0x46546c67, "glTF magic");
    assert.equal(glb.readUInt32LE(8), glb.length, "complete GLB");
    assert.ok(res.triangles > 0);
  });
}

for (const [file, c] of Object.entries(UNUSABLE)) {
  run(CASE, `${c.make ? "generated" : "bad"}/${file}: exit 1 naming the file and the reason`, () => {
    const input = c.make ? path.join(dir, file) : path.join(BAD, file);
    if (c.make) fs.writeFileSync(input, c.make(), "latin1");
    const out = path.join(dir, `unusable-${file}.glb`);
    const r = cli(["build", input, "-o", out, "--workers", "1", "--scratch-dir", path.join(dir, "s")]);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, "no stack trace");
    assert.equal(r.code, 1, r.stderr);
    const msg = r.stderr.split("\n").find((l) => l.startsWith("citymesh: ")) ?? "";
    assert.ok(msg.includes(input), `names the file: ${msg}`);
    assert.match(msg, c.reason);
    assert.ok(!fs.existsSync(out));
  });
}
