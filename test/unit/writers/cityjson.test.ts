// The CityJSON writers on a small hand-made city whose cases the real builds rarely show: a
// building of two separate parts, one with no walls of its own, one whose walls stand on sloping
// ground, duplicate and missing feature ids, a custom CRS. Real builds: test/e2e/cityjson.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mergeTiles } from "../../../src/core/merge/mergeTiles";
import { memoryTileSource } from "../../../src/core/merge/tileSource";
import { defaultOutputPath, outputFormat } from "../../../src/core/options";
import { referenceSystemOf } from "../../../src/core/writers/cityjson/common";
import type { BuildFormat, CrsInfo, TileMesh } from "../../../src/core/types";
import { CityMeshError } from "../../../src/core/errors";
import { checkStructure, featureSchemaErrors, readSeq, schemaErrors, type CityDoc } from "./cityjsonCheck";

const rd: CrsInfo = { name: "EPSG:28992", proj4: "+proj=sterea +lat_0=52.15616055555555 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +units=m +no_defs", origin: [84000.5, 447000.25], sourceCrs: "EPSG:28992" };

/**
 * Three buildings on one tile. 0: two 10 m squares 5 m high, apart (one building, two parts), with
 * walls on flat ground. 1: a square with no walls (as if enclosed by taller ones). 2: a square
 * whose walls stand on ground sloping from z 1 to z 2, roof at 6 (base 1, so 5 m high). Ground:
 * two triangles at z 0 … 0.5.
 */
function city(): TileMesh {
  const v: number[] = [], f: number[] = [], m: number[] = [];
  const N = 4;
  const vert = (x: number, y: number, z: number) => { v.push(x, y, z); return v.length / 3 - 1; };
  const tri = (a: number, b: number, c: number, marker: number) => { f.push(a, b, c); m.push(marker); };
  /** A roof square (counter-clockwise from above) and, per corner, the wall bottom heights (none: no walls). */
  const box = (b: number, x: number, y: number, s: number, top: number, bottoms?: number[]) => {
    const xy = [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];
    const t = xy.map(([px, py]) => vert(px, py, top));
    tri(t[0], t[1], t[2], N + b);
    tri(t[0], t[2], t[3], N + b);
    if (!bottoms) return;
    const lo = xy.map(([px, py], i) => vert(px, py, bottoms[i]));
    for (let i = 0; i < 4; i++) {
      const j = (i + 1) % 4;
      tri(lo[i], lo[j], t[j], b);
      tri(lo[i], t[j], t[i], b);
    }
  };
  box(0, 0, 0, 10, 5, [0, 0, 0, 0]);
  box(0, 20, 0, 10, 5, [0, 0, 0, 0]);
  box(1, 0, 20, 10, 7);
  box(2, 20, 20, 10, 6, [1, 2, 2, 1]);
  // 3: a 3 × 3 block of 2 m cells without its centre and its top-right cell: the courtyard
  // touches the outside at one corner (48, 4), which the roof's boundary passes twice.
  const at = new Map<string, number>();
  const cv = (x: number, y: number) => at.get(`${x},${y}`) ?? (at.set(`${x},${y}`, vert(x, y, 4)), v.length / 3 - 1);
  for (const [i, j] of [[0, 0], [1, 0], [2, 0], [0, 1], [2, 1], [0, 2], [1, 2]]) {
    const x = 42 + 2 * i, y = 0 + 2 * j, a = cv(x, y), b = cv(x + 2, y), c = cv(x + 2, y + 2), d = cv(x, y + 2);
    tri(a, b, c, N + 3);
    tri(a, c, d, N + 3);
  }
  const g = [vert(-10, -10, 0), vert(40, -10, 0.5), vert(40, -5, 0.5), vert(-10, -5, 0)];
  tri(g[0], g[1], g[2], -2);
  tri(g[0], g[2], g[3], -1);
  return { vertices: Float64Array.from(v), faces: Int32Array.from(f), markers: Int32Array.from(m), seam: new Uint8Array(v.length / 3) };
}

function sideFile(dir: string, records: object[]): string {
  const file = path.join(dir, "city.buildings.jsonl");
  fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return file;
}

const RECORDS = [
  { b: 0, f: 0, id: "dup", properties: { name: "zero", nested: { a: [1, 2] } } },
  { b: 1, f: 1, id: "dup", properties: { name: "one" } },
  { b: 2, f: 2, id: 7, properties: null },
];

async function write(format: BuildFormat, crs = rd, records: object[] | null = RECORDS): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-cj-"));
  const out = path.join(dir, format === "cityjson" ? "city.city.json" : "city.city.jsonl");
  await mergeTiles(memoryTileSource([city()]), { output: out, format, crs, buildings: 4, buildingsFile: records ? sideFile(dir, records) : undefined });
  return out;
}

