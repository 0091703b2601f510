// The LAS/LAZ point cloud reader (src/core/pointcloud/las.ts). Every point is compared with an independent
// decoder: laz-rs (LASzip reimplemented in Rust, compiled to wasm, through @loaders.gl/las's LAZRsLoader), which
// shares no code with laz-perf nor with our chunk table decoder. Real data: the two AHN3 tiles in ../shared/data
// (relative to the repository root; skipped, loudly, when absent) and test/fixtures/pointcloud (two chunks cut
// out of them, and LAS files of their first 1,000 points: see that folder's README). Damaged files are made from
// the fixtures in a temporary folder.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { readLazRs } from "../../support/lazIndependent";
import { CityMeshError } from "../../../src/core/errors";
import { openPointCloud, type PointCloudHeader, type PointCloudReader } from "../../../src/core/pointcloud/las";
import { parseHeader, parseLasZipVlr, parseVlrs } from "../../../src/core/pointcloud/lasHeader";
import { decodeChunkTable } from "../../../src/core/pointcloud/lazChunkTable";
import { createLazPerf } from "../../../src/core/pointcloud/lazPerf";
import { assembleLaz, geoKeyVlr, writeLas, wktVlr } from "../../support/lasWriter";

const root = path.resolve(import.meta.dirname ?? __dirname, "../../..");
const F = path.join(root, "test/fixtures/pointcloud");
const LAZ = path.join(F, "delft-2chunks.laz");
const shared = (name: string) => path.resolve(root, "../shared/data", name);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-las-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
const tmp = (name: string, data: Buffer) => { const p = path.join(dir, name); fs.writeFileSync(p, data); return p; };

interface All { header: PointCloudHeader; damage: PointCloudReader["damage"]; x: number[]; y: number[]; z: number[]; cls: number[]; sizes: number[] }

/** Every point of the file, checking that chunks come in order and hold at most `maxPoints`. */
async function readAll(file: string, maxPoints?: number): Promise<All> {
  const r = await openPointCloud(file);
  const out: All = { header: r.header, damage: null, x: [], y: [], z: [], cls: [], sizes: [] };
  try {
    assert.equal(r.header.classCounts, null, "no class counts before the points were read");
    for await (const c of r.chunks(maxPoints)) {
      assert.equal(c.start, out.x.length, "chunks in order, none skipped");
      assert.ok(c.count >= 1 && c.count <= (maxPoints ?? 65536) && c.x.length >= c.count);
      for (let i = 0; i < c.count; i++) { out.x.push(c.x[i]!); out.y.push(c.y[i]!); out.z.push(c.z[i]!); out.cls.push(c.classification[i]!); }
      out.sizes.push(c.count);
    }
    out.damage = r.damage;
  } finally {
    await r.close();
  }
  return out;
}

/** The file decoded whole by laz-rs (test/support/lazIndependent.ts). */
async function lazRs(file: string): Promise<{ x: number[]; y: number[]; z: number[]; cls: number[] }> {
  const c = await readLazRs(file);
  return { x: Array.from(c.x), y: Array.from(c.y), z: Array.from(c.z), cls: Array.from(c.cls) };
}

/** Asserts `a`'s points are `ref`'s first `n` (all by default), exactly. */
function samePoints(a: Pick<All, "x" | "y" | "z" | "cls">, ref: Pick<All, "x" | "y" | "z" | "cls">, n = ref.x.length) {
  assert.equal(a.x.length, n);
  for (const k of ["x", "y", "z", "cls"] as const) {
    const i = a[k].findIndex((v, j) => v !== ref[k][j]);
    assert.equal(i, -1, `${k} of point ${i}: ${a[k][i]} here, ${ref[k][i]} in the reference`);
  }
}

const bounds = (a: All) => {
  const lo = (v: number[]) => v.reduce((m, x) => Math.min(m, x), Infinity), hi = (v: number[]) => v.reduce((m, x) => Math.max(m, x), -Infinity);
  return { min: [lo(a.x), lo(a.y), lo(a.z)], max: [hi(a.x), hi(a.y), hi(a.z)] };
};

