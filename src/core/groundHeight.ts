// The ground of a build with a DEM: one or several GeoTIFFs (a mosaic; where they overlap the
// first listed wins), each in its own CRS. A point of the mesh (local coordinates + origin, in the
// mesh's CRS) is carried into each DEM's CRS (proj4, only when the CRSs differ) and sampled in the
// first DEM that covers it. Beyond every DEM the height is held at the nearest DEM's edge, and
// counted (`outside`), so the build can say how much ground it had to invent.
import proj4 from "proj4";
import { type Dem, openDem } from "./dem";
import { CityMeshError } from "./errors";
import { resolveCrs } from "./crs";

type Fwd = (x: number, y: number, out: Float64Array) => void;

export interface DemSource {
  dem: Dem;
  /** Index into GroundSurface.crss: the DEM's CRS. */
  crs: number;
}

export interface GroundSurface {
  sources: DemSource[];
  /** The distinct CRSs of the DEMs: how to carry a mesh point (absolute, mesh CRS) into each, and back. */
  crss: { name: string; fwd: Fwd | null; inv: Fwd | null }[];
  origin: [number, number];
  /** Height at a local point. */
  z(x: number, y: number): number;
  /** Index of the DEM a local point is sampled from, or -1 beyond all of them. */
  sourceAt(x: number, y: number): number;
  /** Local points z() held at an edge because no DEM covers them. */
  outside: number;
  /** The DEM the last z() sampled (-1: none covered the point), and whether a cell it weighed there was nodata. */
  lastSource: number;
  lastNearHole(): boolean;
}

/** What opening a ground said that the user should hear (a DEM without a CRS). */
export interface GroundNote { file: string; message: string }

function converter(from: string, to: string, file: string, name: string): Fwd {
  let conv: proj4.Converter;
  try {
    conv = proj4(from, to);
  } catch (e) {
    throw new CityMeshError("dem", `DEM ${file}: cannot transform between the mesh's CRS and the DEM's ${name}: ${(e as Error).message}`, { path: file });
  }
  const p: [number, number] = [0, 0];
  return (x, y, out) => {
    p[0] = x; p[1] = y;
    const q = conv.forward(p);
    out[0] = q[0]; out[1] = q[1];
  };
}

/**
 * Opens the DEMs of a build for a mesh in `mesh` (its CRS name and proj4) with local origin `origin`.
 * A DEM naming an EPSG code we bundle is reprojected on the fly; one naming none is taken to be in
 * the mesh's CRS (a note says so); one naming a code we do not bundle is a "dem" error.
 */
export async function openGround(files: readonly string[], mesh: { name: string; proj4: string }, origin: [number, number]): Promise<{ ground: GroundSurface; notes: GroundNote[] }> {
  const notes: GroundNote[] = [];
  const crss: GroundSurface["crss"] = [];
  const byDef = new Map<string, number>();
  const sources: DemSource[] = [];
  for (const file of files) {
    const dem = await openDem(file);
    let name = mesh.name, def = mesh.proj4;
    if (dem.epsg === undefined) {
      notes.push({ file, message: `DEM ${file} names no EPSG code in its GeoKeys; it is taken to be in the mesh's CRS (${mesh.name}).` });
    } else {
      try {
        const c = resolveCrs(`EPSG:${dem.epsg}`, `CRS of the DEM ${file}`);
        name = c.name; def = c.proj4;
      } catch (e) {
        throw new CityMeshError("dem", `DEM ${file}: ${(e as Error).message}`, { path: file, epsg: dem.epsg });
      }
    }
    let k = byDef.get(def);
    if (k === undefined) {
      const same = def === mesh.proj4;
      k = crss.length;
      crss.push({ name, fwd: same ? null : converter(mesh.proj4, def, file, name), inv: same ? null : converter(def, mesh.proj4, file, name) });
      byDef.set(def, k);
    }
    sources.push({ dem, crs: k });
  }
  return { ground: makeSurface(sources, crss, origin), notes };
}

export function makeSurface(sources: DemSource[], crss: GroundSurface["crss"], origin: [number, number]): GroundSurface {
  const [ox, oy] = origin;
  // Per CRS, the point carried into it (computed at most once per query).
  const at = crss.map(() => new Float64Array(2));
  const done = new Uint8Array(crss.length);
  const carry = (wx: number, wy: number, k: number): Float64Array => {
    const p = at[k];
    if (!done[k]) {
      const f = crss[k].fwd;
      if (f) f(wx, wy, p); else { p[0] = wx; p[1] = wy; }
      done[k] = 1;
    }
    return p;
  };
  const locate = (x: number, y: number): number => {
    done.fill(0);
    const wx = x + ox, wy = y + oy;
    for (let s = 0; s < sources.length; s++) {
      const p = carry(wx, wy, sources[s].crs);
      if (sources[s].dem.covers(p[0], p[1])) return s;
    }
    return -1;
  };
  const surface: GroundSurface = {
    sources, crss, origin, outside: 0, lastSource: -1,
    sourceAt: locate,
    lastNearHole() {
      const s = surface.lastSource;
      if (s < 0) return false;
      const p = at[sources[s].crs];
      return sources[s].dem.nearHole(p[0], p[1]);
    },
    z(x, y) {
      const s = locate(x, y);
      surface.lastSource = s;
      if (s >= 0) { const p = at[sources[s].crs]; return sources[s].dem.sample(p[0], p[1]); }
      surface.outside++;
      // Beyond every DEM: hold the nearest one's edge (nearest in its own units), inside its outermost cell centres.
      let best = 0, bestD = Infinity;
      for (let k = 0; k < sources.length; k++) {
        const p = at[sources[k].crs], [x0, y0, x1, y1] = sources[k].dem.bounds;
        const d = Math.hypot(Math.max(x0 - p[0], 0, p[0] - x1), Math.max(y0 - p[1], 0, p[1] - y1));
        if (d < bestD) { bestD = d; best = k; }
      }
      const d = sources[best].dem, p = at[sources[best].crs], [x0, y0, x1, y1] = d.bounds;
      const hx = d.resolution[0] / 2, hy = d.resolution[1] / 2;
      return d.sample(Math.min(x1 - hx, Math.max(x0 + hx, p[0])), Math.min(y1 - hy, Math.max(y0 + hy, p[1])));
    },
  };
  return surface;
}

/** The ground height function of a surface (for the mesher). */
export const groundZ = (g: GroundSurface) => (x: number, y: number): number => g.z(x, y);
