// Deterministic (seeded) city generator for tests and benchmarks. Blocks of terraced houses
// that share walls (and walls only partly shared, with T-junctions), L and U shapes, courtyards
// (holes) and rotated buildings, with realistic sizes and heights. Coordinates are arbitrary
// floats, not on any grid, so the clean-up's snapping is exercised. Footprints never overlap.
import { FootprintBuilder } from "../../src/core/geometry/footprintBuilder";
import type { Footprints } from "../../src/core/types";

export interface CityOptions {
  buildings: number;
  seed?: number;
  /** Origin offset (e.g. UTM-sized coordinates). */
  x0?: number;
  y0?: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BLOCK = 62.37; // block pitch (m): 45 m of buildings + street

export function generateCity(o: CityOptions): Footprints {
  const rnd = mulberry32(o.seed ?? 1);
  const fb = new FootprintBuilder();
  const perRow = Math.max(1, Math.ceil(Math.sqrt(o.buildings / 5)));
  let block = 0;
  const add = (rings: number[][], h: number) => {
    for (const r of rings) fb.addRing(r);
    fb.endPolygon();
    fb.endBuilding(h, fb.count);
  };
  while (fb.count < o.buildings) {
    const bx = (o.x0 ?? 0) + (block % perRow) * BLOCK + rnd() * 3, by = (o.y0 ?? 0) + Math.floor(block / perRow) * BLOCK + rnd() * 3;
    block++;
    const kind = rnd();
    if (kind < 0.45) {
      // A terrace: houses side by side sharing walls; depths differ, so shared walls are partial.
      let x = bx;
      const n = 3 + Math.floor(rnd() * 4);
      for (let k = 0; k < n && fb.count < o.buildings; k++) {
        const w = 6 + rnd() * 5, d = 9 + rnd() * 5, back = rnd() < 0.5 ? 0 : rnd() * 2;
        add([[x, by + back, x + w, by + back, x + w, by + d, x, by + d]], 6 + Math.round(rnd() * 4) * 3);
        x += w;
      }
    } else if (kind < 0.6) {
      // L shape.
      const w = 15 + rnd() * 15, d = 15 + rnd() * 15, t = 6 + rnd() * 4;
      add([[bx, by, bx + w, by, bx + w, by + t, bx + t, by + t, bx + t, by + d, bx, by + d]], 8 + rnd() * 30);
    } else if (kind < 0.72) {
      // U shape.
      const w = 20 + rnd() * 20, d = 15 + rnd() * 15, t = 5 + rnd() * 3;
      add([[bx, by, bx + w, by, bx + w, by + d, bx + w - t, by + d, bx + w - t, by + t, bx + t, by + t, bx + t, by + d, bx, by + d]], 10 + rnd() * 20);
    } else if (kind < 0.85) {
      // A courtyard block: a hole (clockwise) inside the outer ring.
      const w = 30 + rnd() * 12, d = 30 + rnd() * 12, t = 7 + rnd() * 3;
      add([[bx, by, bx + w, by, bx + w, by + d, bx, by + d], [bx + t, by + t, bx + t, by + d - t, bx + w - t, by + d - t, bx + w - t, by + t]], 12 + rnd() * 15);
    } else {
      // Rotated towers and slabs: edges cross lattice lines at arbitrary angles.
      const cx = bx + 20, cy = by + 20, w = 8 + rnd() * 20, d = 8 + rnd() * 12, a = rnd() * Math.PI;
      const c = Math.cos(a), s = Math.sin(a);
      const pts: number[] = [];
      for (const [u, v] of [[-w / 2, -d / 2], [w / 2, -d / 2], [w / 2, d / 2], [-w / 2, d / 2]]) pts.push(cx + u * c - v * s, cy + u * s + v * c);
      add([pts], 15 + rnd() * 65);
    }
  }
  return fb.finish();
}

/** GeoJSON text of footprints (projected coordinates, with a legacy crs member and a height attribute). */
export function cityToGeoJSON(f: Footprints, crs = "urn:ogc:def:crs:EPSG::28992"): string {
  const parts: string[] = [];
  for (let b = 0; b < f.count; b++) {
    const polys: number[][][][] = [];
    for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++) {
      const rings: number[][][] = [];
      for (let r = f.polyStart[p]; r < f.polyStart[p + 1]; r++) {
        const ring: number[][] = [];
        for (let i = f.ringStart[r]; i < f.ringStart[r + 1]; i++) ring.push([f.xy[2 * i], f.xy[2 * i + 1]]);
        ring.push(ring[0]);
        rings.push(ring);
      }
      polys.push(rings);
    }
    parts.push(JSON.stringify({ type: "Feature", id: `b${b}`, properties: { height: f.height[b], name: `building ${b}` }, geometry: { type: "MultiPolygon", coordinates: polys } }));
  }
  return `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"${crs}"}},"features":[\n${parts.join(",\n")}\n]}\n`;
}
