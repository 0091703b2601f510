// A streaming reader of ASPRS LAS 1.0–1.4 point clouds (point formats 0–10), uncompressed (.las) or
// LASzip-compressed (.laz). The file is read through a handle in blocks, never whole: a point cloud larger than
// memory works. Uncompressed records are decoded straight from the blocks; LAZ is decoded one LASzip chunk at a
// time with laz-perf's ChunkDecoder, the chunks found through the file's chunk table (lazChunkTable.ts).
//
// Damage is not an error: a file cut short or a LAZ chunk that cannot be decoded ends the points there, the
// points before it are delivered and `damage` says what happened (the caller warns). A file that cannot be read
// at all (not LAS, header cut, unsupported version or format) throws CityMeshError("pointcloud").
import fs from "fs";
import { CityMeshError } from "../errors";
import { LasFormatError, crsOf, parseEvlrHeader, parseHeader, parseLasZipVlr, parseVlrs, type LasZipInfo, type ParsedHeader, type Vlr } from "./lasHeader";
import { decodeRecords, firstOutside, rawBounds, type Columns } from "./lasRecords";
import { decodeChunkTable, type ChunkEntry } from "./lazChunkTable";
import { createLazPerf, type LazPerfModule } from "./lazPerf";

export interface PointCloudHeader {
  path: string;
  version: string; // "1.2"
  pointFormat: number; // 0..10 (compression bits stripped)
  pointLength: number; // record length in bytes
  pointCount: number; // legacy or 1.4 64-bit count
  compressed: boolean;
  scale: [number, number, number];
  offset: [number, number, number];
  min: [number, number, number];
  max: [number, number, number]; // from the header
  epsg?: number; // GeoKeyDirectory (ProjectedCSTypeGeoKey, else GeographicTypeGeoKey) or the WKT's
  wkt?: string; // the WKT when the file carries one
  classCounts: number[] | null; // null until the whole file was read (then: points per class, of those delivered)
  /**
   * LAZ only: false when the chunk table is missing or cannot be decoded, so the file is decoded whole in
   * memory (twice: see readLazWhole) instead of chunk by chunk; `lazFallback` says why.
   */
  streamed?: boolean;
  lazFallback?: string;
}

export interface PointChunk {
  start: number; // index of the chunk's first point in the file
  count: number;
  // Scaled + offset; length >= count. The arrays are reused by the next chunk: copy what must be kept.
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  classification: Uint8Array; // ASPRS class (formats 0-5: low 5 bits; 6-10: full byte)
}

export interface PointCloudReader {
  header: PointCloudHeader;
  /** Reads the points in order, at most `maxPoints` per chunk (default 65536). Memory stays O(maxPoints + one LAZ chunk). */
  chunks(maxPoints?: number): AsyncIterable<PointChunk>;
  /** After iteration: set when the file ended early or a LAZ chunk could not be decoded: the points before it were delivered. */
  damage: { pointsRead: number; expected: number; reason: string } | null;
  close(): Promise<void>;
}

/** Point formats laz-perf decodes (no waveform formats 4, 5, 9, 10 in LAZ). */
const LAZPERF_FORMATS = new Set([0, 1, 2, 3, 6, 7, 8]);
/** Zero bytes after a chunk copied into the wasm heap: ChunkDecoder reads from a pointer with no length. */
const PAD = 1 << 16;

