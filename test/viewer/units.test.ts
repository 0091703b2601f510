// The viewer's pure parts, without a browser: GLB and CMPV parsing, picking, the buildings side
// file, the page's HTML/CSP.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, describe, it } from "node:test";
import { parseCitymeshGlb, readGlbChunks, isCitymeshGlb } from "../../webview/glb";
import { parseCmpv } from "../../webview/cmpv";
import { markerBuilding, markerClass, SurfaceClass } from "../../webview/meshData";
import { buildingFaces, pickFace } from "../../webview/pick";
import { heightColors } from "../../webview/geometry";
import { BuildingsLookup, guessBuildingsFile } from "../../src/extension/viewer/buildings";
import { renderViewerHtml, viewerCsp } from "../../src/extension/viewer/html";
import { cmpvOf, glbOf, viewerCity } from "../support/viewerCity";
import { previewBytes } from "../../src/core/writers/preview";
import { mergeTiles } from "../../webview/tileBatch";
import { progressText } from "../../webview/fetchProgress";

const ab = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe("citymesh GLB", () => {
  const city = viewerCity({ cols: 3, rows: 2, groundCells: 2 });
  let glb: Buffer;
  before(async () => { glb = await glbOf(city); });
  it("reads one indexed mesh with ground, wall and roof groups and the face markers", () => {
    const d = parseCitymeshGlb(ab(glb));
    assert.equal(d.positions.length, 3 * city.vertices);
    assert.equal(d.index.length, 3 * city.triangles);
    assert.deepEqual(d.groups.map((g) => [g.cls, g.count / 3]), [[SurfaceClass.Ground, 8], [SurfaceClass.Wall, 48], [SurfaceClass.Roof, 12]]);
    assert.equal(d.buildings, 6);
    assert.equal(d.markers!.length, city.triangles);
    for (const g of d.groups) for (let f = g.start / 3; f < (g.start + g.count) / 3; f++) assert.equal(markerClass(d.markers![f], 6), g.cls);
    assert.deepEqual(d.bounds!.length, 6);
  });
  it("views the file's bytes for positions and indices instead of copying them", () => {
    const buf = ab(glb);
    const d = parseCitymeshGlb(buf);
    assert.equal(d.positions.buffer, buf);
    assert.equal(d.index.buffer, buf);
  });
  it("leaves other GLBs to three's loader and rejects non-GLB bytes", () => {
    const { json } = readGlbChunks(ab(glb));
    assert.ok(isCitymeshGlb(json));
    delete (json.asset as { extras?: unknown }).extras;
    assert.equal(isCitymeshGlb(json), false);
    assert.throws(() => readGlbChunks(new ArrayBuffer(40)), /not a GLB/);
  });
});

