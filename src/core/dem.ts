// Digital elevation model from a GeoTIFF: bilinear ground height at (x, y) in the DEM's CRS.
// The first band is read into memory once (DEMs for a city are tens of MB at most); samples
// are then pure arithmetic, cheap enough to call per mesh vertex.
import fs from "fs";
import { fromArrayBuffer } from "geotiff";
import { CityMeshError } from "./errors";

type Raster = ArrayLike<number>;

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
  /** EPSG code from the GeoKeys (ProjectedCSTypeGeoKey or GeographicTypeGeoKey), when present. */
  epsg?: number;
  /** Bilinear height at (x, y); nodata neighbours are left out and the rest re-weighted. NaN outside the raster or where all four neighbours are nodata. */
  sample(x: number, y: number): number;
  /** True when (x, y) lies inside the raster's extent. */
  covers(x: number, y: number): boolean;
}

const demError = (file: string, why: string) => new CityMeshError("dem", `DEM ${file}: ${why}`, { path: file });

export async function openDem(file: string): Promise<Dem> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw demError(file, code === "ENOENT" ? "file not found." : `cannot be read (${(e as Error).message}).`);
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
  let raster: Raster;
  try {
    raster = (await image.readRasters({ samples: [0], interleave: true })) as unknown as Raster;
  } catch (e) {
    throw demError(file, `cannot decode its pixels (${(e as Error).message}).`);
  }
  const nodata = image.getGDALNoData();
  const keys = (image.getGeoKeys() ?? {}) as Record<string, unknown>;
  const epsg = typeof keys.ProjectedCSTypeGeoKey === "number" ? keys.ProjectedCSTypeGeoKey : typeof keys.GeographicTypeGeoKey === "number" ? keys.GeographicTypeGeoKey : undefined;
  // PixelIsPoint (GTRasterTypeGeoKey = 2): the tiepoint is a pixel centre, not its corner.
  const half = keys.GTRasterTypeGeoKey === 2 ? 0 : 0.5;
  const [ox, oy] = origin;
  const [rx, ry] = res; // ry is usually negative (rows go south)
  const x0 = ox + (half - 0.5) * rx;
  const y0 = oy + (half - 0.5) * ry;
  const x1 = x0 + width * rx;
  const y1 = y0 + height * ry;
  const bounds: [number, number, number, number] = [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)];
  const isNodata = (v: number) => Number.isNaN(v) || (nodata !== null && v === nodata);

  const covers = (x: number, y: number) => x >= bounds[0] && x <= bounds[2] && y >= bounds[1] && y <= bounds[3];
  const sample = (x: number, y: number): number => {
    if (!covers(x, y)) return NaN;
    // Continuous pixel coordinates where integer values are pixel centres.
    const fi = Math.min(width - 1, Math.max(0, (x - ox) / rx - half));
    const fj = Math.min(height - 1, Math.max(0, (y - oy) / ry - half));
    const i0 = Math.floor(fi);
    const j0 = Math.floor(fj);
    const i1 = Math.min(i0 + 1, width - 1);
    const j1 = Math.min(j0 + 1, height - 1);
    const tx = fi - i0;
    const ty = fj - j0;
    let sum = 0;
    let wsum = 0;
    const add = (i: number, j: number, w: number) => {
      if (w === 0) return;
      const v = raster[j * width + i];
      if (isNodata(v)) return;
      sum += v * w;
      wsum += w;
    };
    add(i0, j0, (1 - tx) * (1 - ty));
    add(i1, j0, tx * (1 - ty));
    add(i0, j1, (1 - tx) * ty);
    add(i1, j1, tx * ty);
    return wsum > 0 ? sum / wsum : NaN;
  };
  return { path: file, width, height, bounds, resolution: [Math.abs(rx), Math.abs(ry)], nodata, ...(epsg !== undefined ? { epsg } : {}), sample, covers };
}
