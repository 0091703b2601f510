// The buildings side file's records in building order, read sequentially. The GLB's property table
// asks for every building 0..N-1 in turn (tiles3d/propertyTable.ts streamTable); FeatureTable.record
// answers each with a positional read of its line, which on a city of 1 M buildings is 1 M small
// reads (New York, 102 k buildings: 0.2 s of the merge in read syscalls alone). The side file is
// written in building order (buildingsFile.ts renumbers lines as it copies them), so one pass
// through a 1 MiB buffer finds the lines in the same order. A file in another order (or naming a
// building twice) still works, through `fallback` (FeatureTable.record, whose last line for a building
// wins): a byte scan when opened checks the order (a few ms per 100 k lines, no JSON parsing).
import fs from "node:fs";
import type { SideRecord } from "./tiles3d/features";

const CHUNK = 1 << 20;

/** `{"b":<digits>,` at the start of a line, as buildingsFile.ts and the reader write it. */
function prefixB(buf: Buffer, start: number, end: number): number {
  const P = '{"b":';
  if (end - start < P.length + 2) return -1;
  for (let i = 0; i < P.length; i++) if (buf[start + i] !== P.charCodeAt(i)) return -1;
  let v = 0, i = start + P.length, digits = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    digits++;
  }
  return digits > 0 && digits < 16 && i < end && (buf[i] === 44 || buf[i] === 125) ? v : -1; // ',' or '}'
}

export class SideRecords {
  private fd?: number;
  private buf = Buffer.alloc(CHUNK);
  /** Bytes of buf holding data, the next unread line's start in buf, the file offset of buf[0]. */
  private have = 0;
  private at = 0;
  private filePos = 0;
  private eof = false;
  /** The next line (its building and bytes), read ahead; b = -2 when none is read yet. */
  private nextB = -2;
  private nextStart = 0;
  private nextEnd = 0;
  private last = -1;

  constructor(private readonly file: string | undefined, private readonly fallback: (b: number) => SideRecord | undefined) {
    if (file && fs.existsSync(file)) {
      this.fd = fs.openSync(file, "r");
      this.sorted = this.increasing();
      this.rewind();
    }
  }

  /** Whether every line's b is larger than the previous line's (as buildingsFile.ts writes them). */
  private sorted = false;

  private increasing(): boolean {
    let prev = -1;
    for (this.advance(); this.nextB !== -1; this.advance()) {
      if (this.nextB <= prev) return false;
      prev = this.nextB;
    }
    return true;
  }

  /** Building b's record, or undefined. Fastest when asked for buildings in increasing order. */
  record(b: number): SideRecord | undefined {
    if (this.fd === undefined) return undefined;
    if (!this.sorted) return this.fallback(b);
    if (b <= this.last) this.rewind();
    this.last = b;
    if (this.nextB === -2) this.advance();
    while (this.nextB !== -1 && this.nextB < b) this.advance();
    if (this.nextB !== b) return undefined; // no line names b
    const rec = this.parse(); // the line is in buf until the next advance
    this.advance();
    return rec;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private parse(): SideRecord {
    return JSON.parse(this.buf.toString("utf8", this.nextStart, this.nextEnd)) as SideRecord;
  }

  private rewind(): void {
    this.have = this.at = this.filePos = 0;
    this.eof = false;
    this.nextB = -2;
  }

  /** Reads the next non-empty line into nextB/nextStart/nextEnd; nextB = -1 at the end of the file. */
  private advance(): void {
    for (;;) {
      let nl = this.buf.indexOf(10, this.at);
      if (nl < 0 || nl >= this.have) {
        if (!this.eof) {
          this.fill();
          continue;
        }
        if (this.at >= this.have) {
          this.nextB = -1;
          return;
        }
        nl = this.have; // last line without a newline
      }
      const start = this.at;
      const end = nl > start && this.buf[nl - 1] === 13 ? nl - 1 : nl;
      this.at = nl + 1;
      if (end === start) continue;
      this.nextStart = start;
      this.nextEnd = end;
      let b = prefixB(this.buf, start, end);
      if (b < 0) {
        // Another shape of line: parse it for its b (FeatureTable has checked every line parses).
        const r = JSON.parse(this.buf.toString("utf8", start, end)) as SideRecord;
        b = Number.isInteger(r.b) && r.b >= 0 ? r.b : Number.MAX_SAFE_INTEGER; // out of range: never asked for
      }
      this.nextB = b;
      return;
    }
  }

  /** Moves the unread tail to the front of buf and reads more after it (growing buf for a long line). */
  private fill(): void {
    const tail = this.have - this.at;
    if (this.at === 0 && tail === this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, tail);
      this.buf = bigger;
    } else if (tail > 0) this.buf.copy(this.buf, 0, this.at, this.have);
    this.filePos += this.at;
    this.at = 0;
    this.have = tail;
    const n = fs.readSync(this.fd!, this.buf, tail, this.buf.length - tail, this.filePos + tail);
    if (n === 0) this.eof = true;
    this.have += n;
  }
}
