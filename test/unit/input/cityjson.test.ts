// CityJSON and CityJSONSeq input (src/core/input/cityjson.ts, cityjsonObjects.ts): the real 3D BAG sample of
// cityjson/cjseq in both forms, the 20 Delft buildings of formats/delft20.geojson as LoD1 solids
// (test/fixtures/generate-cityjson.ts) against the GeoJSON itself, and small files written here for each rule:
// versions, footprint sources, BuildingParts, heights, CRS, skipped objects, broken objects and damaged files.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { readFootprints, type ReadResult } from "../../../src/core/geojson/read";
import { CityMeshError } from "../../../src/core/errors";
import { cityJsonKind, MAX_CITYJSON_BYTES } from "../../../src/core/input/cityjson";
import { delftGround, delftHeight } from "../../fixtures/generate-cityjson";

const F = path.resolve(import.meta.dirname ?? __dirname, "../../fixtures/formats");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-cityjson-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
const write = (name: string, content: unknown) => {
  const file = path.join(dir, `${n++}-${name}`);
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
};

/** Rings of building b as [[x, y], …] lists (open), polygon by polygon. */
const rings = (r: ReadResult, b: number) => {
  const f = r.footprints, out: number[][][][] = [];
  for (let p = f.buildingStart[b]; p < f.buildingStart[b + 1]; p++) {
    const poly: number[][][] = [];
    for (let k = f.polyStart[p]; k < f.polyStart[p + 1]; k++) {
      const ring: number[][] = [];
      for (let i = f.ringStart[k]; i < f.ringStart[k + 1]; i++) ring.push([f.xy[2 * i] + r.crs.origin[0], f.xy[2 * i + 1] + r.crs.origin[1]]);
      poly.push(ring);
    }
    out.push(poly);
  }
  return out;
};
const area = (ring: number[][]) => ring.reduce((s, p, i) => { const q = ring[(i + 1) % ring.length]; return s + p[0] * q[1] - q[0] * p[1]; }, 0) / 2;
const codes = (r: ReadResult) => r.diagnostics.map((d) => d.code);

// A unit box building as CityJSON pieces: 8 vertices, an LoD1 solid with semantics, at (x0, y0), ground z0, top z1.
const box = (x0: number, y0: number, side: number, z0: number, z1: number, base = 0, semantics = true) => {
  const v = [[x0, y0, z0], [x0 + side, y0, z0], [x0 + side, y0 + side, z0], [x0, y0 + side, z0], [x0, y0, z1], [x0 + side, y0, z1], [x0 + side, y0 + side, z1], [x0, y0 + side, z1]];
  const i = (k: number) => base + k;
  const shell = [[[i(0), i(3), i(2), i(1)]], [[i(4), i(5), i(6), i(7)]], [[i(0), i(1), i(5), i(4)]], [[i(1), i(2), i(6), i(5)]], [[i(2), i(3), i(7), i(6)]], [[i(3), i(0), i(4), i(7)]]];
  const geometry = { type: "Solid", lod: "1.2", boundaries: [shell], ...(semantics ? { semantics: { surfaces: [{ type: "GroundSurface" }, { type: "RoofSurface" }, { type: "WallSurface" }], values: [[0, 1, 2, 2, 2, 2]] } } : {}) };
  return { vertices: v, geometry };
};
const V2 = (objects: Record<string, unknown>, vertices: number[][], extra: Record<string, unknown> = {}) => ({
  type: "CityJSON", version: "2.0", transform: { scale: [1, 1, 1], translate: [0, 0, 0] },
  metadata: { referenceSystem: "https://www.opengis.net/def/crs/EPSG/0/28992" }, CityObjects: objects, vertices, ...extra,
});
const X = 100000, Y = 450000; // RD New

