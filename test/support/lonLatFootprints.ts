// The input footprints of a city in lon/lat, with their roof heights as citymesh resolves them, and
// the geometry the globe and map tests check picks against (bounds, centroids, metres from a
// footprint, buildings to pick, the buildings side file), for test/viewer/cesium.test.ts and
// test/viewer/deckgl.test.ts.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import proj4 from "proj4";
import { HeightResolver } from "../../src/core/height";

export type Ring = [number, number][];
export interface Footprint {
  /** Index of the feature in the input file. */
  f: number;
  /** Outer ring and holes per polygon, lon/lat. */
  polygons: Ring[][];
  properties: Record<string, unknown>;
  roof: number;
}

interface Fc { crs?: { properties?: { name?: string } }; features: { properties: Record<string, unknown> | null; geometry: { type: string; coordinates: unknown } | null }[] }

/** The input's footprints in lon/lat (proj4 from the CRS the file names) with their roof heights as citymesh resolves them (HeightResolver, default options). */
export function footprints(file: string): Footprint[] {
  const fc = JSON.parse(fs.readFileSync(file, "utf8")) as Fc;
  const crsName = fc.crs?.properties?.name;
  const epsg = crsName ? /EPSG::?(\d+)/i.exec(crsName)?.[1] : undefined;
  let toLonLat = (p: number[]): [number, number] => [p[0], p[1]];
  if (epsg && epsg !== "4326" && epsg !== "84") {
    assert.equal(epsg, "32732", `this test knows EPSG:32732 and lon/lat, not EPSG:${epsg}`);
    const t = proj4("+proj=utm +zone=32 +south +datum=WGS84 +units=m +no_defs", "WGS84");
    toLonLat = (p) => t.forward([p[0], p[1]]) as [number, number];
  }
  const heights = new HeightResolver();
  const out: Footprint[] = [];
  fc.features.forEach((feat, f) => {
    const g = feat.geometry;
    if (!g || (g.type !== "Polygon" && g.type !== "MultiPolygon")) return;
    const polys = (g.type === "Polygon" ? [g.coordinates] : g.coordinates) as number[][][][];
    const roof = heights.resolve(feat.properties, { file, featureIndex: f }, () => {}).height;
    out.push({ f, polygons: polys.map((rings) => rings.map((r) => r.map(toLonLat))), properties: feat.properties ?? {}, roof });
  });
  return out;
}

/** Local metres (east, north) around (lon0, lat0): an azimuthal equidistant projection, exact enough over a few km. */
function localMetres(lon0: number, lat0: number): (p: [number, number]) => [number, number] {
  const t = proj4("WGS84", `+proj=aeqd +lat_0=${lat0} +lon_0=${lon0} +datum=WGS84 +units=m +no_defs`);
  return (p) => t.forward(p) as [number, number];
}

function insideRing(p: [number, number], ring: [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function segmentDistance(p: [number, number], a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const t = dx === 0 && dy === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** Metres from `p` (lon/lat) to the footprint: 0 inside it, else to its nearest edge. */
export function metresFromFootprint(fp: Footprint, p: [number, number]): number {
  const m = localMetres(p[0], p[1]);
  let best = Infinity;
  for (const rings of fp.polygons) {
    const local = rings.map((r) => r.map(m));
    if (insideRing([0, 0], local[0]) && !local.slice(1).some((h) => insideRing([0, 0], h))) return 0;
    for (const r of local) for (let i = 1; i < r.length; i++) best = Math.min(best, segmentDistance([0, 0], r[i - 1], r[i]));
  }
  return best;
}

/** Area centroid of the footprint's largest polygon's outer ring, lon/lat. */
export function centroid(fp: Footprint): [number, number] {
  const [lon0, lat0] = fp.polygons[0][0][0];
  const m = localMetres(lon0, lat0);
  let best: { a: number; x: number; y: number } = { a: 0, x: 0, y: 0 };
  for (const rings of fp.polygons) {
    const r = rings[0].map(m);
    let a = 0, cx = 0, cy = 0;
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const c = r[j][0] * r[i][1] - r[i][0] * r[j][1];
      a += c; cx += (r[j][0] + r[i][0]) * c; cy += (r[j][1] + r[i][1]) * c;
    }
    if (Math.abs(a) > Math.abs(best.a)) best = { a, x: cx / (3 * a), y: cy / (3 * a) };
  }
  const back = proj4(`+proj=aeqd +lat_0=${lat0} +lon_0=${lon0} +datum=WGS84 +units=m +no_defs`, "WGS84");
  return back.forward([best.x, best.y]) as [number, number];
}

export function bounds(fps: Footprint[]): { w: number; s: number; e: number; n: number } {
  const b = { w: Infinity, s: Infinity, e: -Infinity, n: -Infinity };
  for (const fp of fps) for (const rings of fp.polygons) for (const [x, y] of rings[0]) {
    b.w = Math.min(b.w, x); b.e = Math.max(b.e, x); b.s = Math.min(b.s, y); b.n = Math.max(b.n, y);
  }
  return b;
}

/**
 * Buildings to pick: those whose centroid lies inside their own footprint and inside no other
 * footprint (so, seen from straight above, their own roof is at the centroid), whose key property
 * is unique in the file; the tallest of them and the one of median height.
 */
export function targets(fps: Footprint[], key: string): Footprint[] {
  const count = new Map<unknown, number>();
  for (const fp of fps) count.set(fp.properties[key], (count.get(fp.properties[key]) ?? 0) + 1);
  const boxes = fps.map((fp) => bounds([fp]));
  const pickable = (fp: Footprint): boolean => {
    const c = centroid(fp);
    if (metresFromFootprint(fp, c) !== 0) return false;
    // Not too close to its own edge: a pick lands within a pixel or two of the projected point.
    const m = localMetres(c[0], c[1]);
    const edge = Math.min(...fp.polygons.flatMap((rings) => rings.flatMap((r) => r.map(m).slice(1).map((q, k) => segmentDistance([0, 0], m(r[k]), q)))));
    if (edge < 2) return false;
    return fps.every((o, j) => {
      const b = boxes[j];
      return o === fp || c[0] < b.w || c[0] > b.e || c[1] < b.s || c[1] > b.n || metresFromFootprint(o, c) !== 0;
    });
  };
  const sorted = fps.filter((fp) => fp.properties[key] !== undefined && fp.properties[key] !== null && count.get(fp.properties[key]) === 1)
    .sort((a, b) => a.roof - b.roof || a.f - b.f);
  const tallest = [...sorted].reverse().find(pickable);
  const median = sorted.slice(Math.floor(sorted.length / 2)).find((fp) => fp !== tallest && pickable(fp));
  assert.ok(tallest && median, "no building to pick");
  return [tallest, median];
}

/** The buildings side file beside the output: input feature index f → building index b. */
export function buildingIndexOf(outDir: string): Map<number, number> {
  const side = path.join(path.dirname(outDir), path.basename(outDir) + ".buildings.jsonl");
  const m = new Map<number, number>();
  for (const line of fs.readFileSync(side, "utf8").split("\n")) if (line) { const r = JSON.parse(line) as { b: number; f: number }; m.set(r.f, r.b); }
  return m;
}
