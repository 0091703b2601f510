// The structural pass of the parallel read (parallelRead.ts): one walk over a FeatureCollection's
// bytes that finds every feature's byte span, line and column, and the top-level members (`crs`
// may come after `features`), so the features can be cut into ranges and parsed on threads.
//
// It tracks only strings, escapes and nesting depth (no values). Columns come from byte offsets:
// a feature's column is its bytes since the line's start plus what non-ASCII bytes (rare, and
// inside strings) add or take away in UTF-16 units, instead of a count per byte. Lines and columns are counted exactly as scan.ts counts them (a newline inside a
// string does not count, columns in UTF-16 units), so diagnostics point at the same places.
//
// It accepts only the ordinary shape: `{`, members, one `features` array of objects, `}`, then
// whitespace. Anything else (a top-level array, a non-object element, a second `features`, a
// member that is not valid JSON or too large or too deep, a feature nesting deeper than maxDepth,
// truncation, trailing content, a UTF-16 file, no "type": "FeatureCollection") returns undefined,
// and the caller reads the file with the serial scanner, which says exactly what is wrong.
import fs from "fs";
import { CityMeshError } from "../errors";

export interface SplitOptions {
  blockSize?: number;
  maxDepth?: number;
  maxMemberBytes?: number;
}

/** A FeatureCollection's layout: members and, per feature, its bytes [start, end), line and column (1-based). */
export interface Layout {
  size: number;
  /** Members before `features`, in file order (what the serial reader has seen at its first feature). */
  before: [string, unknown][];
  /** Members after `features`, in file order. */
  after: [string, unknown][];
  featureCount: number;
  starts: Float64Array;
  ends: Float64Array;
  lines: Uint32Array;
  columns: Uint32Array;
}

const WS = new Uint8Array(256);
WS[0x20] = WS[0x09] = WS[0x0a] = WS[0x0d] = 1;
const K_QUOTE = 1, K_OPEN = 2, K_CLOSE = 3, K_NEWLINE = 4, K_HIGH = 5;
const KIND = new Uint8Array(256).fill(K_HIGH, 0x80);
KIND[0x22] = K_QUOTE;
KIND[0x7b] = KIND[0x5b] = K_OPEN;
KIND[0x7d] = KIND[0x5d] = K_CLOSE;
KIND[0x0a] = K_NEWLINE;
/** UTF-16 units a byte adds to a column (as scan.ts), less one: continuation bytes -1, 4-byte leads +1. */
const EXTRA = new Int8Array(256);
for (let b = 0x80; b < 256; b++) EXTRA[b] = b < 0xc0 ? -1 : b < 0xf0 ? 0 : 1;

const enum S { Start, KeyOrEnd, Key, Colon, Value, AfterValue, ElemOrEnd, AfterElem, Done }
const enum Cut { None, Feature, Member }

