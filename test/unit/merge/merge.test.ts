import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mergeTiles } from "../../../src/core/merge/mergeTiles";
import { memoryTileSource, type TileSource } from "../../../src/core/merge/tileSource";
import { storeTileSource } from "../../../src/core/merge/storeSource";
import { writeTileFile } from "../../../src/core/store/tileFile";
import { CityMeshError } from "../../../src/core/errors";
import type { CrsInfo, TileMesh } from "../../../src/core/types";
import { readPly } from "../writers/plyRead";
import { syntheticCity } from "../../support/tiledCity";

const crs: CrsInfo = { name: "EPSG:32631", proj4: "+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs", origin: [448000, 5411000], sourceCrs: "EPSG:4326" };
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-merge-"));

/** Two unit squares side by side, sharing the edge x = 1; plus a coincident non-seam point in each. */
function twoTiles(): TileMesh[] {
  const a: TileMesh = {
    // 0 (0,0) 1 (1,0) 2 (1,1) 3 (0,1) on the ground; 4 a roof point at (0.5,0.5,3), not seam
    vertices: new Float64Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0.5, 0.5, 3]),
    faces: new Int32Array([0, 1, 2, 0, 2, 3, 0, 1, 4]),
    markers: new Int32Array([-2, -2, 1]), // N = 1: marker 1 is the roof of building 0
    seam: new Uint8Array([0, 1, 1, 0, 0]),
  };
  const b: TileMesh = {
    // 0 (1,0) 1 (2,0) 2 (2,1) 3 (1,1); 4 the same roof point as tile a, not seam
    vertices: new Float64Array([1, 0, 0, 2, 0, 0, 2, 1, 0, 1, 1, 0, 0.5, 0.5, 3]),
    faces: new Int32Array([0, 1, 2, 0, 2, 3, 2, 3, 4]),
    markers: new Int32Array([-2, -1, 0]),
    seam: new Uint8Array([1, 1, 1, 1, 0]),
  };
  return [a, b];
}

const edgeKey = (p: number, q: number) => (p < q ? `${p}-${q}` : `${q}-${p}`);

test("two tiles weld exactly on their shared edge; coincident non-seam vertices stay apart", async () => {
  const out = path.join(tmpDir(), "two.ply");
  const stats = await mergeTiles(memoryTileSource(twoTiles()), { output: out, format: "ply", crs, buildings: 1 });
  assert.equal(stats.vertices, 8); // 5 + 5 - 2 welded
  assert.equal(stats.welded, 2);
  assert.equal(stats.triangles, 6);
  assert.equal(stats.degenerate, 0);
  const ply = readPly(fs.readFileSync(out));
  assert.equal(ply.vertices.length / 3, 8);

  const key = (v: number) => `${ply.vertices[3 * v]},${ply.vertices[3 * v + 1]},${ply.vertices[3 * v + 2]}`;
  const keys = Array.from({ length: 8 }, (_, v) => key(v));
  assert.equal(keys.filter((k) => k === "1,0,0").length, 1, "shared corner (1,0) appears once");
  assert.equal(keys.filter((k) => k === "1,1,0").length, 1, "shared corner (1,1) appears once");
  assert.equal(keys.filter((k) => k === "0.5,0.5,3").length, 2, "non-seam coincident vertices are not merged");

  // Ground faces: ground class first in the output. Every interior edge of the 2x1 ground strip
  // (two diagonals and the seam edge) is shared by exactly two triangles, boundary edges by one.
  const ground: number[] = [];
  for (let f = 0; f < ply.markers.length; f++) if (ply.markers[f] < 0) ground.push(f);
  assert.deepEqual(ground, [0, 1, 2, 3]);
  const uses = new Map<string, number>();
  for (const f of ground) {
    const [p, q, r] = ply.faces.subarray(3 * f, 3 * f + 3);
    for (const [s, t] of [[p, q], [q, r], [r, p]]) uses.set(edgeKey(s, t), (uses.get(edgeKey(s, t)) ?? 0) + 1);
  }
  const counts = [...uses.values()].sort();
  assert.deepEqual(counts, [1, 1, 1, 1, 1, 1, 2, 2, 2]);
  const seamEdge = edgeKey(keys.indexOf("1,0,0"), keys.indexOf("1,1,0"));
  assert.equal(uses.get(seamEdge), 2);
  // Markers classed: ground -2,-2,-2,-1 then wall 0 then roof 1.
  assert.deepEqual([...ply.markers], [-2, -2, -2, -1, 0, 1]);
});

