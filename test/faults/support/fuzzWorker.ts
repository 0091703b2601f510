// The fuzz loop of case 6, in a worker thread so the test can spot a hang (no progress message
// for a while) and stop it. Each case: mutate the base GeoJSON (seeded), then read → plan (clean-up,
// tiling) → mesh every tile, in-process. Reader and planner may only throw CityMeshError; a tile
// mesher throw is what the pipeline reports as "Tile N failed" — it is counted and described.
import { parentPort, workerData } from "worker_threads";
import fs from "fs";
import path from "path";
import { readFootprints } from "../../../src/core/geojson/read";
import { planBuild, tileInput } from "../../../src/core/tiling/plan";
import { meshTile } from "../../../src/core/mesh/tileMesher";
import { CityMeshError } from "../../../src/core/errors";
import { mulberry32 } from "../../support/cityGenerator";

export interface FuzzStats {
  cases: number; built: number; diagnostics: number; readErrors: number; planErrors: number; meshErrors: number; uncaught: number;
  /** Diagnostics without a code, severity, message or feature index, and empty results without an error diagnostic. */
  badDiagnostics: number;
  /** Rings refused as implausibly large (stray coordinates), and the largest data extent planned (m). */
  strays: number; maxSpan: number;
  tiles: number; examples: string[];
}

const { base, dir, keep, seed, maxCases, deadline, unit } = workerData as { base: string; dir: string; keep: string; seed: number; maxCases: number; deadline: number; unit: number };
/** Coordinate units per metre (1 for RD New, ~1e-5 for degrees): the geometric edits are sized in metres. */
const M = unit;
/** The case being read (the test copies it to `keep` on a hang); failing cases are copied there too. */
const file = path.join(dir, `fuzz-${seed}.geojson`);
const SEVERITIES = new Set(["error", "warning", "info"]);
const rnd = mulberry32(seed);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
const int = (n: number) => Math.floor(rnd() * n);
const TOKENS = ["{", "}", "[", "]", '"', "\\", ",", ":", "NaN", "-", "1e999", "null", "true", "\n", "\uFEFF", "é", "0", '"type"', '"Polygon"', "[[", "]]"];
const NUMBERS = ["0", "-0", "1e308", "-1e308", "1e-300", "NaN", "Infinity", "1e999", "9007199254740993", "-1", "0.1", "1e6", "\"12\""];

type Ring = number[][];
interface Feature { id: unknown; properties: Record<string, unknown> | null; geometry: { type: string; coordinates: unknown } | null }

/** Polygons of a geometry with their rings of at least 4 [x, y] positions (what the geometric edits need). */
function shapes(g: Feature["geometry"]): { poly: Ring[]; rings: Ring[] }[] {
  if (!g || (g.type !== "Polygon" && g.type !== "MultiPolygon") || !Array.isArray(g.coordinates)) return [];
  const polys = (g.type === "MultiPolygon" ? g.coordinates : [g.coordinates]) as unknown[];
  const ok = (r: unknown): r is Ring => Array.isArray(r) && r.length >= 4 && r.every((p) => Array.isArray(p) && p.length >= 2 && p.every((v) => typeof v === "number"));
  return polys.filter((p): p is Ring[] => Array.isArray(p)).map((poly) => ({ poly, rings: poly.filter(ok) })).filter((x) => x.rings.length > 0);
}

/** One seeded mutation: byte edits, number swaps, or geometric edits that keep the JSON valid. */
function mutate(text: string): string {
  const kind = int(3);
  if (kind === 0) {
    let b = text;
    for (let m = 1 + int(3); m > 0; m--) {
      const at = int(b.length), op = int(5);
      if (op === 0) b = b.slice(0, at) + b.slice(at + 1 + int(12));
      else if (op === 1) b = b.slice(0, at) + pick(TOKENS) + b.slice(at);
      else if (op === 2) b = b.slice(0, at);
      else if (op === 3) { const len = int(60); b = b.slice(0, at) + b.slice(at, at + len) + b.slice(at); }
      else { const c = b.charCodeAt(at) ^ (1 << int(7)); b = b.slice(0, at) + String.fromCharCode(c) + b.slice(at + 1); }
    }
    return b;
  }
  if (kind === 1) {
    const nums = [...text.matchAll(/-?\d+(\.\d+)?(e[-+]?\d+)?/g)];
    let b = text;
    for (let m = 1 + int(2); m > 0 && nums.length; m--) {
      const n = pick(nums);
      const v = Number(n[0]);
      const rep = rnd() < 0.5 ? pick(NUMBERS) : String(int(2) ? v + (rnd() - 0.5) * 1e-9 * M : v + (rnd() - 0.5) * 40 * M);
      b = b.slice(0, n.index!) + rep + b.slice(n.index! + n[0].length);
      if (b.length !== text.length) break; // indices moved: one edit is enough
    }
    return b;
  }
  const fc = JSON.parse(text);
  const feats = fc.features as Feature[];
  for (let m = 1 + int(3); m > 0; m--) {
    // Earlier edits of this round may have emptied or replaced geometries: edit only usable rings.
    const usable = feats.filter((x) => shapes(x.geometry).length > 0);
    if (usable.length === 0) break;
    const f = pick(usable);
    const shape = pick(shapes(f.geometry));
    const poly = shape.poly, ring = pick(shape.rings);
    f.properties ??= {};
    const op = int(13);
    if (op === 0) ring.reverse();
    else if (op === 1 && ring.length > 2) ring.splice(1 + int(ring.length - 2), 1);
    else if (op === 2) { const i = int(ring.length); ring.splice(i, 0, [...ring[i]]); }
    else if (op === 3) poly.push(ring.map((p) => [...p]).reverse()); // a hole equal to the shell
    else if (op === 4) { const q = pick(pick(shapes(pick(usable).geometry)).rings); const i = int(ring.length - 1); ring[i] = [...pick(q)]; if (i === 0) ring[ring.length - 1] = [...ring[0]]; } // vertex onto another building's vertex
    else if (op === 5) { const c = ring[0]; for (const p of ring) { p[0] = c[0] + (p[0] - c[0]) * 1e-6; p[1] = c[1] + (p[1] - c[1]) * 1e-6; } } // micro building
    else if (op === 6) { const k = pick(feats); feats.push({ ...k, id: `dup${int(1000)}` }); } // identical duplicate
    else if (op === 7) { const d = (0.5 + rnd() * 30) * M, a = rnd() * 6.3; for (const p of ring) { p[0] += d * Math.cos(a); p[1] += d * Math.sin(a); } } // shift: overlaps
    else if (op === 8) f.properties.height = pick([0, -3, 1e9, "x", null, 1e-9, 999, "12 ft", [], {}]);
    else if (op === 9) f.geometry = pick([null, { type: "Point", coordinates: [0, 0] }, { type: "Polygon", coordinates: [] }, { type: "MultiPolygon", coordinates: [[]] }]) as never;
    else if (op === 10) { const i = int(ring.length - 1), j = int(ring.length - 1); [ring[i], ring[j]] = [ring[j], ring[i]]; } // self-intersection
    else if (op === 11) { for (const p of ring) p.push(rnd() * 10); } // 3D positions
    else { const i = int(ring.length - 1); const p = ring[i], q = ring[i + 1]; ring.splice(i + 1, 0, [(p[0] + q[0]) / 2 + (rnd() - 0.5) * 1e-7 * M, (p[1] + q[1]) / 2 + (rnd() - 0.5) * 1e-7 * M]); } // near-collinear vertex
  }
  return JSON.stringify(fc, null, int(2) ? undefined : 1);
}

