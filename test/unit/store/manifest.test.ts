import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import {
  buildKey,
  canonicalJson,
  cleanStore,
  geometryParams,
  hashFile,
  listStore,
  readManifest,
  tileFileName,
  writeManifest,
  type Manifest,
} from "../../../src/core/store/manifest";
import { nodeFs, probeWritable, type StoreFs } from "../../../src/core/store/fsLayer";
import { writeTileFile } from "../../../src/core/store/tileFile";
import { CityMeshError } from "../../../src/core/errors";

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-manifest-"));

function sample(): Manifest {
  return {
    version: 1,
    buildKey: buildKey("abc", { tileSize: 500 }),
    inputHash: "abc",
    params: { tileSize: 500 },
    crs: { name: "EPSG:32631", proj4: "+proj=utm +zone=31 +datum=WGS84 +units=m +no_defs", origin: [448262.5, 5411932.25], sourceCrs: "EPSG:4326" },
    grid: { tileSize: 500, cols: 2, rows: 1, bounds: [0, 0, 1000, 500] },
    tiles: {
      "0": { status: "done", file: "tile_0.h5", checksum: "sha256:aa", vertices: 4, triangles: 2, bounds: [0, 0, 500, 500] },
      "1": { status: "failed", file: "tile_1.h5", checksum: "", vertices: 0, triangles: 0, bounds: [500, 0, 1000, 500], error: "boom" },
    },
  };
}

/** fs layer whose writes fail with the given errno, as a full or read-only disk would. */
const failing = (code: string): StoreFs => ({
  ...nodeFs,
  writeFileSync: () => {
    throw Object.assign(new Error(`${code}: injected`), { code });
  },
});

test("manifest round trip", () => {
  const dir = path.join(tmpDir(), "store");
  writeManifest(dir, sample());
  assert.deepEqual(readManifest(dir), sample());
  assert.deepEqual(fs.readdirSync(dir), ["manifest.json"]);
});

test("a fresh store has no manifest; a corrupt one is a store error naming the file", () => {
  const dir = tmpDir();
  assert.equal(readManifest(dir), null);
  fs.writeFileSync(path.join(dir, "manifest.json"), '{"version": 1, "tiles"');
  assert.throws(() => readManifest(dir), (e: unknown) => e instanceof CityMeshError && e.code === "store" && e.message.includes(path.join(dir, "manifest.json")) && /corrupt/.test(e.message));
  fs.writeFileSync(path.join(dir, "manifest.json"), '{"version": 99, "tiles": {}}');
  assert.throws(() => readManifest(dir), /unknown format \(version 99, expected 1\)/);
});

test("atomic: a write that fails before the rename leaves the previous manifest intact and no temp file", () => {
  const dir = tmpDir();
  writeManifest(dir, sample());
  const next = sample();
  next.buildKey = "changed";
  const renameFails: StoreFs = {
    ...nodeFs,
    renameSync: () => {
      throw Object.assign(new Error("EIO"), { code: "EIO" });
    },
  };
  assert.throws(() => writeManifest(dir, next, renameFails), (e: unknown) => e instanceof CityMeshError && e.code === "store");
  assert.equal(readManifest(dir)?.buildKey, sample().buildKey);
  assert.deepEqual(fs.readdirSync(dir), ["manifest.json"]);
});

test("atomic: the final name only ever holds complete JSON (written under a temp name first)", () => {
  const dir = tmpDir();
  const seen: string[] = [];
  const spy: StoreFs = {
    ...nodeFs,
    writeFileSync: (f, d) => {
      seen.push(path.basename(f));
      nodeFs.writeFileSync(f, d);
    },
  };
  writeManifest(dir, sample(), spy);
  assert.equal(seen.length, 1);
  assert.match(seen[0], /^manifest\.json\.tmp-\d+-[0-9a-f]{8}$/);
});

for (const [code, reason] of [
  ["ENOSPC", /the disk is full \(ENOSPC\); free some space/],
  ["EACCES", /permission denied \(EACCES\)/],
  ["EROFS", /read-only \(EROFS\)/],
] as const) {
  test(`${code} while writing the manifest is a store error naming the directory`, () => {
    const dir = tmpDir();
    assert.throws(() => writeManifest(dir, sample(), failing(code)), (e: unknown) => {
      assert.ok(e instanceof CityMeshError);
      assert.equal(e.code, "store");
      assert.ok(e.message.includes(`Scratch store ${dir}`), e.message);
      assert.match(e.message, reason);
      return true;
    });
    assert.deepEqual(fs.readdirSync(dir), []);
  });
}

test("ENOSPC while writing a tile is a store error saying the disk is full", async () => {
  const dir = tmpDir();
  const mesh = { vertices: new Float64Array([0, 0, 0]), faces: new Int32Array(0), markers: new Int32Array(0), seam: new Uint8Array(1) };
  // h5wasm writes through its own fs; the rename (our fs layer) is where the injected error lands.
  const full: StoreFs = { ...nodeFs, renameSync: () => { throw Object.assign(new Error("ENOSPC"), { code: "ENOSPC" }); } };
  await assert.rejects(writeTileFile(path.join(dir, "tile_0.h5"), 0, mesh, [0, 0, 1, 1], full), (e: unknown) => {
    assert.ok(e instanceof CityMeshError && e.code === "store");
    assert.ok(e.message.includes(dir) && /disk is full/.test(e.message), e.message);
    return true;
  });
  assert.deepEqual(fs.readdirSync(dir), [], "the temp file is removed");
});

