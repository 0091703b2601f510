// Developer check: mesh a generated city or the TU Delft campus in process and print the mesh checker's figures.
//   node --import tsx scripts/dev-check.ts gen|tud [tileSize] [buildings]
import fs from "fs";
import path from "path";
import { generateCity } from "../test/support/cityGenerator";
import { meshCity } from "../test/support/meshCity";
import { checkMesh, concatMeshes } from "../src/core/mesh/check";
import { gridDomain } from "../src/core/tiling/grid";
import { buildingArea } from "../src/core/geometry/footprintBuilder";
import { FootprintBuilder } from "../src/core/geometry/footprintBuilder";
import type { Footprints } from "../src/core/types";

function loadTud(): Footprints {
  const j = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname ?? __dirname, "../test/fixtures/real/tudcampus.geojson"), "utf8"));
  const fb = new FootprintBuilder();
  j.features.forEach((ft: any, i: number) => {
    for (const poly of ft.geometry.coordinates) {
      poly.forEach((ring: number[][], k: number) => {
        const pts = ring.slice(0, -1);
        let a = 0; for (let m = 0; m < pts.length; m++) { const p = pts[m], q = pts[(m + 1) % pts.length]; a += p[0] * q[1] - q[0] * p[1]; }
        if ((k === 0) !== (a > 0)) pts.reverse();
        fb.addRing(pts.flat());
      });
      fb.endPolygon();
    }
    fb.endBuilding(8 + (i % 7) * 3, i);
  });
  return fb.finish();
}

const which = process.argv[2] ?? "gen";
const tileSize = +(process.argv[3] ?? 250);
const f = which === "tud" ? loadTud() : generateCity({ buildings: +(process.argv[4] ?? 500), seed: 7, x0: 85000.123, y0: 445000.456 });
const t0 = performance.now();
const { plan, tiles } = meshCity(f, { tileSize });
const t1 = performance.now();
const all = concatMeshes(tiles);
const N = plan.footprints.count;
const r = checkMesh(all, gridDomain(plan.grid), N);
let fpArea = 0, vol = 0;
for (let b = 0; b < N; b++) { const a = buildingArea(plan.footprints, b); fpArea += a; vol += a * plan.roofZ[b]; }
const [x0, y0, x1, y1] = gridDomain(plan.grid);
console.log({ footprints: f.count, kept: N, tiles: tiles.length, ms: Math.round(t1 - t0), diags: plan.diagnostics.length, ...r, expectVolume: vol, volErr: Math.abs(r.volume - vol) / vol, groundErr: Math.abs(r.groundArea - ((x1 - x0) * (y1 - y0) - fpArea)) / r.groundArea, roofErr: Math.abs(r.roofArea - fpArea) / fpArea });
console.log(plan.diagnostics.slice(0, 5));
