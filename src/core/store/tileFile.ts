// One tile per HDF5 file, in dtcc-core's layout:
//   /tiles/tile_<id>/{vertices f64 (N,3), faces i32 (M,3), markers i32 (M), seam u8 (N)}
//   attributes on the group: bounds f64[4], checksum (string)
// Contiguous and uncompressed (gzip costs 10x the write time for a scratch file we delete), default
// libver (files made with "latest"/"v200" do not open in Debian's h5dump 1.10.8).
// h5wasm has no locking, so every write goes to a unique temp name and is renamed into place.
// h5wasm's heap never shrinks (2 GiB cap): File objects are closed at once and never kept.
import fs from "node:fs";
import path from "node:path";
import { loadH5, type H5Wasm } from "./h5";
import type { TileMesh } from "../types";
import { CityMeshError } from "../errors";
import { tileChecksum } from "./checksum";
import { sniffHdf5 } from "./hdf5Sniff";
import { ensureDir, nodeFs, probeWritable, storeError, tempName, type StoreFs } from "./fsLayer";

export type Bounds = [number, number, number, number];

export interface TileFileContent {
  tileId: number;
  mesh: TileMesh;
  bounds: Bounds;
  checksum: string;
}

export interface TileWriteResult {
  file: string;
  checksum: string;
  /** Size of the file on disk. */
  bytes: number;
}

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

const bad = (file: string, reason: string): CityMeshError =>
  new CityMeshError("store", `Tile file ${file} is unusable: ${reason}`, { file, reason });

function checkMesh(mesh: TileMesh, file: string): void {
  const n = mesh.vertices.length / 3;
  const m = mesh.faces.length / 3;
  if (!Number.isInteger(n) || !Number.isInteger(m) || mesh.markers.length !== m || mesh.seam.length !== n) {
    throw new CityMeshError(
      "store",
      `Cannot write tile file ${file}: inconsistent mesh (vertices ${mesh.vertices.length}, faces ${mesh.faces.length}, markers ${mesh.markers.length}, seam ${mesh.seam.length})`,
      { file },
    );
  }
}

