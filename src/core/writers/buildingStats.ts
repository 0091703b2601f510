// Per-building facts of a tile mesh that feature tables carry (the 3D Tiles contents and the
// GLB's EXT_structural_metadata): each building's bounds and its height, from the dtcc markers.

/** Building of a face by its marker (−1 for the ground). */
export const buildingOf = (marker: number, n: number): number => (marker < 0 ? -1 : marker < n ? marker : marker - n);

export interface BuildingStats {
  /** Slot of each building present, in order of first face. */
  slot: Map<number, number>;
  /** Bounds per slot: lo/hi x, y, z at 3·slot. */
  lo: Float64Array;
  hi: Float64Array;
  /** Height per building: roof top to the building's lowest wall (a building without walls of
   * its own, enclosed by taller ones: to the tile's lowest ground). */
  heights: Map<number, number>;
}

/** Bounds and heights of the buildings of one tile mesh (N = buildings of the marker convention). */
export function buildingStats(xyz: Float64Array, faces: Int32Array, markers: Int32Array, n: number): BuildingStats {
  const slot = new Map<number, number>();
  const lo: number[] = [], hi: number[] = [], roofTop: number[] = [], wallLow: number[] = [];
  let groundLow = Infinity;
  for (let f = 0; f < markers.length; f++) {
    const m = markers[f], b = buildingOf(m, n);
    if (b < 0) {
      for (let k = 0; k < 3; k++) groundLow = Math.min(groundLow, xyz[3 * faces[3 * f + k] + 2]);
      continue;
    }
    let s = slot.get(b);
    if (s === undefined) {
      s = roofTop.length;
      slot.set(b, s);
      lo.push(Infinity, Infinity, Infinity); hi.push(-Infinity, -Infinity, -Infinity);
      roofTop.push(-Infinity); wallLow.push(Infinity);
    }
    for (let k = 0; k < 3; k++) {
      const v = faces[3 * f + k];
      for (let a = 0; a < 3; a++) {
        const c = xyz[3 * v + a];
        if (c < lo[3 * s + a]) lo[3 * s + a] = c;
        if (c > hi[3 * s + a]) hi[3 * s + a] = c;
      }
      const z = xyz[3 * v + 2];
      if (m >= n) roofTop[s] = Math.max(roofTop[s], z);
      else wallLow[s] = Math.min(wallLow[s], z);
    }
  }
  const heights = new Map<number, number>();
  for (const [b, s] of slot) {
    const top = roofTop[s] > -Infinity ? roofTop[s] : hi[3 * s + 2];
    const base = wallLow[s] < Infinity ? wallLow[s] : Number.isFinite(groundLow) ? groundLow : lo[3 * s + 2];
    heights.set(b, Math.max(0, top - base));
  }
  return { slot, lo: Float64Array.from(lo), hi: Float64Array.from(hi), heights };
}
