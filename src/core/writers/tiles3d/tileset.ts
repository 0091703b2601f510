// OGC 3D Tiles 1.1 straight from the tile store, never merging the city: tiles are read one at a
// time, each becomes one GLB content, and tileset.json is written last.
//
// Tree: a quadtree over the store's tile grid, refined by REPLACE, as a Cesium user expects: every
// tile stands for all of the city under it. Leaves are the store tiles, whole (ground and every
// building at full detail). A node at level L covers 2^L × 2^L of them and its content is coarse
// (coarse.ts): the ground and the buildings as blocks on a 64 × 64 grid, made from its children's
// grids, so its size does not grow with the city; a building at least 4 cells across (by the
// larger of its footprint's diagonal and its height) is carried whole instead, so towers stay
// sharp from afar. A node's geometricError is two of its cells (leaves: 0).
// Why this and not the ADD quadtree by building size this writer had first (each building once,
// at the level its size earns): there, a parent not yet refined showed only the buildings of its
// size class, no ground and no houses, and at Cesium's default 16 px a large city looked empty
// from afar (New York: 1.3 % of the canvas). Coarse parents cost about a third more files and
// bytes; memory stays one tile, the grids of the tree's open path (4 × 64² cells a level) and
// the whole buildings waiting for an ancestor (on disk). The tree is walked depth first, a node
// written as soon as its children are.
//
// Placement: the root's transform is the frame at the mesh origin (frame.ts), and every node with
// content has its own frame at its centre (its transform is relative to its parent's), so
// content positions stay small (float32 exact to a mm). Each position is the vertex's exact ECEF
// point (proj4 to lon/lat, its z as ellipsoidal height) carried back through the inverse of its
// node's frame, so the frame's linearisation costs nothing anywhere in a tile, however large.
// Bounding volumes are regions (lon/lat radians, heights).
import fs from "node:fs";
import path from "node:path";
import type { CrsInfo, TileMesh } from "../../types";
import { CityMeshError } from "../../errors";
import { writeAtomically } from "../io";
import { FeatureTable, type FeatureRow } from "./features";
import { buildContent, type ContentCompression, type MeshPiece } from "./content";
import { GRID, blockBuildings, coarsen, emptyGrid, gridMesh, sampleMesh, type CoarseGrid } from "./coarse";
import { buildingOf, buildingStats } from "../buildingStats";
import { ecef, frameAt, invertAffine, localToLonLat, mul, regionOf, type Mat4 } from "./frame";

/** A building is carried whole by an ancestor while it spans at least this many of its grid's cells. */
export const WHOLE_CELLS = 4;

export interface TilesetLayout {
  /** Store tile grid: tile id = row · nx + col, rows from the south. */
  nx: number;
  ny: number;
  /** The grid's rectangle [x0, y0, x1, y1] in local metres. */
  domain: [number, number, number, number];
}

export interface TilesetJob {
  output: string;
  crs: CrsInfo;
  /** N of the marker convention. */
  buildings: number;
  layout: TilesetLayout;
  /** Tile id held by each source index (missing tiles are absent). */
  tileIds: readonly number[];
  buildingsFile?: string;
  /** GeoJSON properties for the property tables; empty = every scalar one. */
  properties?: readonly string[];
  /** How the contents' mesh views are stored (default: plain). */
  compression?: ContentCompression;
  /** An existing folder for the file of buildings waiting for an ancestor tile (default: the tileset's folder). */
  tempDir?: string;
  signal?: AbortSignal;
  onProgress?: (tilesDone: number, tilesTotal: number, triangles: number) => void;
}

export interface TilesetStats {
  tileset: string;
  tiles: number;
  contents: number;
  vertices: number;
  triangles: number;
  bytes: number;
}

/** `-o out/` is the tileset's folder; `-o x/tileset.json` (any .json) names its JSON. */
export function tilesetPaths(output: string): { dir: string; json: string } {
  const out = path.resolve(output);
  return /\.json$/i.test(out) ? { dir: path.dirname(out), json: out } : { dir: out, json: path.join(out, "tileset.json") };
}