test("CityJSON document: valid against the official 2.0 schemas; solids closed and outward; no unused or duplicate vertices", async () => {
  const doc = JSON.parse(fs.readFileSync(await write("cityjson"), "utf8")) as CityDoc;
  assert.deepEqual(schemaErrors(doc), []);
  const r = checkStructure(doc.CityObjects, doc.vertices);
  assert.deepEqual(r.problems, []);
  assert.equal(r.badIndices, 0);
  assert.equal(r.unusedVertices, 0);
  assert.equal(r.duplicateVertices, 0);
  assert.equal(r.buildings, 4);
  assert.equal(r.solids, 4, "building 0 has two parts, one solid each; building 3 is no solid");
  assert.deepEqual(doc.transform, { scale: [0.001, 0.001, 0.001], translate: [84000.5, 447000.25, 0] });
  assert.equal(doc.metadata?.referenceSystem, "https://www.opengis.net/def/crs/EPSG/0/28992");
  assert.deepEqual(doc.metadata?.geographicalExtent, [84000.5 - 10, 447000.25 - 10, 0, 84000.5 + 48, 447000.25 + 30, 7]);
});

test("keys: a unique feature id, else building-<b> with the id kept as featureId; attributes are the properties plus measuredHeight", async () => {
  const doc = JSON.parse(fs.readFileSync(await write("cityjson"), "utf8")) as CityDoc;
  const o = doc.CityObjects;
  // (JSON.parse lists an integer-like key such as "7" first: compare sorted.)
  assert.deepEqual(Object.keys(o).filter((k) => o[k].type === "Building").sort(), ["7", "building-0", "building-1", "building-3"]);
  assert.deepEqual(o["building-0"].attributes, { name: "zero", nested: { a: [1, 2] }, featureId: "dup", measuredHeight: 5 });
  assert.deepEqual(o["building-1"].attributes, { name: "one", featureId: "dup", measuredHeight: 7 }, "no walls: stands on the city's lowest point (0)");
  assert.deepEqual(o["7"].attributes, { measuredHeight: 5 }, "walls on ground from 1 to 2: the base is the lowest, 1");
  // Two parts: the Building holds the attributes, each BuildingPart a solid.
  assert.deepEqual(o["building-0"].children, ["building-0-part-1", "building-0-part-2"]);
  for (const k of o["building-0"].children!) assert.deepEqual(o[k].parents, ["building-0"]);
  assert.equal(o["building-0"].geometry, undefined);
  const solid = o["7"].geometry![0];
  assert.equal(solid.lod, "1");
  assert.deepEqual(solid.semantics!.surfaces, [{ type: "GroundSurface" }, { type: "WallSurface" }, { type: "RoofSurface" }]);
  // 2 roof triangles, 2 ground triangles, 4 wall quads.
  assert.deepEqual([...(solid.semantics!.values as number[][])[0]].sort(), [0, 0, 1, 1, 1, 1, 2, 2]);
  // The base of building 7 is at z 1: its ground corners in CRS units.
  const V = doc.vertices, shell = (solid.boundaries as number[][][][])[0];
  const groundZ = shell.filter((_, i) => (solid.semantics!.values as number[][])[0][i] === 0).flat(2).map((i) => V[i][2]);
  assert.deepEqual([...new Set(groundZ)], [1000]);
  const t = o["citymesh-terrain"];
  assert.equal(t.type, "TINRelief");
  assert.equal((t.geometry![0].boundaries as unknown[]).length, 2);
});

test("a roof whose boundary passes a vertex twice gives a MultiSurface (a Solid there would have a non-manifold edge)", async () => {
  const doc = JSON.parse(fs.readFileSync(await write("cityjson"), "utf8")) as CityDoc;
  const g = doc.CityObjects["building-3"].geometry!;
  assert.equal(g.length, 1);
  assert.equal(g[0].type, "MultiSurface");
  const values = g[0].semantics!.values as number[];
  // 7 cells: 14 roof and 14 ground triangles; walls: 12 outer + 4 courtyard edges.
  assert.deepEqual([0, 1, 2].map((s) => values.filter((v) => v === s).length), [14, 16, 14]);
  assert.deepEqual(doc.CityObjects["building-3"].attributes, { measuredHeight: 4 });
});

test("without a buildings file, keys are building-<b> and attributes only measuredHeight", async () => {
  const doc = JSON.parse(fs.readFileSync(await write("cityjson", rd, null), "utf8")) as CityDoc;
  assert.deepEqual(schemaErrors(doc), []);
  assert.deepEqual(Object.keys(doc.CityObjects).filter((k) => doc.CityObjects[k].type === "Building"), ["building-0", "building-1", "building-2", "building-3"]);
  assert.deepEqual(doc.CityObjects["building-2"].attributes, { measuredHeight: 5 });
});

test("an id of the form building-<b> does not collide with a fallback key", async () => {
  const records = [{ b: 0, id: "building-1", properties: {} }, { b: 1, properties: {} }, { b: 2, id: "x", properties: {} }];
  const doc = JSON.parse(fs.readFileSync(await write("cityjson", rd, records), "utf8")) as CityDoc;
  assert.deepEqual(Object.keys(doc.CityObjects).filter((k) => doc.CityObjects[k].type === "Building"), ["building-1", "building-1_", "x", "building-3"]);
});

