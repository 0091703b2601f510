// The merged city on disk, in raw little-endian binary, between the merge and a writer:
//   positions.f64            x,y,z float64 per welded vertex (local metres, Z up)
//   {ground,walls,roofs}.u32 three uint32 global vertex indices per triangle, by face class
//   {ground,walls,roofs}.i32 int32 dtcc marker per triangle, same order
// Splitting by class lets the GLB writer emit three primitives by plain copies, and every writer
// reads these files sequentially in fixed-size chunks: the city is never in memory at once.
import fs from "node:fs";
import path from "node:path";

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
}

export const positionsFile = (s: Pick<Spool, "dir">): string => path.join(s.dir, "positions.f64");
export const indexFile = (s: Pick<Spool, "dir">, c: number): string => path.join(s.dir, `${FACE_CLASSES[c]}.u32`);
export const markerFile = (s: Pick<Spool, "dir">, c: number): string => path.join(s.dir, `${FACE_CLASSES[c]}.i32`);

export const totalTriangles = (s: Spool): number => s.triangles[0] + s.triangles[1] + s.triangles[2];

/** Class of a face by dtcc marker: ground (< 0), walls (0..N-1), roofs (>= N). */
export const faceClass = (marker: number, buildings: number): number => (marker < 0 ? 0 : marker < buildings ? 1 : 2);

/** Append-only file with a fixed write buffer (few large writes, bounded memory). */
export class SpoolWriter {
  private readonly fd: number;
  private readonly buf: Uint8Array;
  private used = 0;
  bytes = 0;

  constructor(readonly file: string, bufferBytes = 1 << 20) {
    this.fd = fs.openSync(file, "w");
    this.buf = new Uint8Array(bufferBytes);
  }

  write(data: ArrayBufferView): void {
    const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.bytes += src.length;
    if (this.used + src.length > this.buf.length) this.flush();
    if (src.length >= this.buf.length) {
      writeAll(this.fd, src);
      return;
    }
    this.buf.set(src, this.used);
    this.used += src.length;
  }

  flush(): void {
    if (this.used > 0) writeAll(this.fd, this.buf.subarray(0, this.used));
    this.used = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
    }
  }
}

/** fs.writeSync may write less than asked; loop until done. */
export function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}
