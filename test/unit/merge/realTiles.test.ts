// The merge against the real tile mesher (src/core/mesh): the seam flags it sets must be enough
// for the exact weld to close every seam, with no re-weld by position afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mergeTiles } from "../../../src/core/merge/mergeTiles";
import { memoryTileSource } from "../../../src/core/merge/tileSource";
import { checkMesh, weldExact } from "../../../src/core/mesh/check";
import { gridDomain } from "../../../src/core/tiling/grid";
import { generateCity } from "../../support/cityGenerator";
import { meshCity } from "../../support/meshCity";
import { readPly } from "../writers/plyRead";

test("tiles from the mesher merge into a closed mesh: open edges only on the domain's outer edge", async () => {
  const f = generateCity({ buildings: 60, seed: 3, x0: 85000.123, y0: 445000.456 });
  const { plan, tiles } = meshCity(f, { tileSize: 120 });
  assert.ok(tiles.length >= 4, `several tiles (${tiles.length})`);
  const N = plan.footprints.count;
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-real-")), "city.ply");
  const stats = await mergeTiles(memoryTileSource(tiles), { output: out, format: "ply", crs: { name: "EPSG:28992", proj4: "", origin: [0, 0], sourceCrs: "EPSG:28992" }, buildings: N });
  assert.ok(stats.welded > 0);
  assert.equal(stats.degenerate, 0);
  const ply = readPly(fs.readFileSync(out));

  // Every coincident pair across tiles was flagged seam and welded: a positional re-weld finds nothing more.
  assert.equal(weldExact(ply.vertices).count, stats.vertices);

  // By index, without re-welding: edges are used once (outer edge of the domain) or twice.
  const [x0, y0, x1, y1] = gridDomain(plan.grid);
  const onOuter = (a: number, b: number) => {
    const ax = ply.vertices[3 * a], ay = ply.vertices[3 * a + 1], bx = ply.vertices[3 * b], by = ply.vertices[3 * b + 1];
    return (ax === x0 && bx === x0) || (ax === x1 && bx === x1) || (ay === y0 && by === y0) || (ay === y1 && by === y1);
  };
  const uses = new Map<number, number>();
  const V = stats.vertices;
  for (let t = 0; t < ply.faces.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = ply.faces[t + k], b = ply.faces[t + ((k + 1) % 3)];
      const key = Math.min(a, b) * V + Math.max(a, b);
      uses.set(key, (uses.get(key) ?? 0) + 1);
    }
  }
  let once = 0;
  for (const [key, n] of uses) {
    assert.ok(n === 1 || n === 2, `edge used ${n} times`);
    if (n === 1) {
      once++;
      assert.ok(onOuter(Math.floor(key / V), key % V), "an open edge inside the domain");
    }
  }
  assert.ok(once > 0);

  const r = checkMesh({ vertices: ply.vertices, faces: ply.faces, markers: ply.markers }, [x0, y0, x1, y1], N);
  assert.deepEqual([r.openEdges, r.overusedEdges, r.flippedEdges, r.degenerate], [0, 0, 0, 0], r.examples.join("; "));
});
