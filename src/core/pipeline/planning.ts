// Planning, the first half of every build, shard or plan: read the footprints, clean them, lay
// out the tiles and spill every tile's input to a scratch file, then derive the build key (input
// hash + geometry parameters) naming the store.
// Reading and planning run in a child process of its own that exits when done: prepareBuild
// (main thread) starts it with execAlone (workerPool.ts), and the child runs planCityInputs as
// the "plan" job (jobs.ts). Only a summary whose size follows the tile count (not the building
// count) comes back, so the city's footprints and the garbage of reading and cleaning them leave
// with that process instead of staying in the build's for the whole build.
import fs from "fs";
import path from "path";
import type { CrsInfo, Diagnostic, Footprints } from "../types";
import type { ResolvedOptions } from "../options";
import type { PlanOptions } from "../tiling/plan";
import { DEM_MAX_MESH_SIZE } from "../optionTable";
import { CityMeshError } from "../errors";
import { problemCountText, problemList } from "../problemList";
import { readFootprints } from "../geojson/read";
import { openGround, groundZ, type GroundSurface } from "../groundHeight";
import { footprintBase } from "../footprintBase";
import { featureBuilding } from "../featureBuilding";
import { demFiles, hashDem } from "../demFiles";
import { groundOutside } from "../demCoverage";
import { cleanupOptions, planCleaned, planGrid } from "../tiling/plan";
import { cleanInParts, cleanInPartsHere, lanesHere, partPointsFor, partsAtMost } from "../geometry/cleanupParts";
import { autoTileSize, gridDomain, makeGrid, type TileGrid } from "../tiling/grid";
import { pointCloudFiles, hashPointClouds } from "../pointcloud/files";
import { liftFromPointClouds, type Lifted } from "../pointcloud/lift";
import { groundUnder, GROUND_RADIUS } from "../pointcloud/groundUnder";
import { writeTileInputs } from "../tiling/tileInputsFile";
import { buildKey, geometryParams } from "../store/manifest";
import { hashInput } from "../input/hash";
import { ensureDir } from "../store/fsLayer";
import { ensureScratchGitignore } from "../store/gitignore";
import { processAlive } from "../merge/temps";
import { BuildPool, execAlone, plannerScript, plannerThreadScript } from "./workerPool";
import { footprintBuffers, readJobBuffers } from "./jobs";
import { HOST, processTag } from "./scratchNames";
import { cancelled, type RunCtx } from "./runCtx";

/** What the build reports of the read (the log lines say the rest). */
export interface ReadSummary {
  crs: CrsInfo;
  heightSources: Record<string, number>;
  diagnostics: Diagnostic[];
}

/** What the main thread keeps of a plan: per-tile figures and where each tile's input lies on disk. */
export interface PlanSummary {
  /** Buildings after clean-up (markers and the buildings file count these). */
  buildings: number;
  /** Kept building → index in the read numbering (the properties side file's). */
  sourceIndex: Uint32Array;
  grid: TileGrid;
  /** Tiles: grid.nx × grid.ny, id = row × nx + col. */
  tiles: number;
  /** Buildings each tile meshes. */
  owned: Uint32Array;
  /** Tile t's input is bytes inputOffsets[t] .. inputOffsets[t+1]-1 of inputsFile. */
  inputsFile: string;
  inputOffsets: Float64Array;
  tileSize: number;
  /** The ground's longest element the tiles were planned with (auto settled: plannedMeshSize). */
  maxMeshSize: number;
  diagnostics: Diagnostic[];
}

export interface PlannerFiles {
  /** The reader's properties side file (JSON lines, read numbering). */
  propsTmp: string;
  /** The tile inputs file. */
  inputsFile: string;
  /** The terrain a point cloud gives, as a GeoTIFF the tiles read (written only with a point cloud and no DEM); default: beside the inputs file. */
  terrainFile?: string;
}

export type PlannerEvent = { log: string } | { tiling: string };

// The main thread's half: starts the planner process, hashes the input meanwhile, keys the store.

