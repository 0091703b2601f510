import test from "node:test";
import assert from "node:assert/strict";
import { featureBuilding } from "../../../src/core/featureBuilding";

/** What the Map it replaces answered: the last building of each feature, else −1. */
function byMap(featureIndex: number[]): (f: number) => number {
  const m = new Map<number, number>();
  featureIndex.forEach((f, b) => m.set(f, b));
  return (f) => m.get(f) ?? -1;
}

test("feature → building: the last building of a feature, −1 for a feature that gave none, as a Map of every building answers", () => {
  const cases = [
    [],
    [0],
    [3],
    [0, 1, 2, 3],
    [2, 5, 5, 9, 10, 10, 10, 40], // features that gave no building, and features that gave several
    [7, 3, 3, 12, 0], // not rising (no reader gives this): answered through a Map
  ];
  for (const fi of cases) {
    const look = featureBuilding(Uint32Array.from(fi)), want = byMap(fi);
    for (let f = -1; f <= 42; f++) assert.equal(look(f), want(f), `feature ${f} of [${fi.join(", ")}]`);
  }
});