test("the 20 Delft buildings as CityJSON and as CityJSONSeq read as the GeoJSON does: same rings in the same order, the generated heights", async () => {
  const ref = await readFootprints(path.join(F, "delft20.geojson"));
  for (const file of ["delft20.city.json", "delft20.city.jsonl"]) {
    const r = await readFootprints(path.join(F, file));
    assert.equal(r.footprints.count, 20, file);
    assert.deepEqual(Array.from(r.footprints.ringStart), Array.from(ref.footprints.ringStart), `${file}: the same rings`);
    assert.deepEqual(Array.from(r.footprints.buildingStart), Array.from(ref.footprints.buildingStart));
    assert.deepEqual(r.crs.origin, ref.crs.origin);
    assert.equal(r.crs.name, "EPSG:28992");
    let exact = 0;
    const a = ref.footprints.xy, b = r.footprints.xy;
    for (let i = 0; i < a.length; i++) {
      const src = a[i] + ref.crs.origin[i & 1];
      // Millimetre coordinates come back as the very same doubles; the few computed ones were rounded to the mm.
      if (Math.round(src * 1000) / 1000 === src) { assert.equal(b[i], a[i], `${file} coordinate ${i}`); exact++; }
      else assert.ok(Math.abs(b[i] - a[i]) <= 0.0005, `${file} coordinate ${i}: ${b[i]} vs ${a[i]}`);
    }
    assert.ok(exact > a.length * 0.9, `${exact} of ${a.length} bit-identical`);
    assert.deepEqual(Array.from(r.footprints.height), Array.from({ length: 20 }, (_, i) => delftHeight(i)), "heights from the solids: roof − ground");
    assert.deepEqual(r.heightSources, { height: 20 });
    assert.deepEqual(codes(r), ["compound-crs"], JSON.stringify(r.diagnostics));
    assert.ok(delftGround(1) !== 0, "the grounds are not all at z 0, so the subtraction is tested");
  }
});

test("real 3D BAG (cjseq's sample, Building + BuildingPart): CityJSON and CityJSONSeq give the same buildings; height b3_h_dak_70p − b3_h_maaiveld; EPSG:7415 read as 28992", async () => {
  const json = JSON.parse(fs.readFileSync(path.join(F, "3dbag_b2.city.json"), "utf8"));
  const propsFile = path.join(dir, "bag-props.jsonl");
  const a = await readFootprints(path.join(F, "3dbag_b2.city.json"), { propertiesOut: propsFile });
  const b = await readFootprints(path.join(F, "3dbag_b2.city.jsonl"));
  for (const r of [a, b]) {
    assert.equal(r.footprints.count, 2);
    assert.equal(r.crs.sourceCrs, "EPSG:28992");
    const note = r.diagnostics.find((d) => d.code === "compound-crs");
    assert.ok(note && note.severity === "info" && /EPSG:7415.*horizontal part EPSG:28992/.test(note.message), JSON.stringify(r.diagnostics));
    assert.deepEqual(codes(r), ["compound-crs"]);
  }
  for (let k = 0; k < 2; k++) {
    const id = a.featureIds[k] as string, at = json.CityObjects[id].attributes;
    assert.equal(a.footprints.height[k], Math.round((at.b3_h_dak_70p - at.b3_h_maaiveld) * 1000) / 1000, id);
    const kb = b.featureIds.indexOf(id);
    assert.ok(kb >= 0, `${id} in the sequence`);
    assert.deepEqual(rings(b, kb), rings(a, k), `${id}: the same footprint in both forms`);
    assert.equal(b.footprints.height[kb], a.footprints.height[k]);
    // The footprint is the part's GroundSurface: its vertex count, counter-clockwise.
    const part = json.CityObjects[json.CityObjects[id].children[0]].geometry[0];
    const ground = part.boundaries[0][part.semantics.values[0].indexOf(part.semantics.surfaces.findIndex((s: { type: string }) => s.type === "GroundSurface"))];
    const fp = rings(a, k);
    assert.equal(fp.length, 1);
    assert.equal(fp[0][0].length, ground[0].length);
    assert.ok(area(fp[0][0]) > 0);
  }
  const props = fs.readFileSync(propsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l).properties);
  assert.equal(props[0]["citymesh:heightSource"], "b3_h_dak_70p − b3_h_maaiveld");
  assert.equal(props[0].identificatie, a.featureIds[0]);
  // The user's own attribute wins over the height the reader derived.
  const own = await readFootprints(path.join(F, "3dbag_b2.city.json"), { heightAttributes: ["b3_h_dak_max"] });
  assert.deepEqual(Array.from(own.footprints.height), (a.featureIds as string[]).map((id) => json.CityObjects[id].attributes.b3_h_dak_max));
  assert.deepEqual(own.heightSources, { b3_h_dak_max: 2 });
});

