// The clean-up in parts (cleanupParts.ts) gives the global clean-up's footprints byte for byte,
// however the parts are cut and in whatever order they finish, on footprints that interact the
// ways real ones do: shared walls up to float noise, overlaps, buildings inside buildings.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { cleanFootprints, type CleanupResult } from "../../../src/core/geometry/cleanup";
import { MAX_PART_POINTS, MIN_PART_POINTS, REACH, cleanInParts, cleanInPartsHere, cleanupParts, lanesHere, partPointsFor, partsAtMost, type PartOptions } from "../../../src/core/geometry/cleanupParts";
import { buildingBoxes } from "../../../src/core/geometry/footprintBuilder";
import { makeLattice, toUnitsX, toUnitsY } from "../../../src/core/geometry/lattice";
import { readFootprints } from "../../../src/core/geojson/read";
import { makeGrid } from "../../../src/core/tiling/grid";
import type { Footprints } from "../../../src/core/types";
import { tangledCity } from "../../support/tangledCity";

const lattice = makeLattice(900, 1900, 100, 10, 0.001);
const options = { lattice, snapTolerance: 0.001, file: "tangled.geojson", featureId: (fi: number) => `f${fi}`, featurePosition: (fi: number) => ({ line: fi + 1, column: 3 }) };

function assertSameCleanup(actual: CleanupResult, expected: CleanupResult, what: string): void {
  for (const k of ["xy", "ringStart", "polyStart", "buildingStart", "height", "featureIndex"] as const) {
    assert.deepEqual(actual.footprints[k], expected.footprints[k], `${what}: footprints.${k}`);
  }
  assert.deepEqual(actual.sourceIndex, expected.sourceIndex, `${what}: sourceIndex`);
  const key = (r: CleanupResult) => r.diagnostics.map((d) => JSON.stringify(d)).sort();
  assert.deepEqual(key(actual), key(expected), `${what}: diagnostics`);
}

test("parts: every building once, ascending, and buildings whose boxes come within REACH units share a part", () => {
  const f = tangledCity(1500, 3);
  const parts = cleanupParts(f, lattice, 1000);
  assert.ok(parts.length > 5, `${parts.length} parts`);
  const partOf = new Int32Array(f.count).fill(-1);
  parts.forEach((p, k) => p.forEach((b, i) => {
    assert.equal(partOf[b], -1, `building ${b} in two parts`);
    partOf[b] = k;
    if (i) assert.ok(p[i - 1] < b, "ascending within a part");
  }));
  assert.ok(partOf.every((k) => k >= 0), "every building in a part");
  const boxes = buildingBoxes(f);
  const u = (b: number) => [toUnitsX(lattice, boxes[4 * b]), toUnitsY(lattice, boxes[4 * b + 1]), toUnitsX(lattice, boxes[4 * b + 2]), toUnitsY(lattice, boxes[4 * b + 3])];
  let near = 0;
  for (let a = 0; a < f.count; a++) {
    const A = u(a);
    for (let b = a + 1; b < f.count; b++) {
      const B = u(b);
      if (A[0] - REACH > B[2] + REACH || B[0] - REACH > A[2] + REACH || A[1] - REACH > B[3] + REACH || B[1] - REACH > A[3] + REACH) continue;
      near++;
      assert.equal(partOf[a], partOf[b], `buildings ${a} and ${b} are within reach but in parts ${partOf[a]} and ${partOf[b]}`);
    }
  }
  assert.ok(near > f.count / 2, `${near} pairs within reach: the city has shared walls and overlaps`);
});

test("cleaned in parts = cleaned globally, byte for byte, with the global diagnostics", () => {
  const f = tangledCity(1500, 3);
  const global = cleanFootprints(f, options);
  assert.ok(global.diagnostics.some((d) => d.code === "overlap") && global.diagnostics.some((d) => d.code === "overlap-contained"), "the city overlaps and nests");
  for (const partPoints of [1, 700, 5000, Infinity]) {
    const parts = cleanInPartsHere(f, options, { partPoints });
    assertSameCleanup(parts, global, `parts of ${partPoints} points`);
  }
  const d = cleanInPartsHere(f, options, { partPoints: 700 }).diagnostics.find((x) => x.code === "overlap")!;
  assert.equal(d.featureId, `f${d.featureIndex}`);
  assert.equal(d.line, d.featureIndex + 1, "diagnostics get their feature's position");
});

