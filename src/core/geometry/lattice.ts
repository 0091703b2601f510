// The global lattice and the integer frame of the geometry kernel.
//
// Every footprint coordinate is snapped to an integer grid whose pitch is the snap tolerance,
// counted from the lattice origin (x0, y0): a position is an integer pair (U, V) and its metres
// are x0 + U·unit, y0 + V·unit, computed by toMetresX/Y and nowhere else, so equal integers are
// bit-equal metres in every tile. Integers stay far inside 2^53 (a 2,000 km span at 0.1 mm is
// 2·10^10), so exact integer predicates hold.
//
// Lattice line i lies at round(i·num/den) units: num/den = h/unit exactly (num = the tile size in
// units, den = cells per tile), so tile edges (i a multiple of den) fall on exact integers and the
// lines between them are at most half a unit off the ideal spacing. Tile edges are lattice lines,
// every footprint edge gets a vertex where it crosses one, and ground refinement points sit on
// its nodes: every tile computes the same seam vertices bit for bit, and a building's mesh does
// not depend on which tile meshes it.

export interface Lattice {
  x0: number;
  y0: number;
  /** Nominal spacing (metres), ≤ maxMeshSize, dividing the tile size exactly. */
  h: number;
  /** The integer grid's pitch (the snap tolerance), metres. */
  unit: number;
  /** Spacing as an exact fraction of units: h = unit·num/den. */
  num: number;
  den: number;
}

export function makeLattice(x0: number, y0: number, tileSize: number, maxMeshSize: number, unit: number): Lattice {
  const num = Math.max(1, Math.round(tileSize / unit));
  const den = Math.max(1, Math.ceil(tileSize / maxMeshSize - 1e-9));
  return { x0, y0, h: (num * unit) / den, unit, num, den };
}

/** Units from the origin to lattice line i (exact integer arithmetic: i·num stays below 2^53). */
export function lineUnits(l: Lattice, i: number): number {
  return Math.floor((2 * i * l.num + l.den) / (2 * l.den));
}

/** The first lattice line at or after u units (inverse of lineUnits). */
export function lineAtOrAfter(l: Lattice, u: number): number {
  let i = Math.floor((u * l.den) / l.num) - 1;
  while (lineUnits(l, i) < u) i++;
  while (lineUnits(l, i - 1) >= u) i--;
  return i;
}

export const toMetresX = (l: Lattice, u: number): number => l.x0 + u * l.unit;
export const toMetresY = (l: Lattice, v: number): number => l.y0 + v * l.unit;
export const toUnitsX = (l: Lattice, x: number): number => Math.round((x - l.x0) / l.unit);
export const toUnitsY = (l: Lattice, y: number): number => Math.round((y - l.y0) / l.unit);

/** Every lattice coordinate is computed by these two functions, never otherwise, so equal means bit-equal. */
export const latticeX = (l: Lattice, i: number): number => toMetresX(l, lineUnits(l, i));
export const latticeY = (l: Lattice, j: number): number => toMetresY(l, lineUnits(l, j));