/** Writes one tile atomically. Returns the checksum stored in the file (also for the manifest). */
export async function writeTileFile(
  file: string,
  tileId: number,
  mesh: TileMesh,
  bounds: Bounds,
  fsl: StoreFs = nodeFs,
): Promise<TileWriteResult> {
  checkMesh(mesh, file);
  const dir = path.dirname(file);
  ensureDir(dir, fsl);
  const h5wasm = await loadH5();
  const checksum = tileChecksum(mesh);
  const tmp = tempName(file);
  const n = mesh.vertices.length / 3;
  const m = mesh.faces.length / 3;
  const payload = n * 25 + m * 16; // bytes of the four arrays
  let closed = 0;
  try {
    const f = new h5wasm.File(tmp, "w");
    if (f.file_id < 0n) throw probeWritable(dir, fsl, payload, `create tile ${tileId} (${path.basename(file)})`) ?? storeError(new Error("h5wasm could not create the file"), dir, `create ${path.basename(tmp)}`);
    try {
      const g = f.create_group("tiles").create_group(`tile_${tileId}`);
      g.create_dataset({ name: "vertices", data: mesh.vertices, shape: [n, 3], dtype: "<d" });
      g.create_dataset({ name: "faces", data: mesh.faces, shape: [m, 3], dtype: "<i" });
      g.create_dataset({ name: "markers", data: mesh.markers, shape: [m], dtype: "<i" });
      g.create_dataset({ name: "seam", data: mesh.seam, shape: [n], dtype: "<B" });
      g.create_attribute("bounds", new Float64Array(bounds), [4], "<d");
      g.create_attribute("checksum", checksum);
    } finally {
      closed = f.close();
    }
    // h5wasm does not throw on short writes (ENOSPC): it prints to stderr and carries on. The
    // close status and the superblock (open-for-write flag, EOF address) show the failure.
    const problem = closed < 0 ? "not closed (HDF5 close failed)" : sniffHdf5(tmp);
    if (problem) {
      throw probeWritable(dir, fsl, payload, `write tile ${tileId} (${path.basename(file)})`) ?? storeError(new Error(`the written file is ${problem}`), dir, `write ${path.basename(file)}`);
    }
    // A short write in the middle of the file (the disk full for a moment, then space freed by
    // another writer's failure) leaves a hole that neither the close status nor the superblock
    // shows (test:faults case 3 caught such a tile renamed into place and recorded done). Only a
    // file that reads back with its checksum counts.
    let unreadable = "";
    try {
      unreadable = await readBackProblem(h5wasm, tmp, tileId, mesh, checksum);
    } catch (e) {
      unreadable = (e as Error).message;
    }
    if (unreadable) {
      throw probeWritable(dir, fsl, payload, `write tile ${tileId} (${path.basename(file)})`) ?? storeError(new Error(`the written file does not read back (${unreadable}); was the disk full?`), dir, `write tile ${tileId} (${path.basename(file)})`);
    }
    const bytes = fs.statSync(tmp).size;
    fsl.renameSync(tmp, file);
    return { file, checksum, bytes };
  } catch (e) {
    try {
      fsl.unlinkSync(tmp);
    } catch {
      // not created
    }
    throw storeError(e, dir, `write tile ${tileId} (${path.basename(file)})`, payload);
  }
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Why the tile file just written does not read back as `mesh` with `checksum`, or "" when it does:
 * opened through HDF5 again, its four datasets must hold exactly the mesh's bytes and its checksum
 * attribute must be `checksum`. The bytes are compared with the arrays still in memory instead of
 * hashed again (a full readTileFile hashed every tile a second time; same guarantee, byte for byte).
 */
async function readBackProblem(h5wasm: H5Wasm, file: string, tileId: number, mesh: TileMesh, checksum: string): Promise<string> {
  const f = new h5wasm.File(file, "r");
  if (f.file_id < 0n) return "HDF5 could not open it";
  try {
    const g = f.get(`tiles/tile_${tileId}`);
    if (!(g instanceof h5wasm.Group)) return `group /tiles/tile_${tileId} is missing`;
    for (const [name, want] of [["vertices", mesh.vertices], ["faces", mesh.faces], ["markers", mesh.markers], ["seam", mesh.seam]] as const) {
      const d = g.get(name);
      if (!(d instanceof h5wasm.Dataset)) return `dataset ${name} is missing`;
      const got = d.value;
      if (!ArrayBuffer.isView(got) || Buffer.compare(bytesOf(got), bytesOf(want)) !== 0) return `dataset ${name} does not hold the bytes written`;
    }
    const stored = g.get_attribute("checksum", false);
    if (stored !== checksum) return `it reads back with checksum ${String(stored)}, not ${checksum}`;
    return "";
  } finally {
    f.close();
  }
}

interface DatasetLike {
  shape: number[] | null;
  metadata: { type: number; size: number; signed: boolean; littleEndian: boolean };
  value: unknown;
}

function getDataset(h5wasm: H5Wasm, g: InstanceType<H5Wasm["Group"]>, name: string, file: string): DatasetLike {
  const d = g.get(name);
  if (!(d instanceof h5wasm.Dataset)) throw bad(file, `dataset ${g.path}/${name} is missing`);
  return d as unknown as DatasetLike;
}

function expect(
  d: DatasetLike,
  name: string,
  file: string,
  type: number,
  size: number,
  signed: boolean,
  shape: (number | null)[],
): number[] {
  const md = d.metadata;
  const want = `${type === H5T_FLOAT ? "float" : signed ? "int" : "uint"}${size * 8}`;
  if (md.type !== type || md.size !== size || (type === H5T_INTEGER && md.signed !== signed) || !md.littleEndian) {
    const got = `${md.type === H5T_FLOAT ? "float" : md.type === H5T_INTEGER ? (md.signed ? "int" : "uint") : `class ${md.type} `}${md.size * 8}`;
    throw bad(file, `dataset ${name} has dtype ${got}, expected little-endian ${want}`);
  }
  const s = d.shape ?? [];
  if (s.length !== shape.length || shape.some((v, i) => v !== null && v !== s[i])) {
    const fmt = (a: (number | null)[]) => `(${a.map((v) => (v === null ? "N" : v)).join(",")})`;
    throw bad(file, `dataset ${name} has shape ${fmt(s)}, expected ${fmt(shape)}`);
  }
  return s;
}

/**
 * Reads and fully validates one tile file. Throws CityMeshError("store") naming the file and the
 * reason: missing, not HDF5, truncated, missing datasets, wrong dtype/shape, face index out of
 * range, checksum mismatch. `expectedTileId`, when given, must match the group in the file.
 */
export async function readTileFile(file: string, expectedTileId?: number): Promise<TileFileContent> {
  const sniff = sniffHdf5(file);
  if (sniff) throw bad(file, sniff);
  const h5wasm = await loadH5();
  const f = new h5wasm.File(file, "r");
  if (f.file_id < 0n) throw bad(file, "HDF5 could not open it (corrupt file)");
  try {
    const tiles = f.get("tiles");
    if (!(tiles instanceof h5wasm.Group)) throw bad(file, "group /tiles is missing");
    const names = tiles.keys().filter((k) => /^tile_-?\d+$/.test(k));
    if (names.length !== 1) throw bad(file, `expected one /tiles/tile_<id> group, found ${names.length}`);
    const tileId = Number(names[0].slice(5));
    if (expectedTileId !== undefined && tileId !== expectedTileId) {
      throw bad(file, `holds tile ${tileId}, expected tile ${expectedTileId}`);
    }
    const g = tiles.get(names[0]);
    if (!(g instanceof h5wasm.Group)) throw bad(file, `/tiles/${names[0]} is not a group`);

    const dv = getDataset(h5wasm, g, "vertices", file);
    const df = getDataset(h5wasm, g, "faces", file);
    const dm = getDataset(h5wasm, g, "markers", file);
    const ds = getDataset(h5wasm, g, "seam", file);
    const [n] = expect(dv, "vertices", file, H5T_FLOAT, 8, true, [null, 3]);
    const [m] = expect(df, "faces", file, H5T_INTEGER, 4, true, [null, 3]);
    expect(dm, "markers", file, H5T_INTEGER, 4, true, [m]);
    expect(ds, "seam", file, H5T_INTEGER, 1, false, [n]);

    const attrs = g.attrs;
    if (!attrs.bounds) throw bad(file, "attribute bounds is missing");
    if (!attrs.checksum) throw bad(file, "attribute checksum is missing");
    const b = g.get_attribute("bounds", false);
    if (!(b instanceof Float64Array) || b.length !== 4) throw bad(file, "attribute bounds is not float64[4]");
    const stored = g.get_attribute("checksum", false);
    if (typeof stored !== "string") throw bad(file, "attribute checksum is not a string");

    const mesh: TileMesh = {
      vertices: dv.value as Float64Array,
      faces: df.value as Int32Array,
      markers: dm.value as Int32Array,
      seam: ds.value as Uint8Array,
    };
    const faces = mesh.faces;
    for (let i = 0; i < faces.length; i++) {
      const v = faces[i];
      if (v < 0 || v >= n) throw bad(file, `face ${Math.floor(i / 3)} refers to vertex ${v}, outside 0..${n - 1}`);
    }
    const checksum = tileChecksum(mesh);
    if (checksum !== stored) throw bad(file, `checksum mismatch (stored ${stored}, computed ${checksum})`);
    return { tileId, mesh, bounds: [b[0], b[1], b[2], b[3]], checksum };
  } catch (e) {
    if (e instanceof CityMeshError) throw e;
    throw bad(file, `HDF5 read failed (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    f.close();
  }
}