const rejects = async (file: string, reason: RegExp) => {
  await assert.rejects(openPointCloud(file), (e: unknown) => {
    assert.ok(e instanceof CityMeshError, String(e));
    assert.equal(e.code, "pointcloud");
    assert.ok(e.message.startsWith(`Point cloud ${file}: `), e.message);
    assert.match(e.message, reason);
    assert.equal(e.details.path, file);
    return true;
  });
};

// ---- real data ----

for (const [name, count] of [["delft-ahn3-1.laz", 640510], ["delft-ahn3-2.laz", 208432]] as const) {
  const file = shared(name);
  test(`${name} (../shared/data): ${count} points, streamed chunk by chunk, each equal to laz-rs's`, { skip: fs.existsSync(file) ? false : `SKIPPED: ${file} is absent (../shared/data is not beside this checkout)` }, async (t) => {
    const t0 = performance.now();
    const a = await readAll(file);
    const ms = performance.now() - t0;
    t.diagnostic(`${name}: ${count} points in ${ms.toFixed(0)} ms (${((count / ms) * 1000).toFixed(0)} points/s)`);
    const h = a.header;
    assert.deepEqual([h.version, h.pointFormat, h.pointLength, h.pointCount, h.compressed, h.streamed], ["1.2", 1, 28, count, true, true]);
    assert.deepEqual(h.scale, [0.001, 0.001, 0.001]);
    assert.equal(h.epsg, undefined, "no CRS record in these files");
    assert.equal(a.damage, null);
    assert.deepEqual(bounds(a), { min: h.min, max: h.max }, "the points span exactly the header's box");
    const cc = h.classCounts!;
    assert.ok(cc[2]! > 0 && cc[6]! > 0, "ground (2) and building (6) points");
    assert.equal(cc.reduce((s, v) => s + v, 0), count);
    cc.forEach((v, k) => assert.equal(v, a.cls.filter((c) => c === k).length, `class ${k}`));
    samePoints(a, await lazRs(file));
  });
}

// ---- committed LAZ fixture ----

test("delft-2chunks.laz: both chunks, equal to laz-rs's decoding, in chunks of at most maxPoints", async () => {
  const a = await readAll(LAZ);
  assert.equal(a.header.pointCount, 48942);
  assert.equal(a.header.streamed, true);
  assert.equal(a.damage, null);
  assert.deepEqual(bounds(a), { min: a.header.min, max: a.header.max });
  samePoints(a, await lazRs(LAZ));
  const small = await readAll(LAZ, 1000);
  samePoints(small, a);
  assert.equal(small.sizes.length, 41 + 9, "40,510 + 8,432 points in chunks of ≤ 1000, not crossing a LAZ chunk");
});

/** The fixture's header+VLRs and its two chunks, to assemble variants from. */
function fixtureParts() {
  const b = fs.readFileSync(LAZ);
  const h = parseHeader(b, b.length);
  const info = parseLasZipVlr(parseVlrs(b, h));
  const ts = Number(b.readBigInt64LE(h.pointOffset));
  const chunks = decodeChunkTable(b.subarray(ts + 8), b.readUInt32LE(ts + 4), info.chunkSize, h.pointCount, h.pointOffset + 8, ts)!;
  assert.deepEqual(chunks.map((c) => c.points), [40510, 8432]);
  return { b, h, chunks, head: b.subarray(0, h.pointOffset), parts: chunks.map((c) => ({ data: b.subarray(c.start, c.start + c.bytes), points: c.points })) };
}

