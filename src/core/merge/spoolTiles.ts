// Streams tiles into a Spool, welding seam vertices exactly. Memory: one batch of tiles, the seam
// map, and per-tile scratch arrays. The output depends only on the tile order, never on the batch
// size: batches only bound how many tiles are held (and read concurrently) at once.
import type { TileMesh } from "../types";
import { CityMeshError } from "../errors";
import { OPTION_TABLE } from "../optionTable";
import type { TileSource } from "./tileSource";
import { SeamMap } from "./seamMap";
import { FACE_CLASSES, SpoolWriter, ValueSpool, faceClass, featureFile, heightsFile, indexFile, markerFile, positionsF32File, positionsFile, type Spool } from "../writers/spool";
import { buildingOf } from "../writers/buildingStats";

export interface SpoolOptions {
  /** Number of buildings N (walls have markers 0..N-1, roofs N..2N-1). */
  buildings: number;
  /**
   * Un-weld by feature (the GLB's EXT_mesh_features): a vertex used by two buildings, or by a
   * building and the ground, becomes one vertex per feature, each with its building in
   * features.f32 (N for the ground); per-building heights go to heights.f64; positions go to
   * positions.f32, already in the GLB's form. Off: one vertex per position, positions.f64.
   */
  features?: boolean;
  /**
   * Feature spool: write the positions into this file from this byte on (a GLB begun in place),
   * not into positions.f32. A promise: positions.f32 until it resolves (between two batches, or
   * at the end), then what was written moves there and the rest follows; if it rejects, the
   * merge stops with its error.
   */
  positionsInto?: PositionsTarget | Promise<PositionsTarget>;
  /** Tiles held in memory at once (default 2, at least 1). */
  mergeBatchSize?: number;
  signal?: AbortSignal;
  onProgress?: (tilesDone: number, tilesTotal: number, triangles: number) => void;
}

/** A file, and the byte in it where the positions start. */
export interface PositionsTarget { file: string; offset: number }

export interface SpoolStats {
  tiles: number;
  /** Seam vertices that were welded onto a vertex of an earlier tile (or of the same tile). */
  welded: number;
  /** Distinct seam positions. */
  seamVertices: number;
  /** Triangles dropped because welding made two of their corners the same vertex. */
  degenerate: number;
}

/** Grow-only scratch arrays, reused from tile to tile: a merge allocates them a few times, not per tile. */
class Scratch {
  private readonly arrays = new Map<string, ArrayBufferView & { length: number }>();
  get<T extends Float64Array | Float32Array | Int32Array | Uint32Array>(name: string, make: new (n: number) => T, n: number): T {
    const a = this.arrays.get(name) as T | undefined;
    if (a && a.length >= n) return a;
    const b = new make(Math.max(n, 1024));
    this.arrays.set(name, b);
    return b;
  }

  /** Array `name` enlarged to `n` elements, its first `keep` copied over. */
  grow<T extends Float64Array | Float32Array | Int32Array | Uint32Array>(name: string, make: new (n: number) => T, n: number, keep: number): T {
    const a = this.arrays.get(name) as T;
    const b = new make(Math.max(n, 1024));
    b.set(a.subarray(0, keep));
    this.arrays.set(name, b);
    return b;
  }
}

class SpoolBuilder {
  readonly seam = new SeamMap();
  /** Float64 positions (spool without features). */
  readonly positions64?: SpoolWriter;
  /** Float32 glTF positions, three values per vertex (feature spool). */
  readonly positions32?: ValueSpool;
  readonly index: ValueSpool[];
  readonly markers: ValueSpool[];
  readonly features?: ValueSpool;
  /** Height per building (features on): roof top to the building's base, the largest over its tiles. */
  readonly heights?: Float64Array;
  /** Slot of each building in the current tile's height scratch (−1: none), reset after each tile. */
  private readonly slotOf?: Int32Array;
  readonly min: [number, number, number] = [Infinity, Infinity, Infinity];
  readonly max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  readonly triangles: [number, number, number] = [0, 0, 0];
  vertices = 0;
  welded = 0;
  degenerate = 0;
  private readonly scratch = new Scratch();

