// Metamorphic variants of a real footprint file (issue 13): what a user could produce from the
// same city — translated far away and rounded to the millimetre, rotated and rounded, k × k
// copies side by side, built at another tile size with the grid shifted, at another snap
// tolerance. Each variant is written as GeoJSON and read by the real reader, planned, every tile
// meshed in process, and the merged mesh judged by the checker (src/core/mesh/check.ts).
import fs from "fs";
import path from "path";
import { readFootprints } from "../../src/core/geojson/read";
import { planBuild, tileInput } from "../../src/core/tiling/plan";
import { meshTile } from "../../src/core/mesh/tileMesher";
import { checkMesh, concatMeshes, type MeshReport } from "../../src/core/mesh/check";
import { gridDomain } from "../../src/core/tiling/grid";
import type { Footprints, TileMesh } from "../../src/core/types";
import { FootprintBuilder } from "../../src/core/geometry/footprintBuilder";

type Bounds = [number, number, number, number];

export interface Variant {
  /** Added to every coordinate (metres) before rounding. */
  offset: [number, number];
  /** Rotation about the data's centre, radians, before the offset. */
  angle: number;
  /** k × k copies side by side (1: the file itself). */
  copies: number;
  /** Round coordinates to this many decimals after the transform (3: millimetre). */
  decimals: number;
  tileSize: number;
  /** Shifts the tile grid against the data (metres of margin). */
  margin: number;
  snapTolerance: number;
  maxMeshSize: number;
}

export interface VariantResult {
  variant: Variant;
  buildings: number;
  tiles: number;
  failedTiles: { tile: number; error: string }[];
  triangles: number;
  report: MeshReport | null;
  /** Empty when the variant passes. */
  failures: string[];
}

type Coords = number[] | Coords[];

function mapCoords(c: Coords, fn: (x: number, y: number) => [number, number]): Coords {
  if (typeof c[0] === "number") {
    const [x, y] = fn(c[0] as number, c[1] as number);
    return [x, y];
  }
  return (c as Coords[]).map((d) => mapCoords(d, fn));
}

function forCoords(c: Coords, fn: (x: number, y: number) => void): void {
  if (typeof c[0] === "number") fn(c[0] as number, c[1] as number);
  else for (const d of c as Coords[]) forCoords(d, fn);
}

interface Collection { type: string; crs?: unknown; features: { type: string; properties: unknown; geometry: { type: string; coordinates: Coords } | null }[] }

/** The variant's GeoJSON text (features with geometry only; the source's CRS member kept). */
export function variantGeoJSON(source: Collection, v: Variant): string {
  const [x0, y0, x1, y1] = collectionBounds(source);
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const cos = Math.cos(v.angle), sin = Math.sin(v.angle);
  // The rotated data's extent sets the copies' spacing (plus a 5 m street).
  const span = Math.hypot(x1 - x0, y1 - y0) + 5;
  const scale = 10 ** v.decimals;
  const round = (u: number) => Math.round(u * scale) / scale;
  const features: unknown[] = [];
  for (let i = 0; i < v.copies; i++) for (let j = 0; j < v.copies; j++) {
    const dx = v.offset[0] + i * span, dy = v.offset[1] + j * span;
    for (const f of source.features) {
      if (!f.geometry) continue;
      const coordinates = mapCoords(f.geometry.coordinates, (x, y) => {
        const rx = cx + cos * (x - cx) - sin * (y - cy), ry = cy + sin * (x - cx) + cos * (y - cy);
        return [round(rx + dx), round(ry + dy)];
      });
      features.push({ type: "Feature", properties: f.properties, geometry: { type: f.geometry.type, coordinates } });
    }
  }
  return JSON.stringify({ type: "FeatureCollection", crs: source.crs, features });
}

/** Writes the variant's GeoJSON to `file` and reads it with the real reader. */
export async function readVariant(source: Collection, v: Variant, file: string): Promise<{ footprints: Footprints; bounds: Bounds }> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, variantGeoJSON(source, v));
  const read = await readFootprints(file, { defaultHeight: 10 });
  return { footprints: read.footprints, bounds: read.bounds };
}

/** Plans, meshes every tile in process and judges the merged mesh. `bounds` fixes the grid (shrinking keeps it). */
export function judge(footprints: Footprints, bounds: Bounds, v: Variant): VariantResult {
  const plan = planBuild(footprints, bounds, {
    tileSize: v.tileSize, maxMeshSize: v.maxMeshSize, margin: v.margin, snapTolerance: v.snapTolerance,
    file: "variant.geojson", ground: { kind: "flat" }, zAt: () => 0,
  });
  const meshes: TileMesh[] = [];
  const failedTiles: { tile: number; error: string }[] = [];
  for (let id = 0; id < plan.tiles.length; id++) {
    try {
      meshes.push(meshTile(tileInput(plan, id)));
    } catch (e) {
      failedTiles.push({ tile: id, error: (e as Error).message });
    }
  }
  const N = plan.footprints.count;
  const failures: string[] = [];
  if (failedTiles.length) failures.push(`${failedTiles.length} failed tile(s): ${failedTiles[0].error}`);
  let report: MeshReport | null = null;
  let triangles = 0;
  if (!failedTiles.length) {
    const mesh = concatMeshes(meshes);
    triangles = mesh.faces.length / 3;
    report = checkMesh(mesh, gridDomain(plan.grid), N, { maxExamples: 3 });
    if (!report.ok) failures.push(...report.errors.map((e) => `${e} (${report!.examples.slice(0, 2).join("; ")})`));
  }
  return { variant: v, buildings: N, tiles: plan.tiles.length, failedTiles, triangles, report, failures };
}

