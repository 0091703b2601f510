// --format 3dtiles through the built CLI. A lon/lat city made here (RFC 7946, projected to UTM 18N
// near New York, ~1.1° from the zone's central meridian so grid north is 0.7° off true north) of
// small, middle, tall and very tall buildings over 6 × 6 tiles: the tileset passes the official
// 3D Tiles 1.1 schema, every content passes the Khronos glTF validator and our checks of
// EXT_mesh_features / EXT_structural_metadata, every building sits in exactly one leaf, parents
// hold the ground, blocks over their buildings and the towers whole up to the level their size
// earns, and every footprint corner comes back within 1 m (node transforms, y-up → z-up, the
// tiles' transforms, ECEF → lon/lat with proj4). The real Zurich file (UTM 32 South,
// northings ~15,224,800 m) is read from ../shared/data relative to the repository root and the test
// skips, saying so, when it is absent.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import proj4 from "proj4";
import { runCli } from "../support/cli";
import { buildingVertices, contentsOf, decodeMeshoptGlb, glbErrors, metres, readGlb, tableColumn, tilesetSchemaErrors, type TileJson } from "../unit/writers/tilesetCheck";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-e2e-3dtiles-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
const repoRoot = path.resolve(__dirname, "../..");
const ZURICH = path.resolve(repoRoot, "../shared/data/zurich-cea.geojson");

const LON0 = -73.99, LAT0 = 40.745;
const mPerDegLat = 111_000, mPerDegLon = 111_000 * Math.cos((LAT0 * Math.PI) / 180);

/** 12 × 12 buildings 200 m apart: 12 m squares, heights by position (6 m … 260 m). */
function lonLatCity(): { type: string; features: { type: string; id: string; properties: Record<string, unknown>; geometry: { type: string; coordinates: number[][][] } }[] } {
  const features = [];
  const heights = [6, 8, 30, 9, 60, 7, 120, 10, 8, 260, 5, 45];
  for (let j = 0; j < 12; j++) for (let i = 0; i < 12; i++) {
    const k = j * 12 + i;
    const x = i * 200 + 20, y = j * 200 + 20, s = 12;
    const ring = [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]].map(([a, b]) => [LON0 + a / mPerDegLon, LAT0 + b / mPerDegLat]);
    features.push({
      type: "Feature", id: `b${k}`,
      properties: { height: heights[(i + 5 * j) % 12], name: `Building ${k}`, "building:use": k % 3 ? "residential" : "office", levels: k % 7, listed: k % 2 === 0, ...(k % 5 === 0 ? { note: "sparse" } : {}), tags: { nested: true } },
      geometry: { type: "Polygon", coordinates: [ring] },
    });
  }
  return { type: "FeatureCollection", features };
}

const cityFile = path.join(dir, "city.geojson");
fs.writeFileSync(cityFile, JSON.stringify(lonLatCity()));

