// Streaming I/O shared by the writers: fixed-size buffers in and out, output under a temp name
// renamed into place at the end, so a reader (the viewer, a file watcher) never sees half a file.
import fs from "node:fs";
import path from "node:path";
import { CityMeshError } from "../errors";
import { tempName } from "../store/fsLayer";
import { BufferedOut, writeAll } from "../bufferedOut";

/** Chunk size of the writers' reads: large enough for few syscalls, small enough to not matter. */
export const CHUNK_BYTES = 1 << 21;

/** Buffered output file of a writer. */
export class OutFile extends BufferedOut {
  /** Appends a whole file by streaming copy through a fixed buffer. */
  copyFrom(file: string): void {
    this.flush();
    readChunks(file, CHUNK_BYTES, (chunk) => {
      writeAll(this.fd, chunk);
      this.bytes += chunk.length;
    });
  }
}

/**
 * Calls `each` with consecutive chunks of `file` (a reused, 8-byte aligned buffer: copy what you
 * keep). `chunkBytes` should be a multiple of the record size so records never straddle chunks.
 */
export function readChunks(file: string, chunkBytes: number, each: (chunk: Uint8Array, offset: number) => void): void {
  // The buffer of the last call, when large enough (a call made from `each` gets one of its own).
  // A fresh one per call paid its page faults again: New York's GLB copies some thirty files
  // into place, and `new ArrayBuffer(2 MiB)` took 2.7 ms here (up to half a second a merge).
  const space = spareChunk && spareChunk.byteLength >= chunkBytes ? spareChunk : new ArrayBuffer(chunkBytes);
  spareChunk = null;
  const fd = fs.openSync(file, "r");
  try {
    const buf = new Uint8Array(space, 0, chunkBytes);
    let offset = 0;
    for (;;) {
      let got = 0;
      while (got < chunkBytes) {
        const n = fs.readSync(fd, buf, got, chunkBytes - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      if (got === 0) break;
      each(buf.subarray(0, got), offset);
      offset += got;
      if (got < chunkBytes) break;
    }
  } finally {
    fs.closeSync(fd);
    if (space.byteLength <= SPARE_MAX_BYTES) spareChunk = space;
  }
}

/** readChunks' buffer between calls (one per thread), kept up to SPARE_MAX_BYTES. */
let spareChunk: ArrayBuffer | null = null;
const SPARE_MAX_BYTES = 2 * CHUNK_BYTES;

/** Float64 view of a chunk from readChunks (aligned by construction). */
export const f64 = (c: Uint8Array): Float64Array => new Float64Array(c.buffer, c.byteOffset, c.byteLength >> 3);
export const u32 = (c: Uint8Array): Uint32Array => new Uint32Array(c.buffer, c.byteOffset, c.byteLength >> 2);
export const i32 = (c: Uint8Array): Int32Array => new Int32Array(c.buffer, c.byteOffset, c.byteLength >> 2);

/**
 * Writes `out` atomically: `body` writes to `<out>.tmp-<pid>-<rand>`, which is renamed to `out`
 * when complete and removed on any error. fs errors become CityMeshError("output") naming the file.
 */
export function writeAtomically(out: string, body: (o: OutFile) => void, bufferBytes = 1 << 21): number {
  const tmp = tempName(out);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, "w");
    const o = new OutFile(fd, bufferBytes);
    body(o);
    o.flush();
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, out);
    return o.bytes;
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      // never created
    }
    throw outputWriteError(out, e);
  }
}

/** A failed write of `out` as the output error users see: the reason named from its errno (a CityMeshError passes as it is). */
export function outputWriteError(out: string, e: unknown): CityMeshError {
  if (e instanceof CityMeshError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === "ENOSPC" ? "the disk is full (ENOSPC)" : code === "EACCES" || code === "EPERM" ? `permission denied (${code})` : code === "EROFS" ? "read-only file system (EROFS)" : code ?? String(e);
  return new CityMeshError("output", `Cannot write ${out} (in ${path.dirname(out)}): ${why}`, { file: out, errno: code });
}

/**
 * Random access to spooled float64 positions through an LRU cache of fixed pages. Faces mostly
 * refer to vertices of their own tile, which sit close together in the file, so a few pages hit
 * nearly always; seam vertices welded to earlier tiles cost an occasional page read.
 */
export class PositionPages {
  private readonly pages = new Map<number, Float64Array>();
  private readonly fd: number;

  constructor(file: string, private readonly pageVertices = 1 << 16, private readonly maxPages = 64) {
    this.fd = fs.openSync(file, "r");
  }

  /** The page holding vertex v; read vertex v at (v % pageVertices) * 3. */
  page(v: number): Float64Array {
    const p = Math.floor(v / this.pageVertices);
    let a = this.pages.get(p);
    if (a) {
      // move to the back: Map iteration order is insertion order, so the front is least recent
      this.pages.delete(p);
      this.pages.set(p, a);
      return a;
    }
    a = new Float64Array(this.pageVertices * 3);
    const bytes = new Uint8Array(a.buffer);
    let got = 0;
    const pos = p * this.pageVertices * 24;
    while (got < bytes.length) {
      const n = fs.readSync(this.fd, bytes, got, bytes.length - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    if (this.pages.size >= this.maxPages) this.pages.delete(this.pages.keys().next().value as number);
    this.pages.set(p, a);
    return a;
  }

  get pageSize(): number {
    return this.pageVertices;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
