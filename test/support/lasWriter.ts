// A tiny LAS/LAZ writer for tests and fixtures: uncompressed LAS 1.2/1.4 files of given points and VLRs, LAZ
// files assembled from LASzip chunks cut out of a real file (with a chunk table written by the encoding half of
// LASzip's arithmetic coder and integer compressor, the inverse of src/core/pointcloud/lazChunkTable.ts).
import { BitModel, SymbolModel } from "../../src/core/pointcloud/lazChunkTable";
import { BASE_LENGTH } from "../../src/core/pointcloud/lasHeader";

const AC_MIN_LENGTH = 0x01000000;

/** LASzip's ArithmeticEncoder, the parts the chunk table needs. */
class ArithmeticEncoder {
  private base = 0;
  private length = 0xffffffff;
  readonly out: number[] = [];

  private carry(): void {
    let p = this.out.length - 1;
    while (this.out[p] === 0xff) this.out[p--] = 0;
    this.out[p]!++;
  }

  private add(x: number): void {
    const init = this.base;
    this.base = (this.base + x) >>> 0;
    if (init > this.base) this.carry();
  }

  private renorm(): void {
    do {
      this.out.push(this.base >>> 24);
      this.base = (this.base << 8) >>> 0;
      this.length = (this.length << 8) >>> 0;
    } while (this.length < AC_MIN_LENGTH);
  }

  encodeBit(m: BitModel, bit: number): void {
    const x = m.bit0Prob * (this.length >>> 13);
    if (bit === 0) { this.length = x; m.bit0Count++; }
    else { this.add(x); this.length -= x; }
    if (this.length < AC_MIN_LENGTH) this.renorm();
    if (--m.untilUpdate === 0) m.update();
  }

  encodeSymbol(m: SymbolModel, sym: number): void {
    if (sym === m.symbols - 1) {
      const x = m.distribution[sym]! * (this.length >>> 15);
      this.add(x);
      this.length -= x;
    } else {
      this.length >>>= 15;
      const x = m.distribution[sym]! * this.length;
      this.add(x);
      this.length = m.distribution[sym + 1]! * this.length - x;
    }
    if (this.length < AC_MIN_LENGTH) this.renorm();
    m.counts[sym]!++;
    if (--m.untilUpdate === 0) m.update();
  }

  writeBits(bits: number, sym: number): void {
    if (bits > 19) {
      this.writeBits(16, sym & 0xffff);
      sym = sym >>> 16;
      bits -= 16;
    }
    this.length >>>= bits;
    this.add(sym * this.length);
    if (this.length < AC_MIN_LENGTH) this.renorm();
  }

  done(): Uint8Array {
    let another = true;
    if (this.length > 2 * AC_MIN_LENGTH) { this.add(AC_MIN_LENGTH); this.length = AC_MIN_LENGTH >>> 1; }
    else { this.add(AC_MIN_LENGTH >>> 1); this.length = AC_MIN_LENGTH >>> 9; another = false; }
    this.renorm();
    // Two or three zero bytes, so the decoder's reads stay within what was written.
    this.out.push(0, 0);
    if (another) this.out.push(0);
    return Uint8Array.from(this.out);
  }
}

/** LASzip's IntegerCompressor for 32-bit values, compression side. */
class IntegerCompressor {
  private readonly kModels: SymbolModel[];
  private readonly bit0 = new BitModel();
  private readonly correctors: SymbolModel[] = [];
  constructor(private readonly enc: ArithmeticEncoder, contexts: number) {
    this.kModels = Array.from({ length: contexts }, () => new SymbolModel(33));
    for (let i = 1; i <= 32; i++) this.correctors[i] = new SymbolModel(i <= 8 ? 1 << i : 256);
  }

