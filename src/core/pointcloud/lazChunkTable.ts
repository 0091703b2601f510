// The LASzip chunk table: where each compressed chunk of a LAZ file starts and how many points it holds, so the
// reader can hand laz-perf one chunk at a time (streaming) instead of the whole file.
//
// Hand-written because laz-perf (the LASzip codec we decode points with) has no API for it: its LASZip class
// reads the table internally and only over a whole file in memory, its ChunkDecoder takes one chunk's bytes and
// nothing else. The table is small (a few bytes per chunk) but entropy-coded with LASzip's adaptive arithmetic
// coder and integer compressor (32 bits, 2 contexts: 0 = point counts, 1 = byte sizes), so both are written
// here, from the algorithm as the LAZ specification and LASzip describe it (Said's FastAC range coder with
// LASzip's adaptive models), only the decoding half and only what the table uses.
//
// Table layout (at the int64 offset stored at the start of the point data; -1 = the writer could not seek back,
// the offset is then the last 8 bytes of the file): u32 version (0), u32 chunk count, then the coded stream:
// per chunk [point count (variable-size chunks only)], byte size; each predicted from the previous chunk's value.

const AC_MIN_LENGTH = 0x01000000;
const BM_LENGTH_SHIFT = 13, BM_MAX_COUNT = 1 << BM_LENGTH_SHIFT;
const DM_LENGTH_SHIFT = 15, DM_MAX_COUNT = 1 << DM_LENGTH_SHIFT;

/** Adaptive model of `symbols` symbols (LASzip's ArithmeticModel, decoding side). */
export class SymbolModel {
  readonly distribution: Uint32Array;
  readonly counts: Uint32Array;
  readonly table: Uint32Array | null;
  readonly tableShift: number;
  readonly tableSize: number;
  totalCount = 0;
  updateCycle: number;
  untilUpdate = 0;

  constructor(readonly symbols: number) {
    if (symbols > 16) {
      let bits = 3;
      while (symbols > 1 << (bits + 2)) bits++;
      this.tableSize = 1 << bits;
      this.tableShift = DM_LENGTH_SHIFT - bits;
      this.table = new Uint32Array(this.tableSize + 2);
    } else {
      this.tableSize = 0;
      this.tableShift = 0;
      this.table = null;
    }
    this.distribution = new Uint32Array(symbols);
    this.counts = new Uint32Array(symbols).fill(1);
    this.updateCycle = symbols;
    this.update();
    this.untilUpdate = this.updateCycle = (symbols + 6) >>> 1;
  }

  update(): void {
    const n = this.symbols, counts = this.counts;
    if ((this.totalCount += this.updateCycle) > DM_MAX_COUNT) {
      this.totalCount = 0;
      for (let i = 0; i < n; i++) this.totalCount += counts[i] = (counts[i]! + 1) >>> 1;
    }
    const scale = Math.floor(0x80000000 / this.totalCount);
    let sum = 0;
    if (this.table === null) {
      for (let k = 0; k < n; k++) { this.distribution[k] = (scale * sum) >>> (31 - DM_LENGTH_SHIFT); sum += counts[k]!; }
    } else {
      const t = this.table;
      let s = 0;
      for (let k = 0; k < n; k++) {
        const d = (this.distribution[k] = (scale * sum) >>> (31 - DM_LENGTH_SHIFT));
        sum += counts[k]!;
        const w = d >>> this.tableShift;
        while (s < w) t[++s] = k - 1;
      }
      t[0] = 0;
      while (s <= this.tableSize) t[++s] = n - 1;
    }
    this.updateCycle = (5 * this.updateCycle) >>> 2;
    const maxCycle = (n + 6) << 3;
    if (this.updateCycle > maxCycle) this.updateCycle = maxCycle;
    this.untilUpdate = this.updateCycle;
  }
}

/** Adaptive binary model (LASzip's ArithmeticBitModel). */
export class BitModel {
  bit0Count = 1;
  bitCount = 2;
  bit0Prob = 1 << (BM_LENGTH_SHIFT - 1);
  updateCycle = 4;
  untilUpdate = 4;

  update(): void {
    if ((this.bitCount += this.updateCycle) > BM_MAX_COUNT) {
      this.bitCount = (this.bitCount + 1) >>> 1;
      this.bit0Count = (this.bit0Count + 1) >>> 1;
      if (this.bit0Count === this.bitCount) this.bitCount++;
    }
    const scale = Math.floor(0x80000000 / this.bitCount);
    this.bit0Prob = (this.bit0Count * scale) >>> (31 - BM_LENGTH_SHIFT);
    this.updateCycle = (5 * this.updateCycle) >>> 2;
    if (this.updateCycle > 64) this.updateCycle = 64;
    this.untilUpdate = this.updateCycle;
  }
}

/** Range decoder over a byte array; reads past its end as zeros (the caller validates what it decoded). */
export class ArithmeticDecoder {
  private value = 0;
  private length = 0xffffffff;
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {
    for (let i = 0; i < 4; i++) this.value = ((this.value << 8) | this.byte()) >>> 0;
  }

  /** Bytes consumed so far; more than the array holds means the stream was cut. */
  get consumed(): number { return this.pos; }

  private byte(): number {
    return this.pos < this.bytes.length ? this.bytes[this.pos++]! : (this.pos++, 0);
  }

  private renorm(): void {
    do {
      this.value = ((this.value << 8) | this.byte()) >>> 0;
      this.length = (this.length << 8) >>> 0;
    } while (this.length < AC_MIN_LENGTH);
  }