export interface Prepared {
  /** The build's options with the tile size the planner used (under autoTileSize it chose one itself). */
  o: ResolvedOptions;
  /** The geometry parameters of `o`, computed once: the build key, store.json and the manifest carry them. */
  params: Record<string, unknown>;
  read: ReadSummary;
  plan: PlanSummary;
  inputHash: string;
  key: string;
  storeDir: string;
  diagnostics: Diagnostic[];
  /** The reader's properties side file (JSON lines, read numbering) and the tile inputs file; the caller removes them (removeTemps). */
  temps: PlannerFiles;
}

export async function prepareBuild(o: ResolvedOptions, ctx: RunCtx, workerScript: string): Promise<Prepared> {
  ctx.emit("reading", { message: `Reading ${o.input}` });
  prepareScratch(o.scratchDir);
  const tag = processTag();
  const temps: PlannerFiles = { propsTmp: path.join(o.scratchDir, `properties-${tag}.jsonl`), inputsFile: path.join(o.scratchDir, `tile-inputs-${tag}.bin`), terrainFile: path.join(o.scratchDir, `terrain-${tag}.tif`) };
  try {
    const hashing = hashInput(o.input);
    hashing.catch(() => {}); // awaited below; the planner reports an unreadable input first
    const demHashing = o.dem ? hashDem(o.dem) : Promise.resolve(undefined);
    demHashing.catch(() => {}); // likewise: the planner opens the DEM and says what is wrong with it
    const cloudHashing = o.pointCloud.length ? hashPointClouds(o.pointCloud) : Promise.resolve(undefined);
    cloudHashing.catch(() => {}); // and the point clouds
    const { read, plan } = await execAlone(plannerScript(workerScript), "plan", [o, temps, plannerThreadScript(workerScript)], {
      signal: ctx.signal,
      on: (e) => {
        if ("log" in e) ctx.log(e.log);
        else ctx.emit("tiling", { message: e.tiling });
      },
    }).catch((e) => { throw ctx.signal?.aborted ? cancelled() : e; });
    const inputHash = await hashing;
    const demHash = await demHashing;
    const cloudHash = await cloudHashing;
    if (ctx.signal?.aborted) throw cancelled();
    const planned: ResolvedOptions = { ...o, tileSize: plan.tileSize, maxMeshSize: plan.maxMeshSize };
    // The DEM's bytes (every file of a mosaic) are part of the key, not only its path: a changed DEM makes a new store.
    // Likewise the point clouds' bytes and the options that only matter with them.
    const cloudParams = cloudHash ? { pointCloud: o.pointCloud, pointCloudHash: cloudHash.slice(0, 16), roofPercentile: o.roofPercentile, groundPercentile: o.groundPercentile, ...(o.dem ? {} : { terrainCellSize: o.terrainCellSize }) } : {};
    const params = { ...geometryParams(planned), ...(demHash ? { demHash: demHash.slice(0, 16) } : {}), ...cloudParams };
    const key = buildKey(inputHash, params);
    return { o: planned, params, read, plan, inputHash, key, storeDir: path.join(o.scratchDir, key), diagnostics: [...read.diagnostics, ...plan.diagnostics], temps };
  } catch (e) {
    removeTemps(temps);
    throw e;
  }
}

export function removeTemps(t: PlannerFiles): void {
  fs.rmSync(t.propsTmp, { force: true });
  fs.rmSync(t.inputsFile, { force: true });
  if (t.terrainFile) fs.rmSync(t.terrainFile, { force: true });
}

/**
 * Creates the scratch directory and removes the planner files (properties-<host>-<pid>-<hex>.jsonl,
 * tile-inputs-<host>-<pid>-<hex>.bin and its .roof-points-<k>.bin spills, terrain-<host>-<pid>-<hex>.tif) and preview folders (previews-<host>-<pid>-<hex>) of processes on this
 * machine that were killed: the tile inputs are as large as the footprints. Other machines' files are left
 * alone (their pids mean nothing here). A store inside a .citymesh folder gets its .gitignore, so a workspace
 * never commits it.
 */
function prepareScratch(dir: string): void {
  ensureDir(dir);
  for (const n of fs.readdirSync(dir)) {
    const m = /^(?:properties|tile-inputs|previews|terrain)-(.+)-(\d+)-[0-9a-f]{8}(?:\.jsonl|\.bin|\.bin\.roof-points-\d+\.bin|\.tif)?$/.exec(n);
    if (m && m[1] === HOST && Number(m[2]) !== process.pid && !processAlive(Number(m[2]))) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
  }
  ensureScratchGitignore(dir);
}

