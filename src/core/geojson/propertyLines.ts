// The properties side file's lines as a planner thread makes them for its range of features:
// `{"b":N,"f":…,"id":…,"properties":…}` as JSON.stringify writes it, byte for byte, but built in
// bytes. The thread writes each line without its `{"b":N` head (N is only known once the ranges
// before it are in) and the main thread puts the heads on (numberedLines).
//
// A feature's properties are usually copied from the file as they are. Re-serialising every
// parsed properties object was a third of a range's time (New York: 25 MB of properties), and
// an export's text is already what JSON.stringify makes of it, but for spaces between tokens, in
// most files (shortest numbers, no needless escapes). The copy, spaces taken out, is made only
// when that is provably so (canonicalKeys); anything else (an escaped slash, 1.50, 1e3, a nested
// object, a key starting with a digit, a repeated key) goes through JSON.stringify as before.
import { isUtf8 } from "node:buffer";

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN = 0x7b, CLOSE = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d, COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d, DOT = 0x2e, ZERO = 0x30, NINE = 0x39;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number) => c >= ZERO && c <= NINE;
/** The first byte from `i` that is not a space (or `i` itself when it is -1: a failure passes through). */
const skipSpace = (b: Uint8Array, i: number, e: number) => { if (i < 0) return i; while (i < e && isSpace(b[i])) i++; return i; };

/** End (exclusive) of the JSON string whose opening quote is at `s`, or -1. */
function stringEnd(b: Uint8Array, s: number, e: number): number {
  for (let i = s + 1; i < e; i++) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i++;
  }
  return -1;
}

