import test from "node:test";
import assert from "node:assert/strict";
import { PairSet } from "../../../src/core/geometry/pairSet";

test("PairSet holds ordered pairs: (a, b) is not (b, a), an add reports whether it was new, growth keeps every pair", () => {
  const s = new PairSet(2);
  assert.equal(s.add(3, 7), true);
  assert.equal(s.add(3, 7), false);
  assert.equal(s.has(3, 7), true);
  assert.equal(s.has(7, 3), false);
  assert.equal(s.has(0, 0), false);
  assert.equal(s.add(0, 0), true);
  assert.equal(s.has(0, 0), true);
  // Lattice-regular ids (the ground's case) past many growths, checked against a JS Set.
  const ref = new Set<string>();
  for (let a = 0; a < 300; a += 3) for (let b = 0; b < 300; b += 7) { if ((a * 31 + b) % 5 === 0) continue; s.add(a, b); ref.add(`${a},${b}`); }
  assert.equal(s.size, ref.size + 2);
  for (let a = 0; a < 300; a++) for (let b = 0; b < 300; b++) assert.equal(s.has(a, b), ref.has(`${a},${b}`) || (a === 3 && b === 7) || (a === 0 && b === 0), `(${a}, ${b})`);
  assert.equal(s.has(2 ** 31 - 1, 2 ** 31 - 1), false);
  s.add(2 ** 31 - 1, 2 ** 31 - 1);
  assert.equal(s.has(2 ** 31 - 1, 2 ** 31 - 1), true);
});

test("PairSet.clear removes every pair, also after the table grew, and the set fills again", () => {
  const s = new PairSet(2);
  for (let a = 0; a < 2000; a++) s.add(a, a + 1);
  s.clear(4);
  assert.equal(s.size, 0);
  assert.equal(s.has(5, 6), false);
  assert.equal(s.add(5, 6), true);
  assert.equal(s.add(5, 6), false);
  assert.equal(s.has(6, 5), false);
  s.clear();
  assert.equal(s.has(5, 6), false);
  for (let a = 0; a < 50; a++) assert.equal(s.add(a, 2 * a), true);
  assert.equal(s.size, 50);
});
