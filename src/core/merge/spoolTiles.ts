// Streams tiles into a Spool, welding seam vertices exactly. Memory: one batch of tiles, the seam
// map, and per-tile scratch arrays. The output depends only on the tile order, never on the batch
// size: batches only bound how many tiles are held (and read concurrently) at once.
import type { TileMesh } from "../types";
import { CityMeshError } from "../errors";
import { OPTION_TABLE } from "../optionTable";
import type { TileSource } from "./tileSource";
import { SeamMap } from "./seamMap";
import { FACE_CLASSES, SpoolWriter, faceClass, indexFile, markerFile, positionsFile, type Spool } from "../writers/spool";

export interface SpoolOptions {
  /** Number of buildings N (walls have markers 0..N-1, roofs N..2N-1). */
  buildings: number;
  /** Tiles held in memory at once (default 2, at least 1). */
  mergeBatchSize?: number;
  signal?: AbortSignal;
  onProgress?: (tilesDone: number, tilesTotal: number, triangles: number) => void;
}

export interface SpoolStats {
  tiles: number;
  /** Seam vertices that were welded onto a vertex of an earlier tile (or of the same tile). */
  welded: number;
  /** Distinct seam positions. */
  seamVertices: number;
  /** Triangles dropped because welding made two of their corners the same vertex. */
  degenerate: number;
}

class SpoolBuilder {
  readonly seam = new SeamMap();
  readonly positions: SpoolWriter;
  readonly index: SpoolWriter[];
  readonly markers: SpoolWriter[];
  readonly min: [number, number, number] = [Infinity, Infinity, Infinity];
  readonly max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  readonly triangles: [number, number, number] = [0, 0, 0];
  vertices = 0;
  welded = 0;
  degenerate = 0;

  constructor(readonly dir: string, readonly buildings: number) {
    this.positions = new SpoolWriter(positionsFile({ dir }));
    this.index = FACE_CLASSES.map((_, c) => new SpoolWriter(indexFile({ dir }, c)));
    this.markers = FACE_CLASSES.map((_, c) => new SpoolWriter(markerFile({ dir }, c)));
  }

  append(mesh: TileMesh, tile: number): void {
    const { vertices: xyz, faces, markers, seam } = mesh;
    const n = xyz.length / 3;
    const m = faces.length / 3;
    if (!Number.isInteger(n) || !Number.isInteger(m) || seam.length !== n || markers.length !== m) {
      throw new CityMeshError("tile", `Tile ${tile} is inconsistent (vertices ${xyz.length}, faces ${faces.length}, markers ${markers.length}, seam ${seam.length})`, { tile });
    }
    const u16 = new Uint16Array(xyz.buffer, xyz.byteOffset, xyz.length * 4);
    const toGlobal = new Uint32Array(n);
    const fresh = new Float64Array(n * 3);
    let k = 0;
    const { min, max } = this;
    for (let v = 0; v < n; v++) {
      if (seam[v] === 1) {
        const key = SeamMap.key(u16, v);
        const g = this.seam.get(key);
        if (g !== undefined) {
          toGlobal[v] = g;
          this.welded++;
          continue;
        }
        this.seam.set(key, this.vertices);
      }
      toGlobal[v] = this.vertices++;
      const x = xyz[3 * v], y = xyz[3 * v + 1], z = xyz[3 * v + 2];
      fresh[3 * k] = x;
      fresh[3 * k + 1] = y;
      fresh[3 * k + 2] = z;
      k++;
      if (x < min[0]) min[0] = x;
      if (x > max[0]) max[0] = x;
      if (y < min[1]) min[1] = y;
      if (y > max[1]) max[1] = y;
      if (z < min[2]) min[2] = z;
      if (z > max[2]) max[2] = z;
    }
    this.positions.write(fresh.subarray(0, 3 * k));

    // Faces, split by class into per-class scratch arrays (sized by a counting pass), then one
    // write per class.
    const N = this.buildings;
    const size = [0, 0, 0];
    for (let f = 0; f < m; f++) size[faceClass(markers[f], N)]++;
    const idx = size.map((s) => new Uint32Array(s * 3));
    const mk = size.map((s) => new Int32Array(s));
    const cnt = [0, 0, 0];
    for (let f = 0; f < m; f++) {
      const a = faces[3 * f], b = faces[3 * f + 1], c = faces[3 * f + 2];
      if (a < 0 || b < 0 || c < 0 || a >= n || b >= n || c >= n) {
        throw new CityMeshError("tile", `Tile ${tile}: face ${f} refers to a vertex outside 0..${n - 1}`, { tile });
      }
      const ga = toGlobal[a], gb = toGlobal[b], gc = toGlobal[c];
      if (ga === gb || gb === gc || ga === gc) {
        this.degenerate++;
        continue;
      }
      const cls = faceClass(markers[f], N);
      const j = cnt[cls]++;
      const out = idx[cls];
      out[3 * j] = ga;
      out[3 * j + 1] = gb;
      out[3 * j + 2] = gc;
      mk[cls][j] = markers[f];
    }
    for (let c = 0; c < 3; c++) {
      this.index[c].write(idx[c].subarray(0, 3 * cnt[c]));
      this.markers[c].write(mk[c].subarray(0, cnt[c]));
      this.triangles[c] += cnt[c];
    }
  }

  close(): void {
    for (const w of [this.positions, ...this.index, ...this.markers]) w.close();
  }
}

/**
 * Reads the tiles of `source` in batches of `mergeBatchSize`, welds seam vertices and writes the
 * spool files into `dir` (which must exist). Vertex order: first appearance in tile order.
 */
export async function spoolTiles(source: TileSource, dir: string, opts: SpoolOptions): Promise<{ spool: Spool; stats: SpoolStats }> {
  const batch = Math.max(1, Math.floor(opts.mergeBatchSize ?? OPTION_TABLE.mergeBatchSize.default));
  let b: SpoolBuilder;
  try {
    b = new SpoolBuilder(dir, opts.buildings);
  } catch (e) {
    throw new CityMeshError("output", `Cannot create merge files in ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { dir });
  }
  const fail = (e: unknown): unknown => {
    if (e instanceof CityMeshError) return e;
    const code = (e as NodeJS.ErrnoException).code;
    if (!code) return e;
    const why = code === "ENOSPC" ? "the disk is full (ENOSPC)" : code;
    return new CityMeshError("output", `Cannot write merge files in ${dir}: ${why}`, { dir, errno: code });
  };
  try {
    for (let start = 0; start < source.count; start += batch) {
      if (opts.signal?.aborted) throw new CityMeshError("cancelled", "Merge cancelled");
      const end = Math.min(source.count, start + batch);
      const reads: (TileMesh | Promise<TileMesh>)[] = [];
      for (let i = start; i < end; i++) reads.push(source.read(i));
      const meshes = await Promise.all(reads);
      for (let i = 0; i < meshes.length; i++) b.append(meshes[i], start + i);
      opts.onProgress?.(end, source.count, b.triangles[0] + b.triangles[1] + b.triangles[2]);
    }
  } catch (e) {
    try {
      b.close();
    } catch {
      // the first error is the one to report
    }
    throw fail(e);
  }
  try {
    b.close(); // flushes the last buffers: a full disk can show up only here
  } catch (e) {
    throw fail(e);
  }
  return {
    spool: { dir, vertices: b.vertices, triangles: b.triangles, buildings: opts.buildings, min: b.min, max: b.max },
    stats: { tiles: source.count, welded: b.welded, seamVertices: b.seam.size, degenerate: b.degenerate },
  };
}
