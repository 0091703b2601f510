// Terrain and building heights from LAS/LAZ point clouds, in the planner before any tile is
// meshed: every cloud is streamed once, chunk by chunk (las.ts), each point carried into the
// mesh's CRS and local frame. Ground points (class 2) go into one TerrainGrid for the city,
// written as a GeoTIFF the tiles follow like a DEM (seams exact: both sides sample one surface);
// points on a footprint go to RoofPoints' spill files. Memory follows the city's area and its
// building count, never the number of points.
import path from "path";
import type { CrsInfo, Diagnostic, Footprints } from "../types";
import { CityMeshError } from "../errors";
import { makeTransform, parseCrsName, resolveCrs, type ResolvedCrs } from "../crs";
import { openPointCloud, type PointCloudReader } from "./las";
import { CLASS_GROUND, RoofPoints, type RoofHeights } from "./roofPoints";
import { MAX_TERRAIN_CELLS, TerrainGrid } from "./terrainGrid";
import { writeGeoTiff } from "./geotiffWrite";
import type { Terrain } from "./groundUnder";

export interface LiftOptions {
  files: string[];
  roofPercentile: number;
  /** Cell size of the ground grid, metres (coarsened when the area would need more than MAX_TERRAIN_CELLS). */
  terrainCellSize: number;
  /** Build the ground grid (false when a DEM gives the terrain). */
  terrain: boolean;
  /** The terrain GeoTIFF to write, and the path stem of the spill files (`${spillStem}-<k>.bin`); both unique to the build. */
  terrainFile: string;
  spillStem: string;
  /** Throws when the build was cancelled; called per chunk. */
  checkCancel?: () => void;
  log?: (line: string) => void;
}

export interface Lifted {
  /** The terrain as a DEM file in the mesh's CRS, and the grid itself (for building bases); absent when `terrain` was false. */
  terrainFile?: string;
  terrain?: Terrain;
  /** Per building of `footprints`. */
  roofs: RoofHeights;
  notes: Diagnostic[];
  points: number;
  groundPoints: number;
  /** Points read per file. */
  perFile: number[];
}

/**
 * Reads the clouds against footprints `f` (local coordinates in `crs`; `bounds` their box, as the reader
 * found it), covering `domain` [x0, y0, x1, y1] (local) with terrain.
 */