describe("CMPV preview tiles", () => {
  it("groups faces by class and permutes the markers with them", () => {
    const city = viewerCity({ cols: 2, rows: 2, groundCells: 1 });
    const d = parseCmpv(ab(cmpvOf(city)));
    assert.equal(d.index.length, 3 * city.triangles);
    assert.deepEqual(d.groups.map((g) => g.cls), [SurfaceClass.Ground, SurfaceClass.Wall, SurfaceClass.Roof]);
    for (const g of d.groups) for (let f = g.start / 3; f < (g.start + g.count) / 3; f++) assert.equal(markerClass(d.markers![f], 4), g.cls);
  });
  it("reads what the pipeline's previewBytes writes (Z-up → Y-up, markers kept)", () => {
    // One building (index 0 of 1): a ground triangle, a wall triangle, a roof triangle.
    const mesh = {
      vertices: new Float64Array([0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 5, 10, 0, 5]),
      faces: new Int32Array([0, 1, 2, 0, 1, 4, 3, 4, 2]),
      markers: new Int32Array([-2, 0, 1]),
      seam: new Uint8Array(5),
    };
    const bytes = previewBytes(mesh, 1);
    const d = parseCmpv(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    assert.deepEqual(d.groups.map((g) => g.cls), [SurfaceClass.Ground, SurfaceClass.Wall, SurfaceClass.Roof]);
    assert.deepEqual([...d.markers!], [-2, 0, 1]);
    assert.deepEqual([...d.positions.subarray(6, 9)], [0, 0, -10], "(x, y, z) → (x, z, -y)");
    assert.deepEqual([...d.positions.subarray(9, 12)].map((v) => v + 0), [0, 5, 0]); // + 0: no -0
  });
  it("refuses a bad magic, a short file and out-of-range indices", () => {
    const good = cmpvOf(viewerCity({ cols: 1, rows: 1, groundCells: 1 }));
    const bad = Buffer.from(good); bad.write("XXXX", 0, "ascii");
    assert.throws(() => parseCmpv(ab(bad)), /bad magic/);
    assert.throws(() => parseCmpv(ab(good.subarray(0, 40))), /header says/);
    const oob = Buffer.from(good); oob.writeUInt32LE(99999, 16 + 12 * good.readUInt32LE(4));
    assert.throws(() => parseCmpv(ab(oob)), /out of range/);
  });
});

describe("picking", () => {
  it("markers name buildings the dtcc-core way", () => {
    assert.deepEqual([-2, -1, 0, 4, 5, 9].map((m) => markerBuilding(m, 5)), [-1, -1, 0, 4, 0, 4]);
  });
  it("finds the nearest triangle along the ray, from either side", () => {
    // Two horizontal triangles at y = 0 and y = 10 over the same square.
    const pos = new Float32Array([0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 10, 0, 1, 10, 0, 0, 10, 1]);
    const idx = new Uint32Array([0, 1, 2, 3, 4, 5]);
    assert.equal(pickFace(pos, idx, [0.2, 20, 0.2], [0, -1, 0]), 1);
    assert.equal(pickFace(pos, idx, [0.2, -5, 0.2], [0, 1, 0]), 0);
    assert.equal(pickFace(pos, idx, [0.9, 20, 0.9], [0, -1, 0]), -1);
  });
  it("collects a building's wall and roof faces", async () => {
    const d = parseCitymeshGlb(ab(await glbOf(viewerCity({ cols: 2, rows: 1, groundCells: 1 }))));
    const out = new Uint32Array(64);
    assert.equal(buildingFaces(d.markers!, 2, 1, d.index, out), 3 * 10);
    assert.equal(buildingFaces(d.markers!, 2, 1, d.index, new Uint32Array(3)), 30, "counts even when out is too small");
  });
});

describe("height colours", () => {
  it("ramps buildings by height and keeps ground grey", async () => {
    const city = viewerCity({ cols: 2, rows: 1, groundCells: 1, height: (b) => (b === 0 ? 10 : 50) });
    const h = heightColors(parseCitymeshGlb(ab(await glbOf(city))));
    assert.equal(h.perBuilding, true);
    assert.deepEqual([h.min, h.max], [10, 50]);
    assert.deepEqual([...h.colors.subarray(0, 3)], [...h.colors.subarray(3, 6)], "ground vertices share one grey");
  });
  it("measures a building from the ground at its corners: on a hill, and with every wall built by its neighbours", () => {
    // Building 0: a roof at y 110 over ground at y 100, no walls of its own (a terraced house between taller
    // neighbours). Building 1: ground at 0, walls up to a roof at 10. Both are 10 m above the ground.
    const positions = new Float32Array([
      0, 110, 0, 10, 110, 0, 10, 110, 10, // 0-2 roof of 0
      0, 100, 0, 10, 100, 0, 10, 100, 10, -5, 100, 5, // 3-6 ground (halo) around 0
      20, 10, 0, 30, 10, 0, 30, 10, 10, // 7-9 roof of 1
      20, 0, 0, 30, 0, 0, 30, 0, 10, 25, 0, -5, // 10-13 ground (halo) and wall feet of 1
    ]);
    const index = new Uint32Array([3, 4, 6, 4, 5, 6, 10, 11, 13, 0, 1, 2, 7, 8, 9, 10, 11, 7, 11, 8, 7]);
    const markers = new Int32Array([-1, -1, -1, 2, 3, 1, 1]);
    const d = { positions, index, markers, buildings: 2, groups: [{ start: 0, count: 9, cls: SurfaceClass.Ground }, { start: 9, count: 6, cls: SurfaceClass.Roof }, { start: 15, count: 6, cls: SurfaceClass.Wall }] };
    const h = heightColors(d);
    assert.deepEqual([h.min, h.max], [10, 10]);
    assert.deepEqual([...h.colors.subarray(0, 3)], [...h.colors.subarray(21, 24)], "the same colour for the same height above ground");
  });
});

describe("buildings side file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-viewer-unit-"));
  it("reads one building's line, in order or not", async () => {
    const file = path.join(dir, "city.buildings.jsonl");
    fs.writeFileSync(file, ['{"b":0,"f":3,"id":"a","properties":{"h":1}}', '{"b":1,"f":4,"id":"b","properties":{"name":"ü"}}', ""].join("\n"));
    const l = new BuildingsLookup(file);
    assert.deepEqual(await l.get(1), { b: 1, f: 4, id: "b", properties: { name: "ü" } });
    assert.equal(await l.get(7), null);
    const shuffled = path.join(dir, "shuffled.jsonl");
    fs.writeFileSync(shuffled, '{"b":1,"id":"b"}\n{"b":0,"id":"a"}\n');
    assert.equal((await new BuildingsLookup(shuffled).get(0))?.id, "a");
    assert.equal(guessBuildingsFile(path.join(dir, "city.glb")), file);
    assert.equal(guessBuildingsFile(path.join(dir, "other.glb")), undefined);
  });
});