  compress(pred: number, real: number, context: number): void {
    let c = (real - pred) | 0;
    let c1 = c <= 0 ? -c : c - 1, k = 0;
    while (c1) { c1 = Math.floor(c1 / 2); k++; }
    this.enc.encodeSymbol(this.kModels[context]!, k);
    if (k === 0) { this.enc.encodeBit(this.bit0, c); return; }
    if (k >= 32) return;
    c = c < 0 ? c + (2 ** k - 1) : c - 1;
    if (k <= 8) this.enc.encodeSymbol(this.correctors[k]!, c);
    else {
      const k1 = k - 8;
      this.enc.encodeSymbol(this.correctors[k]!, Math.floor(c / 2 ** k1));
      this.enc.writeBits(k1, c % 2 ** k1);
    }
  }
}

/** A chunk table: version 0, the count, the coded [points (variable only)], bytes of each chunk. */
export function encodeChunkTable(chunks: { points: number; bytes: number }[], variable: boolean): Buffer {
  const enc = new ArithmeticEncoder();
  const ic = new IntegerCompressor(enc, 2);
  let prevPoints = 0, prevBytes = 0;
  for (const c of chunks) {
    if (variable) { ic.compress(prevPoints, c.points, 0); prevPoints = c.points; }
    ic.compress(prevBytes, c.bytes, 1);
    prevBytes = c.bytes;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0, 0);
  head.writeUInt32LE(chunks.length, 4);
  return Buffer.concat([head, enc.done()]);
}

export interface TestVlr { userId: string; recordId: number; data: Buffer }

export function vlrBytes(v: TestVlr, extended = false): Buffer {
  const h = Buffer.alloc(extended ? 60 : 54);
  h.write(v.userId, 2, 16, "latin1");
  h.writeUInt16LE(v.recordId, 18);
  if (extended) h.writeBigUInt64LE(BigInt(v.data.length), 20);
  else h.writeUInt16LE(v.data.length, 20);
  return Buffer.concat([h, v.data]);
}

/** GeoKeyDirectory VLR naming one projected (or, with `geographic`, geographic) EPSG code. */
export function geoKeyVlr(epsg: number, geographic = false): TestVlr {
  const keys = [1, 1, 0, 2, 1024, 0, 1, geographic ? 2 : 1, geographic ? 2048 : 3072, 0, 1, epsg];
  const data = Buffer.alloc(keys.length * 2);
  keys.forEach((k, i) => data.writeUInt16LE(k, 2 * i));
  return { userId: "LASF_Projection", recordId: 34735, data };
}

export function wktVlr(wkt: string): TestVlr {
  return { userId: "LASF_Projection", recordId: 2112, data: Buffer.from(wkt + "\0", "latin1") };
}

export interface TestPoints { x: ArrayLike<number>; y: ArrayLike<number>; z: ArrayLike<number>; classification: ArrayLike<number>; count: number }

export interface LasOptions {
  minor: 2 | 4;
  format: number;
  scale?: [number, number, number];
  offset?: [number, number, number];
  vlrs?: TestVlr[];
  evlrs?: TestVlr[];
  /** The point count written into the header, when it should lie. */
  headerCount?: number;
}

