import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mergeTiles } from "../../../src/core/merge/mergeTiles";
import { memoryTileSource } from "../../../src/core/merge/tileSource";
import type { BuildFormat, CrsInfo } from "../../../src/core/types";
import { syntheticCity, type SyntheticCity } from "../../support/tiledCity";
import { readPly } from "./plyRead";

const crs: CrsInfo = { name: "EPSG:32633", proj4: "+proj=utm +zone=33 +datum=WGS84 +units=m +no_defs", origin: [391234.125, 5820001.5], sourceCrs: "EPSG:4326" };
const city = syntheticCity(3, 2, 3);
const toArrayBuffer = (b: Buffer): ArrayBuffer => new Uint8Array(b).buffer;

async function write(format: BuildFormat, c: SyntheticCity = city): Promise<Buffer> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-fmt-")), `city.${format}`);
  const s = await mergeTiles(memoryTileSource(c.tiles), { output: out, format, crs, buildings: c.buildings });
  assert.equal(s.bytes, fs.statSync(out).size);
  return fs.readFileSync(out);
}

/** Input triangles as corner positions, in output order: by class (ground, walls, roofs), then tile, then face. */
function expectedCorners(c: SyntheticCity): number[][] {
  const byClass: number[][][] = [[], [], []];
  for (const t of c.tiles) {
    for (let f = 0; f < t.markers.length; f++) {
      const m = t.markers[f];
      const cls = m < 0 ? 0 : m < c.buildings ? 1 : 2;
      const corners: number[] = [];
      for (let k = 0; k < 3; k++) {
        const v = t.faces[3 * f + k];
        corners.push(t.vertices[3 * v], t.vertices[3 * v + 1], t.vertices[3 * v + 2]);
      }
      byClass[cls].push(corners);
    }
  }
  return [...byClass[0], ...byClass[1], ...byClass[2]];
}

test("PLY: header comments, and every face has exactly the input corners (float64) and marker", async () => {
  const ply = readPly(await write("ply"));
  assert.ok(ply.comments.includes("comment crs EPSG:32633"));
  assert.ok(ply.comments.includes("comment origin 391234.125 5820001.5"));
  assert.equal(ply.vertices.length / 3, city.vertices);
  assert.equal(ply.faces.length / 3, city.triangles);
  const exp = expectedCorners(city);
  for (let f = 0; f < exp.length; f++) {
    const got: number[] = [];
    for (let k = 0; k < 3; k++) {
      const v = ply.faces[3 * f + k];
      got.push(ply.vertices[3 * v], ply.vertices[3 * v + 1], ply.vertices[3 * v + 2]);
    }
    assert.deepEqual(got, exp[f], `face ${f}`);
  }
  const byClass: number[][] = [[], [], []];
  for (const t of city.tiles) for (const m of t.markers) byClass[m < 0 ? 0 : m < city.buildings ? 1 : 2].push(m);
  assert.deepEqual([...ply.markers], byClass.flat());
});

test("PLY: three.js PLYLoader reads the same vertex and face counts", async () => {
  const buf = await write("ply");
  const { PLYLoader } = await import("three/examples/jsm/loaders/PLYLoader.js");
  const geom = new PLYLoader().parse(toArrayBuffer(buf));
  assert.equal(geom.attributes.position.count, city.vertices);
  assert.equal(geom.index!.count / 3, city.triangles);
  const ply = readPly(buf);
  assert.deepEqual(Array.from(geom.index!.array as ArrayLike<number>).slice(0, 30), [...ply.faces.subarray(0, 30)]);
});

test("OBJ: comments, v lines exact, groups in order with the right face counts", async () => {
  const text = (await write("obj")).toString("utf8");
  const lines = text.split("\n");
  assert.ok(lines.includes("# crs EPSG:32633"));
  assert.ok(lines.includes("# origin 391234.125 5820001.5"));
  const v = lines.filter((l) => l.startsWith("v ")).map((l) => l.slice(2).split(" ").map(Number));
  assert.equal(v.length, city.vertices);
  assert.deepEqual(lines.filter((l) => l.startsWith("g ")), ["g ground", "g walls", "g roofs"]);
  const counts: Record<string, number> = {};
  let group = "";
  for (const l of lines) {
    if (l.startsWith("g ")) group = l.slice(2);
    else if (l.startsWith("f ")) counts[group] = (counts[group] ?? 0) + 1;
  }
  assert.deepEqual(counts, { ground: city.classes[0], walls: city.classes[1], roofs: city.classes[2] });
  const exp = expectedCorners(city);
  const faces = lines.filter((l) => l.startsWith("f ")).map((l) => l.slice(2).split(" ").map(Number));
  assert.equal(faces.length, exp.length);
  for (let f = 0; f < faces.length; f++) assert.deepEqual(faces[f].flatMap((i) => v[i - 1]), exp[f], `face ${f}`);
});

test("STL: header names the CRS and origin, triangle count and float32 corners right", async () => {
  const buf = await write("stl");
  const header = buf.subarray(0, 80).toString("latin1");
  assert.match(header, /^citymesh crs=EPSG:32633 origin=391234.125,5820001.5/);
  const n = buf.readUInt32LE(80);
  assert.equal(n, city.triangles);
  assert.equal(buf.length, 84 + 50 * n);
  const exp = expectedCorners(city);
  for (let f = 0; f < n; f++) {
    const p = 84 + 50 * f;
    const corners = Array.from({ length: 9 }, (_, k) => buf.readFloatLE(p + 12 + 4 * k));
    assert.deepEqual(corners, exp[f].map(Math.fround), `face ${f}`);
    const normal = [0, 1, 2].map((k) => buf.readFloatLE(p + 4 * k));
    assert.ok(Math.abs(Math.hypot(...normal) - 1) < 1e-6, `unit normal ${normal}`);
  }
  // Roofs (last two faces of the output) face up.
  assert.ok(buf.readFloatLE(84 + 50 * (n - 1) + 8) > 0.999);
  const { STLLoader } = await import("three/examples/jsm/loaders/STLLoader.js");
  const geom = new STLLoader().parse(toArrayBuffer(buf));
  assert.equal(geom.attributes.position.count, 3 * city.triangles);
});

test("STL page cache: faces referring to vertices far apart in the file (many pages) stay right", async () => {
  // 65,536 vertices per page; a 2x1 city with k = 190 has ~73k vertices, so seam faces of tile 1
  // refer back into page 0 while its own vertices are on page 1.
  const big = syntheticCity(2, 1, 190);
  const buf = await write("stl", big);
  const n = buf.readUInt32LE(80);
  assert.equal(n, big.triangles);
  const exp = expectedCorners(big);
  for (let f = 0; f < n; f += 97) {
    const p = 84 + 50 * f;
    const corners = Array.from({ length: 9 }, (_, k) => buf.readFloatLE(p + 12 + 4 * k));
    assert.deepEqual(corners, exp[f].map(Math.fround), `face ${f}`);
  }
});

test("a failed write leaves no output and no temp file next to it", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-fmt-"));
  const out = path.join(dir, "city.ply");
  fs.mkdirSync(out); // a directory where the file should go: rename fails with EISDIR
  await assert.rejects(mergeTiles(memoryTileSource(city.tiles), { output: out, format: "ply", crs, buildings: city.buildings }), (e: unknown) => {
    assert.ok(e instanceof Error && e.name === "CityMeshError" && e.message.includes(out), String(e));
    return true;
  });
  assert.deepEqual(fs.readdirSync(dir), ["city.ply"]);
  assert.ok(fs.statSync(out).isDirectory());
});
