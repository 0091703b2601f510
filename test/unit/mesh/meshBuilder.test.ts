// The mesh builder finds a wall or roof vertex through the footprint vertex under it (no 3D hash):
// it must weld exactly as a hash of the exact position does, giving the same ids in the same order.
import test from "node:test";
import assert from "node:assert/strict";
import { MeshBuilder } from "../../../src/core/mesh/meshBuilder";
import { PointIndex } from "../../../src/core/geometry/pointIndex";
import { mulberry32 } from "../../support/cityGenerator";

test("MeshBuilder.at and fresh give the ids a 3D PointIndex of the positions gives, in first-seen order, through growth", () => {
  const rnd = mulberry32(11);
  const base = new PointIndex(2);
  for (let i = 0; i < 200; i++) base.id(84000 + (i % 20) * 2.5, 444000 + Math.floor(i / 20) * 2.5);
  const mb = new MeshBuilder(base, 4, 4); // tiny, so every array grows
  const ref = new PointIndex(3, 4);
  const heights = [0, -0, 3, 7.25, 12, 12 + Number.EPSILON * 16, 40];
  for (let k = 0; k < 5000; k++) {
    if (rnd() < 0.2) {
      // A ground point at no footprint vertex: distinct from everything made so far.
      const x = 90000 + k * 0.125, y = 450000 - k * 0.5;
      assert.equal(mb.fresh(x, y, 1.5), ref.id(x, y, 1.5), `fresh ${k}`);
      continue;
    }
    const v = Math.floor(rnd() * base.count), z = heights[Math.floor(rnd() * heights.length)];
    assert.equal(mb.at(v, z), ref.id(base.x(v), base.y(v), z), `at(${v}, ${z})`);
  }
  assert.equal(mb.vertexCount, ref.count);
  mb.triangle(0, 1, 2, 5);
  mb.triangle(0, 0, 2, 5); // degenerate: dropped
  const m = mb.finish((i) => mb.footprintVertex(i) < 0);
  assert.deepEqual(Array.from(m.vertices), Array.from(ref.coords.subarray(0, 3 * ref.count)));
  assert.ok(!m.vertices.some((c) => Object.is(c, -0)), "-0 stored as 0");
  assert.deepEqual(Array.from(m.faces), [0, 1, 2]);
  for (let i = 0; i < ref.count; i++) {
    const v = base.find(ref.x(i), ref.y(i));
    assert.equal(mb.footprintVertex(i), v, `footprint vertex under ${i}`);
    assert.equal(m.seam[i], v < 0 ? 1 : 0);
  }
});
