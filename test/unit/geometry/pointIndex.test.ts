import test from "node:test";
import assert from "node:assert/strict";
import { PointIndex } from "../../../src/core/geometry/pointIndex";
import { mulberry32 } from "../../support/cityGenerator";

test("PointIndex gives each exact position one id, in first-seen order, through table growth", () => {
  const p = new PointIndex(3, 4);
  const rnd = mulberry32(7);
  const pts: [number, number, number][] = [];
  // Lattice-regular coordinates (the hard case for a weak hash) plus random ones.
  for (let i = 0; i < 3000; i++) pts.push(i % 2 ? [84000 + (i % 50) * 2.5, 444000 + Math.floor(i / 50) * 2.5, 0] : [rnd() * 1e5, rnd() * 1e5, rnd() * 30]);
  pts.forEach(([x, y, z], i) => assert.equal(p.id(x, y, z), i));
  assert.equal(p.count, pts.length);
  pts.forEach(([x, y, z], i) => {
    assert.equal(p.id(x, y, z), i);
    assert.equal(p.find(x, y, z), i);
    assert.deepEqual([p.coords[3 * i], p.coords[3 * i + 1], p.coords[3 * i + 2]], [x, y, z]);
  });
  assert.equal(p.count, pts.length, "no new ids for known positions");
});

test("PointIndex compares bit for bit: -0 equals 0, the next double is another point", () => {
  const p = new PointIndex(2);
  const a = p.id(0, 5);
  assert.equal(p.id(-0, 5), a);
  assert.ok(Object.is(p.x(a), 0), "stored as +0");
  const next = 5 + Number.EPSILON * 4;
  assert.notEqual(p.id(0, next), a);
  assert.equal(p.find(1, 1), -1);
  assert.equal(p.count, 2);
});

test("PointIndex 2D ignores z; 3D tells heights apart", () => {
  const p2 = new PointIndex(2), p3 = new PointIndex(3);
  assert.equal(p2.id(1, 2, 3), p2.id(1, 2, 9));
  assert.notEqual(p3.id(1, 2, 3), p3.id(1, 2, 9));
});

test("PointIndex.clear forgets every point (ids from 0 again) and drops storage far larger than the next polygon needs", () => {
  const p = new PointIndex(2, 4);
  for (let i = 0; i < 5000; i++) p.id(i, i * 0.5);
  p.clear(10);
  assert.equal(p.count, 0);
  assert.equal(p.find(3, 1.5), -1, "an old point is gone");
  assert.equal(p.id(7, 7), 0);
  assert.equal(p.id(3, 1.5), 1);
  assert.equal(p.id(7, 7), 0);
  assert.equal(p.count, 2);
  assert.ok(p.coords.length < 1000, `storage shrunk (${p.coords.length})`);
  p.clear();
  assert.equal(p.find(7, 7), -1);
  for (let i = 0; i < 100; i++) assert.equal(p.id(i, -i), i, "ids in first-seen order after a clear");
});
