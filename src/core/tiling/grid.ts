// The tile grid: tiles are whole numbers of lattice cells, so their edges are lattice lines.
import os from "os";
import type { TileSpec } from "../types";
import { type Lattice, lineAtOrAfter, makeLattice, latticeX, latticeY } from "../geometry/lattice";

export interface TileGrid {
  lattice: Lattice;
  /** Lattice cells per tile along x and y. */
  cellsX: number;
  cellsY: number;
  nx: number;
  ny: number;
  /** The requested (or derived) tile size, metres. */
  tileSize: number;
}

export interface GridOptions {
  tileSize: number;
  maxMeshSize: number;
  margin: number;
  /** The integer grid's pitch, metres (the snap tolerance). */
  snapTolerance: number;
}

/**
 * Grid over the data bounds plus margin. The domain always extends past the data, so no
 * footprint touches the outer edge. Data that fits in one tile gets a single tile just large
 * enough to hold it (tiling skipped), on the same lattice.
 */
export function makeGrid(bounds: [number, number, number, number], o: GridOptions): TileGrid {
  if (!(o.tileSize > 0) || !(o.maxMeshSize > 0)) throw new Error("tileSize and maxMeshSize must be positive");
  if (!(o.snapTolerance > 0) || !(o.snapTolerance <= o.maxMeshSize / 4)) throw new Error("snapTolerance must be positive and far below maxMeshSize");
  const shape = makeLattice(0, 0, o.tileSize, o.maxMeshSize, o.snapTolerance);
  const h = shape.h;
  const [xmin, ymin, xmax, ymax] = bounds;
  // The origin on the tolerance grid, so a coordinate already on it stays a whole number of units.
  const onGrid = (v: number) => Math.floor(v / o.snapTolerance) * o.snapTolerance;
  const lattice: Lattice = { ...shape, x0: onGrid(Math.floor((xmin - o.margin) / h) * h), y0: onGrid(Math.floor((ymin - o.margin) / h) * h) };
  const cellsPerTile = shape.den;
  // Cells needed to pass the data's far edge (strictly).
  const needX = lineAtOrAfter(lattice, Math.ceil((xmax + o.margin - lattice.x0) / o.snapTolerance) + 1);
  const needY = lineAtOrAfter(lattice, Math.ceil((ymax + o.margin - lattice.y0) / o.snapTolerance) + 1);
  if (needX <= cellsPerTile && needY <= cellsPerTile) return { lattice, cellsX: needX, cellsY: needY, nx: 1, ny: 1, tileSize: o.tileSize };
  return { lattice, cellsX: cellsPerTile, cellsY: cellsPerTile, nx: Math.ceil(needX / cellsPerTile), ny: Math.ceil(needY / cellsPerTile), tileSize: o.tileSize };
}

export function tileCount(g: TileGrid): number { return g.nx * g.ny; }

/** Tile ids run row by row from the south-west corner. */
export function tileSpec(g: TileGrid, id: number): TileSpec {
  const col = id % g.nx, row = Math.floor(id / g.nx);
  const l = g.lattice;
  return {
    id, col, row,
    bounds: [latticeX(l, col * g.cellsX), latticeY(l, row * g.cellsY), latticeX(l, (col + 1) * g.cellsX), latticeY(l, (row + 1) * g.cellsY)],
  };
}

/** The domain: the grid's full rectangle. */
export function gridDomain(g: TileGrid): [number, number, number, number] {
  const l = g.lattice;
  return [l.x0, l.y0, latticeX(l, g.nx * g.cellsX), latticeY(l, g.ny * g.cellsY)];
}

/** Tile holding the point (a point on a tile edge belongs to the tile east/north of it). */
export function tileOfPoint(g: TileGrid, x: number, y: number): number {
  const l = g.lattice;
  const col = Math.min(g.nx - 1, Math.max(0, Math.floor((x - l.x0) / (g.cellsX * l.h))));
  const row = Math.min(g.ny - 1, Math.max(0, Math.floor((y - l.y0) / (g.cellsY * l.h))));
  return row * g.nx + col;
}

/**
 * A tile size from free memory, in the spirit of dtcc-core's calculate_optimal_tile_size:
 * estimate the bytes one square metre of city costs while a tile is meshed (from the building
 * density and the ground element size), give each worker an equal share of a quarter of free
 * memory, and take the largest round size that fits (100 m steps, 100–5000 m).
 */
export function autoTileSize(o: { buildings: number; area: number; maxMeshSize: number; workers: number; freeBytes?: number }): number {
  const free = o.freeBytes ?? os.freemem();
  const density = o.area > 0 ? o.buildings / o.area : 0;
  // ~80 triangles per building and ~2.3 ground triangles per h² (equilateral lattice at 0.9 h),
  // ~200 bytes per triangle in flight (vertices, faces, markers, triangulation scratch).
  const bytesPerM2 = 200 * (80 * density + 2.3 / (o.maxMeshSize * o.maxMeshSize));
  const budget = free / 4 / Math.max(1, o.workers);
  const side = Math.sqrt(budget / bytesPerM2);
  return Math.min(5000, Math.max(100, Math.floor(side / 100) * 100));
}
