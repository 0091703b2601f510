// Worker of case 9: builds the metamorphic variants it is given (indices of a seeded sequence)
// of one real file and reports each result; a failing variant is shrunk to a few buildings and
// kept as a geometry case (JSON, the format of test/fixtures/geometry) in `keep`.
import { parentPort, workerData } from "worker_threads";
import fs from "fs";
import path from "path";
import proj4 from "proj4";
import { mulberry32 } from "../../support/cityGenerator";
import { collectionBounds, geometryCase, judge, mapCollection, randomVariant, readVariant, shrink, windowOf, type Collection } from "../../support/metamorphic";

export interface VariantSummary { i: number; ok: boolean; buildings: number; tiles: number; triangles: number; pinch: number; ms: number; failure?: string; kept?: string }

const { file, name, seed, indices, dir, keep, maxCopies, tileSizes, window } = workerData as {
  file: string; name: string; seed: number; indices: number[]; dir: string; keep: string; maxCopies: number; tileSizes: [number, number];
  /** For a big lon/lat file: districts of this half-size (m), in UTM zone `zone`. */ window?: { half: number; zone: number };
};

async function main(): Promise<void> {
  let source = JSON.parse(fs.readFileSync(file, "utf8")) as Collection;
  let bounds: [number, number, number, number] | null = null;
  if (window) {
    const utm = `+proj=utm +zone=${window.zone} +datum=WGS84 +units=m +no_defs`;
    const fwd = proj4("EPSG:4326", utm);
    source = mapCollection(source, (x, y) => fwd.forward([x, y]) as [number, number], `EPSG:${32600 + window.zone}`);
    bounds = collectionBounds(source);
  }
  // Every worker walks the same seeded sequence and builds only its own indices, so a variant's
  // parameters depend on the seed and its index alone.
  const next = mulberry32(seed);
  const mine = new Set(indices);
  const last = Math.max(...indices);
  for (let i = 0; i <= last; i++) {
    const v = randomVariant(next, { maxCopies, tileSizes });
    const cx = bounds ? bounds[0] + next() * (bounds[2] - bounds[0]) : 0, cy = bounds ? bounds[1] + next() * (bounds[3] - bounds[1]) : 0;
    if (!mine.has(i)) continue;
    const t0 = Date.now();
    const part = window ? windowOf(source, cx, cy, window.half) : source;
    if (part.features.length === 0) { parentPort!.postMessage({ i, ok: true, buildings: 0, tiles: 0, triangles: 0, pinch: 0, ms: 0 } satisfies VariantSummary); continue; }
    const read = await readVariant(part, v, path.join(dir, `${name}-${i}.geojson`));
    const r = judge(read.footprints, read.bounds, v);
    const s: VariantSummary = { i, ok: r.failures.length === 0, buildings: r.buildings, tiles: r.tiles, triangles: r.triangles, pinch: r.report?.pinchEdges ?? 0, ms: Date.now() - t0 };
    if (!s.ok) {
      s.failure = `${JSON.stringify(v)}${window ? ` district (${cx.toFixed(0)}, ${cy.toFixed(0)})` : ""}: ${r.failures.join("; ")}`;
      const small = shrink(read.footprints, read.bounds, v);
      fs.mkdirSync(keep, { recursive: true });
      s.kept = path.join(keep, `${name}-seed${seed}-v${i}.json`);
      fs.writeFileSync(s.kept, JSON.stringify(geometryCase(small, read.bounds, v, name, `${name} seed ${seed} variant ${i}: ${r.failures[0]}`)));
    }
    fs.rmSync(path.join(dir, `${name}-${i}.geojson`), { force: true });
    parentPort!.postMessage(s);
  }
  parentPort!.postMessage({ done: true });
}

main().catch((e) => parentPort!.postMessage({ fatal: (e as Error).stack ?? String(e) }));
