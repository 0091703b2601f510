import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadH5, type H5Wasm } from "../../../src/core/store/h5";
import { readTileFile, writeTileFile } from "../../../src/core/store/tileFile";
import { tileChecksum } from "../../../src/core/store/checksum";
import { CityMeshError } from "../../../src/core/errors";
import type { TileMesh } from "../../../src/core/types";
import { squareTile } from "../../support/squareTile";

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-store-"));

const storeErrorNaming = (file: string, reason: RegExp) => (e: unknown) => {
  assert.ok(e instanceof CityMeshError, String(e));
  assert.equal(e.code, "store");
  assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
  assert.match(e.message, reason);
  return true;
};

test("round trip is bit-identical and leaves no temp file", async () => {
  const dir = tmpDir();
  const file = path.join(dir, "tile_5.h5");
  const mesh = squareTile();
  const res = await writeTileFile(file, 5, mesh, [0, 0, 10, 10]);
  assert.equal(res.checksum, tileChecksum(mesh));
  assert.equal(res.bytes, fs.statSync(file).size);
  assert.deepEqual(fs.readdirSync(dir), ["tile_5.h5"]);
  const back = await readTileFile(file, 5);
  assert.equal(back.tileId, 5);
  assert.deepEqual(back.bounds, [0, 0, 10, 10]);
  assert.equal(back.checksum, res.checksum);
  assert.deepEqual(Buffer.from(back.mesh.vertices.buffer), Buffer.from(mesh.vertices.buffer));
  assert.ok(Object.is(back.mesh.vertices[11], -0));
  assert.deepEqual(back.mesh.faces, mesh.faces);
  assert.deepEqual(back.mesh.markers, mesh.markers);
  assert.deepEqual(back.mesh.seam, mesh.seam);
});

test("an empty tile round trips", async () => {
  const file = path.join(tmpDir(), "tile_0.h5");
  const empty: TileMesh = { vertices: new Float64Array(0), faces: new Int32Array(0), markers: new Int32Array(0), seam: new Uint8Array(0) };
  await writeTileFile(file, 0, empty, [0, 0, 1, 1]);
  const back = await readTileFile(file);
  assert.equal(back.mesh.vertices.length, 0);
  assert.equal(back.mesh.faces.length, 0);
});

test("checksum is deterministic and sensitive to every array", () => {
  const a = squareTile();
  assert.equal(tileChecksum(a), tileChecksum(squareTile()));
  const b = squareTile();
  b.seam[1] = 1;
  assert.notEqual(tileChecksum(a), tileChecksum(b));
  const c = squareTile();
  c.markers[0] = -1;
  assert.notEqual(tileChecksum(a), tileChecksum(c));
});

test("missing file", async () => {
  const file = path.join(tmpDir(), "nope.h5");
  await assert.rejects(readTileFile(file), storeErrorNaming(file, /does not exist/));
});

test("not an HDF5 file (first bytes flipped)", async () => {
  const file = path.join(tmpDir(), "tile_1.h5");
  await writeTileFile(file, 1, squareTile(), [0, 0, 1, 1]);
  const buf = fs.readFileSync(file);
  buf[1] ^= 0xff;
  fs.writeFileSync(file, buf);
  await assert.rejects(readTileFile(file), storeErrorNaming(file, /not an HDF5 file/));
});

test("truncated file", async () => {
  const file = path.join(tmpDir(), "tile_1.h5");
  await writeTileFile(file, 1, squareTile(), [0, 0, 1, 1]);
  const size = fs.statSync(file).size;
  fs.truncateSync(file, size - 100);
  await assert.rejects(readTileFile(file), storeErrorNaming(file, new RegExp(`truncated: ${size - 100} of ${size} bytes`)));
});

test("a file left open for writing (h5wasm's trace of a write that hit a full disk)", async () => {
  const file = path.join(tmpDir(), "tile_1.h5");
  await writeTileFile(file, 1, squareTile(), [0, 0, 1, 1]);
  const buf = fs.readFileSync(file);
  assert.equal(buf[8], 2, "superblock version 2 (default libver)");
  assert.equal(buf[11], 0, "a cleanly closed file has its open-for-write flag cleared");
  buf[11] = 1;
  fs.writeFileSync(file, buf);
  await assert.rejects(readTileFile(file), storeErrorNaming(file, /not closed cleanly/));
});