test("versions 1.0, 1.1 and 2.0: the same building (1.0: URN CRS, numeric lod, no transform; 1.1/2.0: transform, http CRS)", async () => {
  const { vertices, geometry } = box(X, Y, 10, 0, 12);
  const v10 = { type: "CityJSON", version: "1.0", metadata: { referenceSystem: "urn:ogc:def:crs:EPSG::28992" }, CityObjects: { b: { type: "Building", geometry: [{ ...geometry, lod: 1 }] } }, vertices };
  const scaled = vertices.map((p) => [(p[0] - X) * 1000, (p[1] - Y) * 1000, p[2] * 1000]);
  const v11 = { ...V2({ b: { type: "Building", geometry: [geometry] } }, scaled), version: "1.1", transform: { scale: [0.001, 0.001, 0.001], translate: [X, Y, 0] } };
  const v20 = { ...v11, version: "2.0" };
  const results = [];
  for (const [name, doc] of [["v10.json", v10], ["v11.city.json", v11], ["v20.cityjson", v20]] as const) {
    const r = await readFootprints(write(name, doc));
    assert.equal(r.footprints.count, 1, name);
    assert.equal(r.crs.sourceCrs, "EPSG:28992", name);
    assert.equal(r.footprints.height[0], 12, name);
    assert.deepEqual(codes(r), [], JSON.stringify(r.diagnostics));
    results.push(rings(r, 0));
  }
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
  // The ground face [0, 3, 2, 1] points down (clockwise from above): reversed, z dropped.
  assert.deepEqual(results[0], [[[[X + 10, Y], [X + 10, Y + 10], [X, Y + 10], [X, Y]]]]);
});

test("footprint sources: LoD0 first, else the GroundSurfaces of the highest LoD, else its lowest horizontal faces; a roof-edge LoD0 is passed over", async () => {
  const big = box(X, Y, 10, 0, 12), small = box(X, Y, 4, 0, 12, 8);
  const lod0 = { type: "MultiSurface", lod: "0", boundaries: [[[8, 9, 10, 11]]] };
  const roofEdge = { ...lod0, semantics: { surfaces: [{ type: "RoofSurface" }], values: [0] } };
  const noSem = box(X, Y, 10, 2, 9, 0, false);
  const file = write("sources.city.json", V2({
    withLod0: { type: "Building", geometry: [big.geometry, lod0] },
    groundOnly: { type: "Building", geometry: [big.geometry] },
    roofEdge: { type: "Building", geometry: [roofEdge, big.geometry] },
    lowest: { type: "Building", geometry: [noSem.geometry] },
  }, [...big.vertices, ...small.vertices]));
  // `lowest` uses its own z (2..9) on the same xy: vertices 0..7 are replaced below for it.
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  doc.vertices.push(...noSem.vertices);
  doc.CityObjects.lowest.geometry = [box(X, Y, 10, 2, 9, 16, false).geometry];
  fs.writeFileSync(file, JSON.stringify(doc));
  const r = await readFootprints(file);
  assert.deepEqual(r.featureIds, ["withLod0", "groundOnly", "roofEdge", "lowest"]);
  const sizes = r.featureIds.map((_, b) => Math.abs(area(rings(r, b)[0][0])));
  assert.deepEqual(sizes, [16, 100, 100, 100], "LoD0 (4 m) wins; a roof-edge LoD0 does not");
  assert.deepEqual(Array.from(r.footprints.height), [12, 12, 12, 7], "from the solid whatever the footprint's source");
  assert.deepEqual(codes(r), []);
});