function build(input: string, out: string, extra: string[] = []) {
  const r = runCli(["build", input, "--format", "3dtiles", "-o", out, "--scratch-dir", path.join(dir, "scratch-" + path.basename(out)), "--json", "--quiet", ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { output: string; buildings: number; tiles: number };
}

const readTileset = (d: string) => JSON.parse(fs.readFileSync(path.join(d, "tileset.json"), "utf8")) as { asset: { version: string }; geometricError: number; root: TileJson };

function filesOf(d: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  m.set("tileset.json", fs.readFileSync(path.join(d, "tileset.json")));
  for (const f of fs.readdirSync(path.join(d, "tiles")).sort()) m.set(f, fs.readFileSync(path.join(d, "tiles", f)));
  return m;
}

/** Store tile size of the test city's build. */
const TILE = 400;
const out = path.join(dir, "city3d");
let built: ReturnType<typeof build>;
test.before(() => { built = build(cityFile, out, ["--tile-size", String(TILE), "--workers", "2"]); });

test("the tileset is valid 3D Tiles 1.1, its contents valid glTF with valid feature ids and tables", async () => {
  assert.equal(built.buildings, 144);
  assert.ok(built.tiles >= 25, `${built.tiles} tiles`);
  const ts = readTileset(out);
  assert.deepEqual(tilesetSchemaErrors(ts), []);
  assert.equal(ts.asset.version, "1.1");
  assert.equal(ts.root.transform?.length, 16);
  const contents = contentsOf(ts.root);
  assert.ok(contents.length > built.tiles / 2, `${contents.length} contents`);
  for (const { tile } of contents) {
    const glb = fs.readFileSync(path.join(out, tile.content!.uri));
    assert.deepEqual(await glbErrors(glb, tile.content!.uri), []);
  }
  // Geometric errors fall down the tree; leaves (store tiles) have 0.
  const walk = (t: TileJson, parentError: number) => {
    assert.ok(t.geometricError <= parentError, `${t.geometricError} under ${parentError}`);
    if (!t.children) assert.equal(t.geometricError, 0);
    for (const c of t.children ?? []) walk(c, t.geometricError);
  };
  walk(ts.root, ts.geometricError);
});

/** The coarse grid's cell size at a node of level L. */
const cellAt = (L: number) => (2 ** L * TILE) / 64;
/** A building is carried whole by its ancestors up to level k: its size spans 4 of their cells. */
const wholeUpTo = (height: number) => Math.max(0, Math.floor(Math.log2((Math.max(height, 12 * Math.SQRT2) * 64) / (4 * TILE))));

test("every building is in exactly one leaf with its properties; parents are coarse: blocks and whole towers, each row a real building", () => {
  const ts = readTileset(out);
  const src = lonLatCity().features;
  const inLeaf = new Map<number, string>();
  const wholeIn = new Map<number, number[]>();
  let parents = 0, parentRows = 0;
  for (const { tile, depth } of contentsOf(ts.root)) {
    const g = readGlb(fs.readFileSync(path.join(out, tile.content!.uri)));
    const level = tile.children ? Number(/(\d+)-\d+-\d+\.glb$/.exec(tile.content!.uri)![1]) : 0;
    assert.ok(level >= 0 && depth > 0);
    if (tile.children) {
      parents++;
      // A parent stands for everything under it: it has its ground.
      assert.ok(g.json.meshes[0].primitives.some((p) => p.indices !== undefined && (g.json.accessors[p.indices] as { name?: string }).name === "ground"), `${tile.content!.uri} has no ground`);
    }
    if (!g.json.extensions?.EXT_structural_metadata) continue;
    const b = tableColumn(g, 0, "buildingIndex") as number[];
    const fid = tableColumn(g, 0, "featureId") as string[];
    const h = tableColumn(g, 0, "height") as number[];
    const meta = g.json.extensions.EXT_structural_metadata;
    const props = meta.schema.classes.building.properties as Record<string, { name?: string; type: string }>;
    // Scalar GeoJSON properties by default, ids made identifiers, the original name kept; objects left out.
    assert.equal(props.building_use.name, "building:use");
    assert.equal(props.listed.type, "BOOLEAN");
    assert.equal(props.note.type, "STRING");
    assert.equal(props.tags, undefined);
    assert.equal(props.height_2.name, "height");
    const name = tableColumn(g, 0, "name") as string[];
    const note = tableColumn(g, 0, "note") as string[];
    b.forEach((bi, r) => {
      const f = src.find((x) => x.id === fid[r])!;
      assert.ok(f, `feature ${fid[r]}`);
      assert.equal(name[r], f.properties.name);
      assert.equal(note[r], f.properties.note ?? "");
      assert.ok(Math.abs(h[r] - (f.properties.height as number)) < 0.01, `height ${h[r]} of ${f.id}, given ${f.properties.height}`);
      if (tile.children) {
        parentRows++;
        if (wholeUpTo(f.properties.height as number) >= level) {
          const list = wholeIn.get(bi) ?? [];
          list.push(level);
          wholeIn.set(bi, list);
        }
        return;
      }
      assert.ok(!inLeaf.has(bi), `building ${bi} in ${tile.content!.uri} and ${inLeaf.get(bi)}`);
      inLeaf.set(bi, tile.content!.uri);
    });
  }
  assert.equal(inLeaf.size, 144);
  assert.ok(parents > 0 && parentRows > 0, `${parents} parents, ${parentRows} rows in them`);
  // Towers are carried whole by every ancestor up to the level their size earns (260 m: all three).
  const depth = Math.max(...contentsOf(ts.root).map((c) => c.depth)) - 1;
  src.forEach((f, bi) => {
    const k = Math.min(depth, wholeUpTo(f.properties.height as number));
    assert.deepEqual((wholeIn.get(bi) ?? []).sort(), Array.from({ length: k }, (_, i) => i + 1), `${f.id} (${f.properties.height} m) carried whole at levels ${wholeIn.get(bi)}`);
  });
});

test("every footprint corner comes back within 1 m through the transforms, and inside its tile's region; a parent's blocks lie over their building", () => {
  const ts = readTileset(out);
  const src = lonLatCity().features;
  const side = fs.readFileSync(out + ".buildings.jsonl", "utf8").trim().split("\n").map((l) => JSON.parse(l) as { b: number; id: string });
  let worst = 0, checked = 0, blocks = 0;
  for (const { tile, world } of contentsOf(ts.root)) {
    const verts = buildingVertices(fs.readFileSync(path.join(out, tile.content!.uri)), world);
    const [w, s, e, n, lo, hi] = tile.boundingVolume.region!;
    const level = tile.children ? Number(/(\d+)-\d+-\d+\.glb$/.exec(tile.content!.uri)![1]) : 0;
    for (const [b, vs] of verts) {
      const f = src.find((x) => x.id === side[b].id)!;
      for (const [lon, lat, h] of vs) {
        const r = Math.PI / 180;
        assert.ok(lon * r >= w && lon * r <= e && lat * r >= s && lat * r <= n && h >= lo && h <= hi, `vertex of ${f.id} outside the region of ${tile.content!.uri}`);
      }
      if (level > 0 && wholeUpTo(f.properties.height as number) < level) {
        // A block: its cells lie over the footprint (a cell's centre was on a roof, so every corner of
        // it is within a cell's diagonal of the footprint), its top at most half a height step (a
        // quarter cell) above the building's roof, its walls down to the ground.
        const cell = cellAt(level);
        const ring = f.geometry.coordinates[0] as [number, number][];
        for (const v of vs) {
          const near = Math.min(...ring.map((c) => metres([v[0], v[1]], c as [number, number]))) <= 12 * Math.SQRT2 + cell * Math.SQRT2 + 0.01;
          assert.ok(near, `block of ${f.id} in ${tile.content!.uri} is off its footprint`);
        }
        const hs = vs.map((v) => v[2]);
        assert.ok(Math.min(...hs) > -0.2 && Math.max(...hs) <= (f.properties.height as number) + cell / 4 + 0.2, `block of ${f.id}: heights ${Math.min(...hs)}…${Math.max(...hs)} for ${f.properties.height} m`);
        blocks++;
        continue;
      }
      for (const corner of f.geometry.coordinates[0]) {
        const d = Math.min(...vs.map((v) => metres([v[0], v[1]], corner as [number, number])));
        worst = Math.max(worst, d);
        checked++;
      }
      const hs = vs.map((v) => v[2]);
      assert.ok(Math.abs(Math.min(...hs)) < 0.2 && Math.abs(Math.max(...hs) - (f.properties.height as number)) < 0.2, `${f.id}: heights ${Math.min(...hs)}…${Math.max(...hs)} for ${f.properties.height} m`);
    }
  }
  // Every building once in a leaf, and the towers again in each ancestor that carries them whole.
  const whole = src.reduce((k, f) => k + Math.min(3, wholeUpTo(f.properties.height as number)), 0);
  assert.equal(checked, (144 + whole) * 5);
  assert.ok(blocks > 0, "no blocks in the parents");
  assert.ok(worst < 1, `worst corner ${worst.toFixed(3)} m off`);
});

test("the tileset is the same bytes with 1 or 2 workers and without the disk store; -o …/tileset.json picks the format", () => {
  const a = filesOf(out);
  const one = path.join(dir, "one");
  build(cityFile, one, ["--tile-size", "400", "--workers", "1"]);
  const mem = path.join(dir, "mem", "tileset.json");
  const r = runCli(["build", cityFile, "-o", mem, "--tile-size", "400", "--no-disk-store", "--json", "--quiet", "--scratch-dir", path.join(dir, "scratch-mem")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).format, "3dtiles");
  for (const other of [filesOf(one), filesOf(path.dirname(mem))]) {
    assert.deepEqual([...other.keys()], [...a.keys()]);
    for (const [k, v] of a) assert.ok(other.get(k)!.equals(v), `${k} differs`);
  }
});

test("--glb-compression meshopt+quantize: valid contents, mesh data under half the size, every vertex within half a step of the plain tileset's", async () => {
  const packed = path.join(dir, "packed");
  build(cityFile, packed, ["--tile-size", String(TILE), "--glb-compression", "meshopt+quantize"]);
  const ts = readTileset(packed);
  assert.deepEqual(JSON.stringify(ts), JSON.stringify(readTileset(out)), "the same tree");
  let plainBytes = 0, packedBytes = 0, plainMesh = 0, packedMesh = 0, worst = 0, vertices = 0;
  const MESH_VIEWS = new Set(["positions", "feature ids", "ground", "walls", "roofs"]);
  for (const { tile, world } of contentsOf(ts.root)) {
    const uri = tile.content!.uri;
    const raw = fs.readFileSync(path.join(packed, uri)), plain = fs.readFileSync(path.join(out, uri));
    plainBytes += plain.length; packedBytes += raw.length;
    const g = readGlb(raw);
    for (const v of g.json.bufferViews as { byteLength: number; extensions?: { EXT_meshopt_compression?: { byteLength: number } } }[]) packedMesh += v.extensions?.EXT_meshopt_compression?.byteLength ?? 0;
    for (const v of readGlb(plain).json.bufferViews as { name: string; byteLength: number }[]) if (MESH_VIEWS.has(v.name)) plainMesh += v.byteLength;
    assert.deepEqual((g.json as { extensionsRequired?: string[] }).extensionsRequired, ["KHR_mesh_quantization", "EXT_meshopt_compression"]);
    // The Khronos validator on the file as written; decoded, the validator and our feature checks again.
    assert.deepEqual(await glbErrors(raw, uri, { featureChecks: false }), []);
    const decoded = await decodeMeshoptGlb(raw);
    assert.deepEqual(await glbErrors(decoded, uri), []);
    const node = readGlb(decoded).json.nodes[0];
    const halfStep = Math.hypot(...node.scale!) / 2;
    const a = buildingVertices(plain, world), b = buildingVertices(decoded, world);
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [k, vs] of a) {
      const ws = b.get(k)!;
      assert.equal(ws.length, vs.length);
      vs.forEach((v, i) => {
        const d = Math.hypot(metres([v[0], v[1]], [ws[i][0], ws[i][1]]), v[2] - ws[i][2]);
        worst = Math.max(worst, d / halfStep);
        vertices++;
      });
    }
  }
  console.log(`meshopt+quantize: ${packedBytes} bytes against ${plainBytes} (${(packedBytes / plainBytes).toFixed(2)}×; mesh views ${packedMesh} against ${plainMesh}, ${(packedMesh / plainMesh).toFixed(2)}×, the rest property tables); ${vertices} vertices, worst ${worst.toFixed(2)} of half a step (+ float32 rounding)`);
  assert.ok(packedMesh < plainMesh * 0.5 && packedBytes < plainBytes, `mesh views ${packedMesh} bytes against ${plainMesh}; files ${packedBytes} against ${plainBytes}`);
  assert.ok(worst <= 1.01, `a vertex ${worst.toFixed(2)} half-steps off`);
});

test("--feature-properties picks the GeoJSON properties of the tables", () => {
  const picked = path.join(dir, "picked");
  build(cityFile, picked, ["--tile-size", "400", "--feature-properties", "name,levels"]);
  for (const { tile } of contentsOf(readTileset(picked).root)) {
    const g = readGlb(fs.readFileSync(path.join(picked, tile.content!.uri)));
    const meta = g.json.extensions?.EXT_structural_metadata;
    if (meta) assert.deepEqual(Object.keys(meta.schema.classes.building.properties), ["buildingIndex", "featureId", "height", "name", "levels"]);
  }
});

test("Zurich (UTM 32 South, northings ~15,224,800 m, from ../shared/data): buildings come back within 1 m", async (t) => {
  if (!fs.existsSync(ZURICH)) {
    console.warn(`SKIPPED: ${ZURICH} is absent (real data is read from ../shared/data relative to the repository root)`);
    t.skip(`${ZURICH} absent`);
    return;
  }
  const zout = path.join(dir, "zurich");
  build(ZURICH, zout, ["--tile-size", "500"]);
  const fc = JSON.parse(fs.readFileSync(ZURICH, "utf8")) as { features: { geometry: { type: string; coordinates: number[][][] | number[][][][] } }[] };
  const utm = proj4("+proj=utm +zone=32 +south +datum=WGS84 +units=m +no_defs", "WGS84");
  const side = fs.readFileSync(zout + ".buildings.jsonl", "utf8").trim().split("\n").map((l) => JSON.parse(l) as { b: number; f: number });
  const ts = readTileset(zout);
  assert.deepEqual(tilesetSchemaErrors(ts), []);
  let buildings = 0, worst = 0;
  for (const { tile, world } of contentsOf(ts.root)) {
    const glb = fs.readFileSync(path.join(zout, tile.content!.uri));
    assert.deepEqual(await glbErrors(glb, tile.content!.uri), []);
    if (tile.children) continue; // parents' blocks are coarse by design (checked on the test city above)
    const verts = buildingVertices(glb, world);
    for (const [b, vs] of [...verts].slice(0, 3)) {
      const geom = fc.features[side[b].f].geometry;
      const ring = (geom.type === "Polygon" ? (geom.coordinates as number[][][])[0] : (geom.coordinates as number[][][][])[0][0]).map((p) => utm.forward(p) as [number, number]);
      // Every vertex of the building lies within 1 m of its footprint's outline (corners may be cleaned, edges split).
      for (const v of vs) {
        let d = Infinity;
        for (let i = 0; i + 1 < ring.length; i++) d = Math.min(d, segDist([v[0], v[1]], ring[i], ring[i + 1]));
        worst = Math.max(worst, d);
      }
      buildings++;
    }
  }
  assert.ok(buildings >= 3, `${buildings} buildings checked`);
  assert.ok(worst < 1, `worst vertex ${worst.toFixed(3)} m from its footprint`);
});

/** Metres from p to the segment ab (lon/lat, local plane). */
function segDist(p: [number, number], a: [number, number], b: [number, number]): number {
  const k = Math.cos((p[1] * Math.PI) / 180) * 111_195, kk = 111_195;
  const ax = (a[0] - p[0]) * k, ay = (a[1] - p[1]) * kk, bx = (b[0] - p[0]) * k, by = (b[1] - p[1]) * kk;
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(ax + t * dx, ay + t * dy);
}