// The child's half: runs in the planner process (the "plan" job).

/** The ground's element size when it is refined: the user's, else (auto) DEM_MAX_MESH_SIZE with a DEM or a point cloud's terrain; undefined for flat ground left unrefined. */
function refinedMeshSize(o: Pick<ResolvedOptions, "maxMeshSize" | "dem"> & { pointCloud?: readonly string[] }): number | undefined {
  return o.maxMeshSize || (o.dem || o.pointCloud?.length ? DEM_MAX_MESH_SIZE : undefined);
}

/**
 * maxMeshSize as planned: refinedMeshSize, else the tile size: flat ground is not refined (its
 * lattice has the tile edges only, and the ground mesher adds a point only where an edge would
 * be longer than a tile).
 */
export function plannedMeshSize(o: Pick<ResolvedOptions, "maxMeshSize" | "dem"> & { pointCloud?: readonly string[] }, tileSize: number): number {
  return refinedMeshSize(o) ?? tileSize;
}

/**
 * Reads and plans the city (the planner process's job). `script`: dist/planner-thread.mjs, whose threads
 * read the footprints' ranges and clean their parts side by side; without it (or with one worker)
 * everything runs in this thread, with the same result.
 */
export async function planCityInputs(o: ResolvedOptions, files: PlannerFiles, emit: (e: PlannerEvent) => void, signal?: AbortSignal, script?: string): Promise<{ read: ReadSummary; plan: PlanSummary }> {
  return planWith(script && o.workers > 1 ? script : undefined, o, files, emit, signal);
}

/**
 * The young generation of a planner thread, MiB (V8's default lets it grow to 16 MiB per
 * semi-space): the read's ranges and the clean-up's parts keep little alive, so a small nursery
 * costs nothing in speed. New York, 2 workers, one run each: the read's sampled peak 294–326 MiB
 * with 4, 336–356 with 8, 377–382 with the default; the plan's 319–327, 342–343, 345–361.
 */
const PLANNER_YOUNG_MB = 4;

/**
 * A pool of the planner's threads for one step, ended with it: what its threads' heaps grew to
 * (parsed features, a part's arrangement) goes back to the system before the next step instead
 * of staying beside it (New York's plan-phase peak with one pool kept from the read on: 404–442
 * MiB, against 354–409 with the one-thread read).
 */
async function withThreads<T>(script: string | undefined, threads: number, step: (pool: BuildPool | undefined) => Promise<T>): Promise<T> {
  const pool = script && threads > 0 ? new BuildPool(script, threads, { maxYoungGenerationSizeMb: PLANNER_YOUNG_MB }) : undefined;
  try {
    return await step(pool);
  } finally {
    await pool?.close(true);
  }
}