type Box = [number, number, number, number, number, number]; // x0 y0 z0 x1 y1 z1, local
const emptyBox = (): Box => [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
const grow = (b: Box, o: Box) => { for (let k = 0; k < 3; k++) { b[k] = Math.min(b[k], o[k]); b[k + 3] = Math.max(b[k + 3], o[k + 3]); } };

interface Piece extends MeshPiece {
  heights: Map<number, number>;
  box: Box;
}

interface TileJson {
  boundingVolume: { region: number[] };
  geometricError: number;
  refine?: "REPLACE";
  transform?: Mat4;
  content?: { uri: string };
  children?: TileJson[];
}

/** Tiles to read, one at a time (merge/tileSource.ts's TileSource; spelled out here so writers/ does not import merge/). */
export interface TilesetSource {
  count: number;
  read(i: number): TileMesh | Promise<TileMesh>;
}

export async function writeTileset(source: TilesetSource, job: TilesetJob): Promise<TilesetStats> {
  const { dir, json: jsonFile } = tilesetPaths(job.output);
  const tilesDir = path.join(dir, "tiles");
  try {
    fs.mkdirSync(tilesDir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CityMeshError("output", `Cannot write the tileset ${dir}: ${code ?? String(e)}`, { file: dir, errno: code });
  }
  const { nx, ny, domain } = job.layout;
  const N = job.buildings;
  const depth = Math.ceil(Math.log2(Math.max(nx, ny, 1)));
  const tw = (domain[2] - domain[0]) / nx, th = (domain[3] - domain[1]) / ny;
  const sourceOf = new Map<number, number>();
  job.tileIds.forEach((id, i) => sourceOf.set(id, i));
  const toLonLat = localToLonLat(job.crs);
  const table = new FeatureTable(job.buildingsFile, N, job.properties ?? []);
  const schema = table.schema();
  // Buildings waiting for an ancestor wait on disk, not in memory: on New York the larger
  // buildings of a whole level-4 quadrant waited at once (~40 MB); a node reads its own back.
  const pending = new PendingFile(path.join(job.tempDir ?? dir, `.pending-${process.pid}.bin`));
  const written = new Set<string>();
  const stats = { contents: 0, vertices: 0, triangles: 0, bytes: 0, leaves: 0 };

  const centreOf = (L: number, i: number, j: number): [number, number] => {
    const x0 = domain[0] + i * (1 << L) * tw, y0 = domain[1] + j * (1 << L) * th;
    const x1 = Math.min(domain[2], x0 + (1 << L) * tw), y1 = Math.min(domain[3], y0 + (1 << L) * th);
    return [(x0 + x1) / 2, (y0 + y1) / 2];
  };

  // A content's vertices are placed exactly, not through its frame's linear map: each goes to
  // lon/lat (proj4), to ECEF at its height, and back through the inverse of the tile's frame. The
  // frame alone holds within a 1 km leaf (d²/2R: 4 cm at 700 m), but a parent tile spans kilometres
  // (One World Trade Center, 5 km from its level-5 tile's centre, stood 1.9 m high), and so would a
  // large tile size. About 0.3 µs a vertex.
  const placer = (world: Mat4) => {
    const inv = invertAffine(world);
    return (x: number, y: number, z: number, out: Float64Array) => {
      const [lon, lat] = toLonLat(x, y);
      const [X, Y, Z] = ecef(lon, lat, z);
      for (let k = 0; k < 3; k++) out[k] = inv[k] * X + inv[4 + k] * Y + inv[8 + k] * Z + inv[12 + k];
    };
  };

  const writeContent = (pieces: Piece[], world: Mat4, name: string): string | undefined => {
    const heights = new Map<number, number>();
    for (const p of pieces) for (const [b, h] of p.heights) heights.set(b, h);
    const rows = (bs: number[]): FeatureRow[] => bs.map((b) => ({ b, record: table.record(b), height: heights.get(b) ?? 0 }));
    const c = buildContent(pieces, N, placer(world), table.columns, rows, schema, job.compression);
    if (!c) return undefined;
    const uri = `tiles/${name}.glb`;
    stats.bytes += writeAtomically(path.join(dir, uri), (o) => o.write(c.glb), 1 << 16); // a whole file: no 2 MB buffer per tile
    written.add(`${name}.glb`);
    stats.contents++;
    stats.vertices += c.vertices;
    stats.triangles += c.triangles;
    return uri;
  };

  // Cell size of a level's grid, and a node's geometric error: two cells (what a block may be off).
  const cellOf = (L: number) => [((1 << L) * tw) / GRID, ((1 << L) * th) / GRID] as const;
  const errorOf = (L: number) => (L === 0 ? 0 : 2 * Math.max(...cellOf(L)));
  // The highest level that carries a building of size s whole (0: none above the leaves).
  const wholeUpTo = (s: number) => {
    const k = Math.floor(Math.log2((s * GRID) / (WHOLE_CELLS * Math.max(tw, th))));
    return k >= 1 ? Math.min(depth, k) : 0;
  };

  const node = (L: number, centre: [number, number], box: Box, world: Mat4, parentWorld: Mat4, uri: string | undefined, children: TileJson[]): TileJson => {
    const half = Math.max(Math.hypot(box[0] - centre[0], box[1] - centre[1]), Math.hypot(box[3] - centre[0], box[4] - centre[1]), Math.hypot(box[0] - centre[0], box[4] - centre[1]), Math.hypot(box[3] - centre[0], box[1] - centre[1]));
    return {
      boundingVolume: { region: regionOf(toLonLat, [box[0], box[1], box[3], box[4]], box[2], box[5], half) },
      geometricError: errorOf(L),
      transform: mul(invertAffine(parentWorld), world),
      ...(uri ? { content: { uri } } : {}),
      ...(children.length ? { children } : {}),
    };
  };

  /** What a visited node hands its parent: its tile, its bounds, its grid and the heights of the grid's buildings, the whole buildings its ancestors carry. */
  interface Visited { tile: TileJson; box: Box; grid: CoarseGrid; heights: Map<number, number>; carried: Carried[] }

  const leaf = async (i: number, j: number, parentWorld: Mat4): Promise<Visited | undefined> => {
    if (job.signal?.aborted) throw new CityMeshError("cancelled", "Merge cancelled");
    const id = j * nx + i;
    const src = sourceOf.get(id);
    if (src === undefined) return undefined;
    const mesh = await source.read(src);
    stats.leaves++;
    const { whole, heights, wholeLevel } = splitTile(mesh, N, wholeUpTo);
    const carried = [...whole].map(([k, p]) => ({ k, entry: pending.put(p) }));
    const centre = centreOf(0, i, j);
    const world = frameAt(toLonLat, centre[0], centre[1]);
    const all: Piece = { vertices: mesh.vertices, faces: mesh.faces, markers: mesh.markers, heights, box: boxOf(mesh.vertices) };
    const uri = mesh.markers.length ? writeContent([all], world, String(id)) : undefined;
    job.onProgress?.(stats.leaves, job.tileIds.length, stats.triangles);
    if (!uri) return undefined;
    const [cw, ch] = cellOf(0);
    const grid = emptyGrid(domain[0] + i * tw, domain[1] + j * th, cw, ch);
    grid.inside.fill(1);
    sampleMesh(grid, mesh.vertices, mesh.faces, mesh.markers, N, (b) => !wholeLevel.has(b));
    return { tile: node(0, centre, all.box, world, parentWorld, uri, []), box: all.box, grid, heights: keepHeights(grid, heights), carried };
  };

  const visit = async (L: number, i: number, j: number, parentWorld: Mat4): Promise<Visited | undefined> => {
    if ((i << L) >= nx || (j << L) >= ny) return undefined;
    if (L === 0) return leaf(i, j, parentWorld);
    const centre = centreOf(L, i, j);
    const world = frameAt(toLonLat, centre[0], centre[1]);
    const children: TileJson[] = [];
    const box = emptyBox();
    const [cw, ch] = cellOf(L);
    const grid = emptyGrid(domain[0] + i * (1 << L) * tw, domain[1] + j * (1 << L) * th, cw, ch);
    const grids: (CoarseGrid | undefined)[] = [];
    const heights = new Map<number, number>();
    const carried: Carried[] = [];
    for (const [di, dj] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const c = await visit(L - 1, 2 * i + di, 2 * j + dj, world);
      grids.push(c?.grid);
      if (!c) continue;
      children.push(c.tile);
      grow(box, c.box);
      for (const [b, h] of c.heights) heights.set(b, h);
      carried.push(...c.carried);
    }
    if (!children.length) return undefined;
    coarsen(grid, grids);
    // Whole buildings: too small for this level are made blocks here; the rest are in its content.
    const pieces: Piece[] = [];
    const up: Carried[] = [];
    for (const c of carried) {
      const p = pending.read(c.entry);
      if (c.k < L) {
        sampleMesh(grid, p.vertices, p.faces, p.markers, N, () => true);
        for (const [b, h] of p.heights) heights.set(b, h);
      } else {
        pieces.push(p);
        if (c.k > L) up.push(c);
      }
    }
    const coarse = gridMesh(grid, N);
    const gridHeights = keepHeights(grid, heights);
    if (coarse) pieces.unshift({ ...coarse, heights: gridHeights, box: boxOf(coarse.vertices) });
    for (const p of pieces) grow(box, p.box);
    const uri = pieces.length ? writeContent(pieces, world, `${L}-${i}-${j}`) : undefined;
    return { tile: node(L, centre, box, world, parentWorld, uri, children), box, grid, heights: gridHeights, carried: up };
  };

  try {
    const rootWorld = frameAt(toLonLat, 0, 0);
    const top = await visit(depth, 0, 0, rootWorld);
    // The root holds the transform and no content: drawing nothing misses the whole city, so its
    // error is the city's size (at least the top node's error doubled). Then every viewer refines it
    // at any distance it is seen from; loaders.gl (deck.gl) with its default 8 px did not refine
    // a root whose error was the top node's doubled (Zurich: 1.8 px) and drew nothing.
    const topError = Math.max(errorOf(depth + 1), Math.hypot(domain[2] - domain[0], domain[3] - domain[1]), 1);
    const root: TileJson = top
      ? { boundingVolume: top.tile.boundingVolume, geometricError: topError, refine: "REPLACE", transform: rootWorld, children: [top.tile] }
      : { boundingVolume: { region: regionOf(toLonLat, [domain[0], domain[1], domain[2], domain[3]], 0, 0, 0) }, geometricError: topError, refine: "REPLACE", transform: rootWorld };
    const tileset = {
      asset: { version: "1.1", generator: "citymesh" },
      geometricError: topError,
      root,
      extras: { citymesh: { crs: job.crs, origin: job.crs.origin, buildings: N, tiles: job.tileIds.length, upAxis: "Y", coarseGridCells: GRID, wholeBuildingCells: WHOLE_CELLS } },
    };
    stats.bytes += writeAtomically(jsonFile, (o) => o.write(JSON.stringify(tileset)));
  } finally {
    table.close();
    pending.close();
  }
  // Contents of an earlier tileset in this folder that this one does not use.
  for (const f of fs.readdirSync(tilesDir)) if (/^[0-9-]+\.glb$/.test(f) && !written.has(f)) fs.rmSync(path.join(tilesDir, f), { force: true });
  return { tileset: jsonFile, tiles: stats.leaves, contents: stats.contents, vertices: stats.vertices, triangles: stats.triangles, bytes: stats.bytes };
}

/** The heights of the buildings the grid's blocks name (a parent's property rows need them). */
function keepHeights(grid: CoarseGrid, heights: ReadonlyMap<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const b of blockBuildings(grid)) out.set(b, heights.get(b) ?? 0);
  return out;
}

function boxOf(xyz: Float64Array): Box {
  const box = emptyBox();
  for (let v = 0; v < xyz.length; v += 3) for (let a = 0; a < 3; a++) {
    const val = xyz[v + a];
    if (val < box[a]) box[a] = val;
    if (val > box[a + 3]) box[a + 3] = val;
  }
  return box;
}

/**
 * A store tile's buildings' heights, and the buildings an ancestor carries whole: size s =
 * max(height span, footprint diagonal), carried up to level wholeUpTo(s) ≥ 1, one piece per such
 * level (its own vertices). Heights: roof top to the building's lowest wall (a building without
 * walls of its own, enclosed by taller ones: to the tile's lowest ground).
 */
function splitTile(mesh: { vertices: Float64Array; faces: Int32Array; markers: Int32Array }, n: number, wholeUpTo: (s: number) => number): { whole: Map<number, Piece>; heights: Map<number, number>; wholeLevel: Map<number, number> } {
  const { vertices: xyz, faces, markers } = mesh;
  const { slot, lo, hi, heights } = buildingStats(xyz, faces, markers, n);
  const wholeLevel = new Map<number, number>();
  for (const [b, s] of slot) {
    const size = Math.max(hi[3 * s + 2] - lo[3 * s + 2], Math.hypot(hi[3 * s] - lo[3 * s], hi[3 * s + 1] - lo[3 * s + 1]));
    const k = wholeUpTo(size);
    if (k > 0) wholeLevel.set(b, k);
  }
  const byLevel = new Map<number, number[]>();
  if (wholeLevel.size) for (let f = 0; f < markers.length; f++) {
    const b = buildingOf(markers[f], n);
    const k = b < 0 ? 0 : wholeLevel.get(b) ?? 0;
    if (k === 0) continue;
    let list = byLevel.get(k);
    if (!list) byLevel.set(k, (list = []));
    list.push(f);
  }
  const piece = (fs: number[]): Piece => {
    const remap = new Int32Array(xyz.length / 3).fill(-1);
    let nv = 0;
    for (const f of fs) for (let c = 0; c < 3; c++) if (remap[faces[3 * f + c]] < 0) remap[faces[3 * f + c]] = nv++;
    const vs = new Float64Array(nv * 3);
    const out = new Int32Array(fs.length * 3), mk = new Int32Array(fs.length);
    const hs = new Map<number, number>();
    fs.forEach((f, k) => {
      mk[k] = markers[f];
      const b = buildingOf(markers[f], n);
      hs.set(b, heights.get(b)!);
      for (let c = 0; c < 3; c++) {
        const v = faces[3 * f + c], w = remap[v];
        out[3 * k + c] = w;
        for (let a = 0; a < 3; a++) vs[3 * w + a] = xyz[3 * v + a];
      }
    });
    return { vertices: vs, faces: out, markers: mk, heights: hs, box: boxOf(vs) };
  };
  const whole = new Map<number, Piece>();
  for (const k of [...byLevel.keys()].sort((a, b) => a - b)) whole.set(k, piece(byLevel.get(k)!));
  return { whole, heights, wholeLevel };
}

/** A whole building's piece in the pending file, carried by the ancestors up to level k. */
interface Carried { k: number; entry: PendingEntry }

interface PendingEntry { at: number; nv: number; nf: number; nh: number; box: Box }

/** Pieces kept in an append-only file while ancestors need them (each ancestor reads its own copy back). */
class PendingFile {
  private readonly fd: number;
  private end = 0;

  constructor(private readonly file: string) {
    try {
      this.fd = fs.openSync(file, "w+");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CityMeshError("output", `Cannot create ${file}: ${code ?? String(e)}`, { file, errno: code });
    }
  }

  put(p: Piece): PendingEntry {
    const h = new Float64Array(p.heights.size * 2);
    let k = 0;
    for (const [b, v] of p.heights) { h[k++] = b; h[k++] = v; }
    const entry = { at: this.end, nv: p.vertices.length / 3, nf: p.markers.length, nh: p.heights.size, box: p.box };
    for (const a of [p.vertices, h, p.faces, p.markers]) this.write(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return entry;
  }

  read({ at, nv, nf, nh, box }: PendingEntry): Piece {
    const vertices = new Float64Array(nv * 3), h = new Float64Array(nh * 2), faces = new Int32Array(nf * 3), markers = new Int32Array(nf);
    let pos = at;
    for (const a of [vertices, h, faces, markers]) { this.readAt(new Uint8Array(a.buffer), pos); pos += a.byteLength; }
    const heights = new Map<number, number>();
    for (let k = 0; k < h.length; k += 2) heights.set(h[k], h[k + 1]);
    return { vertices, faces, markers, heights, box: [...box] as Box };
  }

  private write(b: Uint8Array): void {
    let off = 0;
    try {
      while (off < b.length) off += fs.writeSync(this.fd, b, off, b.length - off, this.end + off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CityMeshError("output", `Cannot write ${this.file}: ${code === "ENOSPC" ? "the disk is full (ENOSPC)" : code ?? String(e)}`, { file: this.file, errno: code });
    }
    this.end += b.length;
  }

  private readAt(b: Uint8Array, at: number): void {
    let got = 0;
    while (got < b.length) {
      const n = fs.readSync(this.fd, b, got, b.length - got, at + got);
      if (n === 0) throw new CityMeshError("output", `${this.file} is shorter than written`, { file: this.file });
      got += n;
    }
  }

  close(): void {
    fs.closeSync(this.fd);
    fs.rmSync(this.file, { force: true });
  }
}