test("BuildingParts: a Building without geometry takes its parts' footprints as one MultiPolygon and the highest roof; a part without parent is a building", async () => {
  const p1 = box(X, Y, 10, 0, 6), p2 = box(X + 10, Y, 10, 0, 15, 8), p3 = box(X + 50, Y, 5, 1, 4, 16);
  const r = await readFootprints(write("parts.city.json", V2({
    main: { type: "Building", attributes: { name: "two parts" }, geometry: [], children: ["main-0", "main-1"] },
    "main-0": { type: "BuildingPart", geometry: [p1.geometry], parents: ["main"] },
    "main-1": { type: "BuildingPart", geometry: [p2.geometry], parents: ["main"] },
    lone: { type: "BuildingPart", geometry: [p3.geometry], parents: ["gone"] },
  }, [...p1.vertices, ...p2.vertices, ...p3.vertices])));
  assert.deepEqual(r.featureIds, ["main", "lone"]);
  const fp = rings(r, 0);
  assert.equal(fp.length, 2, "one polygon per part");
  assert.deepEqual(fp.map((p) => area(p[0])), [100, 100]);
  assert.deepEqual(Array.from(r.footprints.height), [15, 3]);
  assert.deepEqual(codes(r), []);
});

test("heights: 3D BAG's b3 attributes, older 3D BAG's, measuredHeight, else the geometry; an own `height` attribute is left alone", async () => {
  const objs: Record<string, unknown> = {}, vertices: number[][] = [];
  const cases: [string, Record<string, unknown>, number, string | undefined][] = [
    ["b3", { b3_h_dak_70p: 7.8, b3_h_maaiveld: -0.277 }, 8.077, "b3_h_dak_70p − b3_h_maaiveld"],
    ["old", { h_dak_70p: 14.5, h_maaiveld: 2 }, 12.5, "h_dak_70p − h_maaiveld"],
    ["measured", { measuredHeight: 21 }, 21, "measuredHeight"],
    ["b3null", { b3_h_dak_70p: null, b3_h_maaiveld: 0.5 }, 9, "geometry (LoD 1.2: highest roof z − lowest ground z)"],
    ["own", { height: 33, measuredHeight: 21 }, 33, undefined],
  ];
  cases.forEach(([id, attributes], k) => {
    const b = box(X + 20 * k, Y, 10, 1, 10, vertices.length);
    vertices.push(...b.vertices);
    objs[id] = { type: "Building", attributes, geometry: [b.geometry] };
  });
  const props = path.join(dir, "heights.jsonl");
  const r = await readFootprints(write("heights.city.json", V2(objs, vertices)), { propertiesOut: props });
  assert.deepEqual(Array.from(r.footprints.height), cases.map((c) => c[2]));
  const got = fs.readFileSync(props, "utf8").trim().split("\n").map((l) => JSON.parse(l).properties["citymesh:heightSource"]);
  assert.deepEqual(got, cases.map((c) => c[3]));
});

test("CRS: 7415 (1.0 URN and 2.0 URL) → EPSG:28992 with a note; an unknown code fails naming it; none is a warning and sourceCrs reads it", async () => {
  const { vertices, geometry } = box(X, Y, 10, 0, 5);
  for (const rs of ["urn:ogc:def:crs:EPSG::7415", "https://www.opengis.net/def/crs/EPSG/0/7415"]) {
    const r = await readFootprints(write("c.city.json", V2({ b: { type: "Building", geometry: [geometry] } }, vertices, { metadata: { referenceSystem: rs } })));
    assert.equal(r.crs.sourceCrs, "EPSG:28992");
    assert.deepEqual(codes(r), ["compound-crs"]);
  }
  const unknown = write("u.city.json", V2({ b: { type: "Building", geometry: [geometry] } }, vertices, { metadata: { referenceSystem: "https://www.opengis.net/def/crs/EPSG/0/99999" } }));
  await assert.rejects(readFootprints(unknown), (e: unknown) => e instanceof CityMeshError && e.code === "crs" && e.message.includes(unknown) && /EPSG:99999/.test(e.message));
  const none = write("n.city.json", V2({ b: { type: "Building", geometry: [geometry] } }, vertices, { metadata: {} }));
  await assert.rejects(readFootprints(none), /look projected/);
  const r = await readFootprints(none, { sourceCrs: "EPSG:28992" });
  assert.equal(r.footprints.count, 1);
  assert.ok(r.diagnostics.some((d) => d.code === "no-crs" && d.severity === "warning" && /--source-crs/.test(d.message)));
});