export async function liftFromPointClouds(f: Footprints, bounds: readonly [number, number, number, number], crs: CrsInfo, domain: [number, number, number, number], o: LiftOptions): Promise<Lifted> {
  const notes: Diagnostic[] = [];
  const note = (file: string, severity: Diagnostic["severity"], code: string, message: string) => notes.push({ file, featureIndex: -1, severity, code, message });
  const mesh: ResolvedCrs = { name: crs.name, proj4: crs.proj4, geographic: false };
  const readers: PointCloudReader[] = [];
  let roofs: RoofPoints | undefined;
  try {
    for (const file of o.files) readers.push(await openPointCloud(file));
    const expected = readers.reduce((n, r) => n + r.header.pointCount, 0);
    roofs = new RoofPoints(f, expected, o.spillStem);
    let cell = o.terrainCellSize;
    const [x0, y0, x1, y1] = domain;
    // One cell beyond the domain on every side, so the ground's outermost vertices interpolate between measured cells.
    const area = (x1 - x0 + 2 * cell) * (y1 - y0 + 2 * cell);
    if (o.terrain && area / (cell * cell) > MAX_TERRAIN_CELLS) {
      const coarser = Math.ceil(Math.sqrt(area / MAX_TERRAIN_CELLS) * 10) / 10;
      note(o.files[0], "warning", "pointcloud-terrain-coarsened", `the ground grid of ${o.terrainCellSize} m cells over ${(area / 1e6).toFixed(1)} km² would need ${Math.round(area / (cell * cell)).toLocaleString("en")} cells (at most ${MAX_TERRAIN_CELLS.toLocaleString("en")}); it uses ${coarser} m cells`);
      cell = coarser;
    }
    const grid = o.terrain ? TerrainGrid.covering(x0 - cell, y0 - cell, x1 + cell, y1 + cell, crs.origin, cell) : undefined;
    const [ox, oy] = crs.origin, b = bounds;
    let points = 0;
    const perFile: number[] = [];
    for (const r of readers) {
      const h = r.header, file = h.path;
      const from = cloudCrs(r, mesh, note);
      const carry = makeTransform(from, mesh);
      // Where the cloud lies, from its header box: none of it near the footprints means a wrong CRS (or the wrong file).
      const box = carriedBox(h.min[0], h.min[1], h.max[0], h.max[1], carry, ox, oy);
      if (!(box[2] >= b[0] && box[0] <= b[2] && box[3] >= b[1] && box[1] <= b[3])) {
        const fmt = (v: number[]) => `x ${v[0].toFixed(0)} … ${v[2].toFixed(0)}, y ${v[1].toFixed(0)} … ${v[3].toFixed(0)}`;
        throw new CityMeshError("pointcloud", `Point cloud ${file}: none of its points lie on the footprints. Taken to be in ${from.name}, they cover ${fmt([box[0] + ox, box[1] + oy, box[2] + ox, box[3] + oy])} in the mesh's ${mesh.name}; the footprints cover ${fmt([b[0] + ox, b[1] + oy, b[2] + ox, b[3] + oy])}. Check the cloud's CRS (its header's ${h.epsg !== undefined ? `EPSG:${h.epsg}` : h.wkt ? "WKT" : "missing CRS"}) and that it covers the footprints' area.`, { path: file });
      }
      let read = 0;
      const xy = new Float64Array(2 * 65536);
      for await (const c of r.chunks(65536)) {
        o.checkCancel?.();
        const n = c.count;
        if (carry) {
          for (let k = 0; k < n; k++) { xy[2 * k] = c.x[k]; xy[2 * k + 1] = c.y[k]; }
          carry(xy.subarray(0, 2 * n));
          for (let k = 0; k < n; k++) { c.x[k] = xy[2 * k] - ox; c.y[k] = xy[2 * k + 1] - oy; }
        } else for (let k = 0; k < n; k++) { c.x[k] -= ox; c.y[k] -= oy; }
        if (grid) for (let k = 0; k < n; k++) if (c.classification[k] === CLASS_GROUND) grid.add(c.x[k], c.y[k], c.z[k]);
        roofs.add(c.x, c.y, c.z, c.classification, n);
        read += n;
      }
      if (r.damage) note(file, "warning", "pointcloud-damaged", `${r.damage.reason}: ${r.damage.pointsRead.toLocaleString("en")} of ${r.damage.expected.toLocaleString("en")} points were read and used; the rest of the file is not`);
      perFile.push(read);
      points += read;
      o.log?.(`point cloud ${path.basename(file)}: ${read.toLocaleString("en")} points (${from.name}${carry ? `, carried into ${mesh.name}` : ""})`);
    }
    const heights = roofs.finish(o.roofPercentile);
    const out: Lifted = { roofs: heights, notes, points, groundPoints: grid?.points ?? 0, perFile };
    if (grid) {
      const done = grid.finish();
      if (!done) {
        throw new CityMeshError("pointcloud", `Point cloud ${o.files.join(", ")}: no ground points (ASPRS class 2) lie in the build's area, so it gives no terrain and no building bases. Classify the cloud's ground first (e.g. PDAL's filters.smrf or LAStools' lasground), or give the terrain as a DEM (--dem) and use the cloud for heights only.`, { path: o.files[0] });
      }
      const file = o.terrainFile;
      const epsg = parseCrsName(mesh.name);
      writeGeoTiff(file, { width: grid.width, height: grid.height, west: grid.west + ox, north: grid.north + oy, cellSize: grid.cellSize, ...(epsg !== undefined ? { epsg } : {}) }, (j, row) => row.set(done.values.subarray(j * grid.width, (j + 1) * grid.width)));
      out.terrainFile = file;
      out.terrain = { values: done.values, measured: done.measured, west: grid.west, north: grid.north, cellSize: grid.cellSize, width: grid.width, height: grid.height };
      o.log?.(`terrain from ${grid.points.toLocaleString("en")} ground points: ${grid.width}×${grid.height} cells of ${grid.cellSize} m, ${done.empty.toLocaleString("en")} without ground points filled from their neighbours`);
    }
    return out;
  } catch (e) {
    roofs?.discard();
    throw e;
  } finally {
    for (const r of readers) await r.close();
  }
}

/** The cloud's CRS: its header's EPSG code or WKT, else (with a note) the mesh's. */
function cloudCrs(r: PointCloudReader, mesh: ResolvedCrs, note: (file: string, s: Diagnostic["severity"], code: string, m: string) => void): ResolvedCrs {
  const h = r.header;
  try {
    if (h.epsg !== undefined) return resolveCrs(`EPSG:${h.epsg}`, `CRS of the point cloud ${h.path}`);
    if (h.wkt) return resolveCrs(h.wkt, `CRS of the point cloud ${h.path}`);
  } catch (e) {
    throw new CityMeshError("pointcloud", `Point cloud ${h.path}: ${(e as Error).message}`, { path: h.path });
  }
  note(h.path, "info", "pointcloud-crs-assumed", `point cloud ${h.path} names no CRS (no GeoKeyDirectory or WKT record); it is taken to be in the mesh's CRS (${mesh.name})`);
  return mesh;
}

/** The local box covering a header's box carried into the mesh's CRS (its corners and edge midpoints). */
function carriedBox(x0: number, y0: number, x1: number, y1: number, carry: ((xy: Float64Array) => void) | null, ox: number, oy: number): [number, number, number, number] {
  const xs = [x0, (x0 + x1) / 2, x1], ys = [y0, (y0 + y1) / 2, y1];
  const xy = new Float64Array(18);
  let k = 0;
  for (const x of xs) for (const y of ys) { xy[k++] = x; xy[k++] = y; }
  carry?.(xy);
  const out: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < 18; i += 2) {
    const x = xy[i] - ox, y = xy[i + 1] - oy;
    if (x < out[0]) out[0] = x; if (y < out[1]) out[1] = y; if (x > out[2]) out[2] = x; if (y > out[3]) out[3] = y;
  }
  return out;
}
