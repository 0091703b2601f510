// The viewer's in-memory mesh: flat typed arrays straight from the file, no per-vertex objects.

/** Surface class of a face, from the glTF primitive or the dtcc-core face marker. */
export const enum SurfaceClass { Ground = 0, Wall = 1, Roof = 2, Other = 3 }

export interface MeshGroup { start: number; count: number; cls: SurfaceClass }

export interface MeshData {
  /** x,y,z per vertex, Y-up local metres. */
  positions: Float32Array;
  /** Three vertex indices per triangle; groups index into it. */
  index: Uint32Array;
  /** Contiguous index ranges, one per surface class (start/count in indices). */
  groups: MeshGroup[];
  /** Per face, in index order: -2/-1 ground, i wall of building i, N+i roof of building i. */
  markers?: Int32Array;
  /** N of the marker convention. */
  buildings: number;
  /** [minx,miny,minz,maxx,maxy,maxz] when the file states it. */
  bounds?: number[];
  /** asset.extras.citymesh of a citymesh GLB. */
  extras?: Record<string, unknown>;
  /** Tiles the mesh was merged from, when its file says (citymesh GLB and PLY). */
  tiles?: number;
}

/** Class of a face marker under the dtcc-core convention with n buildings. */
export function markerClass(marker: number, n: number): SurfaceClass {
  if (marker < 0) return SurfaceClass.Ground;
  return marker < n ? SurfaceClass.Wall : SurfaceClass.Roof;
}

/** Meshes named ground/walls/roofs (our OBJ's `g` groups, our tile contents' materials, other tools' objects) keep their class. */
export function classOfName(name: string): SurfaceClass {
  const n = name.toLowerCase();
  if (/ground|terrain/.test(n)) return SurfaceClass.Ground;
  if (/wall/.test(n)) return SurfaceClass.Wall;
  if (/roof/.test(n)) return SurfaceClass.Roof;
  return SurfaceClass.Other;
}

/** Building index of a face marker, or -1 for ground. */
export function markerBuilding(marker: number, n: number): number {
  if (marker < 0) return -1;
  return marker < n ? marker : marker - n;
}

/**
 * Reorders faces so each surface class is one contiguous range (one draw call per material).
 * Counting sort over the markers; the markers are permuted alongside so picking still works.
 */
export function groupFacesByClass(positions: Float32Array, index: Uint32Array, markers: Int32Array, n: number): MeshData {
  const faces = markers.length;
  const counts = [0, 0, 0];
  for (let f = 0; f < faces; f++) counts[markerClass(markers[f], n)]++;
  const next = [0, counts[0], counts[0] + counts[1]];
  const outIndex = new Uint32Array(index.length);
  const outMarkers = new Int32Array(faces);
  for (let f = 0; f < faces; f++) {
    const m = markers[f];
    const o = next[markerClass(m, n)]++;
    outMarkers[o] = m;
    outIndex[3 * o] = index[3 * f];
    outIndex[3 * o + 1] = index[3 * f + 1];
    outIndex[3 * o + 2] = index[3 * f + 2];
  }
  const groups: MeshGroup[] = [];
  let start = 0;
  for (const cls of [SurfaceClass.Ground, SurfaceClass.Wall, SurfaceClass.Roof]) {
    if (counts[cls] > 0) groups.push({ start: 3 * start, count: 3 * counts[cls], cls });
    start += counts[cls];
  }
  return { positions, index: outIndex, groups, markers: outMarkers, buildings: n };
}