test("parts cleaned concurrently and out of order (as on threads) give the same result", async () => {
  const f = tangledCity(800, 11);
  const here = cleanInPartsHere(f, options, { partPoints: 600 });
  let inFlight = 0, most = 0, calls = 0;
  const pending: (() => void)[] = [];
  // A runner that answers its parts in reverse order of arrival whenever three are waiting:
  // results must be put back by part, not by when they come.
  const run = (part: Footprints, o: PartOptions) => new Promise<CleanupResult>((resolve) => {
    calls++; inFlight++; most = Math.max(most, inFlight);
    const copy = structuredClone(part); // what crosses to a thread is a copy
    pending.push(() => { inFlight--; resolve(cleanFootprints(copy, o)); });
    if (pending.length === 3 || calls === cleanupParts(f, lattice, 600).length) while (pending.length) pending.pop()!();
  });
  const threaded = await cleanInParts(f, options, run, { concurrent: 3, partPoints: 600 });
  assert.ok(calls > 3);
  assert.equal(most, 3, "at most `concurrent` parts in flight");
  assertSameCleanup(threaded, here, "concurrent parts");

  // One part per lane: one lane in this thread (the planner's own), the other sent away.
  const total = f.ringStart[f.ringStart.length - 1], half = Math.ceil(total / 2);
  assert.equal(cleanupParts(f, lattice, half).length, 2);
  let sent = 0, inline = 0;
  const mixed = await cleanInParts(f, options, async (part, o) => { sent++; return cleanFootprints(structuredClone(part), o); }, { concurrent: 2, here: true, partPoints: half, onPart: () => inline++ });
  assert.deepEqual([sent, inline], [1, 1], "one part sent, one cleaned here");
  assertSameCleanup(mixed, here, "one lane here");

  // More parts than lanes: every part is sent away, `here` or not (a part cleaned here would hold
  // back the next part of a lane whose thread is done).
  sent = 0; inline = 0;
  const away = await cleanInParts(f, options, async (part, o) => { sent++; return cleanFootprints(structuredClone(part), o); }, { concurrent: 2, here: true, partPoints: 600, onPart: () => inline++ });
  assert.deepEqual([sent, inline], [cleanupParts(f, lattice, 600).length, 0], "every part sent");
  assertSameCleanup(away, here, "more parts than lanes");
});

test("lanesHere: a lane in this thread only when no lane has a second part; partsAtMost bounds the parts", () => {
  assert.equal(lanesHere(2, 2, true), true);
  assert.equal(lanesHere(1, 2, true), true);
  assert.equal(lanesHere(3, 2, true), false);
  assert.equal(lanesHere(6, 2, true), false);
  assert.equal(lanesHere(2, 2, false), false);
  const f = tangledCity(800, 11), total = f.ringStart[f.ringStart.length - 1];
  assert.equal(partsAtMost(f, Infinity), 1);
  for (const partPoints of [50, 137, 600, 1000, Math.ceil(total / 3), Math.ceil(total / 2), total - 1, total]) {
    const made = cleanupParts(f, lattice, partPoints).length, bound = partsAtMost(f, partPoints);
    assert.ok(made <= bound, `${partPoints} points a part: ${made} parts, at most ${bound}`);
  }
});

test("parts per thread: one part for a small city, else a multiple of the threads, none over MAX_PART_POINTS", () => {
  // partPointsFor reads only the number of points (the last ring end).
  const city = (points: number) => ({ ringStart: Int32Array.of(0, points) }) as unknown as Footprints;
  assert.equal(partPointsFor(city(MAX_PART_POINTS), 1), Infinity, "one thread: one part up to MAX_PART_POINTS");
  assert.equal(partPointsFor(city(2 * MIN_PART_POINTS - 1), 2), Infinity, "several threads: one part under 2 × MIN_PART_POINTS");
  assert.equal(partPointsFor(city(800_000), 2), 400_000, "one part per thread");
  assert.equal(partPointsFor(city(1_500_000), 1), 750_000, "one thread: 2 parts of 750,000 points");
  for (const threads of [1, 2, 3, 5]) {
    for (const total of [1_000_001, 2_200_000, 2_836_462, 5_540_178, 40_000_000]) {
      const per = partPointsFor(city(total), threads), parts = Math.ceil(total / per);
      assert.ok(per <= MAX_PART_POINTS, `${total} points on ${threads} thread(s): ${per} per part`);
      assert.equal(parts % threads, 0, `${total} points on ${threads} thread(s): ${parts} parts, as many for each thread`);
      assert.ok(Math.ceil(total / MAX_PART_POINTS) + threads > parts, `${total} points on ${threads} thread(s): ${parts} parts, no more than needed`);
    }
  }
});

const nyc = path.resolve(import.meta.dirname, "../../../../shared/data/nyc-osm-buildings.geojson");
test("New York (../shared/data): cleaned in the parts of 2 and of 5 threads = cleaned globally", { skip: fs.existsSync(nyc) ? false : `SKIPPED LOUDLY: ${nyc} is absent (../shared/data is not beside the repository)` }, async () => {
  const r = await readFootprints(nyc, {});
  const grid = makeGrid(r.bounds, { tileSize: 1000, maxMeshSize: 1000, margin: 0, snapTolerance: 0.001 });
  const o = { lattice: grid.lattice, snapTolerance: 0.001, file: nyc };
  const global = cleanFootprints(r.footprints, o);
  for (const threads of [2, 5]) {
    const partPoints = partPointsFor(r.footprints, threads);
    assert.equal(cleanupParts(r.footprints, grid.lattice, partPoints).length, threads, `New York is cut into ${threads} parts`);
    assertSameCleanup(cleanInPartsHere(r.footprints, o, { partPoints }), global, `New York in ${threads} parts`);
  }
});