/** End (exclusive) of the JSON value starting at `s` (no leading space), or -1. */
function valueEnd(b: Uint8Array, s: number, e: number): number {
  const c = b[s];
  if (c === QUOTE) return stringEnd(b, s, e);
  if (c === OPEN || c === OPEN_ARRAY) {
    let depth = 0;
    for (let i = s; i < e; i++) {
      const d = b[i];
      if (d === QUOTE) {
        i = stringEnd(b, i, e) - 1;
        if (i < 0) return -1;
      } else if (d === OPEN || d === OPEN_ARRAY) depth++;
      else if (d === CLOSE || d === CLOSE_ARRAY) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = s;
  while (i < e && b[i] !== COMMA && b[i] !== CLOSE && b[i] !== CLOSE_ARRAY && !isSpace(b[i])) i++;
  return i;
}

const PROPERTIES = [...'"properties"'].map((ch) => ch.charCodeAt(0));

/**
 * Bytes [start, end) of the value of the feature object's "properties" member (its last one, as
 * JSON.parse takes) when that is an object; undefined otherwise, or when a member's name has an
 * escape (it might spell "properties"). `s`, `e`: the feature's bytes, which JSON.parse took.
 */
export function propertiesSpan(b: Uint8Array, s: number, e: number): [number, number] | undefined {
  let i = s;
  while (i < e && isSpace(b[i])) i++;
  if (b[i] !== OPEN) return undefined;
  i++;
  let found: [number, number] | undefined;
  for (;;) {
    while (i < e && isSpace(b[i])) i++;
    if (b[i] === CLOSE) return found;
    if (b[i] !== QUOTE) return undefined;
    const keyEnd = stringEnd(b, i, e);
    if (keyEnd < 0) return undefined;
    for (let k = i + 1; k < keyEnd - 1; k++) if (b[k] === BACKSLASH) return undefined;
    let isProperties = keyEnd - i === PROPERTIES.length;
    for (let k = 0; isProperties && k < PROPERTIES.length; k++) isProperties = b[i + k] === PROPERTIES[k];
    i = keyEnd;
    while (i < e && isSpace(b[i])) i++;
    if (b[i] !== COLON) return undefined;
    i++;
    while (i < e && isSpace(b[i])) i++;
    const end = valueEnd(b, i, e);
    if (end < 0) return undefined;
    if (isProperties) found = b[i] === OPEN ? [i, end] : undefined;
    i = end;
    while (i < e && isSpace(b[i])) i++;
    if (b[i] === COMMA) i++;
    else if (b[i] === CLOSE) return found;
    else return undefined;
  }
}

/**
 * The end of the string at `s` when JSON.stringify would write its parse the same way, else -1:
 * only the escapes it makes (\" \\ \b \f \n \r \t, and \u00xx in lower case for the other
 * control characters). Bytes from 0x80 are left to the caller's UTF-8 check.
 */
function canonicalString(b: Uint8Array, s: number, e: number): number {
  for (let i = s + 1; i < e; i++) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -1;
    if (c !== BACKSLASH) continue;
    const n = b[i + 1];
    if (n === QUOTE || n === BACKSLASH || n === 0x62 || n === 0x66 || n === 0x6e || n === 0x72 || n === 0x74) { i++; continue; }
    if (n !== 0x75 || b[i + 2] !== ZERO || b[i + 3] !== ZERO) return -1;
    const hi = b[i + 4], lo = b[i + 5];
    const low = isDigit(lo) ? lo - ZERO : lo >= 0x61 && lo <= 0x66 ? lo - 0x57 : -1;
    if ((hi !== ZERO && hi !== 0x31) || low < 0) return -1;
    const code = (hi - ZERO) * 16 + low;
    if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return -1; // written as \b \t \n \f \r
    i += 5;
  }
  return -1;
}

/**
 * The end of the number at `s` when it is written as JavaScript prints its value, else -1: no
 * exponent, no "-0", no trailing zero after the point, at most 5 zeros after "0." (1e-7 prints
 * so), and at most 15 significant digits. Fifteen digits survive the trip through a double
 * (DBL_DIG), so no shorter decimal maps to the same double, and the shortest round trip that
 * Number's printing makes is these digits again.
 */
function canonicalNumber(b: Uint8Array, s: number, e: number): number {
  let i = s, digits = 0;
  const negative = b[i] === MINUS;
  if (negative) i++;
  const zero = b[i] === ZERO;
  if (zero) i++;
  else if (!isDigit(b[i])) return -1;
  else {
    while (i < e && isDigit(b[i])) { i++; digits++; }
  }
  if (b[i] === DOT) {
    i++;
    const from = i;
    while (i < e && isDigit(b[i])) i++;
    if (i === from || b[i - 1] === ZERO) return -1;
    let lead = 0;
    if (zero) while (b[from + lead] === ZERO) lead++;
    if (lead > 5) return -1;
    digits += i - from - lead;
  } else if (zero && negative) return -1;
  if (b[i] === 0x65 || b[i] === 0x45 || digits > 15) return -1;
  return i;
}

const LITERALS = [[0x74, 0x72, 0x75, 0x65], [0x66, 0x61, 0x6c, 0x73, 0x65], [0x6e, 0x75, 0x6c, 0x6c]]; // true, false, null

/** The end of the value at `s` when it is canonical (canonicalKeys), else -1. Objects are not taken: their keys are not counted. */
function canonicalValue(b: Uint8Array, s: number, e: number, depth: number): number {
  const c = b[s];
  if (c === QUOTE) return canonicalString(b, s, e);
  if (c === MINUS || isDigit(c)) return canonicalNumber(b, s, e);
  if (c === OPEN_ARRAY) {
    if (depth > 32) return -1;
    let i = skipSpace(b, s + 1, e);
    if (b[i] === CLOSE_ARRAY) return i + 1;
    for (;;) {
      i = canonicalValue(b, i, e, depth + 1);
      if (i < 0) return -1;
      i = skipSpace(b, i, e);
      if (b[i] === COMMA) i = skipSpace(b, i + 1, e);
      else return b[i] === CLOSE_ARRAY ? i + 1 : -1;
    }
  }
  for (const word of LITERALS) {
    if (c !== word[0]) continue;
    for (let k = 1; k < word.length; k++) if (b[s + k] !== word[k]) return -1;
    return s + word.length;
  }
  return -1;
}

/**
 * How many members the object in bytes [s, e) has when JSON.stringify of its parse is exactly
 * these bytes, once the spaces between tokens are taken out (`spaced`: there are some); undefined
 * when that is not certain. The caller compares the count with the parsed object's: a repeated
 * name leaves fewer members there. Members named like array indices come first in a JavaScript
 * object whatever their order in the text, so a name starting with a digit is not taken.
 */
export function canonicalKeys(b: Uint8Array, s: number, e: number): { keys: number; spaced: boolean } | undefined {
  if (b[s] !== OPEN || b[e - 1] !== CLOSE) return undefined;
  let i = skipSpace(b, s + 1, e), keys = 0;
  if (b[i] !== CLOSE) {
    for (;;) {
      if (b[i] !== QUOTE || isDigit(b[i + 1])) return undefined;
      i = skipSpace(b, canonicalString(b, i, e), e);
      if (i < 0 || b[i] !== COLON) return undefined;
      keys++;
      i = canonicalValue(b, skipSpace(b, i + 1, e), e, 0);
      if (i < 0) return undefined;
      i = skipSpace(b, i, e);
      if (b[i] === COMMA) i = skipSpace(b, i + 1, e);
      else break;
    }
  }
  if (i !== e - 1) return undefined;
  // Bytes from 0x80 stand only inside strings; spaces outside them are the ones to take out.
  let high = false, spaced = false;
  for (let k = s; k < e; k++) {
    const c = b[k];
    if (isSpace(c)) spaced = true;
    else if (c === QUOTE) {
      for (k++; b[k] !== QUOTE; k++) {
        if (b[k] === BACKSLASH) k++;
        else if (b[k] >= 0x80) high = true;
      }
    }
  }
  return high && !isUtf8(b.subarray(s, e)) ? undefined : { keys, spaced };
}

/** Bytes [s, e) of JSON text into `out` at `at` without the spaces between tokens; returns the end. */
function copyWithoutSpaces(b: Uint8Array, s: number, e: number, out: Uint8Array, at: number): number {
  for (let k = s; k < e; k++) {
    const c = b[k];
    if (isSpace(c)) continue;
    if (c !== QUOTE) { out[at++] = c; continue; }
    const end = stringEnd(b, k, e);
    out.set(b.subarray(k, end), at);
    at += end - k;
    k = end - 1;
  }
  return at;
}

/** Own enumerable members of a parsed object (all of them: JSON.parse makes no other kind). */
function memberCount(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

/** A range's lines without their `{"b":N` heads, in one buffer; `ends[i]` is where line i ends. */
export interface LineTails {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** Builds a range's line tails (`,"f":F,"id":ID,"properties":P}\n`), one per kept building. */
export class PropertyLines {
  private out: Buffer;
  private at = 0;
  private readonly ends: number[] = [];

  constructor(bytesHint: number) {
    this.out = Buffer.allocUnsafeSlow(Math.max(1024, bytesHint)); // not pooled: its buffer is transferred
  }

  /** The line of feature `featureIndex`, whose bytes are src[s, e). */
  add(src: Uint8Array, s: number, e: number, featureIndex: number, id: string | number | null, properties: Record<string, unknown> | null): void {
    this.text(`,"f":${featureIndex},"id":${JSON.stringify(id)},"properties":`);
    const span = properties ? propertiesSpan(src, s, e) : undefined;
    const text = span && canonicalKeys(src, span[0], span[1]);
    if (text && text.keys === memberCount(properties!)) {
      this.room(span[1] - span[0]);
      if (text.spaced) this.at = copyWithoutSpaces(src, span[0], span[1], this.out, this.at);
      else {
        this.out.set(src.subarray(span[0], span[1]), this.at);
        this.at += span[1] - span[0];
      }
    } else this.text(JSON.stringify(properties));
    this.text("}\n");
    this.ends.push(this.at);
  }

  finish(): LineTails {
    return { bytes: this.out.subarray(0, this.at), ends: Uint32Array.from(this.ends) };
  }

  private text(s: string): void {
    this.room(3 * s.length); // UTF-8 takes at most 3 bytes per UTF-16 unit
    this.at += this.out.write(s, this.at, "utf8");
  }

  private room(n: number): void {
    if (this.at + n <= this.out.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.out.length, this.at + n));
    grown.set(this.out.subarray(0, this.at));
    this.out = grown;
  }
}

/** The whole lines: `{"b":` and building number `base + i` put before tail i. */
export function numberedLines(tails: LineTails, base: number): Buffer {
  const n = tails.ends.length;
  let size = tails.bytes.length;
  for (let i = 0; i < n; i++) size += 5 + String(base + i).length;
  const out = Buffer.allocUnsafe(size);
  let at = 0, from = 0;
  for (let i = 0; i < n; i++) {
    at += out.write(`{"b":${base + i}`, at, "latin1");
    out.set(tails.bytes.subarray(from, tails.ends[i]), at);
    at += tails.ends[i] - from;
    from = tails.ends[i];
  }
  return out;
}
