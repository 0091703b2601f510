// Case 4: damaged tile files in the store (bytes flipped in the data, in the metadata or anywhere,
// file cut short or empty, wrong dataset shape or dtype, another tile's file, out-of-range face
// indices with a matching checksum, a valid file that disagrees with the manifest) and a damaged
// manifest. On resume each is detected, reported as a warning, rebuilt; never read as geometry
// (the output equals a clean build), never a crash.
import assert from "node:assert/strict";
import fs from "fs";
import path from "path";
import { run, cli, tmpDir, writeCity, cleanBuild, CITY_ARGS, tilesDone, reusedCount, storeOf, mulberry32, type CliResult } from "./support/harness";
import { readTileFile } from "../../src/core/store/tileFile";
import { tileChecksum } from "../../src/core/store/checksum";
import { loadH5 } from "../../src/core/store/h5";
import type { TileMesh } from "../../src/core/types";

const CASE = "4 corrupt tile";
const dir = tmpDir("corrupt");
const input = writeCity(dir);
const clean = cleanBuild(input, dir);
const TILES = 77;
const scratch = path.join(dir, "s");
const out = path.join(dir, "out.glb");
const args = ["build", input, "-o", out, ...CITY_ARGS, "--scratch-dir", scratch];
const rnd = mulberry32(4242);
const pick = (n: number) => Math.floor(rnd() * n);

/** Writes a tile file by hand (h5wasm), with whatever shapes/dtypes the case needs. */
async function writeRaw(file: string, id: number, parts: { vertices: [ArrayLike<number>, number[], string]; faces: [ArrayLike<number>, number[], string]; markers: Int32Array; seam: Uint8Array }, checksum: string): Promise<void> {
  const h5 = await loadH5();
  fs.rmSync(file, { force: true });
  const f = new h5.File(file, "w");
  const g = f.create_group("tiles").create_group(`tile_${id}`);
  g.create_dataset({ name: "vertices", data: parts.vertices[0] as Float64Array, shape: parts.vertices[1], dtype: parts.vertices[2] });
  g.create_dataset({ name: "faces", data: parts.faces[0] as Int32Array, shape: parts.faces[1], dtype: parts.faces[2] });
  g.create_dataset({ name: "markers", data: parts.markers, shape: [parts.markers.length], dtype: "<i" });
  g.create_dataset({ name: "seam", data: parts.seam, shape: [parts.seam.length], dtype: "<B" });
  g.create_attribute("bounds", new Float64Array([0, 0, 1, 1]), [4], "<d");
  g.create_attribute("checksum", checksum);
  f.close();
}

const flipAt = (file: string, offsets: number[]) => { const b = fs.readFileSync(file); for (const o of offsets) b[o] ^= 1 << pick(8); fs.writeFileSync(file, b); };
const offsetOf = (file: string, data: ArrayBufferView) => fs.readFileSync(file).indexOf(Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 64)));

interface Damage { what: string; mustDetect: boolean; apply: (file: string, id: number, mesh: TileMesh) => Promise<void> | void }
const DAMAGES: Damage[] = [
  { what: "bytes flipped in the vertex data", mustDetect: true, apply: (f, _i, m) => { const o = offsetOf(f, m.vertices); assert.ok(o > 0); flipAt(f, [o + pick(m.vertices.byteLength)]); } },
  { what: "bytes flipped in the face data", mustDetect: true, apply: (f, _i, m) => { const o = offsetOf(f, m.faces); assert.ok(o > 0); flipAt(f, [o + pick(m.faces.byteLength), o + pick(m.faces.byteLength)]); } },
  { what: "bytes flipped in the marker and seam data", mustDetect: true, apply: (f, _i, m) => { flipAt(f, [offsetOf(f, m.markers) + pick(m.markers.byteLength)]); } },
  { what: "8 bytes flipped in the first 2 KiB (HDF5 metadata)", mustDetect: false, apply: (f) => flipAt(f, Array.from({ length: 8 }, () => pick(2048))) },
  { what: "16 bytes flipped anywhere", mustDetect: false, apply: (f) => { const n = fs.statSync(f).size; flipAt(f, Array.from({ length: 16 }, () => pick(n))); } },
  { what: "superblock destroyed", mustDetect: true, apply: (f) => flipAt(f, [0, 1, 2, 3]) },
  { what: "file cut to half its size", mustDetect: true, apply: (f) => fs.truncateSync(f, Math.floor(fs.statSync(f).size / 2)) },
  { what: "file cut short by 1 byte", mustDetect: true, apply: (f) => fs.truncateSync(f, fs.statSync(f).size - 1) },
  { what: "empty file", mustDetect: true, apply: (f) => fs.writeFileSync(f, "") },
  { what: "vertices stored as (3, N) instead of (N, 3)", mustDetect: true, apply: (f, id, m) => writeRaw(f, id, { vertices: [m.vertices, [3, m.vertices.length / 3], "<d"], faces: [m.faces, [m.faces.length / 3, 3], "<i"], markers: m.markers, seam: m.seam }, tileChecksum(m)) },
  { what: "faces stored as float64", mustDetect: true, apply: (f, id, m) => writeRaw(f, id, { vertices: [m.vertices, [m.vertices.length / 3, 3], "<d"], faces: [Float64Array.from(m.faces), [m.faces.length / 3, 3], "<d"], markers: m.markers, seam: m.seam }, tileChecksum(m)) },
  { what: "seam one entry short", mustDetect: true, apply: (f, id, m) => writeRaw(f, id, { vertices: [m.vertices, [m.vertices.length / 3, 3], "<d"], faces: [m.faces, [m.faces.length / 3, 3], "<i"], markers: m.markers, seam: m.seam.subarray(1) }, tileChecksum(m)) },
  { what: "face index out of range, checksum recomputed to match", mustDetect: true, apply: (f, id, m) => { const faces = Int32Array.from(m.faces); faces[pick(faces.length)] = m.vertices.length / 3 + 5; const bad = { ...m, faces }; return writeRaw(f, id, { vertices: [m.vertices, [m.vertices.length / 3, 3], "<d"], faces: [faces, [faces.length / 3, 3], "<i"], markers: m.markers, seam: m.seam }, tileChecksum(bad)); } },
  { what: "a valid file whose vertex moved 1 m (own checksum fine, manifest's differs)", mustDetect: true, apply: (f, id, m) => { const v = Float64Array.from(m.vertices); v[0] += 1; const moved = { ...m, vertices: v }; return writeRaw(f, id, { vertices: [v, [v.length / 3, 3], "<d"], faces: [m.faces, [m.faces.length / 3, 3], "<i"], markers: m.markers, seam: m.seam }, tileChecksum(moved)); } },
  { what: "another tile's file under this name", mustDetect: true, apply: (f, id) => fs.copyFileSync(path.join(path.dirname(f), `tile_${(id + 1) % TILES}.h5`), f) },
];