describe("page HTML", () => {
  it("has a nonce-only script policy and escapes what it fills in", () => {
    const csp = viewerCsp("https://x.vscode-cdn.net", "abc123");
    assert.match(csp, /^default-src 'none'; script-src 'nonce-abc123' 'wasm-unsafe-eval'; style-src https:\/\/x\.vscode-cdn\.net;/);
    // WebAssembly compilation (the meshopt decoder) only: no inline script, no eval of strings, no wildcard.
    assert.doesNotMatch(csp.replace("'wasm-unsafe-eval'", ""), /unsafe-inline|unsafe-eval|\*/);
    const template = fs.readFileSync(path.join(__dirname, "../../media/viewer.html"), "utf8");
    const html = renderViewerHtml(template, { cspSource: "https://x", nonce: "n0nce", scriptUri: "https://x/w.js?a=1&b=2", styleUri: "https://x/s.css", title: "<city>" });
    assert.match(html, /<script nonce="n0nce" src="https:\/\/x\/w\.js\?a=1&#38;b=2"><\/script>/);
    assert.match(html, /<title>&#60;city&#62;<\/title>/);
    assert.doesNotMatch(html, /\{\{/);
  });
});

describe("live tile batches", () => {
  it("merge tiles into one mesh grouped by class: same triangles, markers and vertices, indices offset", () => {
    const N = 10;
    const a = parseCmpv(ab(cmpvOf(viewerCity({ cols: 2, rows: 2, groundCells: 1, tileOf: { first: 0, of: N } }))));
    const b = parseCmpv(ab(cmpvOf(viewerCity({ cols: 3, rows: 2, groundCells: 2, offset: [100, 0], tileOf: { first: 4, of: N } }))));
    const m = mergeTiles([a, b]);
    const va = a.positions.length / 3;
    assert.equal(m.buildings, N);
    assert.equal(m.positions.length, a.positions.length + b.positions.length);
    assert.equal(m.index.length, a.index.length + b.index.length);
    assert.deepEqual(m.groups.map((g) => g.cls), [SurfaceClass.Ground, SurfaceClass.Wall, SurfaceClass.Roof], "one range per class: one draw call each");
    for (const g of m.groups) for (let f = g.start / 3; f < (g.start + g.count) / 3; f++) assert.equal(markerClass(m.markers![f], N), g.cls);
    // Every tile's triangles, with their markers, are in the batch (as vertex positions: indices are offset).
    const key = (pos: Float32Array, idx: ArrayLike<number>, f: number, mk: number) =>
      [0, 1, 2].map((k) => [...pos.subarray(3 * idx[3 * f + k], 3 * idx[3 * f + k] + 3)].join(",")).join(";") + `#${mk}`;
    const want = [a, b].flatMap((t) => Array.from({ length: t.index.length / 3 }, (_, f) => key(t.positions, t.index, f, t.markers![f]))).sort();
    const got = Array.from({ length: m.index.length / 3 }, (_, f) => key(m.positions, m.index, f, m.markers![f])).sort();
    assert.deepEqual(got, want);
    assert.ok(m.index.some((i) => i >= va), "b's indices shifted past a's vertices");
    assert.equal(mergeTiles([a]), a, "a single tile is drawn as it is");
    assert.throws(() => mergeTiles([a, { ...b, buildings: N + 1 }]), /different cities/);
  });
  it("states load progress in MB, with the total when known", () => {
    assert.equal(progressText(12_345_678, 59_400_000), "12.3 / 59.4 MB");
    assert.equal(progressText(1_000_000, undefined), "1.0 MB");
  });
});