export async function openPointCloud(file: string): Promise<PointCloudReader> {
  const fail = (reason: string) => new CityMeshError("pointcloud", `Point cloud ${file}: ${reason}.`, { path: file });
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, "r");
  } catch (e) {
    throw fail(`cannot be opened (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const size = (await fh.stat()).size;
    const h = parseHeader(await readAt(fh, 0, Math.min(size, 375)), size);
    const vlrs = parseVlrs(await readAt(fh, 0, h.pointOffset), h);
    const { epsg, wkt } = crsOf([...vlrs, ...(await readEvlrs(fh, h, size))]);
    let laz: LazLayout | undefined;
    if (h.compressed) {
      const info = parseLasZipVlr(vlrs);
      if (!LAZPERF_FORMATS.has(h.pointFormat)) throw new LasFormatError(`LAZ point format ${h.pointFormat} (with waveform data) is not supported, only 0–3 and 6–8 (uncompressed LAS of any format is)`);
      const itemVersion = h.pointFormat <= 5 ? [2] : [3, 4];
      const bad = info.items.find((it) => !itemVersion.includes(it.version));
      if (bad) throw new LasFormatError(`its LASzip item type ${bad.type} version ${bad.version} is not supported (LASzip 2.x items for point formats 0–5, 3.x for 6–10 are)`);
      laz = await readChunkTable(fh, h, info, size);
      if (!laz.chunks && info.chunkSize === 0xffffffff) throw new LasFormatError(`${laz.why}, and with variable-size LAZ chunks the points cannot be found without it`);
    }
    const header: PointCloudHeader = {
      path: file, version: h.version, pointFormat: h.pointFormat, pointLength: h.pointLength, pointCount: h.pointCount,
      compressed: h.compressed, scale: h.scale, offset: h.offset, min: h.min, max: h.max,
      ...(epsg !== undefined ? { epsg } : {}), ...(wkt !== undefined ? { wkt } : {}),
      classCounts: null,
      ...(laz ? { streamed: laz.chunks !== null } : {}), ...(laz && !laz.chunks ? { lazFallback: laz.why } : {}),
    };
    return new LasReader(fh, size, h, header, laz);
  } catch (e) {
    await fh.close();
    if (e instanceof LasFormatError) throw fail(e.message);
    throw e;
  }
}

interface LazLayout {
  info: LasZipInfo;
  /** The chunks, or null when the table is missing or cannot be decoded (`why`). */
  chunks: ChunkEntry[] | null;
  why?: string;
}

class LasReader implements PointCloudReader {
  damage: PointCloudReader["damage"] = null;
  private closed = false;

  constructor(private readonly fh: fs.promises.FileHandle, private readonly size: number, private readonly h: ParsedHeader, readonly header: PointCloudHeader, private readonly laz: LazLayout | undefined) {}

  async *chunks(maxPoints = 65536): AsyncGenerator<PointChunk> {
    if (this.closed) throw new Error("point cloud reader is closed");
    if (!(maxPoints >= 1)) throw new RangeError(`maxPoints must be at least 1, not ${maxPoints}`);
    maxPoints = Math.floor(maxPoints);
    this.damage = null;
    this.header.classCounts = null;
    const counts = new Float64Array(256);
    const n = Math.min(maxPoints, Math.max(1, this.h.pointCount));
    const cols: Columns = { x: new Float64Array(n), y: new Float64Array(n), z: new Float64Array(n), classification: new Uint8Array(n) };
    if (!this.laz) yield* this.readLas(maxPoints, cols, counts);
    else if (this.laz.chunks) yield* this.readLazChunks(this.laz.chunks, maxPoints, cols, counts);
    else yield* this.readLazWhole(this.laz.info, maxPoints, cols, counts);
    this.header.classCounts = Array.from(counts.subarray(0, this.h.pointFormat <= 5 ? 32 : 256));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  private cut(pointsRead: number, reason: string): void {
    this.damage = { pointsRead, expected: this.h.pointCount, reason };
  }

  /** Uncompressed records, `maxPoints` at a time, decoded straight from the block read. */
  private async *readLas(maxPoints: number, cols: Columns, counts: Float64Array): AsyncGenerator<PointChunk> {
    const { pointOffset: at, pointLength: len, pointCount: expected } = this.h;
    // Points end at the file's end, or at the first extended VLR (1.4) when it follows them.
    const end = this.h.evlrStart > at ? Math.min(this.size, this.h.evlrStart) : this.size;
    const n = Math.min(expected, Math.floor(Math.max(0, end - at) / len));
    const block = Buffer.allocUnsafe(Math.min(maxPoints, Math.max(1, n)) * len);
    for (let start = 0; start < n; ) {
      const want = Math.min(maxPoints, n - start);
      const got = Math.floor((await readInto(this.fh, block, want * len, at + start * len)) / len);
      if (got > 0) {
        decodeRecords(block, 0, got, len, this.h.pointFormat, this.h.scale, this.h.offset, cols, counts);
        yield { start, count: got, ...cols };
      }
      start += got;
      if (got < want) { this.cut(start, `the file ends after ${start} of the ${expected} points its header counts (it shrank while being read)`); return; }
    }
    if (n < expected) this.cut(n, `the file ends after ${n} of the ${expected} points its header counts`);
  }

  /** LAZ through the chunk table: each chunk read, copied into the wasm heap and decoded on its own. */
  private async *readLazChunks(chunks: ChunkEntry[], maxPoints: number, cols: Columns, counts: Float64Array): AsyncGenerator<PointChunk> {
    const { pointFormat: fmt, pointLength: len } = this.h;
    const bounds = rawBounds(this.h.min, this.h.max, this.h.scale, this.h.offset);
    if (chunks.length === 0) return;
    const mod = await createLazPerf();
    const heap = new HeapBuffers(mod, this.header.path);
    let delivered = 0;
    try {
      let block = Buffer.alloc(0);
      for (let ci = 0; ci < chunks.length; ci++) {
        const c = chunks[ci]!;
        const where = `compressed chunk ${ci + 1} of ${chunks.length} (points ${delivered}–${delivered + c.points - 1})`;
        if (c.start + c.bytes > this.size) { this.cut(delivered, `the file ends inside ${where}`); return; }
        if (block.length < c.bytes) block = Buffer.allocUnsafe(Math.max(c.bytes, block.length * 2));
        if ((await readInto(this.fh, block, c.bytes, c.start)) < c.bytes) { this.cut(delivered, `the file ends inside ${where} (it shrank while being read)`); return; }
        const inPtr = heap.ensure(0, c.bytes + PAD), outPtr = heap.ensure(1, c.points * len);
        mod.HEAPU8.set(block.subarray(0, c.bytes), inPtr);
        mod.HEAPU8.fill(0, inPtr + c.bytes, inPtr + c.bytes + PAD);
        let dec: InstanceType<LazPerfModule["ChunkDecoder"]> | undefined;
        try {
          dec = new mod.ChunkDecoder();
          dec.open(fmt, len, inPtr);
          for (let i = 0, p = outPtr; i < c.points; i++, p += len) dec.getPoint(p);
        } catch (e) {
          this.cut(delivered, `${where} cannot be decoded (${(e as Error).message ?? e})`);
          heap.dead = true; // an aborted Emscripten module must not be called again
          return;
        } finally {
          if (!heap.dead) dec?.delete();
        }
        if (bounds) {
          const bad = firstOutside(mod.HEAPU8, outPtr, c.points, len, bounds);
          if (bad >= 0) { this.cut(delivered, `${where} is damaged (its point ${delivered + bad} decodes far outside the header's bounds)`); return; }
        }
        for (let k = 0; k < c.points; k += maxPoints) {
          const m = Math.min(maxPoints, c.points - k);
          decodeRecords(mod.HEAPU8, outPtr + k * len, m, len, fmt, this.h.scale, this.h.offset, cols, counts);
          yield { start: delivered, count: m, ...cols };
          delivered += m;
        }
      }
    } finally {
      heap.free();
    }
  }

  /**
   * The fallback when the chunk table is missing (a writer that could not seek back and wrote none, or a file
   * cut short, which loses the table at its end) or cannot be decoded: laz-perf's LASZip over the whole file in
   * the wasm heap, not streamed. LASZip decodes the chunks one after the other (each one's decoder consumes
   * exactly its bytes) but insists on a table to count them, so it is given one made up for fixed-size chunks
   * (the only kind this path takes; their offsets are never used).
   *
   * Without a table nothing says where the data stops, so a file cut short would decode its last chunk from
   * whatever follows. The file is therefore decoded twice in step, once followed by zero bytes and once by 0xFF
   * bytes: a chunk whose points differ between the two depends on bytes the file does not have, and the points
   * end before it.
   */
  private async *readLazWhole(info: LasZipInfo, maxPoints: number, cols: Columns, counts: Float64Array): AsyncGenerator<PointChunk> {
    const { pointFormat: fmt, pointLength: len, pointCount: expected, pointOffset } = this.h;
    if (expected === 0) return;
    const cs = info.chunkSize;
    if (this.size < pointOffset + 8) { this.cut(0, "the file ends before its first compressed chunk"); return; }
    const bounds = rawBounds(this.h.min, this.h.max, this.h.scale, this.h.offset);
    const mod = await createLazPerf();
    const heap = new HeapBuffers(mod, this.header.path);
    const nChunks = Math.ceil(expected / cs);
    const tableAt = this.size + PAD, total = tableAt + 8 + 16 * nChunks + 64;
    const zips: InstanceType<LazPerfModule["LASZip"]>[] = [];
    let delivered = 0;
    try {
      const copies = [heap.ensure(0, total), heap.ensure(1, total)];
      // The file, streamed into both copies in blocks.
      const block = Buffer.allocUnsafe(Math.min(this.size, 1 << 22));
      for (let pos = 0; pos < this.size; ) {
        const got = await readInto(this.fh, block, Math.min(block.length, this.size - pos), pos);
        if (got === 0) break;
        for (const p of copies) mod.HEAPU8.set(block.subarray(0, got), p + pos);
        pos += got;
      }
      copies.forEach((p, i) => {
        const u8 = mod.HEAPU8;
        u8.fill(i === 0 ? 0 : 0xff, p + this.size, p + tableAt);
        u8.fill(0, p + tableAt, p + total);
        const v = new DataView(u8.buffer, p, total);
        v.setBigInt64(pointOffset, BigInt(tableAt), true); // where LASZip finds the made-up table
        v.setUint32(tableAt, 0, true); // version 0
        v.setUint32(tableAt + 4, nChunks, true);
      });
      for (const p of copies) {
        const z = new mod.LASZip();
        zips.push(z);
        z.open(p, total);
      }
      const outs = [heap.ensure(2, Math.min(cs, expected) * len), heap.ensure(3, Math.min(cs, expected) * len)];
      for (let ci = 0; ci < nChunks; ci++) {
        const m = Math.min(cs, expected - delivered);
        const where = `compressed chunk ${ci + 1} of ${nChunks} (points ${delivered}–${delivered + m - 1})`;
        try {
          for (let k = 0; k < 2; k++) for (let i = 0, p = outs[k]!; i < m; i++, p += len) zips[k]!.getPoint(p);
        } catch (e) {
          heap.dead = true;
          this.cut(delivered, `the file ends or is damaged inside ${where}: it cannot be decoded (${(e as Error).message ?? e}), and ${this.laz?.why}`);
          return;
        }
        const u8 = mod.HEAPU8;
        const a = Buffer.from(u8.buffer, u8.byteOffset + outs[0]!, m * len), b = Buffer.from(u8.buffer, u8.byteOffset + outs[1]!, m * len);
        if (!a.equals(b)) { this.cut(delivered, `the file ends or is damaged inside ${where}: its points depend on bytes the file does not have, and ${this.laz?.why}`); return; }
        if (bounds) {
          const bad = firstOutside(u8, outs[0]!, m, len, bounds);
          if (bad >= 0) { this.cut(delivered, `${where} is damaged (its point ${delivered + bad} decodes far outside the header's bounds)`); return; }
        }
        for (let k = 0; k < m; k += maxPoints) {
          const q = Math.min(maxPoints, m - k);
          decodeRecords(mod.HEAPU8, outs[0]! + k * len, q, len, fmt, this.h.scale, this.h.offset, cols, counts);
          yield { start: delivered, count: q, ...cols };
          delivered += q;
        }
      }
    } finally {
      if (!heap.dead) for (const z of zips) z.delete();
      heap.free();
    }
  }
}