  constructor(readonly dir: string, readonly buildings: number, features: boolean, positionsInto?: PositionsTarget) {
    // With features the spool is the GLB's: positions as glTF float32 (Y up), feature ids as float32.
    if (features) this.positions32 = positionsInto ? new ValueSpool(positionsInto.file, positionsInto.offset) : new ValueSpool(positionsF32File({ dir }));
    else this.positions64 = new SpoolWriter(positionsFile({ dir }));
    this.index = FACE_CLASSES.map((_, c) => new ValueSpool(indexFile({ dir }, c)));
    this.markers = FACE_CLASSES.map((_, c) => new ValueSpool(markerFile({ dir }, c)));
    if (features) {
      this.features = new ValueSpool(featureFile({ dir }));
      this.heights = new Float64Array(buildings);
      this.slotOf = new Int32Array(buildings).fill(-1);
    }
  }

  /** Adds the bounds of vertex (x, y, z). */
  private bound(x: number, y: number, z: number): void {
    const { min, max } = this;
    if (x < min[0]) min[0] = x;
    if (x > max[0]) max[0] = x;
    if (y < min[1]) min[1] = y;
    if (y > max[1]) max[1] = y;
    if (z < min[2]) min[2] = z;
    if (z > max[2]) max[2] = z;
  }

  /**
   * Global vertex of every face corner. Without features: one per tile vertex, seam vertices
   * welded by position. With features: one per (tile vertex, building of the face), created in
   * face-corner order, seam vertices welded by position AND building (so a seam vertex of the
   * ground never welds to a building's).
   */
  private globals(mesh: TileMesh, u32: Uint32Array): Uint32Array {
    const { vertices: xyz, faces, markers, seam } = mesh;
    const n = xyz.length / 3, m = markers.length;
    const N = this.buildings;
    for (let f = 0; f < 3 * m; f++) {
      const v = faces[f];
      if (v < 0 || v >= n) throw new CityMeshError("tile", `Tile ${this.tileNo}: face ${Math.floor(f / 3)} refers to a vertex outside 0..${n - 1}`, { tile: this.tileNo });
    }
    const corners = this.scratch.get("corners", Uint32Array, 3 * m);
    if (!this.features) {
      const toGlobal = this.scratch.get("toGlobal", Uint32Array, n);
      const fresh = this.scratch.get("fresh64", Float64Array, 3 * n);
      let k = 0;
      for (let v = 0; v < n; v++) {
        if (seam[v] === 1) {
          const g = this.seam.getOrSet(u32, v, 0, this.vertices);
          if (g >= 0) {
            toGlobal[v] = g;
            this.welded++;
            continue;
          }
        }
        const x = xyz[3 * v], y = xyz[3 * v + 1], z = xyz[3 * v + 2];
        fresh[3 * k] = x;
        fresh[3 * k + 1] = y;
        fresh[3 * k + 2] = z;
        k++;
        this.bound(x, y, z);
        toGlobal[v] = this.vertices++;
      }
      this.positions64!.write(fresh.subarray(0, 3 * k));
      for (let i = 0; i < 3 * m; i++) corners[i] = toGlobal[faces[i]];
      return corners;
    }
    // Un-weld: head[v] starts the chain of (v, building) links made so far; nearly every chain
    // has one link, a footprint corner two or three. Typed arrays: no garbage per vertex.
    const head = this.scratch.get("head", Int32Array, n).fill(-1, 0, n);
    // Links: one per (vertex, building) pair, about one per face (New York: 0.86); at most 3 per
    // face. Sized for one per face and grown when a tile needs more, not for the worst case.
    let next = this.scratch.get("next", Int32Array, m), linkB = this.scratch.get("linkB", Int32Array, m), linkG = this.scratch.get("linkG", Uint32Array, m);
    // New vertices go straight to the spool in the GLB's form: float32, glTF axes (x, z, −y),
    // building as float32 (ground = N).
    const pos = this.positions32!, ids = this.features;
    let links = 0;
    for (let f = 0; f < m; f++) {
      const b = buildingOf(markers[f], N);
      for (let c = 0; c < 3; c++) {
        const v = faces[3 * f + c];
        let e = head[v];
        while (e >= 0 && linkB[e] !== b) e = next[e];
        if (e < 0) {
          e = links++;
          if (e === linkB.length) {
            const want = Math.min(3 * m, 2 * e);
            next = this.scratch.grow("next", Int32Array, want, e);
            linkB = this.scratch.grow("linkB", Int32Array, want, e);
            linkG = this.scratch.grow("linkG", Uint32Array, want, e);
          }
          linkB[e] = b;
          next[e] = head[v];
          head[v] = e;
          let g = -1;
          if (seam[v] === 1) {
            g = this.seam.getOrSet(u32, v, b, this.vertices);
            if (g >= 0) this.welded++;
          }
          if (g < 0) {
            const x = xyz[3 * v], y = xyz[3 * v + 1], z = xyz[3 * v + 2];
            pos.putF32(x);
            pos.putF32(z);
            pos.putF32(-y);
            ids.putF32(b < 0 ? N : b);
            this.bound(x, y, z);
            g = this.vertices++;
          }
          linkG[e] = g;
        }
        corners[3 * f + c] = linkG[e];
      }
    }
    this.tileHeights(xyz, faces, markers);
    return corners;
  }

