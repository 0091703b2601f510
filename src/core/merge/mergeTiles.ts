// Merge = spool (weld tiles into raw temp files next to the output) + write (stream the temp
// files into the output format, atomically) + clean up. Peak memory: one batch of tiles plus the
// seam map; the merged city only ever exists on disk.
import fs from "node:fs";
import path from "node:path";
import type { BuildFormat, CrsInfo } from "../types";
import { CityMeshError } from "../errors";
import { needsFeatureSpool, writeSpool } from "../writers/index";
import type { GlbInPlace } from "../writers/meta";
import type { TileSource } from "./tileSource";
import { spoolTiles, type PositionsTarget, type SpoolStats } from "./spoolTiles";
import { totalTriangles } from "../writers/spool";
import { mergeTempDir } from "./temps";
import { writeTileset, type TilesetLayout } from "../writers/tiles3d/tileset";
import { beginGlbFile, closeGlbTable, glbPositionsOffset, loadMeshoptEncoder, startGlbInPlace, type GlbCompression, type GlbTable, type GlbTableJob } from "../writers/glb";
import type { FeatureColumn } from "../writers/tiles3d/features";

export interface MergeOptions {
  output: string;
  format: BuildFormat;
  crs: CrsInfo;
  /** Number of buildings N of the marker convention. */
  buildings: number;
  /** Tiles held in memory at once (default 2). Does not change the output. */
  mergeBatchSize?: number;
  signal?: AbortSignal;
  onProgress?: (tilesDone: number, tilesTotal: number, triangles: number) => void;
  /** Where the spool folder goes (mergeTempDir); default beside the output. */
  spoolDir?: string;
  /** The buildings side file, for writers that carry attributes (CityJSON). */
  buildingsFile?: string;
  /** Keep the raw temp files (debugging); their directory is returned in the stats. */
  keepTemp?: boolean;
  /** 3D Tiles: the store's tile grid and the tile id of each source index (default 0, 1, …). */
  layout?: TilesetLayout;
  tileIds?: readonly number[];
  /** GeoJSON properties for the feature tables (empty: every scalar one). */
  featureProperties?: readonly string[];
  /** GLB and 3D Tiles contents: none, EXT_meshopt_compression; 3D Tiles also KHR_mesh_quantization. */
  glbCompression?: GlbCompression;
  /**
   * An uncompressed GLB with a buildings file: make its property table on another thread while
   * this one welds the tiles (the caller's threads: pipeline/jobHandlers.ts). Without it the table
   * is made here, before and after the tiles.
   */
  tableThread?: (job: GlbTableJob) => TableThread;
}

/** A GLB's property table being made elsewhere: its columns come first (they size the GLB's header), the table when it is written. */
export interface TableThread {
  columns: Promise<FeatureColumn[]>;
  table: Promise<GlbTable>;
  /** Stops it (the merge failed); resolves once it has stopped. */
  stop(): Promise<void>;
}

export interface MergeStats extends SpoolStats {
  vertices: number;
  triangles: number;
  /** Size of the output file. */
  bytes: number;
  /** Seconds spent welding/spooling and writing. */
  spoolSeconds: number;
  writeSeconds: number;
  tempDir?: string;
}

const OUTPUT_REASONS: Record<string, string> = {
  ENOSPC: "the disk is full (ENOSPC)",
  ENOENT: "the output directory does not exist (ENOENT)",
  ENOTDIR: "a part of the output path is not a directory (ENOTDIR)",
  EEXIST: "the output folder is a file (EEXIST)",
  EACCES: "permission denied (EACCES)",
  EPERM: "operation not permitted (EPERM)",
  EROFS: "the file system is read-only (EROFS)",
};

