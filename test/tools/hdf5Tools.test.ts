// Other implementations read our tile files: h5ls/h5dump (Debian hdf5-tools, the HDF Group's C
// library) and h5py (Debian python3-h5py). They are outside tools, so this suite is not part of
// `npm test`: run it with `npm run test:tools` (.ci/run installs the tools and runs it). A missing
// tool fails here with the command that installs it, rather than passing silently.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { writeTileFile } from "../../src/core/store/tileFile";
import { runCli } from "../support/cli";
import { squareTile } from "../support/squareTile";

const here = import.meta.dirname ?? __dirname;
const SAMPLE = path.resolve(here, "../../media/sample/sample-city.geojson");
// Debian's h5py is installed for Debian's interpreter, which another python3 on the PATH may hide.
const PYTHON = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-tools-"));

function need(cmd: string, args: string[], install: string): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) assert.fail(`${cmd} ${args.join(" ")} failed (${(r.stderr || r.error?.message || "").trim().split("\n").pop()}): ${install}`);
}

test("h5ls and h5dump (Debian hdf5-tools) read the layout", async (t) => {
  need("h5ls", ["--version"], "apt-get install -y hdf5-tools");
  const file = path.join(tmpDir(), "tile_12.h5");
  await writeTileFile(file, 12, squareTile(), [1, 2, 3, 4]);
  const ls = execFileSync("h5ls", ["-r", file], { encoding: "utf8" });
  assert.match(ls, /^\/tiles\/tile_12\/vertices\s+Dataset \{4, 3\}$/m);
  assert.match(ls, /^\/tiles\/tile_12\/faces\s+Dataset \{2, 3\}$/m);
  assert.match(ls, /^\/tiles\/tile_12\/markers\s+Dataset \{2\}$/m);
  assert.match(ls, /^\/tiles\/tile_12\/seam\s+Dataset \{4\}$/m);
  const dump = execFileSync("h5dump", ["-a", "/tiles/tile_12/bounds", file], { encoding: "utf8" });
  assert.match(dump, /H5T_IEEE_F64LE/);
  assert.match(dump, /\(0\): 1, 2, 3, 4/);
  const layout = execFileSync("h5dump", ["-p", "-H", "-d", "/tiles/tile_12/vertices", file], { encoding: "utf8" });
  assert.match(layout, /CONTIGUOUS/);
  t.diagnostic(`h5ls/h5dump opened ${path.basename(file)}`);
});

// The h5py side: every tile file of a real build (the sample city, kept with --keep-intermediate)
// opened as dtcc-core's layout — /tiles/tile_<id>/{vertices float64 (N,3), faces int32 (M,3),
// markers int32 (M)}, plus our seam uint8 (N) and the bounds/checksum attributes — with every
// face index in range, markers following dtcc-core's convention, and the triangles of all tiles
// adding up to the merged mesh's.
const H5PY_READER = String.raw`
import sys, json, glob, os
import h5py, numpy as np
store = sys.argv[1]
out = {"tiles": 0, "faces": 0, "vertices": 0, "errors": []}
for f in sorted(glob.glob(os.path.join(store, "tile_*.h5"))):
    tid = os.path.basename(f)[5:-3]
    with h5py.File(f, "r") as h:
        g = h["tiles"]["tile_" + tid]
        v, fa, m, s = g["vertices"], g["faces"], g["markers"], g["seam"]
        def err(msg): out["errors"].append(os.path.basename(f) + ": " + msg)
        if v.dtype != np.float64 or v.ndim != 2 or v.shape[1] != 3: err("vertices %s %s" % (v.dtype, v.shape))
        if fa.dtype != np.int32 or fa.ndim != 2 or fa.shape[1] != 3: err("faces %s %s" % (fa.dtype, fa.shape))
        if m.dtype != np.int32 or m.shape != (fa.shape[0],): err("markers %s %s" % (m.dtype, m.shape))
        if s.dtype != np.uint8 or s.shape != (v.shape[0],): err("seam %s %s" % (s.dtype, s.shape))
        b = g.attrs["bounds"]
        if b.dtype != np.float64 or b.shape != (4,) or not (b[0] < b[2] and b[1] < b[3]): err("bounds %r" % (b,))
        if "checksum" not in g.attrs: err("no checksum attribute")
        F = fa[()]
        if F.size and (F.min() < 0 or F.max() >= v.shape[0]): err("face index out of range")
        M = m[()]
        if M.size and M.min() < -2: err("marker below -2 (dtcc-core: -2 ground, -1 ground at a building)")
        if not np.isfinite(v[()]).all(): err("non-finite vertex")
        out["tiles"] += 1; out["faces"] += int(fa.shape[0]); out["vertices"] += int(v.shape[0])
print(json.dumps(out))
`;

test("h5py (Debian python3-h5py) reads every tile of a real build as dtcc-core's layout", (t) => {
  need(PYTHON, ["-c", "import h5py, numpy"], "apt-get install -y python3-h5py");
  const dir = tmpDir();
  const scratch = path.join(dir, "scratch");
  const out = path.join(dir, "city.glb");
  const r = runCli(["build", SAMPLE, "-o", out, "--tile-size", "150", "--keep-intermediate", "--scratch-dir", scratch, "--json", "--quiet"]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { tiles: number; triangles: number; storeDir?: string };
  assert.ok(result.tiles >= 4, `the sample spans several tiles at 150 m (got ${result.tiles})`);
  const store = result.storeDir ?? fs.readdirSync(scratch).map((n) => path.join(scratch, n)).find((p) => fs.statSync(p).isDirectory())!;
  const py = spawnSync(PYTHON, ["-c", H5PY_READER, store], { encoding: "utf8" });
  assert.equal(py.status, 0, py.stderr);
  const read = JSON.parse(py.stdout) as { tiles: number; faces: number; vertices: number; errors: string[] };
  assert.deepEqual(read.errors, []);
  assert.equal(read.tiles, result.tiles, "h5py found every tile file");
  assert.equal(read.faces, result.triangles, "the tiles' triangles add up to the merged mesh's");
  t.diagnostic(`h5py read ${read.tiles} tiles, ${read.faces} triangles, ${read.vertices} vertices`);
});
