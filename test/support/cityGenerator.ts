// Deterministic (seeded) city generator for tests and benchmarks. Blocks of terraced houses
// that share walls (and walls only partly shared, with T-junctions), L and U shapes, courtyards
// (holes) and rotated buildings, with realistic sizes and heights. Coordinates are arbitrary
// floats, not on any grid, so the clean-up's snapping is exercised. Footprints never overlap.
import fs from "fs";
import { FootprintBuilder } from "../../src/core/geometry/footprintBuilder";
import type { Footprints } from "../../src/core/types";

export interface CityOptions {
  buildings: number;
  seed?: number;
  /** Origin offset (e.g. UTM-sized coordinates). */
  x0?: number;
  y0?: number;
  /**
   * "classic" (default; its output for a given seed never changes, tests depend on it):
   * terraces, L, U, courtyards and rotated slabs, 4–8 vertices per building.
   * "varied" (benchmarks): adds semi-detached pairs, T, H, crosses, notched courtyard blocks
   * and round towers, 4–16 vertices per building, and more buildings per block.
   */
  shapes?: "classic" | "varied";
}

/** One generated building: open rings (outer counter-clockwise, holes clockwise) and a height. */
export interface GeneratedBuilding { rings: number[][]; height: number }

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
  const fb = new FootprintBuilder();
  for (const b of cityBuildings(o)) {
    for (const r of b.rings) fb.addRing(r);
    fb.endPolygon();
    fb.endBuilding(b.height, fb.count);
  }
  return fb.finish();
}

/** The buildings of generateCity one at a time (constant memory, for streaming very large cities). */
export function* cityBuildings(o: CityOptions): Generator<GeneratedBuilding> {
  if (o.shapes === "varied") { yield* variedBuildings(o); return; }
  const rnd = mulberry32(o.seed ?? 1);
  const perRow = Math.max(1, Math.ceil(Math.sqrt(o.buildings / 5)));
  let block = 0, count = 0;
  const add = (rings: number[][], height: number): GeneratedBuilding => { count++; return { rings, height }; };
  while (count < o.buildings) {
    const bx = (o.x0 ?? 0) + (block % perRow) * BLOCK + rnd() * 3, by = (o.y0 ?? 0) + Math.floor(block / perRow) * BLOCK + rnd() * 3;
    block++;
    const kind = rnd();
    if (kind < 0.45) {
      // A terrace: houses side by side sharing walls; depths differ, so shared walls are partial.
      let x = bx;
      const n = 3 + Math.floor(rnd() * 4);
      for (let k = 0; k < n && count < o.buildings; k++) {
        const w = 6 + rnd() * 5, d = 9 + rnd() * 5, back = rnd() < 0.5 ? 0 : rnd() * 2;
        yield add([[x, by + back, x + w, by + back, x + w, by + d, x, by + d]], 6 + Math.round(rnd() * 4) * 3);
        x += w;
      }
    } else if (kind < 0.6) {
      // L shape.
      const w = 15 + rnd() * 15, d = 15 + rnd() * 15, t = 6 + rnd() * 4;
      yield add([[bx, by, bx + w, by, bx + w, by + t, bx + t, by + t, bx + t, by + d, bx, by + d]], 8 + rnd() * 30);
    } else if (kind < 0.72) {
      // U shape.
      const w = 20 + rnd() * 20, d = 15 + rnd() * 15, t = 5 + rnd() * 3;
      yield add([[bx, by, bx + w, by, bx + w, by + d, bx + w - t, by + d, bx + w - t, by + t, bx + t, by + t, bx + t, by + d, bx, by + d]], 10 + rnd() * 20);
    } else if (kind < 0.85) {
      // A courtyard block: a hole (clockwise) inside the outer ring.
      const w = 30 + rnd() * 12, d = 30 + rnd() * 12, t = 7 + rnd() * 3;
      yield add([[bx, by, bx + w, by, bx + w, by + d, bx, by + d], [bx + t, by + t, bx + t, by + d - t, bx + w - t, by + d - t, bx + w - t, by + t]], 12 + rnd() * 15);
    } else {
      // Rotated towers and slabs: edges cross lattice lines at arbitrary angles.
      const cx = bx + 20, cy = by + 20, w = 8 + rnd() * 20, d = 8 + rnd() * 12, a = rnd() * Math.PI;
      const c = Math.cos(a), s = Math.sin(a);
      const pts: number[] = [];
      for (const [u, v] of [[-w / 2, -d / 2], [w / 2, -d / 2], [w / 2, d / 2], [-w / 2, d / 2]]) pts.push(cx + u * c - v * s, cy + u * s + v * c);
      yield add([pts], 15 + rnd() * 65);
    }
  }
}

