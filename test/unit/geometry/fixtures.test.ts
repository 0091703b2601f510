// Shrunk failing variants (issue 13): each file in test/fixtures/geometry/ is the smallest set of
// real footprints, with the grid and parameters of the metamorphic variant that failed on it
// (see its "found" field), that made a build fail or leave a defect the checker reports. Each
// must now build with no failed tile and a clean mesh.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import path from "path";
import { footprintsOfCase, judge, type GeometryCase } from "../../support/metamorphic";

const dir = path.join(__dirname, "../../fixtures/geometry");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

test("the shrunk fixtures are there", () => assert.ok(files.length >= 3, `${files.length} fixture(s) in ${dir}`));

for (const name of files) {
  test(`fixture ${name}`, () => {
    const c = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as GeometryCase;
    const r = judge(footprintsOfCase(c), c.bounds, c.variant);
    assert.deepEqual(r.failures, [], `${c.found}\nnow: ${r.failures.join("\n")}`);
    assert.ok(r.triangles > 0);
  });
}