  decodeBit(m: BitModel): number {
    const x = m.bit0Prob * (this.length >>> BM_LENGTH_SHIFT);
    let sym: number;
    if (this.value < x) { sym = 0; this.length = x; m.bit0Count++; }
    else { sym = 1; this.value -= x; this.length -= x; }
    if (this.length < AC_MIN_LENGTH) this.renorm();
    if (--m.untilUpdate === 0) m.update();
    return sym;
  }

  decodeSymbol(m: SymbolModel): number {
    let x: number, sym: number, y = this.length;
    const dist = m.distribution;
    if (m.table !== null) {
      this.length >>>= DM_LENGTH_SHIFT;
      const dv = Math.floor(this.value / this.length);
      const t = dv >>> m.tableShift;
      sym = m.table[t]!;
      let n = m.table[t + 1]! + 1;
      while (n > sym + 1) { // bisection within the table's bracket
        const k = (sym + n) >>> 1;
        if (dist[k]! > dv) n = k; else sym = k;
      }
      x = dist[sym]! * this.length;
      if (sym !== m.symbols - 1) y = dist[sym + 1]! * this.length;
    } else {
      x = sym = 0;
      this.length >>>= DM_LENGTH_SHIFT;
      let n = m.symbols, k = n >>> 1;
      do {
        const z = this.length * dist[k]!;
        if (z > this.value) { n = k; y = z; } else { sym = k; x = z; }
      } while ((k = (sym + n) >>> 1) !== sym);
    }
    this.value -= x;
    this.length = y - x;
    if (this.length < AC_MIN_LENGTH) this.renorm();
    m.counts[sym]!++;
    if (--m.untilUpdate === 0) m.update();
    return sym;
  }

  readBits(bits: number): number {
    if (bits > 19) {
      const low = this.readShort();
      const high = this.readBits(bits - 16);
      return ((high << 16) | low) >>> 0;
    }
    this.length >>>= bits;
    const sym = Math.floor(this.value / this.length);
    this.value -= this.length * sym;
    if (this.length < AC_MIN_LENGTH) this.renorm();
    return sym;
  }

  private readShort(): number {
    this.length >>>= 16;
    const sym = Math.floor(this.value / this.length);
    this.value -= this.length * sym;
    if (this.length < AC_MIN_LENGTH) this.renorm();
    return sym;
  }
}

/** LASzip's IntegerCompressor, decompression only, for 32-bit values (corrector range = all of int32). */
export class IntegerDecompressor {
  private readonly kModels: SymbolModel[];
  private readonly bit0 = new BitModel();
  private readonly correctors: SymbolModel[] = [];
  private static readonly CORR_BITS = 32;
  private static readonly BITS_HIGH = 8;

  constructor(private readonly dec: ArithmeticDecoder, contexts: number) {
    const C = IntegerDecompressor.CORR_BITS, H = IntegerDecompressor.BITS_HIGH;
    this.kModels = Array.from({ length: contexts }, () => new SymbolModel(C + 1));
    for (let i = 1; i <= C; i++) this.correctors[i] = new SymbolModel(i <= H ? 1 << i : 1 << H);
  }

  /** The value coded as a correction of `pred` in `context`, wrapped to int32 as LASzip's 32-bit arithmetic does. */
  decompress(pred: number, context: number): number {
    return (pred + this.corrector(context)) | 0;
  }

  private corrector(context: number): number {
    const dec = this.dec, H = IntegerDecompressor.BITS_HIGH;
    const k = dec.decodeSymbol(this.kModels[context]!);
    if (k === 0) return dec.decodeBit(this.bit0); // 0 or 1
    if (k >= 32) return -0x80000000; // the corrector's minimum
    let c: number;
    if (k <= H) c = dec.decodeSymbol(this.correctors[k]!);
    else {
      const k1 = k - H;
      c = dec.decodeSymbol(this.correctors[k]!);
      c = (c * 2 ** k1 + dec.readBits(k1)) >>> 0;
    }
    // c in [0, 2^k): the upper half are the positive corrections 2^(k-1)+1 … 2^k, the lower the negative ones.
    return c >= 2 ** (k - 1) ? c + 1 : c - (2 ** k - 1);
  }
}

export interface ChunkEntry {
  /** Byte offset of the chunk in the file. */
  start: number;
  /** Its compressed size in bytes. */
  bytes: number;
  /** Points in it. */
  points: number;
}

/**
 * Decodes the table's coded part (after version and count). `chunkSize` is the LASzip VLR's (0xffffffff =
 * variable: counts are in the table), `pointCount` the header's, `firstChunk` the offset of chunk 0 (point
 * data start + 8). Returns null when the decoded entries cannot be right (sizes ≤ 0, chunks past `tableStart`,
 * counts not adding up to the header's): the caller then falls back to decoding without a table.
 */
export function decodeChunkTable(coded: Uint8Array, count: number, chunkSize: number, pointCount: number, firstChunk: number, tableStart: number): ChunkEntry[] | null {
  const variable = chunkSize === 0xffffffff;
  if (count <= 0 || (!variable && chunkSize === 0)) return null;
  const dec = new ArithmeticDecoder(coded);
  const ic = new IntegerDecompressor(dec, 2);
  const out: ChunkEntry[] = [];
  let prevCount = 0, prevBytes = 0, start = firstChunk, left = pointCount;
  for (let i = 0; i < count; i++) {
    let points: number;
    if (variable) points = prevCount = ic.decompress(prevCount, 0);
    else { points = Math.min(chunkSize, left); }
    const bytes = (prevBytes = ic.decompress(prevBytes, 1));
    if (points <= 0 || bytes <= 0 || start + bytes > tableStart) return null;
    out.push({ start, bytes, points });
    start += bytes;
    left -= points;
  }
  if (dec.consumed > coded.length + 4) return null; // ran far past the table: not a table
  if (left !== 0) return null;
  return out;
}
