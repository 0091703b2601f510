// The first half of every build, shard or plan: read the footprints, clean them, lay out the
// tiles (all in a planner process of its own, see planner.ts) and derive the build key (input
// hash + geometry parameters) naming the store.
import fs from "fs";
import os from "os";
import path from "path";
import { randomBytes } from "crypto";
import type { BuildPhase, Diagnostic, ProgressEvent } from "../types";
import type { ResolvedOptions } from "../options";
import { CityMeshError } from "../errors";
import type { PlanSummary, PlannerEvent, PlannerFiles, ReadSummary } from "./planner";
import { gridDomain } from "../tiling/grid";
import { buildKey, geometryParams, hashFile } from "../store/manifest";
import { ensureDir } from "../store/fsLayer";
import { execAlone } from "./workerPool";
import { processAlive } from "../merge/temps";
import type { StoreInfo } from "./storeInfo";

export interface RunCtx {
  emit(phase: BuildPhase, e?: Partial<ProgressEvent>): void;
  log(line: string): void;
  signal?: AbortSignal;
}

export interface Prepared {
  o: ResolvedOptions;
  read: ReadSummary;
  plan: PlanSummary;
  tileSize: number;
  inputHash: string;
  key: string;
  storeDir: string;
  diagnostics: Diagnostic[];
  /** The reader's properties side file (JSON lines, read numbering) and the tile inputs file; the caller removes them (removeTemps). */
  temps: PlannerFiles;
}

export const cancelled = () => new CityMeshError("cancelled", "Build cancelled; finished tiles stay in the scratch store and the next run resumes from them.");

export async function prepareBuild(o: ResolvedOptions, ctx: RunCtx, workerScript: string): Promise<Prepared> {
  ctx.emit("reading", { message: `Reading ${o.input}` });
  prepareScratch(o.scratchDir);
  const tag = `${HOST}-${process.pid}-${randomBytes(4).toString("hex")}`;
  const temps: PlannerFiles = { propsTmp: path.join(o.scratchDir, `properties-${tag}.jsonl`), inputsFile: path.join(o.scratchDir, `tile-inputs-${tag}.bin`) };
  try {
    const hashing = hashFile(o.input);
    hashing.catch(() => {}); // awaited below; the planner reports an unreadable input first
    const { read, plan } = await execAlone<{ read: ReadSummary; plan: PlanSummary }>(workerScript, "plan", [o, temps], {
      signal: ctx.signal,
      on: (m) => {
        const e = m as PlannerEvent;
        if ("log" in e) ctx.log(e.log);
        else ctx.emit("tiling", { message: e.tiling });
      },
    }).catch((e) => { throw ctx.signal?.aborted ? cancelled() : e; });
    const inputHash = await hashing;
    if (ctx.signal?.aborted) throw cancelled();
    const key = buildKey(inputHash, geometryParams({ ...o, tileSize: plan.tileSize }));
    return { o, read, plan, tileSize: plan.tileSize, inputHash, key, storeDir: path.join(o.scratchDir, key), diagnostics: [...read.diagnostics, ...plan.diagnostics], temps };
  } catch (e) {
    removeTemps(temps);
    throw e;
  }
}

export function removeTemps(t: PlannerFiles): void {
  fs.rmSync(t.propsTmp, { force: true });
  fs.rmSync(t.inputsFile, { force: true });
}

export function storeInfoOf(p: Prepared): StoreInfo {
  return {
    version: 1, buildKey: p.key, inputHash: p.inputHash, input: path.basename(p.o.input), crs: p.read.crs,
    buildings: p.plan.buildings, tiles: p.plan.tiles, tileSize: p.tileSize, domain: gridDomain(p.plan.grid),
    params: geometryParams({ ...p.o, tileSize: p.tileSize }),
  };
}

/** This machine's name as it goes into planner file names (a shared scratch directory serves shards on several machines). */
const HOST = os.hostname().replace(/[^A-Za-z0-9.]/g, "_") || "host";

/**
 * Creates the scratch directory and removes the planner files (properties-<host>-<pid>-<hex>.jsonl,
 * tile-inputs-<host>-<pid>-<hex>.bin) of builds on this machine that were killed: the tile inputs
 * are as large as the footprints. Other machines' files are left alone (their pids mean nothing
 * here). `<scratch>/..` named .citymesh gets a .gitignore, so a workspace never commits its
 * scratch store.
 */
function prepareScratch(dir: string): void {
  ensureDir(dir);
  for (const n of fs.readdirSync(dir)) {
    const m = /^(?:properties|tile-inputs)-(.+)-(\d+)-[0-9a-f]{8}\.(?:jsonl|bin)$/.exec(n);
    if (m && m[1] === HOST && Number(m[2]) !== process.pid && !processAlive(Number(m[2]))) fs.rmSync(path.join(dir, n), { force: true });
  }
  const parent = path.dirname(dir);
  if (path.basename(parent) === ".citymesh") {
    const gi = path.join(parent, ".gitignore");
    if (!fs.existsSync(gi)) fs.writeFileSync(gi, "# citymesh scratch store: never commit\n*\n");
  }
}