/** Builds one variant in process and judges it. `file` is where the variant's GeoJSON is written. */
export async function runVariant(source: Collection, v: Variant, file: string): Promise<VariantResult> {
  const { footprints, bounds } = await readVariant(source, v, file);
  return judge(footprints, bounds, v);
}

/** The buildings `keep` of f, in order. */
export function subset(f: Footprints, keep: number[]): Footprints {
  const fb = new FootprintBuilder();
  for (const b of keep) fb.copyBuilding(f, b);
  return fb.finish();
}

/**
 * Shrinks a failing variant to a small set of buildings that still fails (delta debugging over
 * buildings, same grid and parameters), so it can be kept as a fixture.
 */
export function shrink(f: Footprints, bounds: Bounds, v: Variant, fails: (r: VariantResult) => boolean = (r) => r.failures.length > 0): Footprints {
  let keep = Array.from({ length: f.count }, (_, i) => i);
  let chunks = 2;
  while (keep.length > 1) {
    const size = Math.ceil(keep.length / chunks);
    let reduced = false;
    for (let c = 0; c < chunks && !reduced; c++) {
      const without = keep.filter((_, i) => i < c * size || i >= (c + 1) * size);
      if (without.length === 0 || without.length === keep.length) continue;
      if (fails(judge(subset(f, without), bounds, v))) { keep = without; chunks = Math.max(2, chunks - 1); reduced = true; }
    }
    if (reduced) continue;
    if (size <= 1) break;
    chunks = Math.min(keep.length, chunks * 2);
  }
  return subset(f, keep);
}

/** A geometry case as JSON: local footprints (metres), the grid's bounds and the build parameters. */
export interface GeometryCase {
  source: string;
  found: string;
  variant: Variant;
  bounds: Bounds;
  buildings: { height: number; polygons: number[][][] }[];
}

export function geometryCase(f: Footprints, bounds: Bounds, v: Variant, source: string, found: string): GeometryCase {
  const buildings: GeometryCase["buildings"] = [];
  for (let b = 0; b < f.count; b++) {
    const polygons: number[][][] = [];
    for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++)
      for (let r = f.polyStart[p]; r < f.polyStart[p + 1]; r++) {
        const ring = Array.from(f.xy.subarray(2 * f.ringStart[r], 2 * f.ringStart[r + 1]));
        if (r === f.polyStart[p]) polygons.push([ring]); else polygons[polygons.length - 1].push(ring);
      }
    buildings.push({ height: f.height[b], polygons });
  }
  return { source, found, variant: v, bounds, buildings };
}

export function footprintsOfCase(c: GeometryCase): Footprints {
  const fb = new FootprintBuilder();
  c.buildings.forEach((b, i) => {
    for (const poly of b.polygons) { for (const ring of poly) fb.addRing(ring); fb.endPolygon(); }
    fb.endBuilding(b.height, i);
  });
  return fb.finish();
}

/** Random variant number `i` of a seeded set: every kind of change, mixed. */
export function randomVariant(next: () => number, opts: { maxCopies?: number; tileSizes?: [number, number] } = {}): Variant {
  const [t0, t1] = opts.tileSizes ?? [50, 2000];
  const pick = next();
  const far = next() < 0.5;
  return {
    offset: far ? [(next() * 2 - 1) * 1e7, (next() * 2 - 1) * 1e7 * 0.5 + 5e6] : [next() * 1000 - 500, next() * 1000 - 500],
    angle: pick < 0.4 ? 0 : next() * 2 * Math.PI,
    copies: opts.maxCopies && opts.maxCopies > 1 && next() < 0.2 ? 2 + Math.floor(next() * (opts.maxCopies - 1)) : 1,
    decimals: 3,
    // Log-uniform tile size.
    tileSize: Math.round(t0 * (t1 / t0) ** next()),
    margin: Math.round(next() * 5000) / 100,
    snapTolerance: [0.0001, 0.0005, 0.001, 0.001, 0.001, 0.002, 0.005, 0.01][Math.floor(next() * 8)],
    maxMeshSize: [5, 10, 10, 20][Math.floor(next() * 4)],
  };
}

/** The features whose first vertex lies in the square of half-size `half` around (cx, cy): a district of a big file. */
export function windowOf(source: Collection, cx: number, cy: number, half: number): Collection {
  const first = (c: Coords): [number, number] => (typeof c[0] === "number" ? [c[0] as number, c[1] as number] : first((c as Coords[])[0]));
  return { ...source, features: source.features.filter((f) => { if (!f.geometry) return false; const [x, y] = first(f.geometry.coordinates); return Math.abs(x - cx) <= half && Math.abs(y - cy) <= half; }) };
}

/** The collection with every coordinate mapped (e.g. projected), named `crs` (an EPSG name). */
export function mapCollection(source: Collection, fn: (x: number, y: number) => [number, number], crs: string): Collection {
  return {
    type: "FeatureCollection",
    crs: { type: "name", properties: { name: crs } },
    features: source.features.map((f) => ({ ...f, geometry: f.geometry ? { type: f.geometry.type, coordinates: mapCoords(f.geometry.coordinates, fn) } : null })),
  };
}

/** [xmin, ymin, xmax, ymax] of a collection's coordinates. */
export function collectionBounds(source: Collection): Bounds {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const f of source.features) if (f.geometry) forCoords(f.geometry.coordinates, (x, y) => { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); });
  return [x0, y0, x1, y1];
}

export type { Collection };