// "varied": each 62.37 m block is split into four 31.2 m quarters (a 22 m building lot plus
// street/garden); a quarter holds one shape, or a whole block holds one large shape. Shapes stay
// inside their lot, so footprints never overlap; terraces and pairs share walls.
const QUARTER = BLOCK / 2;
const LOT = 22;

function* variedBuildings(o: CityOptions): Generator<GeneratedBuilding> {
  const rnd = mulberry32(o.seed ?? 1);
  // About 2.05 buildings per quarter on average, so the grid is about square (~2,100 buildings/km²).
  const perRow = Math.max(1, Math.ceil(Math.sqrt(o.buildings / 2.05)));
  let cell = 0, count = 0;
  const x0 = o.x0 ?? 0, y0 = o.y0 ?? 0;
  const rect = (x: number, y: number, w: number, d: number) => [x, y, x + w, y, x + w, y + d, x, y + d];
  const poly = (pts: number[][], bx: number, by: number) => pts.flatMap(([u, v]) => [bx + u, by + v]);
  const rotate = (ring: number[], cx: number, cy: number, a: number) => {
    const c = Math.cos(a), s = Math.sin(a), out: number[] = [];
    for (let i = 0; i < ring.length; i += 2) { const u = ring[i] - cx, v = ring[i + 1] - cy; out.push(cx + u * c - v * s, cy + u * s + v * c); }
    return out;
  };
  while (count < o.buildings) {
    const bx = x0 + (cell % perRow) * QUARTER + rnd() * 2, by = y0 + Math.floor(cell / perRow) * QUARTER + rnd() * 2;
    cell++;
    const out: GeneratedBuilding[] = [];
    const kind = rnd();
    if (kind < 0.34) {
      // Terrace of 2–5 houses sharing (partly) walls.
      let x = bx;
      const n = 2 + Math.floor(rnd() * 4), w = LOT / n;
      for (let k = 0; k < n; k++) {
        const ww = w * (0.85 + rnd() * 0.15), d = 8 + rnd() * 6, back = rnd() < 0.5 ? 0 : rnd() * 2;
        out.push({ rings: [rect(x, by + back, ww, d)], height: 6 + Math.round(rnd() * 4) * 3 });
        x += ww;
      }
    } else if (kind < 0.44) {
      // Semi-detached pair plus a detached garage behind.
      const w = 7 + rnd() * 3, d = 9 + rnd() * 3;
      out.push({ rings: [rect(bx, by, w, d)], height: 7 + rnd() * 4 });
      out.push({ rings: [rect(bx + w, by, w, d + rnd() * 2)], height: 7 + rnd() * 4 });
      out.push({ rings: [rect(bx + 1, by + d + 3, 5 + rnd() * 2, 5 + rnd())], height: 3 });
    } else if (kind < 0.52) {
      // L shape (6).
      const w = 12 + rnd() * 10, d = 12 + rnd() * 10, t = 5 + rnd() * 4;
      out.push({ rings: [poly([[0, 0], [w, 0], [w, t], [t, t], [t, d], [0, d]], bx, by)], height: 8 + rnd() * 25 });
    } else if (kind < 0.59) {
      // T shape (8).
      const w = 14 + rnd() * 8, d = 12 + rnd() * 10, t = 5 + rnd() * 3, s = (w - t) / 2;
      out.push({ rings: [poly([[s, 0], [s + t, 0], [s + t, d - t], [w, d - t], [w, d], [0, d], [0, d - t], [s, d - t]], bx, by)], height: 10 + rnd() * 20 });
    } else if (kind < 0.65) {
      // U shape (8).
      const w = 15 + rnd() * 7, d = 12 + rnd() * 10, t = 4 + rnd() * 3;
      out.push({ rings: [poly([[0, 0], [w, 0], [w, d], [w - t, d], [w - t, t], [t, t], [t, d], [0, d]], bx, by)], height: 10 + rnd() * 20 });
    } else if (kind < 0.7) {
      // H shape (12).
      const w = 16 + rnd() * 6, d = 14 + rnd() * 8, t = 4 + rnd() * 2, m = 4 + rnd() * 3, c = (d - m) / 2;
      out.push({ rings: [poly([[0, 0], [t, 0], [t, c], [w - t, c], [w - t, 0], [w, 0], [w, d], [w - t, d], [w - t, c + m], [t, c + m], [t, d], [0, d]], bx, by)], height: 12 + rnd() * 25 });
    } else if (kind < 0.75) {
      // Cross / plus (12), rotated.
      const a = 5 + rnd() * 4, b = 16 + rnd() * 5, e = (b - a) / 2;
      const ring = poly([[e, 0], [e + a, 0], [e + a, e], [b, e], [b, e + a], [e + a, e + a], [e + a, b], [e, b], [e, e + a], [0, e + a], [0, e], [e, e]], bx + 1, by + 1);
      out.push({ rings: [rotate(ring, bx + 1 + b / 2, by + 1 + b / 2, rnd() * Math.PI / 2)], height: 15 + rnd() * 45 });
    } else if (kind < 0.81) {
      // Round tower: a 16-gon.
      const r = 5 + rnd() * 5, cx = bx + 11, cy = by + 11, ring: number[] = [], ph = rnd();
      for (let i = 0; i < 16; i++) { const t = ((i + ph) / 16) * 2 * Math.PI; ring.push(cx + r * Math.cos(t), cy + r * Math.sin(t)); }
      out.push({ rings: [ring], height: 20 + rnd() * 80 });
    } else if (kind < 0.88) {
      // Rotated slab (4).
      const w = 8 + rnd() * 12, d = 6 + rnd() * 6;
      out.push({ rings: [rotate(rect(bx + 11 - w / 2, by + 11 - d / 2, w, d), bx + 11, by + 11, rnd() * Math.PI)], height: 15 + rnd() * 65 });
    } else if (kind < 0.94) {
      // Courtyard block (4 + 4 hole).
      const w = 18 + rnd() * 4, d = 18 + rnd() * 4, t = 5 + rnd() * 2;
      out.push({ rings: [rect(bx, by, w, d), [bx + t, by + t, bx + t, by + d - t, bx + w - t, by + d - t, bx + w - t, by + t]], height: 12 + rnd() * 15 });
    } else {
      // Courtyard block with notched corners (12 + 4 hole = 16 vertices).
      const w = 19 + rnd() * 3, d = 19 + rnd() * 3, n = 1.5 + rnd() * 1.5, t = 6 + rnd() * 1.5;
      const outer = poly([[n, 0], [w - n, 0], [w - n, n], [w, n], [w, d - n], [w - n, d - n], [w - n, d], [n, d], [n, d - n], [0, d - n], [0, n], [n, n]], bx, by);
      out.push({ rings: [outer, [bx + t, by + t, bx + t, by + d - t, bx + w - t, by + d - t, bx + w - t, by + t]], height: 14 + rnd() * 16 });
    }
    for (const b of out) {
      if (count >= o.buildings) return;
      count++;
      yield b;
    }
  }
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

const featureJSON = (b: number, rings: number[][], height: number): string => {
  const coords = rings.map((r) => { const ring: number[][] = []; for (let i = 0; i < r.length; i += 2) ring.push([r[i], r[i + 1]]); ring.push(ring[0]); return ring; });
  return JSON.stringify({ type: "Feature", id: `b${b}`, properties: { height, name: `building ${b}` }, geometry: { type: "MultiPolygon", coordinates: [coords] } });
};

/**
 * Writes the city of `o` as GeoJSON to `file`, one building at a time through a small buffer
 * (constant memory: a million buildings never become one string). The bytes equal
 * cityToGeoJSON(generateCity(o), crs).
 */
export function writeCityGeoJSON(file: string, o: CityOptions, crs = "urn:ogc:def:crs:EPSG::28992"): { buildings: number; vertices: number; bytes: number } {
  const fd = fs.openSync(file, "w");
  let buf: string[] = [], bufLen = 0, bytes = 0, b = 0, vertices = 0;
  const flush = () => { const s = buf.join(""); bytes += fs.writeSync(fd, s); buf = []; bufLen = 0; };
  const put = (s: string) => { buf.push(s); bufLen += s.length; if (bufLen > 1 << 20) flush(); };
  try {
    put(`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"${crs}"}},"features":[\n`);
    for (const g of cityBuildings(o)) {
      put((b ? ",\n" : "") + featureJSON(b, g.rings, g.height));
      for (const r of g.rings) vertices += r.length / 2;
      b++;
    }
    put("\n]}\n");
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return { buildings: b, vertices, bytes };
}