function keepCase(name: string, text: string): void {
  fs.mkdirSync(keep, { recursive: true });
  fs.writeFileSync(path.join(keep, name), text);
}

async function main(): Promise<void> {
  const s: FuzzStats = { cases: 0, built: 0, diagnostics: 0, readErrors: 0, planErrors: 0, meshErrors: 0, uncaught: 0, badDiagnostics: 0, strays: 0, maxSpan: 0, tiles: 0, examples: [] };
  const note = (x: string) => { if (s.examples.length < 12) s.examples.push(x); };
  while (s.cases < maxCases && Date.now() < deadline) {
    const i = s.cases++;
    const text = mutate(base);
    fs.writeFileSync(file, text);
    parentPort!.postMessage({ type: "case", i });
    let stage = "read";
    try {
      const r = await readFootprints(file, { blockSize: 64 + int(4096) });
      s.diagnostics += r.diagnostics.length;
      // Every failure is a diagnostic: coded, located (feature index, -1 for the file), explained.
      const bad = r.diagnostics.filter((d) => !d.code || !SEVERITIES.has(d.severity) || !d.message || !Number.isInteger(d.featureIndex));
      if (r.footprints.count === 0 && !r.diagnostics.some((d) => d.severity === "error")) bad.push({ code: "(none)", message: "no buildings and no error diagnostic" } as never);
      if (bad.length) {
        s.badDiagnostics += bad.length;
        note(`case ${i} (seed ${seed}): diagnostic without code/severity/message: ${JSON.stringify(bad[0]).slice(0, 200)}`);
        keepCase(`bad-diagnostic-${seed}-${i}.geojson`, text);
      }
      s.strays += r.diagnostics.filter((d) => d.code === "implausible-size").length;
      if (r.footprints.count === 0) continue;
      const [x0, y0, x1, y1] = r.bounds;
      stage = "plan";
      let plan;
      try {
        plan = planBuild(r.footprints, r.bounds, { tileSize: 60, maxMeshSize: 10, margin: 0, snapTolerance: 0.001, file, ground: { kind: "flat" }, zAt: () => 0 });
      } catch (e) {
        if (!(e instanceof CityMeshError)) throw e;
        s.planErrors++; // a grid no city needs, refused with the features at the data's edges
        note(`case ${i} (seed ${seed}): plan refused: ${e.message.slice(0, 200)}`);
        continue;
      }
      s.maxSpan = Math.max(s.maxSpan, x1 - x0, y1 - y0);
      s.diagnostics += plan.diagnostics.length;
      for (let t = 0; t < plan.tiles.length; t++) {
        stage = `mesh tile ${t}`;
        try {
          const m = meshTile(tileInput(plan, t));
          if (m.faces.length % 3 || m.markers.length * 3 !== m.faces.length) throw new Error("inconsistent tile mesh");
          s.tiles++;
        } catch (e) {
          // The pipeline turns this into CityMeshError("tile", "Tile t (bounds …) failed twice: <reason>").
          s.meshErrors++;
          const reason = e instanceof Error ? e.message : String(e);
          note(`case ${i} (seed ${seed}): tile ${t} failed: ${reason.slice(0, 160)}`);
          keepCase(`mesh-error-${seed}-${i}.geojson`, text);
        }
      }
      s.built++;
    } catch (e) {
      if (e instanceof CityMeshError && e.message) { s.readErrors++; continue; }
      s.uncaught++;
      note(`case ${i} (seed ${seed}): uncaught in ${stage}: ${e instanceof Error ? (e.stack ?? e.message).split("\n").slice(0, 3).join(" | ") : String(e)}`);
      keepCase(`uncaught-${seed}-${i}.geojson`, text);
    }
  }
  parentPort!.postMessage({ type: "done", stats: s });
}

main().catch((e) => parentPort!.postMessage({ type: "fatal", error: String((e as Error)?.stack ?? e) }));
