// The writers' contract: the merged city on disk, in raw little-endian binary, as the merge
// (merge/spoolTiles.ts) leaves it for a writer:
//   positions.f64            x,y,z float64 per welded vertex (local metres, Z up)
//   {ground,walls,roofs}.u32 three uint32 global vertex indices per triangle, by face class
//   {ground,walls,roofs}.i32 int32 dtcc marker per triangle, same order
// and, when the spool is un-welded by feature (Spool.features, the GLB's feature ids), the vertex
// files already in the form the GLB stores them, so its writer only copies them:
//   positions.f32            x,z,−y float32 per vertex (glTF axes, Y up), instead of positions.f64
//   features.f32             building per vertex as float32 (N for the ground), in positions.f32's order
//   heights.f64              float64 height per building 0..N-1
// (A feature spool wrote float64 positions and int32 buildings, which the GLB writer read back
// and converted: 36 bytes per vertex written, read and converted again, where 16 are copied now.)
// Splitting by class lets the GLB writer emit three primitives by plain copies, and every writer
// reads these files sequentially in fixed-size chunks: the city is never in memory at once.
import fs from "node:fs";
import path from "node:path";
import { BufferedOut } from "../bufferedOut";

export const FACE_CLASSES = ["ground", "walls", "roofs"] as const;
export type FaceClass = (typeof FACE_CLASSES)[number];

export interface Spool {
  dir: string;
  vertices: number;
  /** Triangles per class, in FACE_CLASSES order. */
  triangles: [number, number, number];
  /** Number of buildings N of the marker convention (walls 0..N-1, roofs N..2N-1). */
  buildings: number;
  /** Float64 bounds of all vertices; [Infinity..] / [-Infinity..] when there are none. */
  min: [number, number, number];
  max: [number, number, number];
  /** Un-welded by feature: every vertex belongs to one building or to the ground (features.f32); positions in positions.f32. */
  features?: boolean;
}

export const positionsFile = (s: Pick<Spool, "dir">): string => path.join(s.dir, "positions.f64");
export const indexFile = (s: Pick<Spool, "dir">, c: number): string => path.join(s.dir, `${FACE_CLASSES[c]}.u32`);
export const markerFile = (s: Pick<Spool, "dir">, c: number): string => path.join(s.dir, `${FACE_CLASSES[c]}.i32`);

/** Feature spools only (Spool.features): positions as glTF float32, and the building of each vertex as float32. */
export const positionsF32File = (s: Pick<Spool, "dir">): string => path.join(s.dir, "positions.f32");
export const featureFile = (s: Pick<Spool, "dir">): string => path.join(s.dir, "features.f32");
export const heightsFile = (s: Pick<Spool, "dir">): string => path.join(s.dir, "heights.f64");

export const totalTriangles = (s: Spool): number => s.triangles[0] + s.triangles[1] + s.triangles[2];

/** Class of a face by dtcc marker: ground (< 0), walls (0..N-1), roofs (>= N). */
export const faceClass = (marker: number, buildings: number): number => (marker < 0 ? 0 : marker < buildings ? 1 : 2);

/** Append-only spool file with a fixed write buffer. */
export class SpoolWriter extends BufferedOut {
  constructor(readonly file: string, bufferBytes = 1 << 20) {
    super(fs.openSync(file, "w"), bufferBytes);
  }

  close(): void {
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
    }
  }
}

/**
 * Append-only spool file of 4-byte values, put one at a time straight into its write buffer (no
 * scratch array per tile to fill and then copy). The merge's hot loops call these methods per
 * value; each keeps one typed view, so the calls stay monomorphic and inline.
 */
export class ValueSpool {
  private fd: number;
  private readonly u32: Uint32Array;
  private readonly i32: Int32Array;
  private readonly f32: Float32Array;
  private used = 0;

  /** File offset of the first value, and of the next write. */
  private begin: number;
  private at: number;

  /**
   * `start`: the byte offset of the first value, in an existing file (a GLB's positions are
   * spooled straight into the GLB's temp file, after the room kept for its header: glb.ts
   * startGlbInPlace). Without it the file is created, or emptied, and written from 0.
   */
  constructor(private file: string, start?: number, bufferBytes = 1 << 18) {
    const buf = new ArrayBuffer(bufferBytes);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.f32 = new Float32Array(buf);
    this.fd = fs.openSync(file, start === undefined ? "w+" : "r+"); // readable: moveTo reads it back
    this.at = this.begin = start ?? 0;
  }

  putU32(v: number): void {
    if (this.used === this.u32.length) this.flush();
    this.u32[this.used++] = v;
  }

  putI32(v: number): void {
    if (this.used === this.i32.length) this.flush();
    this.i32[this.used++] = v;
  }

  putF32(v: number): void {
    if (this.used === this.f32.length) this.flush();
    this.f32[this.used++] = v;
  }

  flush(): void {
    const bytes = new Uint8Array(this.u32.buffer, 0, this.used * 4);
    for (let off = 0; off < bytes.length; ) off += fs.writeSync(this.fd, bytes, off, bytes.length - off, this.at + off);
    this.at += bytes.length;
    this.used = 0;
  }

  /**
   * Moves the values written so far into the existing `file` from byte `start` on, removes the
   * file they were in, and goes on writing there: the positions of a GLB whose header size became
   * known only once the merge was under way (merge/mergeTiles.ts).
   */
  moveTo(file: string, start: number): void {
    this.flush();
    const to = fs.openSync(file, "r+");
    try {
      const buf = new Uint8Array(1 << 20);
      for (let done = 0; done < this.at - this.begin; ) {
        const n = fs.readSync(this.fd, buf, 0, Math.min(buf.length, this.at - this.begin - done), this.begin + done);
        if (n === 0) throw new Error(`${this.file} ended early`);
        for (let off = 0; off < n; ) off += fs.writeSync(to, buf, off, n - off, start + done + off);
        done += n;
      }
    } catch (e) {
      fs.closeSync(to);
      throw e;
    }
    fs.closeSync(this.fd);
    fs.rmSync(this.file, { force: true });
    this.fd = to;
    this.file = file;
    this.at = start + (this.at - this.begin);
    this.begin = start;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
    }
  }
}
