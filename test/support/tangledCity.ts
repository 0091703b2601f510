// A generated city whose footprints interact the ways real ones do, for the clean-up's tests.
import { FootprintBuilder } from "../../src/core/geometry/footprintBuilder";
import type { Footprints } from "../../src/core/types";
import { generateCity, mulberry32 } from "./cityGenerator";

/**
 * A generated city (terraces with shared walls, courtyards) and, for every fifth building, a
 * second footprint that interacts with it: a copy moved by float noise (a shared wall drawn
 * twice), a copy moved by 3 m (an overlap), a shrunken copy (a building inside a building,
 * lower: dropped; or taller: it cuts the roof).
 */
export function tangledCity(buildings: number, seed: number, x0 = 1000, y0 = 2000): Footprints {
  const base = generateCity({ buildings, seed, x0, y0 });
  const rnd = mulberry32(seed + 7);
  const out = new FootprintBuilder();
  for (let b = 0; b < base.count; b++) {
    out.copyBuilding(base, b);
    if (b % 5) continue;
    const r0 = base.polyStart[base.buildingStart[b]], s = base.ringStart[r0], e = base.ringStart[r0 + 1];
    let cx = 0, cy = 0;
    for (let i = s; i < e; i++) { cx += base.xy[2 * i]; cy += base.xy[2 * i + 1]; }
    cx /= e - s; cy /= e - s;
    const kind = b % 4, scale = kind >= 2 ? 0.5 : 1, dx = kind === 0 ? 4e-4 * (rnd() - 0.5) : kind === 1 ? 3 : 0;
    out.beginRing();
    for (let i = s; i < e; i++) out.addPoint(cx + (base.xy[2 * i] - cx) * scale + dx, cy + (base.xy[2 * i + 1] - cy) * scale + dx / 2);
    out.endRing();
    out.endPolygon();
    out.endBuilding(kind === 3 ? base.height[b] + 20 : Math.max(1, base.height[b] - 2), out.count);
  }
  return out.finish();
}