/** Buffers in the wasm heap, by slot, grown on demand. */
class HeapBuffers {
  private ptr: number[] = [];
  private cap: number[] = [];
  dead = false;
  constructor(private readonly mod: LazPerfModule, private readonly file: string) {}

  ensure(slot: number, bytes: number): number {
    if ((this.cap[slot] ?? 0) >= bytes) return this.ptr[slot]!;
    if (this.ptr[slot]) this.mod._free(this.ptr[slot]!);
    const p = this.mod._malloc(bytes);
    if (!p) throw new CityMeshError("pointcloud", `Point cloud ${this.file}: ${bytes} bytes do not fit in the LAZ decoder's memory (2 GB).`, { path: this.file });
    this.ptr[slot] = p;
    this.cap[slot] = bytes;
    return p;
  }

  free(): void {
    if (!this.dead) for (const p of this.ptr) if (p) this.mod._free(p);
    this.ptr = [];
    this.cap = [];
  }
}

/** Reads the chunk table (see lazChunkTable.ts); a missing or undecodable one gives `chunks: null` and why. */
async function readChunkTable(fh: fs.promises.FileHandle, h: ParsedHeader, info: LasZipInfo, size: number): Promise<LazLayout> {
  const firstChunk = h.pointOffset + 8;
  if (h.pointCount === 0) return { info, chunks: [] };
  if (size < firstChunk) return { info, chunks: null, why: "the file ends before its first compressed chunk" };
  let tableStart = Number((await readAt(fh, h.pointOffset, 8)).readBigInt64LE(0));
  // -1: the writer could not seek back; LASzip then puts the table's offset in the file's last 8 bytes.
  const atEnd = tableStart === -1;
  if (atEnd && size >= firstChunk + 8) tableStart = Number((await readAt(fh, size - 8, 8)).readBigInt64LE(0));
  if (!(tableStart >= firstChunk && tableStart + 8 <= size)) {
    if (atEnd) return { info, chunks: null, why: "it has no chunk table (its offset is -1 and the file's last 8 bytes name none)" };
    return { info, chunks: null, why: tableStart > size ? "its chunk table lies past the end of the file (cut short?)" : `it has no chunk table (its offset is ${tableStart})` };
  }
  const t = await readAt(fh, tableStart, 8);
  const version = t.readUInt32LE(0), count = t.readUInt32LE(4);
  const plausible = version === 0 && count > 0 && count <= h.pointCount && (info.chunkSize === 0xffffffff || count === Math.ceil(h.pointCount / info.chunkSize));
  if (!plausible) return { info, chunks: null, why: `its chunk table is damaged (version ${version}, ${count} chunks)` };
  // At most 5 bytes per coded value (a 32-bit correction plus the symbol), 2 values per chunk, and some slack.
  const coded = await readAt(fh, tableStart + 8, Math.min(size - tableStart - 8, count * 10 + 64));
  const chunks = decodeChunkTable(coded, count, info.chunkSize, h.pointCount, firstChunk, tableStart);
  return chunks ? { info, chunks } : { info, chunks: null, why: "its chunk table cannot be decoded" };
}

