// Synthetic cities for the viewer's tests and benchmark: a grid of box buildings on a gridded
// ground, as one TileMesh (Z up, float64, markers in dtcc-core's convention) like a tile the
// pipeline meshes. Its files come from the pipeline's own writers, so the viewer is tested on the
// bytes a build writes: the GLB from the merge's path (spoolTiles, then the GLB writer), the CMPV
// live-preview tile from the worker's previewBytes.
// Options and roofCentre speak the viewer's Y-up frame (x east, y up, z south; glTF = (x, z, -y)
// of the mesh); the ground is at height 0.
import fs from "fs";
import os from "os";
import path from "path";
import { spoolTiles } from "../../src/core/merge/spoolTiles";
import { memoryTileSource } from "../../src/core/merge/tileSource";
import { previewBytes } from "../../src/core/writers/preview";
import type { CrsInfo, TileMesh } from "../../src/core/types";
import { writeGlb } from "../../src/core/writers/glb";
import { putBox } from "./tiledCity";

export interface ViewerCityOptions {
  /** Buildings per row and per column. */
  cols: number;
  rows: number;
  /** Grid pitch and building footprint, metres. */
  pitch?: number;
  size?: number;
  /** Ground cells per side (2 triangles each). */
  groundCells?: number;
  /** Height of building b, metres. */
  height?: (b: number) => number;
  /** Shift of the whole city (x east, z south), metres: tiles of one city side by side. */
  offset?: [number, number];
  /**
   * This city as one tile of a bigger one, as the worker writes a tile: its building b is building
   * first + b of `of`, so walls are marked first + b and roofs of + first + b.
   */
  tileOf?: { first: number; of: number };
}

export interface ViewerCity {
  mesh: TileMesh;
  /** N of the markers: this city's buildings, or the bigger city's (tileOf). */
  buildings: number;
  /** JSON-lines side file, one line per building. */
  buildingsJsonl: string;
  triangles: number;
  vertices: number;
  /** Roof centre of building b (Y-up mesh coordinates). */
  roofCentre(b: number): [number, number, number];
}

/** The frame the GLBs record (asset.extras.citymesh.crs). */
export const VIEWER_CITY_CRS: CrsInfo = { name: "EPSG:32633", proj4: "+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs", origin: [500000, 6000000], sourceCrs: "EPSG:4326" };

export function viewerCity(o: ViewerCityOptions): ViewerCity {
  const pitch = o.pitch ?? 30, size = o.size ?? 18, cells = o.groundCells ?? Math.max(1, Math.min(o.cols, 256));
  const height = o.height ?? ((b: number) => 6 + ((b * 7919) % 11) * 3);
  const n = o.cols * o.rows;
  const first = o.tileOf?.first ?? 0, N = o.tileOf?.of ?? n;
  const [ox, oz] = o.offset ?? [0, 0];
  const w = o.cols * pitch, d = o.rows * pitch;
  const gv = (cells + 1) * (cells + 1), gf = 2 * cells * cells;
  const nv = gv + 8 * n, nf = gf + 10 * n;
  const mesh: TileMesh = { vertices: new Float64Array(3 * nv), faces: new Int32Array(3 * nf), markers: new Int32Array(nf), seam: new Uint8Array(nv) };
  // Ground: x in [ox - w/2 - pitch/2, ox + w/2 + pitch/2], z likewise around oz; mesh y = -z.
  let v = 0;
  for (let j = 0; j <= cells; j++) for (let i = 0; i <= cells; i++, v++) {
    mesh.vertices[3 * v] = ox - w / 2 - pitch / 2 + ((w + pitch) * i) / cells;
    mesh.vertices[3 * v + 1] = -(oz - d / 2 - pitch / 2 + ((d + pitch) * j) / cells);
  }
  let f = 0;
  const tri = (a: number, b: number, c: number) => { mesh.faces.set([a, b, c], 3 * f); mesh.markers[f++] = -2; };
  for (let j = 0; j < cells; j++) for (let i = 0; i < cells; i++) {
    const a = j * (cells + 1) + i, b = a + 1, c = a + cells + 1, e = c + 1;
    tri(a, c, b); tri(b, c, e); // counter-clockwise seen from above (+z; row j + 1 lies at smaller y)
  }
  const centre = (b: number): [number, number] => {
    const col = b % o.cols, row = Math.floor(b / o.cols);
    return [ox - w / 2 + pitch / 2 + col * pitch, oz - d / 2 + pitch / 2 + row * pitch];
  };
  for (let b = 0, s = size / 2; b < n; b++) {
    const [cx, cz] = centre(b);
    f = putBox(mesh, gv + 8 * b, f, [cx - s, -cz - s, cx + s, -cz + s], 0, height(b), first + b, N + first + b);
  }
  const lines: string[] = [];
  if (n <= 100000) for (let b = 0; b < n; b++) lines.push(JSON.stringify({ b: first + b, f: first + b, id: `bldg-${first + b}`, properties: { name: `Block ${first + b}`, height: height(b) } }));
  return {
    mesh, buildings: N, buildingsJsonl: lines.join("\n") + "\n", triangles: nf, vertices: nv,
    roofCentre: (b) => { const [x, z] = centre(b); return [x, height(b), z]; },
  };
}

/**
 * Writes the city as a citymesh GLB the way the merge does (spoolTiles into a temp folder, then the
 * GLB writer). `tiles`: the tile count the file states; none by default, as a mesh that did not
 * come from a tiled build.
 */
export async function writeGlbOf(city: ViewerCity, file: string, tiles?: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-viewer-city-"));
  try {
    const { spool } = await spoolTiles(memoryTileSource([city.mesh]), dir, { buildings: city.buildings });
    writeGlb(spool, file, { crs: VIEWER_CITY_CRS, ...(tiles !== undefined ? { tiles } : {}) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The city's GLB bytes (writeGlbOf through a temp file). */
export async function glbOf(city: ViewerCity, tiles?: number): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-viewer-glb-"));
  try {
    const file = path.join(dir, "city.glb");
    await writeGlbOf(city, file, tiles);
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The city as a CMPV live-preview tile, written by the worker's previewBytes. */
export function cmpvOf(city: ViewerCity): Buffer {
  const u8 = previewBytes(city.mesh, city.buildings);
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}
