// The LAS public header block, its (extended) variable length records, and what the reader needs from them:
// the point layout, the LASzip VLR of a LAZ file, and the CRS (GeoTIFF keys or OGC WKT). ASPRS LAS 1.0–1.4.
import { COMPOUND_CRS, bundledEpsgCodes, epsgProj4 } from "../crs";
import { identifyWkt } from "../crsIdentify";
import { epsgOfWkt } from "../input/shapefile";

/** Bytes of a point record's fixed part, per point format 0–10 (extra bytes may follow). */
export const BASE_LENGTH = [20, 28, 26, 34, 57, 63, 30, 36, 38, 59, 67];

export interface LasZipInfo {
  compressor: number; // 2 = point-wise chunked (formats 0–5), 3 = layered chunked (6–10)
  chunkSize: number; // points per chunk; 0xffffffff = variable (counts in the chunk table)
  items: { type: number; size: number; version: number }[];
}

export interface ParsedHeader {
  version: string;
  major: number;
  minor: number;
  headerSize: number;
  pointOffset: number;
  vlrCount: number;
  pointFormat: number;
  pointLength: number;
  pointCount: number;
  compressed: boolean;
  scale: [number, number, number];
  offset: [number, number, number];
  min: [number, number, number];
  max: [number, number, number];
  evlrStart: number;
  evlrCount: number;
}

/** Why a file cannot be read: the reader turns it into CityMeshError("pointcloud"). */
export class LasFormatError extends Error {}

/** Parses the public header block (`b` holds at least its first 227 bytes; more for 1.3/1.4). */
export function parseHeader(b: Buffer, fileSize: number): ParsedHeader {
  if (b.length < 4 || b.toString("latin1", 0, 4) !== "LASF") throw new LasFormatError('not a LAS file (no "LASF" signature)');
  if (b.length < 227) throw new LasFormatError(`the header is cut (${b.length} of at least 227 bytes)`);
  const major = b.readUInt8(24), minor = b.readUInt8(25);
  if (major !== 1 || minor > 4) throw new LasFormatError(`LAS version ${major}.${minor} is not supported (1.0–1.4 are)`);
  const headerSize = b.readUInt16LE(94);
  const need = minor >= 4 ? 375 : minor === 3 ? 235 : 227;
  if (headerSize < need) throw new LasFormatError(`the header size ${headerSize} is too small for LAS ${major}.${minor} (${need})`);
  if (b.length < need || fileSize < headerSize) throw new LasFormatError(`the header is cut (the file has ${fileSize} bytes, the header ${headerSize})`);
  const formatByte = b.readUInt8(104);
  const compressed = (formatByte & 0x80) !== 0 || (formatByte & 0x40) !== 0;
  const pointFormat = formatByte & 0x3f;
  if (pointFormat > 10) throw new LasFormatError(`point format ${pointFormat} is not supported (0–10 are)`);
  const pointLength = b.readUInt16LE(105);
  if (pointLength < BASE_LENGTH[pointFormat]!) throw new LasFormatError(`the point record length ${pointLength} is shorter than point format ${pointFormat}'s ${BASE_LENGTH[pointFormat]} bytes`);
  let pointCount = b.readUInt32LE(107);
  let evlrStart = 0, evlrCount = 0;
  if (minor >= 4) {
    evlrStart = Number(b.readBigUInt64LE(235));
    evlrCount = b.readUInt32LE(243);
    const count64 = b.readBigUInt64LE(247);
    // 1.4 keeps the legacy count 0 for formats 6–10 or more than 2^32-1 points; the 64-bit one is authoritative.
    if (count64 > BigInt(Number.MAX_SAFE_INTEGER)) throw new LasFormatError(`the point count ${count64} is not plausible`);
    if (count64 > 0n || pointCount === 0) pointCount = Number(count64);
  }
  const f = (o: number) => b.readDoubleLE(o);
  const pointOffset = b.readUInt32LE(96);
  if (pointOffset < headerSize || pointOffset > fileSize) throw new LasFormatError(`the header is cut or damaged (points start at byte ${pointOffset}, the file has ${fileSize})`);
  const scale: [number, number, number] = [f(131), f(139), f(147)];
  if (!scale.every((s) => Number.isFinite(s) && s !== 0)) throw new LasFormatError(`the scale factors ${scale.join(", ")} are not usable`);
  return {
    version: `${major}.${minor}`, major, minor, headerSize, pointOffset, vlrCount: b.readUInt32LE(100),
    pointFormat, pointLength, pointCount, compressed,
    scale, offset: [f(155), f(163), f(171)],
    max: [f(179), f(195), f(211)], min: [f(187), f(203), f(219)],
    evlrStart, evlrCount,
  };
}

export interface Vlr {
  userId: string;
  recordId: number;
  data: Buffer;
}

