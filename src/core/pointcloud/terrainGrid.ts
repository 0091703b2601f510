// The ground a point cloud gives: ASPRS class 2 points averaged per cell of a regular grid,
// the cells with no ground point (under buildings, water, gaps) filled from their neighbours
// (demFill.ts, as a DEM's nodata), written as a GeoTIFF the tiles sample like any DEM. One
// grid for the whole city, so both sides of a seam sample the same surface and seams stay
// exact; its size follows the city's area, never the number of points (6 bytes a cell while
// points stream in, then a float32 per cell).
import { fillNodata } from "../demFill";

/** Cells at most (16 M: 4 km × 4 km at 1 m); a larger area gets coarser cells, and the build says so. */
export const MAX_TERRAIN_CELLS = 16_000_000;
/** More ground points than this in one cell add nothing to its mean worth the count's width. */
const COUNT_CAP = 0xffff;

export class TerrainGrid {
  readonly sum: Float32Array;
  readonly count: Uint16Array;
  /** Points added (ground points inside the grid). */
  points = 0;
  /** Sums are kept relative to the first point's height, so a float32 sum stays exact to well under a millimetre at any elevation (Zurich's ground lies at 400 m). */
  private zRef = NaN;

  /**
   * Cells of `cellSize` over [west, east) × [south, north) in the mesh's local coordinates; row 0
   * is the northernmost, as in a GeoTIFF.
   */
  constructor(readonly west: number, readonly north: number, readonly cellSize: number, readonly width: number, readonly height: number) {
    this.sum = new Float32Array(width * height);
    this.count = new Uint16Array(width * height);
  }

  /** A grid covering [x0, x1] × [y0, y1] (local), its cell corners on multiples of cellSize in the mesh's absolute coordinates (origin added), so the lattice does not depend on the tiling. */
  static covering(x0: number, y0: number, x1: number, y1: number, origin: [number, number], cellSize: number): TerrainGrid {
    const [ox, oy] = origin;
    const w = Math.floor((x0 + ox) / cellSize) * cellSize - ox, e = Math.ceil((x1 + ox) / cellSize) * cellSize - ox;
    const s = Math.floor((y0 + oy) / cellSize) * cellSize - oy, n = Math.ceil((y1 + oy) / cellSize) * cellSize - oy;
    return new TerrainGrid(w, n, cellSize, Math.max(1, Math.round((e - w) / cellSize)), Math.max(1, Math.round((n - s) / cellSize)));
  }

  /** Cell index of a local point, or -1 outside the grid. */
  cellOf(x: number, y: number): number {
    const i = Math.floor((x - this.west) / this.cellSize), j = Math.floor((this.north - y) / this.cellSize);
    return i < 0 || j < 0 || i >= this.width || j >= this.height ? -1 : j * this.width + i;
  }

  add(x: number, y: number, z: number): void {
    const c = this.cellOf(x, y);
    if (c < 0 || this.count[c] === COUNT_CAP) return;
    if (this.points === 0) this.zRef = z;
    this.sum[c] += z - this.zRef;
    this.count[c]++;
    this.points++;
  }

  /**
   * The mean per cell with the empty cells filled, in `sum`'s storage (the grid takes no more
   * points after). `measured[c]` is 1 where cell c held ground points. Null when no cell did.
   */
  finish(): { values: Float32Array; measured: Uint8Array; empty: number } | null {
    const n = this.width * this.height, v = this.sum, measured = new Uint8Array(n);
    let empty = 0;
    for (let c = 0; c < n; c++) {
      if (this.count[c] > 0) { v[c] = this.zRef + v[c] / this.count[c]; measured[c] = 1; } else { v[c] = NaN; empty++; }
    }
    if (empty === n) return null;
    fillNodata(v, this.width, this.height, Number.isNaN);
    return { values: v, measured, empty };
  }
}
