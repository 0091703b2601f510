// Digital elevation model from a GeoTIFF: bilinear ground height at (x, y) in the DEM's CRS.
// The first band is read into memory once (DEMs for a city are tens of MB at most) and its
// nodata holes are filled from their neighbours (demFill.ts); samples are then pure arithmetic,
// cheap enough to call per mesh vertex.
import fs from "fs";
import { fromArrayBuffer } from "geotiff";
import { CityMeshError } from "./errors";
import { fillNodata } from "./demFill";

export interface Dem {
  path: string;
  width: number;
  height: number;
  /** [xmin, ymin, xmax, ymax] of the raster's extent, DEM CRS units. */
  bounds: [number, number, number, number];
  /** Pixel size [x, y], both positive. */
  resolution: [number, number];
  /** GDAL nodata value, or null when the file has none. NaN cells are always nodata. */
  nodata: number | null;
  /** EPSG code from the GeoKeys (ProjectedCSTypeGeoKey or GeographicTypeGeoKey), when present and not user-defined (32767). */
  epsg?: number;
  /** Cell values, row-major from the first row of the file, holes filled. */
  values: Float32Array | Float64Array;
  /** 1 where the file had nodata (filled since); null when it had none. */
  hole: Uint8Array | null;
  /** How many cells were nodata. */
  holes: number;
  /** Centre of cell (0, 0) and the signed step to the next column / row, DEM CRS units: centre of (i, j) = (cx + i·dx, cy + j·dy). */
  grid: { cx: number; cy: number; dx: number; dy: number };
  /** Bilinear height at (x, y), NaN outside the raster. Between the outermost cell centres and the edge the edge value is held. */
  sample(x: number, y: number): number;
  /** True when (x, y) lies inside the raster's extent. */
  covers(x: number, y: number): boolean;
  /** True when a cell the bilinear surface weighs at (x, y) (of the four around it) was nodata. */
  nearHole(x: number, y: number): boolean;
}

const demError = (file: string, why: string) => new CityMeshError("dem", `DEM ${file}: ${why}`, { path: file });

/** GeoKeys' "user-defined" code: the CRS is spelt out by parameters, not by an EPSG code. */
const USER_DEFINED = 32767;

export async function openDem(file: string): Promise<Dem> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw demError(file, code === "ENOENT" ? "file not found." : code === "EISDIR" ? "is a folder (name the GeoTIFF files in it)." : `cannot be read (${(e as Error).message}).`);
  }
  // TIFF magic: "II*\0" / "MM\0*", BigTIFF "II+\0" / "MM\0+".
  const magic = bytes.length >= 4 ? bytes.readUInt32BE(0) : 0;
  if (![0x49492a00, 0x4d4d002a, 0x49492b00, 0x4d4d002b].includes(magic)) throw demError(file, "is not a TIFF file (expected a GeoTIFF).");
  let image;
  try {
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const tiff = await fromArrayBuffer(ab);
    image = await tiff.getImage();
  } catch (e) {
    throw demError(file, `is not a readable TIFF (${(e as Error).message}).`);
  }
  let origin: number[], res: number[];
  try {
    origin = image.getOrigin();
    res = image.getResolution();
  } catch {
    throw demError(file, "has no georeference (no ModelTiepoint/ModelPixelScale or ModelTransformation): it is a plain TIFF, not a GeoTIFF.");
  }
  if (!res.every((v) => Number.isFinite(v)) || res[0] === 0 || res[1] === 0) throw demError(file, "has an unusable pixel size in its georeference.");
  const width = image.getWidth();
  const height = image.getHeight();
  let raster: ArrayLike<number>;
  try {
    raster = (await image.readRasters({ samples: [0], interleave: true })) as unknown as ArrayLike<number>;
  } catch (e) {
    throw demError(file, `cannot decode its pixels (${(e as Error).message}).`);
  }
  const nodata = image.getGDALNoData();
  const keys = (image.getGeoKeys() ?? {}) as Record<string, unknown>;
  const code = typeof keys.ProjectedCSTypeGeoKey === "number" ? keys.ProjectedCSTypeGeoKey : typeof keys.GeographicTypeGeoKey === "number" ? keys.GeographicTypeGeoKey : undefined;
  const epsg = code !== undefined && code > 0 && code !== USER_DEFINED ? code : undefined;
  const isNodata = (v: number) => Number.isNaN(v) || (nodata !== null && v === nodata);
  const { values, hole, holes } = fillNodata(raster, width, height, isNodata);
  if (holes === width * height) throw demError(file, `has no data: all ${holes} cells are nodata${nodata !== null ? ` (${nodata})` : ""}.`);
  // PixelIsPoint (GTRasterTypeGeoKey = 2): the tiepoint is a pixel centre, not its corner.
  const half = keys.GTRasterTypeGeoKey === 2 ? 0 : 0.5;
  const [ox, oy] = origin;
  const [rx, ry] = res; // ry is usually negative (rows go south)
  const x0 = ox + (half - 0.5) * rx;
  const y0 = oy + (half - 0.5) * ry;
  const x1 = x0 + width * rx;
  const y1 = y0 + height * ry;
  const bounds: [number, number, number, number] = [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)];
  const grid = { cx: x0 + rx / 2, cy: y0 + ry / 2, dx: rx, dy: ry };

  const covers = (x: number, y: number) => x >= bounds[0] && x <= bounds[2] && y >= bounds[1] && y <= bounds[3];
  // Continuous pixel coordinates where integer values are pixel centres, clamped to the outermost centres.
  const fi = (x: number) => Math.min(width - 1, Math.max(0, (x - grid.cx) / rx));
  const fj = (y: number) => Math.min(height - 1, Math.max(0, (y - grid.cy) / ry));
  const sample = (x: number, y: number): number => {
    if (!covers(x, y)) return NaN;
    const pi = fi(x), pj = fj(y);
    const i0 = Math.floor(pi), j0 = Math.floor(pj);
    const i1 = Math.min(i0 + 1, width - 1), j1 = Math.min(j0 + 1, height - 1);
    const tx = pi - i0, ty = pj - j0;
    const r0 = j0 * width, r1 = j1 * width;
    const top = values[r0 + i0] + (values[r0 + i1] - values[r0 + i0]) * tx;
    const bottom = values[r1 + i0] + (values[r1 + i1] - values[r1 + i0]) * tx;
    return top + (bottom - top) * ty;
  };
  const nearHole = (x: number, y: number): boolean => {
    if (!hole || !covers(x, y)) return false;
    const pi = fi(x), pj = fj(y);
    const i0 = Math.floor(pi), j0 = Math.floor(pj);
    // Only the cells with a weight there: on a cell centre's row or column the next one has none.
    const i1 = pi > i0 ? Math.min(i0 + 1, width - 1) : i0, j1 = pj > j0 ? Math.min(j0 + 1, height - 1) : j0;
    return hole[j0 * width + i0] + hole[j0 * width + i1] + hole[j1 * width + i0] + hole[j1 * width + i1] > 0;
  };
  return { path: file, width, height, bounds, resolution: [Math.abs(rx), Math.abs(ry)], nodata, ...(epsg !== undefined ? { epsg } : {}), values, hole, holes, grid, sample, covers, nearHole };
}