test("other CityObjects are skipped and counted in one note; a broken Building is a diagnostic with its id and the rest is read", async () => {
  const good = box(X, Y, 10, 0, 8), other = box(X + 30, Y, 10, 0, 8, 8);
  const r = await readFootprints(write("mixed.city.json", V2({
    road: { type: "Road", geometry: [] }, tin: { type: "TINRelief", geometry: [] }, land: { type: "LandUse", geometry: [] }, road2: { type: "Road", geometry: [] },
    good: { type: "Building", geometry: [good.geometry] },
    empty: { type: "Building", geometry: [] },
    badIndex: { type: "Building", geometry: [{ ...other.geometry, boundaries: [[[[0, 1, 999]]]], semantics: undefined }] },
    badShape: { type: "Building", geometry: [{ type: "Solid", lod: "1", boundaries: [[[1, 2, 3]]] }] },
    template: { type: "Building", geometry: [{ type: "GeometryInstance", template: 0, boundaries: [0], transformationMatrix: [] }] },
    other: { type: "Building", geometry: [other.geometry] },
  }, [...good.vertices, ...other.vertices])));
  assert.deepEqual(r.featureIds, ["good", "other"]);
  assert.equal(r.featureCount, 6, "every Building counts, read or not");
  const by = (id: string) => r.diagnostics.find((d) => d.featureId === id)!;
  assert.match(by("empty").message, /Building "empty": it has no geometry; skipped/);
  assert.equal(by("empty").code, "no-footprint");
  assert.match(by("badIndex").message, /vertex index 999 is out of range \(the file has 16 vertices\)/);
  assert.equal(by("badIndex").code, "invalid-cityobject");
  assert.match(by("badShape").message, /geometry 0 \(Solid, LoD 1\): surface 0 is not a list of rings of vertex indices/);
  assert.match(by("template").message, /GeometryInstance \(templates are not read\)/);
  for (const id of ["empty", "badIndex", "badShape", "template"]) {
    assert.equal(by(id).severity, "error");
    assert.equal(by(id).file.endsWith("mixed.city.json"), true);
    assert.equal(by(id).pointer, `/CityObjects/${id}`);
  }
  const note = r.diagnostics.find((d) => d.code === "skipped-cityobjects")!;
  assert.equal(note.severity, "info");
  assert.match(note.message, /4 CityObject\(s\) that are not buildings were skipped \(2 Road, 1 TINRelief, 1 LandUse\)/);
});

