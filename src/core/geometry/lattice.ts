// The global lattice: lines x = x0 + i·h and y = y0 + j·h. Tile edges lie on lattice lines,
// every footprint edge is split where it crosses one, and ground refinement points sit on
// its nodes. Because it is global, every tile computes the same seam vertices bit for bit,
// and a building's mesh does not depend on the tile size or on which tile meshes it.

export interface Lattice {
  x0: number;
  y0: number;
  /** Spacing (metres), ≤ maxMeshSize, dividing the tile size exactly. */
  h: number;
}

/** Every lattice coordinate is computed by these two functions, never otherwise, so equal means bit-equal. */
export const latticeX = (l: Lattice, i: number): number => l.x0 + i * l.h;
export const latticeY = (l: Lattice, j: number): number => l.y0 + j * l.h;

/** Spacing that divides tileSize into whole cells and is no larger than maxMeshSize. */
export function latticeSpacing(tileSize: number, maxMeshSize: number): number {
  const cells = Math.max(1, Math.ceil(tileSize / maxMeshSize - 1e-9));
  return tileSize / cells;
}

/** The lattice line index nearest to v on an axis starting at o. */
export const nearestLine = (v: number, o: number, h: number): number => Math.round((v - o) / h);

/** Snaps a coordinate to the tolerance grid, then onto the nearest lattice line when within tolerance. */
export function snapCoord(v: number, origin: number, h: number, tol: number, line: (i: number) => number): number {
  let s = Math.round(v / tol) * tol;
  const L = line(nearestLine(s, origin, h));
  if (Math.abs(s - L) < tol) s = L;
  return s;
}