// Tiles with at least some geometry to damage, one per damage, chosen by seed.
let setup: Promise<{ store: string; ids: number[]; before: Map<number, TileMesh>; rerun: CliResult }> | undefined;
function prepare() {
  setup ??= (async () => {
    const r = cli([...args, "--keep-intermediate", "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    const store = storeOf(scratch);
    const ids: number[] = [];
    const before = new Map<number, TileMesh>();
    while (ids.length < DAMAGES.length) {
      const id = pick(TILES);
      if (ids.includes(id) || ids.includes((id + TILES - 1) % TILES)) continue; // "another tile's file" reads its neighbour
      const c = await readTileFile(path.join(store, `tile_${id}.h5`), id);
      if (c.mesh.faces.length < 30 || c.mesh.seam.length < 2) continue;
      ids.push(id); before.set(id, c.mesh);
    }
    for (let k = 0; k < DAMAGES.length; k++) await DAMAGES[k].apply(path.join(store, `tile_${ids[k]}.h5`), ids[k], before.get(ids[k])!);
    const rerun = cli(args);
    return { store, ids, before, rerun };
  })();
  return setup;
}

const warned = (log: string, id: number) => new RegExp(`^warning: stored tile ${id} is damaged and will be rebuilt: .+`, "m").test(log);

DAMAGES.forEach((d, k) => {
  run(CASE, d.what, async (ctx) => {
    const { ids, rerun } = await prepare();
    const id = ids[k];
    assert.equal(rerun.code, 0, `the resume failed:\n${rerun.stderr.slice(-3000)}`);
    assert.doesNotMatch(rerun.stderr, /internal error|RuntimeError|Aborted\(/, "no crash");
    const rebuilt = tilesDone(rerun.stderr).includes(id);
    const isWarned = warned(rerun.stderr, id);
    assert.equal(rebuilt, isWarned, `tile ${id}: rebuilt ${rebuilt} but warned ${isWarned}`);
    if (isWarned) {
      ctx.note(`tile ${id}: ${/^warning: stored tile \d+ is damaged and will be rebuilt: (.+)$/m.exec(rerun.stderr.split("\n").filter((l) => l.startsWith(`warning: stored tile ${id} `)).join("\n"))?.[1]?.replace(dir, "<tmp>")}`);
      assert.match(rerun.stderr, new RegExp(`stored tile ${id} was damaged \\(.+\\) and was rebuilt \\[tile-rebuilt\\]`), "listed with the build's problems");
    } else ctx.note(`tile ${id}: the damage hit unused bytes; the tile read back identical and was reused`);
    if (d.mustDetect) assert.ok(isWarned, `tile ${id} (${d.what}) was not detected`);
    // Never read as valid geometry: whatever was reused, the output equals a clean build.
    const same = fs.readFileSync(out).equals(clean);
    if (!same) ctx.lost++;
    assert.ok(same, "the output differs from a clean build");
  });
});

run(CASE, "only the damaged tiles are rebuilt", async () => {
  const { ids, rerun } = await prepare();
  const rebuilt = tilesDone(rerun.stderr);
  assert.ok(rebuilt.every((t) => ids.includes(t)), `rebuilt ${rebuilt} ⊄ damaged ${ids}`);
  assert.equal(reusedCount(rerun.stderr) + rebuilt.length, TILES);
});

run(CASE, "manifest.json cut short: replaced with a warning, every tile still verified and reused", (ctx) => {
  const s2 = path.join(dir, "s-manifest"), o2 = path.join(dir, "manifest.glb");
  const a2 = ["build", input, "-o", o2, ...CITY_ARGS, "--scratch-dir", s2];
  assert.equal(cli([...a2, "--keep-intermediate", "--quiet"]).code, 0);
  const mf = path.join(storeOf(s2), "manifest.json");
  fs.truncateSync(mf, Math.floor(fs.statSync(mf).size / 3));
  const r = cli(a2);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  assert.match(r.stderr, /warning: Store manifest .*manifest\.json is corrupt/);
  assert.equal(reusedCount(r.stderr), TILES);
  const same = fs.readFileSync(o2).equals(clean);
  if (!same) ctx.lost++;
  assert.ok(same);
});
