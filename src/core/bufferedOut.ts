// Buffered, append-only output to an open file descriptor: one fixed buffer, few large writes,
// bounded memory. Shared by the merge's spool files and the writers' output files.
import fs from "node:fs";

/** fs.writeSync may write less than asked; loop until done. */
export function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

export class BufferedOut {
  private readonly buf: Uint8Array;
  private used = 0;
  bytes = 0;

  constructor(protected readonly fd: number, bufferBytes = 1 << 21) {
    this.buf = new Uint8Array(bufferBytes);
  }

  write(data: ArrayBufferView | string): void {
    const src =
      typeof data === "string" ? Buffer.from(data, "utf8") : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
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
}