test("a damaged CityJSON fails naming the file and where: truncated, invalid JSON (line and column), not CityJSON, no vertices, over the size limit", async () => {
  const text = fs.readFileSync(path.join(F, "delft20.city.json"), "utf8");
  const fails = async (file: string, re: RegExp) => assert.rejects(readFootprints(file), (e: unknown) => e instanceof CityMeshError && e.code === "input" && e.message.includes(file) && re.test(e.message) || assert.fail(String(e)));
  await fails(write("cut.city.json", text.slice(0, text.length * 0.6)), /truncated/);
  const pretty = JSON.stringify(JSON.parse(text), null, 1).split("\n");
  pretty[5] = pretty[5] + " oops";
  await fails(write("bad.city.json", pretty.join("\n")), /not valid JSON.*line 6, column \d+/);
  await fails(write("fc.city.json", { type: "FeatureCollection", features: [] }), /not a CityJSON object \(its "type" is "FeatureCollection"/);
  await fails(write("nov.city.json", { type: "CityJSON", version: "2.0", CityObjects: {} }), /"vertices" is missing/);
  const huge = path.join(dir, "huge.city.json");
  fs.writeFileSync(huge, '{"type":"CityJSON"');
  fs.truncateSync(huge, MAX_CITYJSON_BYTES + 1); // sparse: no disk used
  await fails(huge, /over the 512 MiB read whole.*convert it to CityJSONSeq.*cjseq cat/);
});

test("CityJSONSeq: a bad line, a line that is no CityJSONFeature, a feature without vertices and a cut last line are diagnostics with file and line; the rest is read", async () => {
  const lines = fs.readFileSync(path.join(F, "delft20.city.jsonl"), "utf8").trimEnd().split("\n");
  const damaged = [...lines];
  damaged[3] = damaged[3].slice(0, 50) + "}"; // line 4
  damaged[5] = JSON.stringify({ type: "Feature", properties: {}, geometry: null }); // line 6
  damaged[7] = JSON.stringify({ ...JSON.parse(damaged[7]), vertices: undefined }); // line 8
  const cut = damaged.join("\n");
  const file = write("damaged.city.jsonl", cut.slice(0, cut.length - 100));
  const r = await readFootprints(file);
  assert.equal(r.footprints.count, 16, "20 less the four damaged");
  assert.equal(r.featureCount, 20);
  const at = (line: number) => r.diagnostics.find((d) => d.line === line)!;
  assert.equal(at(4).code, "invalid-json");
  assert.match(at(4).message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: line 4: the CityJSONFeature is not valid JSON`));
  assert.equal(at(6).code, "not-a-feature");
  assert.match(at(6).message, /line 6: a "Feature" object is not a CityJSONFeature/);
  assert.equal(at(8).code, "invalid-cityobject");
  assert.match(at(8).message, /line 8: the CityJSONFeature "[^"]+"'s "vertices" is missing/);
  assert.equal(at(21).code, "invalid-json");
  assert.match(at(21).message, /truncated\?/);
  for (const d of r.diagnostics.filter((x) => x.severity === "error")) assert.equal(d.file, file);
  // Buildings keep their line.
  assert.deepEqual(Array.from(r.featurePositions.slice(0, 4)), [2, 1, 3, 1]);
});

test("CityJSONSeq: a header that is unreadable or not CityJSON, or an empty file, fails naming the file and line 1; small read blocks give the same buildings", async () => {
  const lines = fs.readFileSync(path.join(F, "delft20.city.jsonl"), "utf8").trimEnd().split("\n");
  const fails = async (file: string, re: RegExp) => assert.rejects(readFootprints(file), (e: unknown) => e instanceof CityMeshError && e.code === "input" && e.message.includes(file) && re.test(e.message) || assert.fail(String(e)));
  await fails(write("h1.city.jsonl", ["{not json", ...lines.slice(1)].join("\n")), /line 1: the first record of a CityJSONSeq must be its CityJSON header, and it cannot be read/);
  await fails(write("h2.city.jsonl", lines.slice(1).join("\n")), /line 1: the first record of a CityJSONSeq must be a CityJSON header .* not a "CityJSONFeature" object/);
  await fails(write("h3.city.jsonl", "\n\n"), /empty: a CityJSONSeq starts with a CityJSON header line/);
  const whole = await readFootprints(path.join(F, "delft20.city.jsonl"));
  const small = await readFootprints(path.join(F, "delft20.city.jsonl"), { blockSize: 64 });
  assert.deepEqual(Array.from(small.footprints.xy), Array.from(whole.footprints.xy));
  assert.deepEqual(Array.from(small.featurePositions), Array.from(whole.featurePositions));
});

test("format sniffing: extensions, a .json or .jsonl whose head says CityJSON, a one-line CityJSON vs a sequence; GeoJSON stays GeoJSON", () => {
  const one = fs.readFileSync(path.join(F, "3dbag_b2.city.json"), "utf8"), seq = fs.readFileSync(path.join(F, "3dbag_b2.city.jsonl"), "utf8");
  assert.equal(cityJsonKind(path.join(F, "3dbag_b2.city.json")), "cityjson");
  assert.equal(cityJsonKind(path.join(F, "3dbag_b2.city.jsonl")), "cityjsonseq");
  assert.equal(cityJsonKind(write("a.json", one)), "cityjson", "a one-line CityJSON");
  assert.equal(cityJsonKind(write("b.json", JSON.stringify(JSON.parse(one), null, 2))), "cityjson", "spread over lines");
  assert.equal(cityJsonKind(write("c.json", seq)), "cityjsonseq", "a header line and features after it");
  assert.equal(cityJsonKind(write("d.jsonl", seq)), "cityjsonseq");
  assert.equal(cityJsonKind(write("e.jsonl", '{"type":"Feature","properties":{},"geometry":null}\n')), undefined);
  assert.equal(cityJsonKind(path.join(F, "delft20.geojson")), undefined);
  assert.equal(cityJsonKind(write("f.geojson", one)), undefined, "a .geojson is never sniffed for CityJSON");
});