/** Welds the tiles of `source` and writes `opts.output` in `opts.format`, creating its folder if need be (--output-dir, a task's output). */
export async function mergeTiles(source: TileSource, opts: MergeOptions): Promise<MergeStats> {
  if (opts.format === "3dtiles") return tilesetFromTiles(source, opts);
  const out = path.resolve(opts.output);
  const tempDir = mergeTempDir(out, opts.spoolDir);
  try {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.mkdirSync(tempDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = (code && OUTPUT_REASONS[code]) ?? code ?? String(e);
    throw new CityMeshError("output", `Cannot write ${out}: ${why} (${path.dirname(out)})`, { file: out, errno: code });
  }
  // An uncompressed GLB is begun now: the merge spools its positions straight into its file. Its
  // header's size depends on the feature table's columns, which take a pass over the buildings
  // file: on a table thread the pass runs beside the weld, and the positions spooled meanwhile
  // move into the GLB when the columns come (1,000,000 buildings: 1.5 s of scan, then 1.6 s of
  // table after the weld, on the merge's thread).
  let glbInPlace: GlbInPlace | undefined;
  let tempGlb: string | undefined;
  let thread: TableThread | undefined;
  try {
    const t0 = performance.now();
    const meta = { crs: opts.crs, tiles: source.count, buildingsFile: opts.buildingsFile, featureProperties: opts.featureProperties, glbCompression: opts.glbCompression };
    let positionsInto: PositionsTarget | Promise<PositionsTarget> | undefined;
    if (opts.format === "glb" && (opts.glbCompression ?? "none") === "none") {
      if (opts.tableThread && opts.buildingsFile) {
        const file = (tempGlb = beginGlbFile(out));
        thread = opts.tableThread({ buildingsFile: opts.buildingsFile, buildings: opts.buildings, featureProperties: opts.featureProperties ?? [], dir: tempDir });
        thread.table.catch(() => {}); // awaited by the GLB's writer, or given up with the merge
        positionsInto = thread.columns.then((columns) => ({ file, offset: glbPositionsOffset(meta, opts.buildings, columns) }));
      } else {
        glbInPlace = startGlbInPlace(out, meta, opts.buildings);
        tempGlb = glbInPlace.file;
        positionsInto = { file: glbInPlace.file, offset: glbInPlace.offset };
      }
    }
    const { spool, stats } = await spoolTiles(source, tempDir, {
      ...opts, features: needsFeatureSpool(opts.format), ...(positionsInto ? { positionsInto } : {}),
    });
    const t1 = performance.now();
    if (opts.signal?.aborted) throw new CityMeshError("cancelled", "Merge cancelled");
    if (thread) glbInPlace = { ...(await positionsInto!), table: thread.table };
    const inPlace = glbInPlace;
    glbInPlace = undefined; // writeGlb owns it now: it closes the table and removes the file on failure
    tempGlb = undefined;
    const bytes = await writeSpool(opts.format as Exclude<BuildFormat, "3dtiles">, spool, out, { ...meta, glbInPlace: inPlace });
    const t2 = performance.now();
    return {
      ...stats,
      vertices: spool.vertices,
      triangles: totalTriangles(spool),
      bytes,
      spoolSeconds: (t1 - t0) / 1000,
      writeSeconds: (t2 - t1) / 1000,
      tempDir: opts.keepTemp ? tempDir : undefined,
    };
  } catch (e) {
    // A table thread still at work writes into the spool folder: it stops before the folder goes.
    await thread?.stop();
    throw e;
  } finally {
    if (glbInPlace) closeGlbTable(glbInPlace);
    if (tempGlb) fs.rmSync(tempGlb, { force: true });
    if (!opts.keepTemp) fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

/** 3D Tiles: no spool, no weld; each tile becomes a content as it is read (writers/tiles3d). */
async function tilesetFromTiles(source: TileSource, opts: MergeOptions): Promise<MergeStats> {
  if (!opts.layout) throw new CityMeshError("output", `Cannot write the 3D Tiles tileset ${opts.output}: the tile grid is unknown`, { file: opts.output });
  const t0 = performance.now();
  const tileIds = opts.tileIds ?? Array.from({ length: source.count }, (_, i) => i);
  // Its temp folder is named as the spool's, so removeMergeTemps clears it after a killed build.
  const tempDir = mergeTempDir(path.resolve(opts.output), opts.spoolDir);
  let s;
  try {
    fs.mkdirSync(tempDir, { recursive: true });
    s = await writeTileset(source, {
      output: opts.output, crs: opts.crs, buildings: opts.buildings, layout: opts.layout, tileIds, buildingsFile: opts.buildingsFile,
      properties: opts.featureProperties, signal: opts.signal, onProgress: opts.onProgress, tempDir,
      compression: {
        quantize: opts.glbCompression?.includes("quantize") ?? false,
        ...(opts.glbCompression?.includes("meshopt") ? { meshopt: await loadMeshoptEncoder() } : {}),
      },
    });
  } finally {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
  return {
    tiles: s.tiles, welded: 0, seamVertices: 0, degenerate: 0, vertices: s.vertices, triangles: s.triangles, bytes: s.bytes,
    spoolSeconds: 0, writeSeconds: (performance.now() - t0) / 1000,
  };
}