async function planWith(script: string | undefined, o: ResolvedOptions, files: PlannerFiles, emit: (e: PlannerEvent) => void, signal?: AbortSignal): Promise<{ read: ReadSummary; plan: PlanSummary }> {
  // The read's ranges go to o.workers threads while this one walks the file and joins them.
  const read = await withThreads(script, o.workers, (pool) => readFootprints(o.input, { crs: o.crs, sourceCrs: o.sourceCrs, heightAttributes: o.heightAttributes, defaultHeight: o.defaultHeight, levelHeight: o.levelHeight, minBuildingArea: o.minBuildingArea, layer: o.layer, propertiesOut: files.propsTmp, ...(pool ? { parallel: { run: (job) => pool.exec("readRange", [job], { transfer: readJobBuffers(job) }), concurrent: pool.size } } : {}) }, signal));
  emit({ log: `read ${read.footprints.count} buildings from ${read.featureCount} features of ${o.input} (CRS ${read.crs.name}, origin ${read.crs.origin.join(", ")})` });
  emit({ log: `heights: ${Object.entries(read.heightSources).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}` });
  if (read.footprints.count === 0) {
    const problems = problemList(read.diagnostics);
    throw new CityMeshError("input", `${o.input}: no valid building footprints (${problemCountText(problems)} reported).`, { diagnostics: problems });
  }

  emit({ tiling: "Cleaning footprints and planning tiles" });
  const [bx0, by0, bx1, by1] = read.bounds;
  const refined = refinedMeshSize(o);
  const tileSize = o.autoTileSize ? autoTileSize({ buildings: read.footprints.count, area: (bx1 - bx0) * (by1 - by0), maxMeshSize: refined ?? Infinity, workers: o.workers }) : o.tileSize;
  const maxMeshSize = plannedMeshSize(o, tileSize);
  let zAt = (_x: number, _y: number) => 0;
  let ground: GroundSurface | undefined;
  const demNotes: Diagnostic[] = [];
  // Point clouds first: without a DEM their ground points become the terrain, a GeoTIFF in the
  // scratch folder the tiles then read as the DEM.
  const clouds = o.pointCloud.length ? pointCloudFiles(o.pointCloud) : [];
  let lifted: Lifted | undefined;
  if (clouds.length) {
    emit({ tiling: `Reading ${clouds.length === 1 ? "the point cloud" : `${clouds.length} point clouds`}` });
    const domain = gridDomain(makeGrid(read.bounds, { tileSize, maxMeshSize, margin: o.margin, snapTolerance: o.snapTolerance }));
    lifted = await liftFromPointClouds(read.footprints, read.bounds, read.crs, domain, {
      files: clouds, roofPercentile: o.roofPercentile, terrainCellSize: o.terrainCellSize, terrain: !o.dem,
      terrainFile: files.terrainFile ?? `${files.inputsFile}.terrain.tif`, spillStem: `${files.inputsFile}.roof-points`,
      checkCancel: () => { if (signal?.aborted) throw cancelled(); },
      log: (line) => emit({ log: line }),
    });
    demNotes.push(...lifted.notes);
  }
  const paths = o.dem ? demFiles(o.dem) : lifted?.terrainFile ? [lifted.terrainFile] : [];
  if (paths.length) {
    const opened = await openGround(paths, read.crs, read.crs.origin);
    ground = opened.ground;
    zAt = groundZ(ground);
    if (o.dem) {
      for (const n of opened.notes) demNotes.push({ file: n.file, featureIndex: -1, severity: "info", code: "dem-crs-assumed", message: n.message });
      const crss = [...new Set(ground.crss.map((c) => c.name))];
      emit({ log: `DEM: ${paths.length} file(s) in ${crss.join(", ")}${crss.some((c) => c !== read.crs.name) ? `, reprojected to the mesh's ${read.crs.name} on the fly` : ""}; ${ground.sources.reduce((n, s) => n + s.dem.holes, 0)} nodata cell(s) filled from their neighbours` });
    }
  }
  const cloudName = clouds.length === 1 ? `the point cloud ${clouds[0]}` : `the point clouds ${clouds.join(", ")}`;
  const terrain = lifted?.terrain, under = { buf: new Float32Array(0) };
  // With a point cloud's terrain a base is a low percentile of the ground measured around the building (groundUnder.ts), not the lowest cell.
  const base = !ground ? undefined : !terrain ? (f: Footprints, b: number) => footprintBase(ground!, f, b) : (f: Footprints, b: number) => {
    const r = footprintBase(ground!, f, b), g = groundUnder(terrain, f, b, GROUND_RADIUS, o.groundPercentile, under);
    return { ...r, z: g.z, ...(g.measured ? {} : { note: { code: "pointcloud-no-ground", message: `no ground point of ${cloudName} lies within ${GROUND_RADIUS} m of this building; its base stands on ground filled in from farther away` } }) };
  };
  // Feature index → building of the read, for the id and source position of clean-up diagnostics
  // (those stay in this process: the tile inputs carry no positions).
  const building = featureBuilding(read.footprints.featureIndex);
  const pos = read.featurePositions;
  const planOptions: PlanOptions = {
    tileSize, maxMeshSize, margin: o.margin, snapTolerance: o.snapTolerance, file: o.input,
    featureId: (f) => { const b = building(f); return b < 0 ? null : read.featureIds[b]; },
    featurePosition: (f) => { const b = building(f); return b < 0 || pos[2 * b] === 0 ? undefined : { line: pos[2 * b], column: pos[2 * b + 1] }; },
    ground: paths.length ? { kind: "dem", paths, origin: read.crs.origin, crs: { name: read.crs.name, proj4: read.crs.proj4 } } : { kind: "flat" },
    zAt,
    ...(base ? { base, demName: o.dem ?? `made from ${cloudName}` } : {}),
    ...(lifted ? { lifted: { roofZ: lifted.roofs.roofZ, points: lifted.roofs.points, name: cloudName } } : {}),
  };
  const grid = planGrid(read.footprints, read.bounds, planOptions);
  const cleaning = cleanupOptions(grid, planOptions);
  const t0 = performance.now();
  let parts = 0;
  // One part per worker (or as many each, so no part is larger than MAX_PART_POINTS). One part
  // each: o.workers − 1 threads and this one (it would only wait, and a thread's heap less keeps
  // the peak down). Several each: o.workers threads, this one only hands out the parts
  // (lanesHere). A small city is cleaned in one part, and with one worker every part is cleaned here.
  const threaded = script !== undefined && o.workers > 1;
  const partPoints = partPointsFor(read.footprints, threaded ? o.workers : 1);
  const onThreads = threaded && partPoints < Infinity;
  const here = lanesHere(partsAtMost(read.footprints, partPoints), o.workers, true);
  const clean = onThreads
    ? await withThreads(script, here ? o.workers - 1 : o.workers, async (pool) => { await pool!.started(); return cleanInParts(read.footprints, cleaning, (part, po) => { parts++; return pool!.exec("cleanPart", [part, po], { transfer: footprintBuffers(part) }); }, { concurrent: o.workers, here, partPoints, onPart: () => parts++ }); })
    : cleanInPartsHere(read.footprints, cleaning, { partPoints, onPart: () => parts++ });
  emit({ log: `clean-up: ${parts} part(s) on ${onThreads ? `${o.workers} threads` : "1 thread"} in ${Math.round(performance.now() - t0)} ms` });
  if (signal?.aborted) throw cancelled();
  const plan = planCleaned(clean, grid, planOptions);
  if (lifted) {
    const fromCloud = plan.diagnostics.filter((d) => d.code === "pointcloud-few-points" || d.code === "pointcloud-low-roof").length;
    emit({ log: `heights from ${cloudName}: ${plan.footprints.count - fromCloud} of ${plan.footprints.count} buildings (${lifted.roofs.classified ? "class 6 points" : "all points but ground and noise: the cloud has no class 6"}, percentile ${o.roofPercentile}); ${fromCloud} keep their attribute or default height` });
  }
  if (ground && o.dem) {
    const out = groundOutside(ground, plan.tiles.map((t) => t.spec.bounds), maxMeshSize);
    if (out.points > 0) {
      plan.diagnostics.push({
        file: o.dem!, featureIndex: -1, severity: "warning", code: "dem-outside-ground",
        message: `the ground of ${out.tiles} of ${plan.tiles.length} tile(s) reaches beyond the DEM: ${out.points} of ${out.sampled} ground points (sampled every ${out.spacing} m) lie outside it, and their height is held at the DEM's edge. Use a DEM that covers the data and its margin.`,
      });
    }
  }
  plan.diagnostics.push(...demNotes);
  emit({ log: `${plan.footprints.count} buildings after clean-up, ${plan.tiles.length} tile(s) of ${plan.grid.cellsX * plan.grid.lattice.h} m, ${refined !== undefined ? `ground elements ≤ ${maxMeshSize} m` : "flat ground, not refined"}` });
  const inputOffsets = writeTileInputs(plan, files.inputsFile);
  return {
    read: { crs: read.crs, heightSources: read.heightSources, diagnostics: read.diagnostics },
    plan: {
      buildings: plan.footprints.count, sourceIndex: plan.sourceIndex, grid: plan.grid, tiles: plan.tiles.length,
      owned: Uint32Array.from(plan.tiles, (t) => t.owned.length), inputsFile: files.inputsFile, inputOffsets, tileSize, maxMeshSize, diagnostics: plan.diagnostics,
    },
  };
}
