// The first half of every build, shard or plan: read the footprints, clean them, lay out the
// tiles and derive the build key (input hash + geometry parameters) naming the store.
import fs from "fs";
import path from "path";
import { randomBytes } from "crypto";
import type { BuildPhase, Diagnostic, ProgressEvent } from "./types";
import { CityMeshError } from "./errors";
import type { ResolvedOptions } from "./options";
import { readFootprints, type ReadResult } from "./geojson/read";
import { openDem } from "./dem";
import { demHeight } from "./groundHeight";
import { planBuild, type BuildPlan } from "./plan";
import { autoTileSize, gridDomain } from "./tiling/grid";
import { buildKey, geometryParams, hashFile } from "./store/manifest";
import { ensureDir } from "./store/fsLayer";
import type { StoreInfo } from "./storeInfo";

export interface RunCtx {
  emit(phase: BuildPhase, e?: Partial<ProgressEvent>): void;
  log(line: string): void;
  signal?: AbortSignal;
}

export interface Prepared {
  o: ResolvedOptions;
  read: ReadResult;
  plan: BuildPlan;
  tileSize: number;
  inputHash: string;
  key: string;
  storeDir: string;
  diagnostics: Diagnostic[];
  /** The reader's properties side file (JSON lines, read numbering); the caller removes it. */
  propsTmp: string;
}

export const cancelled = () => new CityMeshError("cancelled", "Build cancelled; finished tiles stay in the scratch store and the next run resumes from them.");

export async function prepareBuild(o: ResolvedOptions, ctx: RunCtx): Promise<Prepared> {
  const checkAbort = () => { if (ctx.signal?.aborted) throw cancelled(); };
  ctx.emit("reading", { message: `Reading ${o.input}` });
  prepareScratch(o.scratchDir);
  const propsTmp = path.join(o.scratchDir, `properties-${process.pid}-${randomBytes(4).toString("hex")}.jsonl`);
  try {
    const read = await readFootprints(o.input, { crs: o.crs, sourceCrs: o.sourceCrs, heightAttributes: o.heightAttributes, defaultHeight: o.defaultHeight, levelHeight: o.levelHeight, minBuildingArea: o.minBuildingArea, propertiesOut: propsTmp }, ctx.signal);
    ctx.log(`read ${read.footprints.count} buildings from ${read.featureCount} features of ${o.input} (CRS ${read.crs.name}, origin ${read.crs.origin.join(", ")})`);
    ctx.log(`heights: ${Object.entries(read.heightSources).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`);
    if (read.footprints.count === 0) throw new CityMeshError("input", `${o.input}: no valid building footprints (${read.diagnostics.length} problem(s) reported).`, { diagnostics: read.diagnostics });
    checkAbort();

    ctx.emit("tiling", { message: "Cleaning footprints and planning tiles" });
    const [bx0, by0, bx1, by1] = read.bounds;
    const tileSize = o.autoTileSize ? autoTileSize({ buildings: read.footprints.count, area: (bx1 - bx0) * (by1 - by0), maxMeshSize: o.maxMeshSize, workers: o.workers }) : o.tileSize;
    let zAt = (_x: number, _y: number) => 0;
    if (o.dem) zAt = demHeight(await openDem(o.dem), read.crs.origin);
    const ids = new Map<number, string | number | null>();
    read.footprints.featureIndex.forEach((f, b) => ids.set(f, read.featureIds[b]));
    const plan = planBuild(read.footprints, read.bounds, {
      tileSize, maxMeshSize: o.maxMeshSize, margin: o.margin, snapTolerance: o.snapTolerance, file: o.input,
      featureId: (f) => ids.get(f) ?? null,
      ground: o.dem ? { kind: "dem", path: o.dem, origin: read.crs.origin } : { kind: "flat" },
      zAt,
    });
    ctx.log(`${plan.footprints.count} buildings after clean-up, ${plan.tiles.length} tile(s) of ${plan.grid.cellsX * plan.grid.lattice.h} m, ground elements ≤ ${o.maxMeshSize} m`);
    checkAbort();
    const inputHash = await hashFile(o.input);
    const key = buildKey(inputHash, geometryParams({ ...o, tileSize }));
    return { o, read, plan, tileSize, inputHash, key, storeDir: path.join(o.scratchDir, key), diagnostics: [...read.diagnostics, ...plan.diagnostics], propsTmp };
  } catch (e) {
    fs.rmSync(propsTmp, { force: true });
    throw e;
  }
}

export function storeInfoOf(p: Prepared): StoreInfo {
  return {
    version: 1, buildKey: p.key, inputHash: p.inputHash, input: path.basename(p.o.input), crs: p.read.crs,
    buildings: p.plan.footprints.count, tiles: p.plan.tiles.length, tileSize: p.tileSize, domain: gridDomain(p.plan.grid),
    params: geometryParams({ ...p.o, tileSize: p.tileSize }),
  };
}

/** `<scratch>/..` named .citymesh gets a .gitignore, so a workspace never commits its scratch store. */
function prepareScratch(dir: string): void {
  ensureDir(dir);
  const parent = path.dirname(dir);
  if (path.basename(parent) === ".citymesh") {
    const gi = path.join(parent, ".gitignore");
    if (!fs.existsSync(gi)) fs.writeFileSync(gi, "# citymesh scratch store: never commit\n*\n");
  }
}
