// The buildings side file (JSON lines, one per building of the mesh: {b, f, id, properties}),
// for picking in the viewer: face marker → building index b → its GeoJSON feature. The reader
// numbers buildings before the clean-up drops or merges some, so lines are renumbered here,
// streamed (a city's properties can be larger than we want in memory).
import fs from "fs";
import path from "path";
import { writeAll } from "../bufferedOut";
import { CityMeshError } from "../errors";

/** The side file's name in a scratch store (for `citymesh merge`). */
export const STORE_BUILDINGS_FILE = "buildings.jsonl";

/** The side file of a mesh: `<output without its extension>.buildings.jsonl`. */
export const buildingsFileOf = (output: string): string => output.replace(/\.[^./\\]+$/, "") + ".buildings.jsonl";

/** Bytes read and written per block; the main thread yields to its event loop between blocks. */
const BLOCK = 1 << 21;

/**
 * Writes the side file `out` from the reader's lines (read numbering) and the plan's kept
 * buildings. With `publish: false` the file is left under the returned temporary name, for the
 * caller to rename into place once the mesh beside it is written (or to remove).
 *
 * Bytes in, bytes out, in blocks of 2 MiB: a line in the reader's shape is copied with only its
 * `{"b":N,` prefix rewritten; no string per line. (It was a readline loop writing each line to a
 * write stream: 0.9 s for New York's 25 MB, 3.5 s for a million buildings, and a GLB build waits
 * for this file before its merge starts, since the GLB's property table is read from it.)
 */
export async function writeBuildingsFile(readerLines: string, out: string, sourceIndex: Uint32Array, publish = true): Promise<string> {
  const tmp = `${out}.tmp-${process.pid}`;
  let fd: number;
  try {
    // The folder may not exist yet: the merge, which runs at the same time, creates it too.
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fd = fs.openSync(tmp, "w");
  } catch (e) {
    throw new CityMeshError("output", `Cannot write ${out}: ${(e as Error).message}`, { file: out, errno: (e as NodeJS.ErrnoException).code });
  }
  try {
    if (fs.existsSync(readerLines)) await renumber(readerLines, fd, sourceIndex);
    fs.closeSync(fd);
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed, or failing anyway
    }
    fs.rmSync(tmp, { force: true });
    throw e instanceof CityMeshError ? e : new CityMeshError("output", `Cannot write ${out}: ${(e as Error).message}`, { file: out, errno: (e as NodeJS.ErrnoException).code });
  }
  if (!publish) return tmp;
  fs.renameSync(tmp, out);
  return out;
}

/** Copies the kept lines of `readerLines` to `fd`, renumbered (the k-th kept building becomes b = k). */
async function renumber(readerLines: string, fd: number, sourceIndex: Uint32Array): Promise<void> {
  const inFd = fs.openSync(readerLines, "r");
  try {
    let buf = Buffer.allocUnsafe(BLOCK);
    const o = new LineOut(fd);
    let have = 0, pos = 0, eof = false, k = 0;
    const line = (start: number, end: number): void => {
      if (end > start && buf[end - 1] === 13) end--; // CRLF
      if (end === start) return;
      // The reader writes each line as JSON.stringify({b, f, id, properties}): the building
      // number is its first member, renumbered by rewriting that prefix only.
      const m = prefix(buf, start, end);
      const rec = m ? undefined : (JSON.parse(buf.toString("utf8", start, end)) as { b: number }); // a line in another shape: parsed once
      const b = m ? m.b : rec!.b;
      while (k < sourceIndex.length && sourceIndex[k] < b) k++;
      if (k < sourceIndex.length && sourceIndex[k] === b) {
        if (m) o.renumbered(k, buf, m.rest, end);
        else o.text(JSON.stringify({ ...rec, b: k }) + "\n");
      }
    };
    for (;;) {
      if (!eof && have < buf.length) {
        const n = fs.readSync(inFd, buf, have, buf.length - have, pos);
        if (n === 0) eof = true;
        have += n;
        pos += n;
      }
      let at = 0;
      for (let nl = buf.indexOf(10, at); nl >= 0 && nl < have; nl = buf.indexOf(10, at)) {
        line(at, nl);
        at = nl + 1;
      }
      if (eof) {
        if (at < have) line(at, have); // last line without a newline
        break;
      }
      if (at === 0 && have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // a line longer than the buffer
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      } else {
        buf.copy(buf, 0, at, have);
        have -= at;
      }
      await new Promise<void>((r) => setImmediate(r)); // let the thread's other work (progress) through
    }
    o.flush();
  } finally {
    fs.closeSync(inFd);
  }
}

const PREFIX_BYTES = Buffer.from('{"b":');

/** The output side: lines assembled in one 2 MiB buffer, written when full (no Buffer per line). */
class LineOut {
  private buf = Buffer.allocUnsafe(BLOCK);
  private used = 0;

  constructor(private readonly fd: number) {}

  /** `{"b":k,` then bytes start..end of `src`, then a newline. */
  renumbered(k: number, src: Buffer, start: number, end: number): void {
    const need = PREFIX_BYTES.length + 16 + (end - start) + 1;
    if (this.used + need > this.buf.length) this.flush(need);
    let at = this.used + PREFIX_BYTES.copy(this.buf, this.used);
    at += this.buf.write(String(k), at, "latin1");
    this.buf[at++] = 44; // ','
    at += src.copy(this.buf, at, start, end);
    this.buf[at++] = 10;
    this.used = at;
  }

  text(s: string): void {
    const need = Buffer.byteLength(s, "utf8");
    if (this.used + need > this.buf.length) this.flush(need);
    this.used += this.buf.write(s, this.used, "utf8");
  }

  /** Writes what is buffered; makes room for `need` bytes (a line longer than the buffer). */
  flush(need = 0): void {
    if (this.used > 0) writeAll(this.fd, this.buf.subarray(0, this.used));
    this.used = 0;
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
  }
}

/** `{"b":<digits>,` at the start of a line: the building, and where the rest of the line starts. */
function prefix(buf: Buffer, start: number, end: number): { b: number; rest: number } | undefined {
  if (end - start < PREFIX_BYTES.length + 2) return undefined;
  for (let i = 0; i < PREFIX_BYTES.length; i++) if (buf[start + i] !== PREFIX_BYTES[i]) return undefined;
  let i = start + PREFIX_BYTES.length, b = 0;
  const first = i;
  for (; i < end && buf[i] >= 48 && buf[i] <= 57; i++) b = b * 10 + (buf[i] - 48);
  if (i === first || i - first > 15 || i >= end || buf[i] !== 44) return undefined;
  return { b, rest: i + 1 };
}