test("bit-identical means bit-identical: 1e-12 apart or -0 vs +0 do not weld", async () => {
  const [a, b] = twoTiles();
  b.vertices[0] = 1 + 2 ** -52; // (1,0) nudged by one ulp
  b.vertices[11] = -0; // (1,1,0) becomes (1,1,-0)
  const stats = await mergeTiles(memoryTileSource([a, b]), { output: path.join(tmpDir(), "x.ply"), format: "ply", crs, buildings: 1 });
  assert.equal(stats.welded, 0);
  assert.equal(stats.vertices, 10);
});

test("batch sizes 1, 2 and 3 give byte-identical files in every format", async () => {
  const city = syntheticCity(3, 2, 4);
  const dir = tmpDir();
  for (const format of ["glb", "ply", "obj", "stl"] as const) {
    const files = [];
    for (const batch of [1, 2, 3]) {
      const out = path.join(dir, `b${batch}.${format}`);
      const s = await mergeTiles(memoryTileSource(city.tiles), { output: out, format, crs, buildings: city.buildings, mergeBatchSize: batch });
      assert.equal(s.vertices, city.vertices);
      assert.equal(s.triangles, city.triangles);
      files.push(fs.readFileSync(out));
    }
    assert.ok(files[0].equals(files[1]) && files[0].equals(files[2]), `${format} outputs differ between batch sizes`);
  }
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith(".")), [], "temp files removed");
});

test("never holds more than mergeBatchSize tiles: reads come in batches, in order", async () => {
  const city = syntheticCity(5, 1, 2);
  const log: string[] = [];
  let pending = 0;
  let maxPending = 0;
  const source: TileSource = {
    count: city.tiles.length,
    read: async (i) => {
      pending++;
      maxPending = Math.max(maxPending, pending);
      log.push(`read ${i}`);
      await new Promise((r) => setTimeout(r, 1));
      pending--;
      return city.tiles[i];
    },
  };
  const progress: number[] = [];
  await mergeTiles(source, { output: path.join(tmpDir(), "c.ply"), format: "ply", crs, buildings: city.buildings, mergeBatchSize: 2, onProgress: (d) => progress.push(d) });
  assert.equal(maxPending, 2);
  assert.deepEqual(log, ["read 0", "read 1", "read 2", "read 3", "read 4"]);
  assert.deepEqual(progress, [2, 4, 5]);
});

test("merging from the HDF5 store gives the same file as from memory", async () => {
  const city = syntheticCity(2, 2, 3);
  const dir = tmpDir();
  const files: string[] = [];
  for (let i = 0; i < city.tiles.length; i++) {
    const f = path.join(dir, "store", `tile_${i}.h5`);
    await writeTileFile(f, i, city.tiles[i], [0, 0, 1, 1]);
    files.push(f);
  }
  const opts = { format: "glb" as const, crs, buildings: city.buildings };
  await mergeTiles(storeTileSource(files, [0, 1, 2, 3]), { ...opts, output: path.join(dir, "store.glb") });
  await mergeTiles(memoryTileSource(city.tiles), { ...opts, output: path.join(dir, "mem.glb") });
  assert.ok(fs.readFileSync(path.join(dir, "store.glb")).equals(fs.readFileSync(path.join(dir, "mem.glb"))));
});