/** A growing array of numbers (a's first n): byte offsets in a Float64Array (files may pass 4 GiB), lines and columns in a Uint32Array. */
export class Grow<T extends Float64Array | Uint32Array = Float64Array | Uint32Array> {
  n = 0;
  constructor(public a: T) {}
  push(v: number): void {
    if (this.n === this.a.length) { const b = new (this.a.constructor as new (n: number) => T)(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.n++] = v;
  }
}

/** What the structural pass has found so far: features complete up to ends.n (their starts, lines and columns up to starts.n). */
export interface SplitProgress {
  size: number;
  /** The `features` array has begun: `before` is complete. */
  sawFeatures: boolean;
  before: [string, unknown][];
  starts: Grow;
  ends: Grow;
  lines: Grow;
  columns: Grow;
}

/** The layout of a FeatureCollection file, or undefined when it is not of the ordinary shape (read it serially then). */
export function splitFeatureCollection(file: string, opts: SplitOptions = {}): Layout | undefined {
  const it = splitBlocks(file, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/**
 * The structural pass a block at a time: yields its progress after each block (so ranges can be
 * sent to threads while the rest of the file is walked) and returns the layout, or undefined when
 * the file is not of the ordinary shape.
 */
export function* splitBlocks(file: string, opts: SplitOptions = {}): Generator<SplitProgress, Layout | undefined> {
  const blockSize = Math.max(16, opts.blockSize ?? 4 << 20);
  const maxDepth = opts.maxDepth ?? 64;
  const maxMemberBytes = opts.maxMemberBytes ?? 16 << 20;
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    throw new CityMeshError("input", `Cannot open ${file}: ${(e as Error).message}`, { path: file });
  }
  const size = fs.fstatSync(fd).size;
  const buf = Buffer.allocUnsafe(blockSize);
  const starts = new Grow(new Float64Array(4096)), ends = new Grow(new Float64Array(4096)), lines = new Grow(new Uint32Array(4096)), cols = new Grow(new Uint32Array(4096));
  const before: [string, unknown][] = [], after: [string, unknown][] = [];
  const progress: SplitProgress = { size, sawFeatures: false, before, starts, ends, lines, columns: cols };
  let state = S.Start as S;
  let cut = Cut.None as Cut;
  let sawFeatures = false;
  let line = 1;
  let extra = 0; // Σ EXTRA over the bytes read so far
  let lineStart = 0, extraAtLineStart = 0; // file offset of the line's first byte, and `extra` there
  let pos = 0; // file offset of buf[0]
  let depth = 0, inStr = false, esc = false, tooDeep = false;
  let keyParts: Buffer[] = [], keyFrom = 0, key = "";
  let memParts: Buffer[] = [], memFrom = 0, memBytes = 0, scalar = false;
  try {
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, blockSize, null);
      } catch (e) {
        throw new CityMeshError("input", `Cannot read ${file}: ${(e as Error).message}`, { path: file });
      }
      if (n === 0) break;
      let i = 0;
      if (pos === 0) {
        if (n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = lineStart = 3; // BOM: no column
      }
      if (state === S.Key) keyFrom = i;
      if (cut === Cut.Member) memFrom = i;
      while (i < n) {
        if (cut !== Cut.None) {
          // Walk a value: strings, escapes, depth and (outside strings) newlines.
          let done = false;
          while (i < n) {
            const b = buf[i++];
            if (inStr) {
              if (b >= 0x80) extra += EXTRA[b];
              else if (esc) esc = false;
              else if (b === 0x5c) esc = true;
              else if (b === 0x22) { inStr = false; if (depth === 0) { done = true; break; } }
              continue;
            }
            if (scalar) {
              if (b >= 0x80) return undefined; // not JSON
              if (WS[b] === 1 || b === 0x2c || b === 0x5d || b === 0x7d) { i--; done = true; break; }
              continue;
            }
            const k = KIND[b];
            if (k === 0) continue;
            if (k === K_QUOTE) inStr = true;
            else if (k === K_OPEN) { if (++depth > maxDepth) tooDeep = true; }
            else if (k === K_CLOSE) { if (--depth === 0) { done = true; break; } }
            else if (k === K_NEWLINE) { line++; lineStart = pos + i; extraAtLineStart = extra; }
            else extra += EXTRA[b];
          }
          if (!done) break;
          if (tooDeep) return undefined;
          if (cut === Cut.Feature) {
            ends.push(pos + i);
            state = S.AfterElem;
          } else {
            memParts.push(buf.subarray(memFrom, i));
            memBytes += i - memFrom;
            if (memBytes > maxMemberBytes) return undefined;
            let value: unknown;
            try {
              value = JSON.parse(Buffer.concat(memParts).toString("utf8"));
            } catch {
              return undefined;
            }
            memParts = [];
            (sawFeatures ? after : before).push([key, value]);
            state = S.AfterValue;
          }
          cut = Cut.None;
          continue;
        }
        const b = buf[i];
        if (state === S.Key) {
          while (i < n) {
            const c = buf[i];
            if (c >= 0x80) extra += EXTRA[c];
            else if (esc) esc = false;
            else if (c === 0x5c) esc = true;
            else if (c === 0x22) break;
            i++;
          }
          if (i >= n) { keyParts.push(Buffer.from(buf.subarray(keyFrom, n))); break; }
          keyParts.push(buf.subarray(keyFrom, i));
          try {
            key = JSON.parse('"' + Buffer.concat(keyParts).toString("utf8") + '"') as string;
          } catch {
            return undefined;
          }
          keyParts = [];
          i++;
          state = S.Colon;
          continue;
        }
        i++;
        if (WS[b] === 1) {
          if (b === 0x0a) { line++; lineStart = pos + i; extraAtLineStart = extra; }
          continue;
        }
        switch (state) {
          case S.Start:
            if (b !== 0x7b) return undefined;
            state = S.KeyOrEnd;
            break;
          case S.KeyOrEnd:
            if (b === 0x22) { state = S.Key; keyFrom = i; esc = false; }
            else if (b === 0x7d) state = S.Done;
            else return undefined;
            break;
          case S.Colon:
            if (b !== 0x3a) return undefined;
            state = S.Value;
            break;
          case S.Value:
            if (key === "features") {
              if (b !== 0x5b || sawFeatures) return undefined;
              sawFeatures = progress.sawFeatures = true;
              state = S.ElemOrEnd;
              break;
            }
            cut = Cut.Member;
            memFrom = i - 1;
            memBytes = 0;
            depth = 0; inStr = false; esc = false; tooDeep = false; scalar = false;
            if (b === 0x7b || b === 0x5b) depth = 1;
            else if (b === 0x22) inStr = true;
            else scalar = true;
            break;
          case S.AfterValue:
            if (b === 0x2c) state = S.KeyOrEnd;
            else if (b === 0x7d) state = S.Done;
            else return undefined;
            break;
          case S.ElemOrEnd:
          case S.AfterElem:
            if (b === 0x5d) { if (state === S.ElemOrEnd && starts.n > 0) return undefined; state = S.AfterValue; break; }
            if (state === S.AfterElem) {
              if (b !== 0x2c) return undefined;
              state = S.ElemOrEnd;
              break;
            }
            if (b !== 0x7b) return undefined;
            // A feature starts at buf[i - 1].
            starts.push(pos + i - 1);
            lines.push(line);
            cols.push(pos + i - 1 - lineStart + extra - extraAtLineStart + 1);
            cut = Cut.Feature;
            depth = 1; inStr = false; esc = false; tooDeep = false; scalar = false;
            break;
          case S.Done:
            return undefined; // trailing content
        }
      }
      if (cut === Cut.Member) {
        memParts.push(Buffer.from(buf.subarray(memFrom, n)));
        memBytes += n - memFrom;
        if (memBytes > maxMemberBytes) return undefined;
      }
      pos += n;
      yield progress;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (state !== S.Done || !sawFeatures) return undefined;
  const type = [...before, ...after].filter(([k]) => k === "type").pop();
  if (!type || type[1] !== "FeatureCollection") return undefined;
  return {
    size,
    before,
    after,
    featureCount: starts.n,
    starts: starts.a.slice(0, starts.n),
    ends: ends.a.slice(0, ends.n),
    lines: lines.a.slice(0, lines.n) as Uint32Array,
    columns: cols.a.slice(0, cols.n) as Uint32Array,
  };
}