test("a damaged buildings file line is a CityMeshError naming the file and line", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-cj-"));
  const side = path.join(dir, "bad.buildings.jsonl");
  fs.writeFileSync(side, '{"b":0,"id":"a"}\n{"b":1,"id":\n');
  const out = path.join(dir, "bad.city.json");
  await assert.rejects(
    mergeTiles(memoryTileSource([city()]), { output: out, format: "cityjson", crs: rd, buildings: 4, buildingsFile: side }),
    (e: unknown) => e instanceof CityMeshError && e.message.includes(side) && e.message.includes("line 2"),
  );
  assert.ok(!fs.existsSync(out), "no partial output");
});

test("a custom CRS has no referenceSystem (CityJSON names CRSs by OGC URL only); its proj4 goes into the title", async () => {
  const custom: CrsInfo = { ...rd, name: "custom", proj4: "+proj=tmerc +lat_0=0 +lon_0=9 +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m" };
  const doc = JSON.parse(fs.readFileSync(await write("cityjson", custom), "utf8")) as CityDoc;
  assert.deepEqual(schemaErrors(doc), []);
  assert.equal(doc.metadata?.referenceSystem, undefined);
  assert.ok(doc.metadata?.title?.includes(custom.proj4), doc.metadata?.title);
  assert.equal(referenceSystemOf("epsg:3857"), "https://www.opengis.net/def/crs/EPSG/0/3857");
  assert.equal(referenceSystemOf("ESRI:102100"), undefined);
});

test("CityJSONSeq: a CityJSON first line without objects, then one valid CityJSONFeature per building and for the terrain", async () => {
  const { header, features } = readSeq(await write("cityjsonseq"));
  assert.deepEqual(schemaErrors(header), []);
  assert.deepEqual(header.CityObjects, {});
  assert.deepEqual(header.vertices, []);
  assert.equal(header.metadata?.referenceSystem, "https://www.opengis.net/def/crs/EPSG/0/28992");
  assert.deepEqual(features.map((f) => f.id), ["building-0", "building-1", "7", "building-3", "citymesh-terrain-1"]);
  const doc = JSON.parse(fs.readFileSync(await write("cityjson"), "utf8")) as CityDoc;
  for (const f of features) {
    assert.deepEqual(featureSchemaErrors(f), [], f.id);
    const r = checkStructure(f.CityObjects, f.vertices);
    assert.deepEqual([r.problems, r.badIndices, r.unusedVertices, r.duplicateVertices], [[], 0, 0, 0], f.id);
    // The same objects as the document's, up to vertex numbering.
    for (const [k, o] of Object.entries(f.CityObjects)) {
      if (k.startsWith("citymesh-terrain")) continue;
      const d = doc.CityObjects[k];
      assert.deepEqual(o.attributes, d.attributes);
      const coords = (x: unknown, V: number[][]): unknown => (typeof x === "number" ? V[x] : (x as unknown[]).map((y) => coords(y, V)));
      assert.deepEqual(coords(o.geometry?.[0]?.boundaries ?? [], f.vertices), coords(d.geometry?.[0]?.boundaries ?? [], doc.vertices), k);
    }
  }
});

test("the validators see errors: a missing transform, a flipped surface, an open shell", async () => {
  const doc = JSON.parse(fs.readFileSync(await write("cityjson"), "utf8")) as CityDoc;
  assert.notDeepEqual(schemaErrors({ ...doc, transform: undefined }), []);
  assert.notDeepEqual(schemaErrors({ ...doc, CityObjects: { x: { type: "Building", geometry: [{ type: "Solid", lod: 1, boundaries: [] }] } } }), []);
  const solid = doc.CityObjects["7"].geometry![0], shell = (solid.boundaries as number[][][][])[0];
  shell[0][0].reverse();
  assert.equal(checkStructure(doc.CityObjects, doc.vertices).problems.length, 1);
  shell.splice(0, 1);
  assert.match(checkStructure(doc.CityObjects, doc.vertices).problems[0], /no opposite/);
});

test("the format follows -o: .city.json/.json → cityjson, .city.jsonl/.jsonl → cityjsonseq; default names .city.json / .city.jsonl", () => {
  assert.equal(outputFormat(undefined, "/x/a.city.json"), "cityjson");
  assert.equal(outputFormat(undefined, "/x/a.JSON"), "cityjson");
  assert.equal(outputFormat(undefined, "/x/a.cityjson"), "cityjson");
  assert.equal(outputFormat(undefined, "/x/a.city.jsonl"), "cityjsonseq");
  assert.equal(outputFormat("glb", "/x/a.city.jsonl"), "glb");
  assert.equal(defaultOutputPath("/d/city.geojson", "cityjson"), path.join("/d", "city.city.json"));
  assert.equal(defaultOutputPath("/d/city.geojson", "cityjsonseq"), path.join("/d", "city.city.jsonl"));
});
