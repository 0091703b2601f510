// A single-band float32 GeoTIFF, written a row at a time: the terrain the point cloud gives is
// handed to the tiles as a DEM (they open it exactly like a user's GeoTIFF), and a user can open
// it in QGIS or gdalinfo. Written by hand because geotiff.js's writer stores 8-bit samples only;
// the subset needed here (one strip, no compression, three GeoTIFF tags) is small and fixed.
import fs from "fs";

export interface GeoTiffSpec {
  width: number;
  height: number;
  /** West edge and north edge of the raster (cell corners), CRS units. */
  west: number;
  north: number;
  cellSize: number;
  /** ProjectedCSTypeGeoKey; omitted when the CRS has no EPSG code. */
  epsg?: number;
  /** GDAL_NODATA, when cells may hold it. */
  nodata?: number;
}

const SHORT = 3, LONG = 4, DOUBLE = 12, ASCII = 2;
const TYPE_SIZE: Record<number, number> = { [SHORT]: 2, [LONG]: 4, [DOUBLE]: 8, [ASCII]: 1 };

/** Writes `file`; `row(j, out)` fills row j (north first) into out (length width). */
export function writeGeoTiff(file: string, s: GeoTiffSpec, row: (j: number, out: Float32Array) => void): void {
  if (s.width * s.height * 4 > 0xffffffff - 4096) throw new Error(`GeoTIFF ${file}: ${s.width}×${s.height} float32 cells exceed a classic TIFF's 4 GiB`);
  const geoKeys = [1, 1, 0, 0, 1024, 0, 1, 1, 1025, 0, 1, 1]; // GTModelType projected, GTRasterType PixelIsArea
  if (s.epsg !== undefined) geoKeys.push(3072, 0, 1, s.epsg);
  geoKeys[3] = (geoKeys.length - 4) / 4;
  const tags: [number, number, number[] | string][] = [
    [256, LONG, [s.width]], [257, LONG, [s.height]], [258, SHORT, [32]], [259, SHORT, [1]], [262, SHORT, [1]],
    [273, LONG, [0]], [277, SHORT, [1]], [278, LONG, [s.height]], [279, LONG, [s.width * s.height * 4]], [284, SHORT, [1]],
    [339, SHORT, [3]], [33550, DOUBLE, [s.cellSize, s.cellSize, 0]], [33922, DOUBLE, [0, 0, 0, s.west, s.north, 0]],
    [34735, SHORT, geoKeys],
  ];
  if (s.nodata !== undefined) tags.push([42113, ASCII, `${s.nodata}\0`]);
  // Layout: header (8) | IFD (2 + 12·n + 4) | out-of-line tag values | pixels.
  const ifdSize = 2 + 12 * tags.length + 4;
  let extra = 0;
  const count = (v: number[] | string) => (typeof v === "string" ? v.length : v.length);
  for (const [, t, v] of tags) { const len = TYPE_SIZE[t] * count(v); if (len > 4) extra += len + (len & 1); }
  const head = Buffer.alloc(8 + ifdSize + extra);
  head.write("II", 0, "latin1"); head.writeUInt16LE(42, 2); head.writeUInt32LE(8, 4);
  const pixels = head.length;
  tags[5][2] = [pixels]; // StripOffsets
  head.writeUInt16LE(tags.length, 8);
  let at = 8 + 2, out = 8 + ifdSize;
  for (const [tag, type, v] of tags) {
    head.writeUInt16LE(tag, at); head.writeUInt16LE(type, at + 2); head.writeUInt32LE(count(v), at + 4);
    const len = TYPE_SIZE[type] * count(v);
    let p = at + 8;
    if (len > 4) { head.writeUInt32LE(out, at + 8); p = out; out += len + (len & 1); }
    if (typeof v === "string") head.write(v, p, "latin1");
    else for (const x of v) { if (type === SHORT) { head.writeUInt16LE(x, p); p += 2; } else if (type === LONG) { head.writeUInt32LE(x, p); p += 4; } else { head.writeDoubleLE(x, p); p += 8; } }
    at += 12;
  }
  head.writeUInt32LE(0, at); // no next IFD
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, head);
    // Rows in blocks of about 1 MiB: the raster is written without a second copy of it.
    const rowsPerBlock = Math.max(1, Math.floor((1 << 20) / (4 * s.width)));
    const block = new Float32Array(rowsPerBlock * s.width);
    for (let j = 0; j < s.height; j += rowsPerBlock) {
      const rows = Math.min(rowsPerBlock, s.height - j);
      for (let r = 0; r < rows; r++) row(j + r, block.subarray(r * s.width, (r + 1) * s.width));
      fs.writeSync(fd, new Uint8Array(block.buffer, 0, rows * s.width * 4));
    }
  } finally {
    fs.closeSync(fd);
  }
}