test("a corrupt tile in the store stops the merge with the store error; no output, no temp files", async () => {
  const city = syntheticCity(2, 1, 2);
  const dir = tmpDir();
  const files = [path.join(dir, "tile_0.h5"), path.join(dir, "tile_1.h5")];
  await writeTileFile(files[0], 0, city.tiles[0], [0, 0, 1, 1]);
  await writeTileFile(files[1], 1, city.tiles[1], [0, 0, 1, 1]);
  fs.truncateSync(files[1], 100);
  const out = path.join(dir, "city.glb");
  await assert.rejects(mergeTiles(storeTileSource(files), { output: out, format: "glb", crs, buildings: 2 }), (e: unknown) => e instanceof CityMeshError && e.code === "store" && e.message.includes(files[1]));
  assert.deepEqual(fs.readdirSync(dir).sort(), ["tile_0.h5", "tile_1.h5"]);
});

test("welding that collapses a triangle drops it and counts it", async () => {
  // Two seam vertices of one tile at the same position weld together; the face using both collapses.
  const t: TileMesh = {
    vertices: new Float64Array([0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0]),
    faces: new Int32Array([0, 1, 3, 1, 2, 3]),
    markers: new Int32Array([-2, -2]),
    seam: new Uint8Array([0, 1, 1, 0]),
  };
  const s = await mergeTiles(memoryTileSource([t]), { output: path.join(tmpDir(), "d.stl"), format: "stl", crs, buildings: 0 });
  assert.equal(s.degenerate, 1);
  assert.equal(s.triangles, 1);
  assert.equal(s.vertices, 3);
});

test("output directory that cannot be written is an output error naming it", async () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, "file"), "x");
  const out = path.join(dir, "file", "city.glb");
  await assert.rejects(mergeTiles(memoryTileSource(twoTiles()), { output: out, format: "glb", crs, buildings: 1 }), (e: unknown) => {
    assert.ok(e instanceof CityMeshError && e.code === "output");
    assert.ok(e.message.includes(path.join(dir, "file")), e.message);
    return true;
  });
});

test("a merge that fails part-way leaves an existing output file untouched", async () => {
  const dir = tmpDir();
  const out = path.join(dir, "city.obj");
  fs.writeFileSync(out, "previous build\n");
  const [a] = twoTiles();
  const source: TileSource = {
    count: 2,
    read: (i) => {
      if (i === 1) throw new CityMeshError("tile", "Tile 1 failed twice");
      return a;
    },
  };
  await assert.rejects(mergeTiles(source, { output: out, format: "obj", crs, buildings: 1, mergeBatchSize: 1 }), /Tile 1 failed twice/);
  assert.equal(fs.readFileSync(out, "utf8"), "previous build\n");
  assert.deepEqual(fs.readdirSync(dir), ["city.obj"]);
});

test("a missing output folder is created; an output path through a file is an output error saying so", async () => {
  const out = path.join(tmpDir(), "no", "such", "city.glb");
  await mergeTiles(memoryTileSource(twoTiles()), { output: out, format: "glb", crs, buildings: 1 });
  assert.ok(fs.statSync(out).size > 0);
  const blocked = path.join(out, "sub", "city.glb"); // out is a file
  await assert.rejects(mergeTiles(memoryTileSource(twoTiles()), { output: blocked, format: "glb", crs, buildings: 1 }), (e: unknown) => {
    assert.ok(e instanceof CityMeshError && e.code === "output");
    assert.ok(e.message.includes(blocked) && /a part of the output path is not a directory \(ENOTDIR\)/.test(e.message), e.message);
    return true;
  });
  const fileAsFolder = path.join(out, "city.glb"); // its folder would be the file out
  await assert.rejects(mergeTiles(memoryTileSource(twoTiles()), { output: fileAsFolder, format: "glb", crs, buildings: 1 }), /the output folder is a file \(EEXIST\)/);
});

test("cancellation between batches", async () => {
  const ac = new AbortController();
  const city = syntheticCity(4, 1, 2);
  const dir = tmpDir();
  await assert.rejects(
    mergeTiles(memoryTileSource(city.tiles), { output: path.join(dir, "c.glb"), format: "glb", crs, buildings: 4, mergeBatchSize: 1, signal: ac.signal, onProgress: (d) => d === 2 && ac.abort() }),
    (e: unknown) => e instanceof CityMeshError && e.code === "cancelled",
  );
  assert.deepEqual(fs.readdirSync(dir), []);
});