test("a LAZ with variable-size chunks (counts in the chunk table) reads the same, and laz-perf's own table reader agrees with ours", async () => {
  const { h, head, parts } = fixtureParts();
  const file = tmp("variable.laz", assembleLaz(head, parts, { chunkSize: 0xffffffff, min: h.min, max: h.max }));
  const ref = await readAll(LAZ);
  const a = await readAll(file);
  assert.equal(a.header.streamed, true);
  samePoints(a, ref);
  // laz-perf's LASZip decodes the table itself (the counts from it) and the file whole.
  const mod = await createLazPerf();
  const bytes = fs.readFileSync(file);
  const ptr = mod._malloc(bytes.length), out = mod._malloc(28);
  mod.HEAPU8.set(bytes, ptr);
  const zip = new mod.LASZip();
  zip.open(ptr, bytes.length);
  assert.equal(zip.getCount(), 48942);
  for (let i = 0; i < 48942; i++) {
    zip.getPoint(out);
    const v = new DataView(mod.HEAPU8.buffer, out, 28);
    if (v.getInt32(0, true) * 0.001 !== ref.x[i] || v.getInt32(8, true) * 0.001 !== ref.z[i]) assert.fail(`point ${i} differs from laz-perf's LASZip`);
  }
  zip.delete();
});

test("a chunk table whose offset is -1 (a writer that could not seek back) is found through the file's last 8 bytes", async () => {
  const { b, h } = fixtureParts();
  const c = Buffer.from(b);
  const tableAt = c.readBigInt64LE(h.pointOffset);
  c.writeBigInt64LE(-1n, h.pointOffset);
  const tail = Buffer.alloc(8);
  tail.writeBigInt64LE(tableAt);
  const a = await readAll(tmp("minus1.laz", Buffer.concat([c, tail])));
  assert.equal(a.header.streamed, true);
  assert.equal(a.damage, null);
  samePoints(a, await readAll(LAZ));
});

test("a LAZ whose chunk table is zeroed, or absent, is still read whole (laz-perf's LASZip over the file, not streamed)", async () => {
  const { b, h, head, parts } = fixtureParts();
  const ref = await readAll(LAZ);
  const zeroed = Buffer.from(b);
  zeroed.fill(0, Number(b.readBigInt64LE(h.pointOffset)));
  const absent = assembleLaz(head, parts, { chunkSize: 40510, min: h.min, max: h.max, table: false });
  for (const [name, data, why] of [["zeroed.laz", zeroed, /chunk table is damaged/], ["absent.laz", absent, /no chunk table/]] as const) {
    const a = await readAll(tmp(name, data));
    assert.equal(a.header.streamed, false, name);
    assert.match(a.header.lazFallback ?? "", why);
    assert.equal(a.damage, null, name);
    samePoints(a, ref);
  }
});

test("a LAZ cut in the middle of chunk 2: chunk 1's points exactly, then damage", async () => {
  const { b, chunks } = fixtureParts();
  const ref = await readAll(LAZ);
  const file = tmp("cut.laz", b.subarray(0, chunks[1]!.start + (chunks[1]!.bytes >> 1)));
  const a = await readAll(file);
  assert.equal(a.header.streamed, false, "the table at the end is gone");
  assert.match(a.header.lazFallback ?? "", /past the end of the file/);
  samePoints(a, ref, 40510);
  assert.equal(a.damage?.pointsRead, 40510);
  assert.equal(a.damage?.expected, 48942);
  assert.match(a.damage!.reason, /chunk 2 of 2/);
  // Cut 100 bytes before the end: chunk 2 decodes without a trap, but not the same when the missing bytes differ.
  const late = await readAll(tmp("cut-late.laz", b.subarray(0, chunks[1]!.start + chunks[1]!.bytes - 100)));
  samePoints(late, ref, 40510);
  assert.match(late.damage!.reason, /chunk 2 of 2 .*depend on bytes the file does not have/);
  // Cut inside chunk 1, or right at the start of the points: nothing, and damage.
  for (const end of [chunks[0]!.start + 1000, chunks[0]!.start - 4]) {
    const c = await readAll(tmp(`cut${end}.laz`, b.subarray(0, end)));
    assert.equal(c.x.length, 0);
    assert.equal(c.damage?.pointsRead, 0);
  }
});