  /**
   * Each building's height in this tile, kept when larger than in earlier tiles: roof top to the
   * building's lowest wall (no walls of its own, enclosed by taller ones: to the tile's lowest
   * ground; no ground either: its own lowest point); no roof: its own highest point. The same
   * numbers as buildingStats (writers/buildingStats.ts), on typed arrays instead of Maps.
   */
  private tileHeights(xyz: Float64Array, faces: Int32Array, markers: Int32Array): void {
    const N = this.buildings, slotOf = this.slotOf!, heights = this.heights!;
    const m = markers.length;
    // Per building of the tile (a few per hundred faces): grown when a tile has more.
    const first = Math.min(m, 4096);
    let who = this.scratch.get("who", Int32Array, first);
    let lo = this.scratch.get("lo", Float64Array, first), hi = this.scratch.get("hi", Float64Array, first);
    let roofTop = this.scratch.get("roofTop", Float64Array, first), wallLow = this.scratch.get("wallLow", Float64Array, first);
    let slots = 0, groundLow = Infinity;
    for (let f = 0; f < m; f++) {
      const mk = markers[f];
      const a = 3 * faces[3 * f] + 2, bz = 3 * faces[3 * f + 1] + 2, cz = 3 * faces[3 * f + 2] + 2;
      const za = xyz[a], zb = xyz[bz], zc = xyz[cz];
      if (mk < 0) {
        groundLow = Math.min(groundLow, za, zb, zc);
        continue;
      }
      const b = mk < N ? mk : mk - N;
      if (b >= N) continue; // a marker past 2N−1 names no building (buildingStats keeps no height for it either)
      let s = slotOf[b];
      if (s < 0) {
        s = slots++;
        if (s === who.length) {
          who = this.scratch.grow("who", Int32Array, 2 * s, s);
          lo = this.scratch.grow("lo", Float64Array, 2 * s, s);
          hi = this.scratch.grow("hi", Float64Array, 2 * s, s);
          roofTop = this.scratch.grow("roofTop", Float64Array, 2 * s, s);
          wallLow = this.scratch.grow("wallLow", Float64Array, 2 * s, s);
        }
        slotOf[b] = s;
        who[s] = b;
        lo[s] = Infinity;
        hi[s] = -Infinity;
        roofTop[s] = -Infinity;
        wallLow[s] = Infinity;
      }
      // Comparisons, not Math.min/max, for lo/hi: as buildingStats does (a NaN never enters them).
      if (za < lo[s]) lo[s] = za;
      if (za > hi[s]) hi[s] = za;
      if (zb < lo[s]) lo[s] = zb;
      if (zb > hi[s]) hi[s] = zb;
      if (zc < lo[s]) lo[s] = zc;
      if (zc > hi[s]) hi[s] = zc;
      if (mk >= N) roofTop[s] = Math.max(roofTop[s], za, zb, zc);
      else wallLow[s] = Math.min(wallLow[s], za, zb, zc);
    }
    for (let s = 0; s < slots; s++) {
      const b = who[s];
      slotOf[b] = -1;
      const top = roofTop[s] > -Infinity ? roofTop[s] : hi[s];
      const base = wallLow[s] < Infinity ? wallLow[s] : Number.isFinite(groundLow) ? groundLow : lo[s];
      const h = Math.max(0, top - base);
      if (h > heights[b]) heights[b] = h;
    }
  }