/** The extended VLRs of a 1.4 file that hold its CRS (others are skipped unread). Cut or odd ones are ignored. */
async function readEvlrs(fh: fs.promises.FileHandle, h: ParsedHeader, size: number): Promise<Vlr[]> {
  const out: Vlr[] = [];
  if (h.minor < 4 || h.evlrCount === 0 || h.evlrStart < h.pointOffset) return out;
  let pos = h.evlrStart;
  for (let i = 0; i < Math.min(h.evlrCount, 1000) && pos + 60 <= size; i++) {
    const e = parseEvlrHeader(await readAt(fh, pos, 60));
    if (e.userId === "LASF_Projection" && e.length <= 1 << 24 && pos + 60 + e.length <= size) {
      out.push({ userId: e.userId, recordId: e.recordId, data: await readAt(fh, pos + 60, e.length) });
    }
    pos += 60 + e.length;
  }
  return out;
}

/** Up to `len` bytes at `pos` (fewer at the end of the file). */
async function readAt(fh: fs.promises.FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.allocUnsafe(len);
  return b.subarray(0, await readInto(fh, b, len, pos));
}

/** Fills `b[0, len)` from `pos`; returns the bytes read (fewer only at the end of the file). */
async function readInto(fh: fs.promises.FileHandle, b: Buffer, len: number, pos: number): Promise<number> {
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(b, got, len - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}
