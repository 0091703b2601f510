// What every input format's scanner gives the footprint reader (geojson/read.ts): GeoJSON features with their
// position in the file, the file's CRS as a `crs` member, and the problems met on the way. The GeoJSON scanners
// (geojson/scan.ts, geojson/seqScan.ts) and the binary formats' (this folder) implement it.
import fs from "fs";
import type { Diagnostic } from "../types";
import { CityMeshError } from "../errors";

/** One feature as a scanner hands it to the reader: a GeoJSON Feature value and where it is in the file. */
export interface SourceFeature {
  /** Position in the file's features or records (counts those that failed to read too): the feature index of diagnostics. */
  index: number;
  /** 1-based line and column in a text file; absent in a binary one (the index is the record number). */
  line?: number;
  column?: number;
  /** The feature as GeoJSON (parsed JSON, or what a binary format's reader made of a record). */
  value: unknown;
}

/**
 * What the reader needs of a scanner: a FeatureCollection's (this file), a feature sequence's (seqScan.ts) or
 * a binary format's (this folder). Text scanners are synchronous; binary ones may be asynchronous.
 */
export interface FeatureScanner {
  /** Top-level members other than `features` (a sequence has none; a binary format gives its CRS as `crs`). */
  readonly members: Record<string, unknown>;
  /** Where a CRS in `members.crs` comes from, for messages ("the .prj"); GeoJSON's is its "crs" member. */
  readonly crsFrom?: string;
  /** Scanning problems (invalid JSON, truncation, a record that cannot be read…). */
  readonly diagnostics: Diagnostic[];
  /** Features (records) seen, including those that failed to read. */
  featureCount: number;
  bytesRead: number;
  readonly size: number;
  /** Yields every feature that was read. Members and diagnostics are complete once iteration ends. */
  features(): Iterable<SourceFeature> | AsyncIterable<SourceFeature>;
}


/** Where GeoJSON names its CRS (RFC 7946 dropped it; GDAL and many others still write it). */
export const GEOJSON_CRS_FROM = 'the "crs" member';

/** The input's size in bytes, or the error every scanner gives for a file it cannot read. */
export function inputSize(path: string): number {
  try {
    return fs.statSync(path).size;
  } catch (e) {
    throw new CityMeshError("input", `Cannot read ${path}: ${(e as Error).message}`, { path });
  }
}

/** What every file scanner keeps: the state the reader reads off it during and after the scan. */
export abstract class FileScanner implements FeatureScanner {
  readonly members: Record<string, unknown> = {};
  readonly crsFrom: string = GEOJSON_CRS_FROM;
  readonly diagnostics: Diagnostic[] = [];
  featureCount = 0;
  bytesRead = 0;
  readonly size: number;

  constructor(readonly path: string) {
    this.size = inputSize(path);
  }

  abstract features(): Iterable<SourceFeature> | AsyncIterable<SourceFeature>;
}

/** The first `bytes` bytes of a file (fewer when it is shorter; none when it cannot be read): what format sniffing looks at. */
export function readHead(file: string, bytes: number): Buffer {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, fs.readSync(fd, buf, 0, bytes, 0));
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