test("a LAZ whose chunk 2 is overwritten (table intact): chunk 1's points, then damage, no garbage points", async () => {
  const { b, chunks } = fixtureParts();
  const ref = await readAll(LAZ);
  const c = Buffer.from(b);
  let s = 12345;
  for (let i = chunks[1]!.start + 200; i < chunks[1]!.start + 2200; i++) c[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  const a = await readAll(tmp("garbled.laz", c));
  assert.equal(a.header.streamed, true);
  samePoints(a, ref, 40510);
  assert.equal(a.damage?.pointsRead, 40510);
  assert.match(a.damage!.reason, /chunk 2 of 2/);
});

// ---- uncompressed LAS ----

test("LAS 1.2 format 1 and LAS 1.4 format 6 (test writer): the LAZ fixture's first 1,000 points, EPSG:28992 from the GeoKeyDirectory", async () => {
  const ref = await readAll(LAZ, 1000);
  for (const [name, version, format] of [["las12-format1-geokeys.las", "1.2", 1], ["las14-format6-geokeys.las", "1.4", 6]] as const) {
    const a = await readAll(path.join(F, name), 300);
    assert.deepEqual([a.header.version, a.header.pointFormat, a.header.compressed, a.header.epsg, a.header.wkt, a.header.streamed], [version, format, false, 28992, undefined, undefined], name);
    assert.equal(a.damage, null);
    samePoints(a, ref, 1000);
    assert.deepEqual(bounds(a), { min: a.header.min, max: a.header.max });
  }
});

test("LAS 1.4 with an OGC WKT extended VLR: the WKT and its EPSG code; a WKT naming no code is identified", async () => {
  const a = await readAll(path.join(F, "las14-format6-wkt-evlr.las"));
  const wkt = fs.readFileSync(path.join(F, "rd-new.wkt"), "utf8").trim();
  assert.equal(a.header.wkt, wkt);
  assert.equal(a.header.epsg, 28992);
  const pts = { x: [85000], y: [447500], z: [1], classification: [2], count: 1 };
  const noCode = wkt.replace(/,AUTHORITY\["EPSG","28992"\]\]$/, "]");
  assert.notEqual(noCode, wkt);
  const b = await openPointCloud(tmp("wkt-nocode.las", writeLas(pts, { minor: 2, format: 0, vlrs: [wktVlr(noCode)] })));
  assert.equal(b.header.epsg, 28992, "identified by what it computes");
  await b.close();
  // GeographicTypeGeoKey when there is no projected one; 32767 (user-defined) is no code.
  const g = await openPointCloud(tmp("geographic.las", writeLas(pts, { minor: 2, format: 0, vlrs: [geoKeyVlr(4326, true)] })));
  assert.equal(g.header.epsg, 4326);
  await g.close();
  const u = await openPointCloud(tmp("user.las", writeLas(pts, { minor: 2, format: 0, vlrs: [geoKeyVlr(32767)] })));
  assert.equal(u.header.epsg, undefined);
  await u.close();
});

test("classification: formats 0–5 the low 5 bits (flags above ignored), formats 6–10 the whole byte", async () => {
  const pts = { x: [1, 2], y: [1, 2], z: [1, 2], classification: [6, 200], count: 2 };
  const f6 = await readAll(tmp("class6.las", writeLas(pts, { minor: 4, format: 6 })));
  assert.deepEqual(f6.cls, [6, 200]);
  assert.equal(f6.header.classCounts!.length, 256);
  assert.equal(f6.header.classCounts![200], 1);
  const raw = writeLas({ ...pts, classification: [6, 2] }, { minor: 2, format: 1 });
  const at = raw.readUInt32LE(96);
  raw[at + 15] = 0b1110_0110; // class 6 with the synthetic, key-point and withheld flags
  const f1 = await readAll(tmp("class1.las", raw));
  assert.deepEqual(f1.cls, [6, 2]);
});

