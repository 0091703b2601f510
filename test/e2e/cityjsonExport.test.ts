// CityJSON and CityJSONSeq output through the built CLI, on real footprints: delft20 (20 BGT
// buildings) and the bundled sample (300 BAG buildings of the TU Delft campus). Every document and
// line is validated against the official CityJSON 2.0 schemas, every solid checked closed and
// outward, and the output compared with the GLB of the same build and with the input's features.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli } from "../support/cli";
import { readMeshFile } from "../../src/core/readers";
import { checkStructure, featureSchemaErrors, readSeq, schemaErrors, type CityDoc, type CityObject } from "../unit/writers/cityjsonCheck";

const root = path.resolve(__dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-cj-e2e-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const INPUTS = { delft20: path.join(root, "test/fixtures/formats/delft20.geojson"), sample: path.join(root, "media/sample/sample-city.geojson") };

function build(input: string, out: string, extra: string[] = []): { buildings: number; crs: { name: string; origin: [number, number] }; buildingsFile: string } {
  const r = runCli(["build", input, "-o", out, "--json", "--quiet", "--scratch-dir", path.join(dir, "scratch"), ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Input features by index, for the side file's f. */
const featuresOf = (file: string): { id?: unknown; properties: Record<string, unknown> | null }[] => JSON.parse(fs.readFileSync(file, "utf8")).features;

/** Checks of one document's (or feature's) objects against the input: attributes are the feature's properties plus measuredHeight. */
function checkBuildings(objects: Record<string, CityObject>, vertices: number[][], byKey: Map<string, number>, features: ReturnType<typeof featuresOf>): void {
  for (const [key, o] of Object.entries(objects)) {
    if (o.type !== "Building") continue;
    const f = byKey.get(key);
    assert.ok(f !== undefined, `${key} is in the side file`);
    const { measuredHeight, featureId, ...props } = o.attributes!;
    assert.deepEqual(props, features[f].properties ?? {}, key);
    assert.equal(featureId, undefined);
    // measuredHeight = the solid's top minus its base (mm → m).
    const solids = o.geometry ?? (o.children ?? []).flatMap((c) => objects[c].geometry!);
    const zs = solids.flatMap((g) => (g.boundaries as number[][][][]).flat(3)).map((i) => vertices[i][2]);
    assert.equal(measuredHeight, (Math.max(...zs) - Math.min(...zs)) / 1000, key);
  }
}

/** Side file key → input feature index: the key is the feature's id when it has one (unique), else building-<b>. */
function keysOf(buildingsFile: string, features: ReturnType<typeof featuresOf>): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of fs.readFileSync(buildingsFile, "utf8").split("\n").filter(Boolean)) {
    const r = JSON.parse(line) as { b: number; f: number; id?: unknown };
    m.set(r.id !== undefined && r.id !== null ? String(r.id) : `building-${r.b}`, r.f);
    assert.ok(r.f < features.length);
  }
  return m;
}

/** Every roof and terrain vertex of the CityJSON lies within 1 mm of a GLB vertex, and every GLB roof/ground vertex within 1 mm of one of them. */
function compareWithGlb(doc: CityDoc, glb: string, origin: [number, number]): void {
  const m = readMeshFile(glb);
  const N = m.buildings!;
  const key = (x: number, y: number, z: number) => `${Math.round(x * 1000)},${Math.round(y * 1000)},${Math.round(z * 1000)}`;
  const near = (set: Set<string>, x: number, y: number, z: number) => {
    for (const dx of [-1, 0, 1]) for (const dy of [-1, 0, 1]) for (const dz of [-1, 0, 1]) if (set.has(key(x + dx / 1000, y + dy / 1000, z + dz / 1000))) return true;
    return false;
  };
  const glbKeys = new Set<string>();
  for (let f = 0; f < m.faces.length / 3; f++) {
    if (m.markers![f] >= 0 && m.markers![f] < N) continue; // walls: the CityJSON's are rebuilt
    for (let k = 0; k < 3; k++) { const v = m.faces[3 * f + k]; glbKeys.add(key(m.vertices[3 * v], m.vertices[3 * v + 1], m.vertices[3 * v + 2])); }
  }
  const [tx, ty, tz] = doc.transform.translate;
  assert.deepEqual([tx, ty, tz], [origin[0], origin[1], 0]);
  const cjKeys = new Set<string>();
  for (const o of Object.values(doc.CityObjects)) {
    for (const g of o.geometry ?? []) {
      const values = g.semantics ? (g.semantics.values as number[][])[0] : undefined;
      const surfaces = g.type === "Solid" ? (g.boundaries as number[][][][])[0] : (g.boundaries as number[][][]);
      surfaces.forEach((s, i) => {
        if (values && g.semantics!.surfaces[values[i]].type !== "RoofSurface") return;
        for (const v of s[0]) {
          const [x, y, z] = doc.vertices[v].map((c) => c * 0.001);
          assert.ok(near(glbKeys, x, y, z), `CityJSON vertex ${v} (${x}, ${y}, ${z}) is not within 1 mm of a GLB roof/ground vertex`);
          cjKeys.add(key(x, y, z));
        }
      });
    }
  }
  for (const k of glbKeys) {
    const [x, y, z] = k.split(",").map((c) => Number(c) / 1000);
    assert.ok(near(cjKeys, x, y, z), `GLB vertex (${x}, ${y}, ${z}) is in no CityJSON roof or terrain`);
  }
}

for (const [name, input] of Object.entries(INPUTS)) {
  test(`${name}: .city.json is valid CityJSON 2.0 with closed outward solids, the build's buildings, the input's attributes and the GLB's vertices`, () => {
    const glb = path.join(dir, `${name}.glb`), out = path.join(dir, `${name}.city.json`);
    const g = build(input, glb);
    const r = build(input, out);
    assert.equal(r.buildings, g.buildings);
    const doc = JSON.parse(fs.readFileSync(out, "utf8")) as CityDoc;
    assert.deepEqual(schemaErrors(doc), []);
    const s = checkStructure(doc.CityObjects, doc.vertices);
    assert.deepEqual(s.problems, []);
    assert.deepEqual([s.badIndices, s.unusedVertices], [0, 0]);
    assert.equal(s.buildings, r.buildings, "one Building per building of the mesh");
    assert.equal(r.crs.name, "EPSG:28992");
    assert.equal(doc.metadata?.referenceSystem, "https://www.opengis.net/def/crs/EPSG/0/28992");
    const features = featuresOf(input);
    checkBuildings(doc.CityObjects, doc.vertices, keysOf(r.buildingsFile, features), features);
    compareWithGlb(doc, glb, g.crs.origin);
  });

  test(`${name}: .city.jsonl is CityJSONSeq: a valid header and one valid CityJSONFeature per building, then the terrain`, () => {
    const out = path.join(dir, `${name}.city.jsonl`);
    const r = build(input, out);
    const { header, features } = readSeq(out);
    assert.deepEqual(schemaErrors(header), []);
    assert.equal(header.metadata?.referenceSystem, "https://www.opengis.net/def/crs/EPSG/0/28992");
    const inputFeatures = featuresOf(input), byKey = keysOf(r.buildingsFile, inputFeatures);
    let buildings = 0, terrain = 0;
    for (const f of features) {
      assert.deepEqual(featureSchemaErrors(f), [], f.id);
      assert.ok(f.id in f.CityObjects);
      const s = checkStructure(f.CityObjects, f.vertices);
      assert.deepEqual([s.problems, s.badIndices, s.unusedVertices, s.duplicateVertices], [[], 0, 0, 0], f.id);
      buildings += s.buildings;
      if (f.CityObjects[f.id].type === "TINRelief") terrain++;
      else checkBuildings(f.CityObjects, f.vertices, byKey, inputFeatures);
    }
    assert.equal(buildings, r.buildings);
    assert.ok(terrain >= 1);
    assert.deepEqual(features.slice(-terrain).map((f) => f.CityObjects[f.id].type), Array(terrain).fill("TINRelief"), "the terrain comes after the buildings");
  });
}

test("citymesh merge writes CityJSON from a kept store, the same bytes as the build's", () => {
  const input = INPUTS.delft20, scratch = path.join(dir, "kept");
  const built = path.join(dir, "built.city.json"), merged = path.join(dir, "merged.city.json");
  const r = runCli(["build", input, "-o", built, "--quiet", "--keep-intermediate", "--scratch-dir", scratch]);
  assert.equal(r.code, 0, r.stderr);
  const m = runCli(["merge", scratch, "-o", merged, "--quiet"]);
  assert.equal(m.code, 0, m.stderr);
  assert.deepEqual(fs.readFileSync(merged), fs.readFileSync(built));
  const seq = path.join(dir, "merged.jsonl");
  const s = runCli(["merge", scratch, "-o", seq, "--quiet"]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(readSeq(seq).header.type, "CityJSON", ".jsonl → CityJSONSeq");
});

test("--format cityjson overrides the extension; an unknown --format names the formats", () => {
  const out = path.join(dir, "forced.out");
  build(INPUTS.delft20, out, ["--format", "cityjson"]);
  assert.deepEqual(schemaErrors(JSON.parse(fs.readFileSync(out, "utf8"))), []);
  const bad = runCli(["build", INPUTS.delft20, "-o", path.join(dir, "x.out"), "--format", "cityjsn", "--quiet"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /cityjson, cityjsonseq/);
});

test("round trip: the CityJSON export of a city, read back as input, builds the same city (buildings, triangles per class, every vertex)", () => {
  // Writer and reader meet: the exported GroundSurfaces (triangles) become each building's footprint again, its
  // measuredHeight the height, and the TINRelief is skipped (a note). The meshes differ only in vertex order.
  const original = path.join(dir, "rt.glb"), exported = path.join(dir, "rt.city.json"), again = path.join(dir, "rt-again.glb");
  const a = build(INPUTS.delft20, original);
  build(INPUTS.delft20, exported);
  const r = runCli(["build", exported, "-o", again, "--json", "--quiet", "--scratch-dir", path.join(dir, "scratch")]);
  assert.equal(r.code, 0, r.stderr);
  const b = JSON.parse(r.stdout) as { buildings: number; triangles: number; diagnostics: { code: string }[]; heightSources: Record<string, number> };
  assert.equal(b.buildings, a.buildings);
  assert.deepEqual(b.diagnostics.map((d) => d.code), ["skipped-cityobjects"], "only the note that the terrain was not read as buildings");
  const m1 = readMeshFile(original), m2 = readMeshFile(again);
  const perClass = (m: ReturnType<typeof readMeshFile>) => {
    const n = m.buildings!, c = [0, 0, 0];
    for (const k of m.markers!) c[k < 0 ? 0 : k < n ? 1 : 2]++;
    return c;
  };
  assert.deepEqual(perClass(m2), perClass(m1), "ground, wall and roof triangles");
  const sorted = (v: Float64Array) => {
    const p: number[][] = [];
    for (let i = 0; i < v.length; i += 3) p.push([v[i], v[i + 1], v[i + 2]]);
    return p.sort((s, t) => s[0] - t[0] || s[1] - t[1] || s[2] - t[2]);
  };
  const p1 = sorted(m1.vertices), p2 = sorted(m2.vertices);
  assert.equal(p2.length, p1.length);
  // delft20's coordinates are millimetres apart at most from the export's integers: within 1 mm everywhere.
  for (let i = 0; i < p1.length; i++) assert.ok(p1[i].every((x, k) => Math.abs(x - p2[i][k]) <= 0.001), `vertex ${i}: ${p1[i]} vs ${p2[i]}`);
});