  private tileNo = 0;

  append(mesh: TileMesh, tile: number): void {
    const { vertices: xyz, faces, markers, seam } = mesh;
    const n = xyz.length / 3;
    const m = faces.length / 3;
    if (!Number.isInteger(n) || !Number.isInteger(m) || seam.length !== n || markers.length !== m) {
      throw new CityMeshError("tile", `Tile ${tile} is inconsistent (vertices ${xyz.length}, faces ${faces.length}, markers ${markers.length}, seam ${seam.length})`, { tile });
    }
    const u32 = new Uint32Array(xyz.buffer, xyz.byteOffset, xyz.length * 2);
    this.tileNo = tile;
    const corners = this.globals(mesh, u32);

    // Faces, by class, straight into the class's spool files.
    const N = this.buildings;
    const { index, markers: mks, triangles } = this;
    for (let f = 0; f < m; f++) {
      const ga = corners[3 * f], gb = corners[3 * f + 1], gc = corners[3 * f + 2];
      if (ga === gb || gb === gc || ga === gc) {
        this.degenerate++;
        continue;
      }
      const marker = markers[f];
      const cls = faceClass(marker, N);
      const out = index[cls];
      out.putU32(ga);
      out.putU32(gb);
      out.putU32(gc);
      mks[cls].putI32(marker);
      triangles[cls]++;
    }
  }

  close(): void {
    for (const w of [this.positions64 ?? this.positions32!, ...this.index, ...this.markers, ...(this.features ? [this.features] : [])]) w.close();
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
  // A promised target: its outcome is noted when it comes, and acted on between batches.
  const into = opts.positionsInto;
  const later = into instanceof Promise ? into : undefined;
  let target: PositionsTarget | undefined, targetFailed: { error: unknown } | undefined, moved = false;
  later?.then((t) => { target = t; }, (e: unknown) => { targetFailed = { error: e }; });
  const follow = (b: SpoolBuilder) => {
    if (targetFailed) throw targetFailed.error;
    if (target && !moved && b.positions32) {
      b.positions32.moveTo(target.file, target.offset);
      moved = true;
    }
  };
  let b: SpoolBuilder;
  try {
    b = new SpoolBuilder(dir, opts.buildings, opts.features === true, later ? undefined : (into as PositionsTarget | undefined));
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
      if (later && !moved) {
        // The target comes as a message from another thread, which this thread reads only when
        // its event loop turns: tile reads settle as microtasks, so without this turn it would
        // wait for the end of the weld (1,000,000 buildings: the columns came after 5.5 s, not 2.2).
        await new Promise<void>((r) => setImmediate(r));
        follow(b);
      }
      opts.onProgress?.(end, source.count, b.triangles[0] + b.triangles[1] + b.triangles[2]);
    }
    if (later) {
      await later.then(() => undefined, () => undefined); // its outcome, noted above
      follow(b);
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