/** An uncompressed LAS file of `p`. Records carry X, Y, Z, the class and return 1 of 1; other fields zero. */
export function writeLas(p: TestPoints, o: LasOptions): Buffer {
  const scale = o.scale ?? [0.001, 0.001, 0.001], offset = o.offset ?? [0, 0, 0];
  const hs = o.minor === 4 ? 375 : 227, len = BASE_LENGTH[o.format]!;
  const vlrs = Buffer.concat((o.vlrs ?? []).map((v) => vlrBytes(v)));
  const h = Buffer.alloc(hs);
  h.write("LASF", 0, "latin1");
  h.writeUInt8(1, 24);
  h.writeUInt8(o.minor, 25);
  h.write("citymesh test writer", 58, 32, "latin1");
  h.writeUInt16LE(hs, 94);
  h.writeUInt32LE(hs + vlrs.length, 96);
  h.writeUInt32LE(o.vlrs?.length ?? 0, 100);
  h.writeUInt8(o.format, 104);
  h.writeUInt16LE(len, 105);
  const count = o.headerCount ?? p.count;
  h.writeUInt32LE(o.format <= 5 ? count : 0, 107);
  h.writeUInt32LE(o.format <= 5 ? count : 0, 111); // all first returns
  const recs = Buffer.alloc(p.count * len);
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < p.count; i++) {
    const at = i * len, v = [p.x[i]!, p.y[i]!, p.z[i]!];
    for (let k = 0; k < 3; k++) {
      const raw = Math.round((v[k]! - offset[k]!) / scale[k]!);
      recs.writeInt32LE(raw, at + 4 * k);
      const back = raw * scale[k]! + offset[k]!;
      min[k] = Math.min(min[k]!, back);
      max[k] = Math.max(max[k]!, back);
    }
    if (o.format <= 5) { recs.writeUInt8(0b001001, at + 14); recs.writeUInt8(p.classification[i]! & 0x1f, at + 15); }
    else { recs.writeUInt8(0x11, at + 14); recs.writeUInt8(p.classification[i]!, at + 16); }
  }
  for (let k = 0; k < 3; k++) {
    h.writeDoubleLE(scale[k]!, 131 + 8 * k);
    h.writeDoubleLE(offset[k]!, 155 + 8 * k);
    h.writeDoubleLE(p.count ? max[k]! : 0, 179 + 16 * k);
    h.writeDoubleLE(p.count ? min[k]! : 0, 187 + 16 * k);
  }
  const evlrs = Buffer.concat((o.evlrs ?? []).map((v) => vlrBytes(v, true)));
  if (o.minor === 4) {
    h.writeBigUInt64LE(o.evlrs?.length ? BigInt(hs + vlrs.length + recs.length) : 0n, 235);
    h.writeUInt32LE(o.evlrs?.length ?? 0, 243);
    h.writeBigUInt64LE(BigInt(count), 247);
    h.writeBigUInt64LE(BigInt(count), 255);
  }
  return Buffer.concat([h, vlrs, recs, evlrs]);
}

/**
 * A LAZ file of the given compressed chunks: `head` is a real LAZ file's header and VLRs (everything before the
 * point data), rewritten for the new point count, bounds and chunk size (`chunkSize` 0xffffffff = variable,
 * with the counts in the table). `table` false leaves the table out (the offset then says -1, as a writer that
 * could not seek back writes it, and no offset follows at the end).
 */
export function assembleLaz(head: Buffer, chunks: { data: Buffer; points: number }[], opts: { chunkSize: number; min: number[]; max: number[]; byReturn?: number[]; table?: boolean }): Buffer {
  const h = Buffer.from(head);
  const pointOffset = h.readUInt32LE(96);
  const total = chunks.reduce((s, c) => s + c.points, 0);
  h.writeUInt32LE(total, 107);
  for (let r = 0; r < 5; r++) h.writeUInt32LE(opts.byReturn?.[r] ?? 0, 111 + 4 * r);
  for (let k = 0; k < 3; k++) {
    h.writeDoubleLE(opts.max[k]!, 179 + 16 * k);
    h.writeDoubleLE(opts.min[k]!, 187 + 16 * k);
  }
  // The LASzip VLR's chunk size (offset 12 of its payload).
  let o = h.readUInt16LE(94);
  for (let i = 0; i < h.readUInt32LE(100); i++) {
    const len = h.readUInt16LE(o + 20);
    if (h.toString("latin1", o + 2, o + 16) === "laszip encoded" && h.readUInt16LE(o + 18) === 22204) h.writeUInt32LE(opts.chunkSize, o + 54 + 12);
    o += 54 + len;
  }
  const data = Buffer.concat(chunks.map((c) => c.data));
  const tableAt = pointOffset + 8 + data.length;
  const ptr = Buffer.alloc(8);
  ptr.writeBigInt64LE(opts.table === false ? -1n : BigInt(tableAt));
  const table = opts.table === false ? Buffer.alloc(0) : encodeChunkTable(chunks.map((c) => ({ points: c.points, bytes: c.data.length })), opts.chunkSize === 0xffffffff);
  return Buffer.concat([h.subarray(0, pointOffset), ptr, data, table]);
}