/** The VLRs between the header and the point data (`b` = the file's first `pointOffset` bytes). */
export function parseVlrs(b: Buffer, h: ParsedHeader): Vlr[] {
  const out: Vlr[] = [];
  let o = h.headerSize;
  for (let i = 0; i < h.vlrCount; i++) {
    if (o + 54 > b.length) throw new LasFormatError(`the header is cut (variable length record ${i + 1} of ${h.vlrCount} is not complete)`);
    const len = b.readUInt16LE(o + 20);
    if (o + 54 + len > b.length) throw new LasFormatError(`the header is cut (variable length record ${i + 1} of ${h.vlrCount} is not complete)`);
    out.push({ userId: cString(b, o + 2, 16), recordId: b.readUInt16LE(o + 18), data: b.subarray(o + 54, o + 54 + len) });
    o += 54 + len;
  }
  return out;
}

/** Parses the 60-byte header of an extended VLR: its ids and payload length. */
export function parseEvlrHeader(b: Buffer): { userId: string; recordId: number; length: number } {
  return { userId: cString(b, 2, 16), recordId: b.readUInt16LE(18), length: Number(b.readBigUInt64LE(20)) };
}

const cString = (b: Buffer, at: number, len: number) => {
  const s = b.toString("latin1", at, at + len);
  const z = s.indexOf("\0");
  return z < 0 ? s : s.slice(0, z);
};

/** The LASzip VLR ("laszip encoded", 22204) of a LAZ file, or a reason it cannot be used. */
export function parseLasZipVlr(vlrs: Vlr[]): LasZipInfo {
  const v = vlrs.find((r) => r.userId === "laszip encoded" && r.recordId === 22204);
  if (!v) throw new LasFormatError("it is LAZ-compressed but has no LASzip VLR");
  const d = v.data;
  if (d.length < 34) throw new LasFormatError("its LASzip VLR is cut");
  const compressor = d.readUInt16LE(0), coder = d.readUInt16LE(2);
  const nItems = d.readUInt16LE(32);
  if (d.length < 34 + 6 * nItems) throw new LasFormatError("its LASzip VLR is cut");
  const items = Array.from({ length: nItems }, (_, i) => ({ type: d.readUInt16LE(34 + 6 * i), size: d.readUInt16LE(36 + 6 * i), version: d.readUInt16LE(38 + 6 * i) }));
  if (coder !== 0) throw new LasFormatError(`its LASzip coder ${coder} is not supported (0, arithmetic, is)`);
  if (compressor !== 2 && compressor !== 3) throw new LasFormatError(`its LASzip compressor ${compressor} is not supported (2, point-wise chunked, and 3, layered chunked, are)`);
  return { compressor, chunkSize: d.readUInt32LE(12), items };
}

// GeoTIFF keys (GeoKeyDirectoryTag layout): ProjectedCSTypeGeoKey, GeographicTypeGeoKey; 32767 = user-defined.
const PROJECTED_CS = 3072, GEOGRAPHIC_TYPE = 2048, USER_DEFINED = 32767;

/** The EPSG code and WKT the file's CRS records give (GeoKeyDirectory 34735, OGC WKT 2112, in VLRs or EVLRs). */
export function crsOf(records: Vlr[]): { epsg?: number; wkt?: string } {
  const proj = records.filter((r) => r.userId === "LASF_Projection");
  const wktRec = proj.find((r) => r.recordId === 2112);
  const wkt = wktRec ? cString(wktRec.data, 0, wktRec.data.length).trim() || undefined : undefined;
  let epsg: number | undefined;
  const keys = proj.find((r) => r.recordId === 34735);
  if (keys && keys.data.length >= 8) {
    const n = Math.min(keys.data.readUInt16LE(6), Math.floor(keys.data.length / 8) - 1);
    const found = new Map<number, number>();
    for (let i = 1; i <= n; i++) {
      const o = 8 * i;
      // TIFFTagLocation 0: the value is the key's own short (codes are; citations and doubles are not).
      if (keys.data.readUInt16LE(o + 2) === 0) found.set(keys.data.readUInt16LE(o), keys.data.readUInt16LE(o + 6));
    }
    for (const k of [PROJECTED_CS, GEOGRAPHIC_TYPE]) {
      const c = found.get(k);
      if (c !== undefined && c !== USER_DEFINED && c > 0) { epsg = c; break; }
    }
  }
  if (epsg === undefined && wkt) epsg = epsgFromWkt(wkt);
  if (epsg !== undefined && COMPOUND_CRS[epsg]) epsg = COMPOUND_CRS[epsg]!.horizontal; // e.g. 7415 (RD New + NAP) → 28992
  return { epsg, wkt };
}

/** The root's own EPSG authority of a WKT (as a Shapefile's .prj is read), else the bundled code it computes like. */
export function epsgFromWkt(wkt: string): number | undefined {
  const named = epsgOfWkt(wkt);
  if (named) return Number(named.slice(5));
  try {
    return identifyWkt(wkt, bundledEpsgCodes(), epsgProj4);
  } catch {
    return undefined; // a WKT proj4 cannot parse: the caller's CRS resolution reports it, with the file's WKT
  }
}