test("bytes flipped inside the vertex data give a checksum mismatch", async () => {
  const file = path.join(tmpDir(), "tile_2.h5");
  const mesh = squareTile();
  await writeTileFile(file, 2, mesh, [0, 0, 1, 1]);
  const buf = fs.readFileSync(file);
  const at = buf.indexOf(Buffer.from(mesh.vertices.buffer));
  assert.ok(at > 0, "raw vertex bytes are stored contiguously");
  buf[at + 3] ^= 0x10;
  fs.writeFileSync(file, buf);
  await assert.rejects(readTileFile(file), storeErrorNaming(file, /checksum mismatch/));
});

/** Writes a tile file by hand with h5wasm, letting a test break one part of the layout. */
async function handWritten(file: string, edit: (g: InstanceType<H5Wasm["Group"]>, m: TileMesh) => void, checksum?: string) {
  const h5wasm = await loadH5();
  const m = squareTile();
  const f = new h5wasm.File(file, "w");
  try {
    const g = f.create_group("tiles").create_group("tile_3");
    g.create_attribute("bounds", new Float64Array([0, 0, 1, 1]), [4], "<d");
    g.create_attribute("checksum", checksum ?? tileChecksum(m));
    edit(g, m);
  } finally {
    f.close();
  }
}

test("wrong vertex shape written by hand", async () => {
  const file = path.join(tmpDir(), "tile_3.h5");
  await handWritten(file, (g, m) => {
    g.create_dataset({ name: "vertices", data: m.vertices, shape: [6, 2], dtype: "<d" });
    g.create_dataset({ name: "faces", data: m.faces, shape: [2, 3], dtype: "<i" });
    g.create_dataset({ name: "markers", data: m.markers, shape: [2], dtype: "<i" });
    g.create_dataset({ name: "seam", data: m.seam, shape: [4], dtype: "<B" });
  });
  await assert.rejects(readTileFile(file), storeErrorNaming(file, /vertices has shape \(6,2\), expected \(N,3\)/));
});

test("wrong dtype written by hand (faces as float64)", async () => {
  const file = path.join(tmpDir(), "tile_3.h5");
  await handWritten(file, (g, m) => {
    g.create_dataset({ name: "vertices", data: m.vertices, shape: [4, 3], dtype: "<d" });
    g.create_dataset({ name: "faces", data: Float64Array.from(m.faces), shape: [2, 3], dtype: "<d" });
    g.create_dataset({ name: "markers", data: m.markers, shape: [2], dtype: "<i" });
    g.create_dataset({ name: "seam", data: m.seam, shape: [4], dtype: "<B" });
  });
  await assert.rejects(readTileFile(file), storeErrorNaming(file, /faces has dtype float64, expected little-endian int32/));
});

test("missing dataset", async () => {
  const file = path.join(tmpDir(), "tile_3.h5");
  await handWritten(file, (g, m) => {
    g.create_dataset({ name: "vertices", data: m.vertices, shape: [4, 3], dtype: "<d" });
    g.create_dataset({ name: "faces", data: m.faces, shape: [2, 3], dtype: "<i" });
    g.create_dataset({ name: "markers", data: m.markers, shape: [2], dtype: "<i" });
  });
  await assert.rejects(readTileFile(file), storeErrorNaming(file, /dataset \/tiles\/tile_3\/seam is missing/));
});

test("face index out of range", async () => {
  const file = path.join(tmpDir(), "tile_3.h5");
  const m2 = squareTile();
  m2.faces[4] = 4;
  await handWritten(
    file,
    (g, m) => {
      g.create_dataset({ name: "vertices", data: m.vertices, shape: [4, 3], dtype: "<d" });
      g.create_dataset({ name: "faces", data: m2.faces, shape: [2, 3], dtype: "<i" });
      g.create_dataset({ name: "markers", data: m.markers, shape: [2], dtype: "<i" });
      g.create_dataset({ name: "seam", data: m.seam, shape: [4], dtype: "<B" });
    },
    tileChecksum(m2),
  );
  await assert.rejects(readTileFile(file), storeErrorNaming(file, /face 1 refers to vertex 4, outside 0\.\.3/));
});