test("a truncated LAS: the whole records before the cut, then damage", async () => {
  const b = fs.readFileSync(path.join(F, "las12-format1-geokeys.las"));
  const ref = await readAll(path.join(F, "las12-format1-geokeys.las"));
  const a = await readAll(tmp("cut.las", b.subarray(0, b.readUInt32LE(96) + 28 * 700 + 13)), 256);
  samePoints(a, ref, 700);
  assert.deepEqual(a.damage, { pointsRead: 700, expected: 1000, reason: "the file ends after 700 of the 1000 points its header counts" });
});

test("a LAS whose header counts more points than it holds: those it holds, then damage; fewer: only those", async () => {
  const pts = { x: [1, 2, 3], y: [4, 5, 6], z: [7, 8, 9], classification: [1, 2, 6], count: 3 };
  const more = await readAll(tmp("more.las", writeLas(pts, { minor: 2, format: 1, headerCount: 5 })));
  assert.deepEqual(more.x, [1, 2, 3]);
  assert.deepEqual(more.damage, { pointsRead: 3, expected: 5, reason: "the file ends after 3 of the 5 points its header counts" });
  const fewer = await readAll(tmp("fewer.las", writeLas(pts, { minor: 4, format: 6, headerCount: 2 })));
  assert.deepEqual(fewer.z, [7, 8]);
  assert.equal(fewer.damage, null);
});

// ---- unreadable files ----

test("unreadable files throw CityMeshError('pointcloud') naming the file and the reason", async () => {
  const las = fs.readFileSync(path.join(F, "las12-format1-geokeys.las"));
  await rejects(path.join(dir, "missing.las"), /cannot be opened \(ENOENT\)/);
  await rejects(tmp("text.las", Buffer.from("x,y,z\n1,2,3\n")), /not a LAS file \(no "LASF" signature\)/);
  await rejects(tmp("empty.las", Buffer.alloc(0)), /not a LAS file/);
  await rejects(tmp("head.las", las.subarray(0, 200)), /header is cut/);
  await rejects(tmp("vlrcut.las", las.subarray(0, 240)), /header is cut/);
  const v = Buffer.from(las);
  v[25] = 5;
  await rejects(tmp("v15.las", v), /LAS version 1\.5 is not supported/);
  const v2 = Buffer.from(las);
  v2[24] = 2;
  await rejects(tmp("v2.las", v2), /LAS version 2\.2 is not supported/);
  const fmt = Buffer.from(las);
  fmt[104] = 11;
  await rejects(tmp("fmt11.las", fmt), /point format 11 is not supported/);
  const short = Buffer.from(las);
  short.writeUInt16LE(20, 105);
  await rejects(tmp("short.las", short), /record length 20 is shorter than point format 1's 28 bytes/);
  // LAZ: the compression bit without a LASzip VLR; a waveform format laz-perf does not decode.
  const noVlr = Buffer.from(las);
  noVlr[104] = 0x81;
  await rejects(tmp("novlr.laz", noVlr), /no LASzip VLR/);
  const { b, h } = fixtureParts();
  const wave = Buffer.from(b);
  wave[104] = 0x84;
  wave.writeUInt16LE(57, 105);
  await rejects(tmp("wave.laz", wave), /LAZ point format 4 .* not supported/);
  // Variable-size chunks without the table: nothing says how many points each chunk holds.
  const { head, parts } = fixtureParts();
  await rejects(tmp("var-notable.laz", assembleLaz(head, parts, { chunkSize: 0xffffffff, min: h.min, max: h.max, table: false })), /variable-size LAZ chunks/);
});

test("laz-perf leaves no process-wide error listeners behind (Emscripten adds some; they would crash VS Code's extension host)", async () => {
  const before = [process.listenerCount("uncaughtException"), process.listenerCount("unhandledRejection")];
  await readAll(LAZ, 50000);
  await readAll(tmp("zeroed2.laz", (() => { const { b, h } = fixtureParts(); const z = Buffer.from(b); z.fill(0, Number(b.readBigInt64LE(h.pointOffset))); return z; })()));
  assert.deepEqual([process.listenerCount("uncaughtException"), process.listenerCount("unhandledRejection")], before);
});
