// Streams tiles into a Spool, welding seam vertices exactly. Memory: one batch of tiles, the seam
// map, and per-tile scratch arrays. The output depends only on the tile order, never on the batch
// size: batches only bound how many tiles are held (and read concurrently) at once.
import type { TileMesh } from "../types";
import { CityMeshError } from "../errors";
import { OPTION_TABLE } from "../optionTable";
import type { TileSource } from "./tileSource";
import { SeamMap } from "./seamMap";
import { FACE_CLASSES, SpoolWriter, faceClass, featureFile, heightsFile, indexFile, markerFile, positionsFile, type Spool } from "../writers/spool";
import { buildingOf, buildingStats } from "../writers/buildingStats";

export interface SpoolOptions {
  /** Number of buildings N (walls have markers 0..N-1, roofs N..2N-1). */
  buildings: number;
  /**
   * Un-weld by feature (the GLB's EXT_mesh_features): a vertex used by two buildings, or by a
   * building and the ground, becomes one vertex per feature, each with its building in
   * features.i32 (−1 ground); per-building heights go to heights.f64. Off: one vertex per position.
   */
  features?: boolean;
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
  readonly features?: SpoolWriter;
  /** Height per building (features on): roof top to the building's base, the largest over its tiles. */
  readonly heights?: Float64Array;
  readonly min: [number, number, number] = [Infinity, Infinity, Infinity];
  readonly max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  readonly triangles: [number, number, number] = [0, 0, 0];
  vertices = 0;
  welded = 0;
  degenerate = 0;

  constructor(readonly dir: string, readonly buildings: number, features: boolean) {
    this.positions = new SpoolWriter(positionsFile({ dir }));
    this.index = FACE_CLASSES.map((_, c) => new SpoolWriter(indexFile({ dir }, c)));
    this.markers = FACE_CLASSES.map((_, c) => new SpoolWriter(markerFile({ dir }, c)));
    if (features) {
      this.features = new SpoolWriter(featureFile({ dir }));
      this.heights = new Float64Array(buildings);
    }
  }

  /**
   * Global vertex of every face corner. Without features: one per tile vertex, seam vertices
   * welded by position. With features: one per (tile vertex, building of the face), created in
   * face-corner order, seam vertices welded by position AND building (so a seam vertex of the
   * ground never welds to a building's).
   */
  private globals(mesh: TileMesh, u16: Uint16Array): Uint32Array {
    const { vertices: xyz, faces, markers, seam } = mesh;
    const n = xyz.length / 3, m = markers.length;
    const N = this.buildings;
    const { min, max } = this;
    let fresh: Float64Array, k = 0;
    const add = (v: number): number => {
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
      return this.vertices++;
    };
    for (let f = 0; f < 3 * m; f++) {
      const v = faces[f];
      if (v < 0 || v >= n) throw new CityMeshError("tile", `Tile ${this.tileNo}: face ${Math.floor(f / 3)} refers to a vertex outside 0..${n - 1}`, { tile: this.tileNo });
    }
    if (!this.features) {
      const toGlobal = new Uint32Array(n);
      fresh = new Float64Array(n * 3);
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
        toGlobal[v] = add(v);
      }
      this.positions.write(fresh.subarray(0, 3 * k));
      const corners = new Uint32Array(3 * m);
      for (let i = 0; i < 3 * m; i++) corners[i] = toGlobal[faces[i]];
      return corners;
    }
    // Un-weld: head[v] starts the chain of (v, building) links made so far; nearly every chain
    // has one link, a footprint corner two or three. Typed arrays: no garbage per vertex.
    const head = new Int32Array(n).fill(-1), next = new Int32Array(3 * m), linkB = new Int32Array(3 * m), linkG = new Uint32Array(3 * m);
    const ids = new Int32Array(3 * m);
    fresh = new Float64Array(9 * m);
    let links = 0, nf = 0;
    const corners = new Uint32Array(3 * m);
    for (let f = 0; f < m; f++) {
      const b = buildingOf(markers[f], N);
      for (let c = 0; c < 3; c++) {
        const v = faces[3 * f + c];
        let e = head[v];
        while (e >= 0 && linkB[e] !== b) e = next[e];
        if (e < 0) {
          e = links++;
          linkB[e] = b;
          next[e] = head[v];
          head[v] = e;
          let g: number | undefined;
          if (seam[v] === 1) {
            const key = SeamMap.key(u16, v) + String.fromCharCode(b & 0xffff, (b >>> 16) & 0xffff);
            g = this.seam.get(key);
            if (g !== undefined) this.welded++;
            else this.seam.set(key, this.vertices);
          }
          if (g === undefined) {
            g = add(v);
            ids[nf++] = b;
          }
          linkG[e] = g;
        }
        corners[3 * f + c] = linkG[e];
      }
    }
    this.positions.write(fresh.subarray(0, 3 * k));
    this.features.write(ids.subarray(0, nf));
    const stats = buildingStats(xyz, faces, markers, N);
    for (const [b, h] of stats.heights) if (h > this.heights![b]) this.heights![b] = h;
    return corners;
  }

  private tileNo = 0;

  append(mesh: TileMesh, tile: number): void {
    const { vertices: xyz, faces, markers, seam } = mesh;
    const n = xyz.length / 3;
    const m = faces.length / 3;
    if (!Number.isInteger(n) || !Number.isInteger(m) || seam.length !== n || markers.length !== m) {
      throw new CityMeshError("tile", `Tile ${tile} is inconsistent (vertices ${xyz.length}, faces ${faces.length}, markers ${markers.length}, seam ${seam.length})`, { tile });
    }
    const u16 = new Uint16Array(xyz.buffer, xyz.byteOffset, xyz.length * 4);
    this.tileNo = tile;
    const corners = this.globals(mesh, u16);

    // Faces, split by class into per-class scratch arrays (sized by a counting pass), then one
    // write per class.
    const N = this.buildings;
    const size = [0, 0, 0];
    for (let f = 0; f < m; f++) size[faceClass(markers[f], N)]++;
    const idx = size.map((s) => new Uint32Array(s * 3));
    const mk = size.map((s) => new Int32Array(s));
    const cnt = [0, 0, 0];
    for (let f = 0; f < m; f++) {
      const ga = corners[3 * f], gb = corners[3 * f + 1], gc = corners[3 * f + 2];
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
    for (const w of [this.positions, ...this.index, ...this.markers, ...(this.features ? [this.features] : [])]) w.close();
    if (this.heights) {
      const h = new SpoolWriter(heightsFile({ dir: this.dir }));
      h.write(this.heights);
      h.close();
    }
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
    b = new SpoolBuilder(dir, opts.buildings, opts.features === true);
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
    spool: { dir, vertices: b.vertices, triangles: b.triangles, buildings: opts.buildings, min: b.min, max: b.max, features: opts.features === true },
    stats: { tiles: source.count, welded: b.welded, seamVertices: b.seam.size, degenerate: b.degenerate },
  };
}