test("a write probe that fails once its file exists (a full disk: the file made, its byte refused) names the reason and leaves no file", () => {
  const dir = tmpDir();
  const fullAfterCreate: StoreFs = {
    ...nodeFs,
    writeFileSync: (file) => {
      fs.writeFileSync(file, "");
      throw Object.assign(new Error("ENOSPC: injected"), { code: "ENOSPC" });
    },
  };
  const e = probeWritable(dir, fullAfterCreate, 0, "write tile_3.h5");
  assert.ok(e instanceof CityMeshError && e.code === "store", String(e));
  assert.match(e.message, /the disk is full \(ENOSPC\)/);
  assert.deepEqual(fs.readdirSync(dir), [], "the probe's file is removed");
  assert.equal(probeWritable(dir), null, "a writable directory passes");
  assert.deepEqual(fs.readdirSync(dir), []);
});

test("a store dir under a regular file (mkdir fails with ENOTDIR/EEXIST) names the directory", () => {
  const base = tmpDir();
  fs.writeFileSync(path.join(base, "file"), "x");
  const dir = path.join(base, "file", "store");
  assert.throws(() => writeManifest(dir, sample()), (e: unknown) => {
    assert.ok(e instanceof CityMeshError && e.code === "store");
    assert.ok(e.message.includes(dir), e.message);
    assert.match(e.message, /ENOTDIR|EEXIST/);
    return true;
  });
});

test("buildKey: canonical over key order, changes with geometry parameters and input", () => {
  const a = buildKey("h1", { tileSize: 500, maxMeshSize: 10, heightAttributes: ["height", "h"] });
  const b = buildKey("h1", { heightAttributes: ["height", "h"], maxMeshSize: 10, tileSize: 500 });
  assert.equal(a, b);
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.notEqual(a, buildKey("h1", { tileSize: 501, maxMeshSize: 10, heightAttributes: ["height", "h"] }));
  assert.notEqual(a, buildKey("h2", { tileSize: 500, maxMeshSize: 10, heightAttributes: ["height", "h"] }));
  // The kernel's version is part of the key: the previous kernel's key for these inputs differs.
  const v1 = createHash("sha256").update(canonicalJson({ inputHash: "h1", params: { tileSize: 500, maxMeshSize: 10, heightAttributes: ["height", "h"] } })).digest("hex").slice(0, 16);
  assert.notEqual(a, v1, "a store of the previous kernel is not resumed");
  assert.equal(canonicalJson({ b: { d: 1, c: 2 }, a: [3, { f: 1, e: 2 }] }), '{"a":[3,{"e":2,"f":1}],"b":{"c":2,"d":1}}');
  assert.deepEqual(geometryParams({ tileSize: 1000, workers: 4, format: "glb", maxMeshSize: 10 }), { tileSize: 1000, maxMeshSize: 10 });
});

test("hashFile streams a multi-chunk file to the same sha256 as hashing it whole", async () => {
  const file = path.join(tmpDir(), "in.geojson");
  const data = Buffer.alloc(3 * (1 << 20) + 123);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  fs.writeFileSync(file, data);
  assert.equal(await hashFile(file), createHash("sha256").update(data).digest("hex"));
  await assert.rejects(hashFile(file + ".missing"), (e: unknown) => e instanceof CityMeshError && e.code === "input" && e.message.includes(file + ".missing"));
});

test("listStore reports status and sizes; cleanStore removes only store files", async () => {
  const dir = tmpDir();
  const mesh = { vertices: new Float64Array([0, 0, 0, 1, 0, 0, 0, 1, 0]), faces: new Int32Array([0, 1, 2]), markers: new Int32Array([-2]), seam: new Uint8Array(3) };
  await writeTileFile(path.join(dir, tileFileName(0)), 0, mesh, [0, 0, 500, 500]);
  await writeTileFile(path.join(dir, tileFileName(7)), 7, mesh, [0, 0, 500, 500]);
  writeManifest(dir, sample());
  fs.writeFileSync(path.join(dir, "tile_3.h5.tmp-123-0badc0de"), "partial");
  fs.writeFileSync(path.join(dir, "notes.txt"), "user file");

  const l = listStore(dir);
  assert.equal(l.exists, true);
  assert.equal(l.manifest?.buildKey, sample().buildKey);
  assert.deepEqual(l.counts, { done: 1, failed: 1, pending: 0, untracked: 1 });
  assert.deepEqual(l.tiles.map((t) => [t.id, t.status, t.exists]), [[0, "done", true], [1, "failed", false], [7, "untracked", true]]);
  assert.equal(l.tiles[0].bytes, fs.statSync(path.join(dir, "tile_0.h5")).size);
  assert.deepEqual(l.tempFiles, ["tile_3.h5.tmp-123-0badc0de"]);
  assert.equal(l.lock, null);
  fs.writeFileSync(path.join(dir, "build.lock"), "4242@host");
  assert.equal(listStore(dir).lock, "4242@host");
  fs.unlinkSync(path.join(dir, "build.lock"));
  const all = fs.readdirSync(dir).reduce((s, n) => s + fs.statSync(path.join(dir, n)).size, 0);
  assert.equal(l.totalBytes, all);

  const c = cleanStore(dir);
  assert.equal(c.removed, 4);
  assert.equal(c.dirRemoved, false);
  assert.deepEqual(fs.readdirSync(dir), ["notes.txt"]);
  fs.unlinkSync(path.join(dir, "notes.txt"));
  assert.equal(cleanStore(dir).dirRemoved, true);
  assert.equal(listStore(dir).exists, false);
});