test("checksum attribute that does not match the data", async () => {
  const file = path.join(tmpDir(), "tile_3.h5");
  await handWritten(
    file,
    (g, m) => {
      g.create_dataset({ name: "vertices", data: m.vertices, shape: [4, 3], dtype: "<d" });
      g.create_dataset({ name: "faces", data: m.faces, shape: [2, 3], dtype: "<i" });
      g.create_dataset({ name: "markers", data: m.markers, shape: [2], dtype: "<i" });
      g.create_dataset({ name: "seam", data: m.seam, shape: [4], dtype: "<B" });
    },
    "sha256:0000",
  );
  await assert.rejects(readTileFile(file), storeErrorNaming(file, /checksum mismatch \(stored sha256:0000/));
});

test("a tile file holding another tile id", async () => {
  const file = path.join(tmpDir(), "tile_9.h5");
  await writeTileFile(file, 8, squareTile(), [0, 0, 1, 1]);
  await assert.rejects(readTileFile(file, 9), storeErrorNaming(file, /holds tile 8, expected tile 9/));
});

test("writing under a regular file fails with a store error naming the directory", async () => {
  const dir = tmpDir();
  const blocker = path.join(dir, "blocker");
  fs.writeFileSync(blocker, "x");
  const target = path.join(blocker, "store", "tile_1.h5");
  await assert.rejects(writeTileFile(target, 1, squareTile(), [0, 0, 1, 1]), (e: unknown) => {
    assert.ok(e instanceof CityMeshError);
    assert.equal(e.code, "store");
    assert.ok(e.message.includes(path.join(blocker, "store")), e.message);
    assert.match(e.message, /not a directory|exists where a directory/);
    return true;
  });
});

test("a tile whose data write failed for a moment (disk full, then space freed) is never renamed into place", async () => {
  // test:faults case 3 caught this on a full tmpfs: h5wasm reports a short write only on stderr,
  // a later write succeeded once another worker's failed temp file freed space, and the file with
  // a hole in its data was renamed into place and recorded done. The write must fail instead.
  const dir = tmpDir();
  const n = 3000;
  const mesh: TileMesh = {
    vertices: Float64Array.from({ length: 3 * n }, (_, i) => i * 0.37),
    faces: Int32Array.from({ length: 3 * (n - 2) }, (_, i) => Math.floor(i / 3) + (i % 3)),
    markers: new Int32Array(n - 2).fill(-2),
    seam: new Uint8Array(n),
  };
  const big = 3 * n * 8; // the vertices dataset, written in one piece
  const write = fs.writeSync;
  let failed = 0;
  (fs as { writeSync: unknown }).writeSync = function (fd: number, buf: ArrayBufferView, ...rest: unknown[]) {
    if (failed === 0 && typeof buf === "object" && (rest[1] as number) >= big) {
      failed++;
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28 });
    }
    return (write as (...a: unknown[]) => number).call(fs, fd, buf, ...rest);
  };
  const file = path.join(dir, "tile_5.h5");
  try {
    await assert.rejects(writeTileFile(file, 5, mesh, [0, 0, 1, 1]), storeErrorNaming(dir, /cannot write tile 5 \(tile_5\.h5\)/));
  } finally {
    (fs as { writeSync: unknown }).writeSync = write;
  }
  assert.equal(failed, 1, "the injected short write happened");
  assert.ok(!fs.existsSync(file), "no damaged tile file in the store");
  assert.deepEqual(fs.readdirSync(dir).filter((x) => x.includes(".tmp-")), [], "temp file removed");
  // With room again the same write succeeds and reads back.
  await writeTileFile(file, 5, mesh, [0, 0, 1, 1]);
  assert.equal((await readTileFile(file, 5)).checksum, tileChecksum(mesh));
});
