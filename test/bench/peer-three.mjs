#!/usr/bin/env node
// The peer a user would pick: three.js. Reads the GeoJSON file whole (JSON.parse), makes one
// `Shape` (holes as `Path`s) + `ExtrudeGeometry` (depth = height, no bevel) per polygon, merges
// them with `BufferGeometryUtils.mergeGeometries`, and writes a binary glTF by hand (a raw buffer
// write of POSITION/NORMAL/TEXCOORD_0: faster than GLTFExporter, so the peer's figure is a
// best case). It makes less than citymesh: no ground, no face markers, no tiles, no shared
// vertices (non-indexed), no clean-up of touching footprints.
//   node test/bench/peer-three.mjs <input.geojson> <output.glb>
// Prints one JSON line: {buildings, triangles, bytes, ms: {parse, extrude, merge, write, total}}.
import fs from "node:fs";
import * as THREE from "three";
import { mergeGeometries } from "three/examples/jsm/utils/BufferGeometryUtils.js";

const [input, output] = process.argv.slice(2);
if (!input || !output) { console.error("usage: peer-three.mjs <input.geojson> <output.glb>"); process.exit(2); }
const t0 = performance.now();
const fc = JSON.parse(fs.readFileSync(input, "utf8"));
const t1 = performance.now();

// Coordinates relative to the data's south-west corner (float32 would lose ~3 cm at RD/UTM scale).
let ox = Infinity, oy = Infinity;
for (const f of fc.features) for (const poly of polygonsOf(f.geometry)) for (const [x, y] of poly[0]) { if (x < ox) ox = x; if (y < oy) oy = y; }
const geoms = [];
let buildings = 0;
for (const f of fc.features) {
  const h = Number(f.properties?.height) || 10;
  let any = false;
  for (const poly of polygonsOf(f.geometry)) {
    const shape = new THREE.Shape(poly[0].map(([x, y]) => new THREE.Vector2(x - ox, y - oy)));
    for (const hole of poly.slice(1)) shape.holes.push(new THREE.Path(hole.map(([x, y]) => new THREE.Vector2(x - ox, y - oy))));
    geoms.push(new THREE.ExtrudeGeometry(shape, { depth: h, bevelEnabled: false }));
    any = true;
  }
  if (any) buildings++;
}
const t2 = performance.now();
const merged = mergeGeometries(geoms, false);
for (const g of geoms) g.dispose();
geoms.length = 0;
const t3 = performance.now();
const bytes = writeGlb(output, merged);
const t4 = performance.now();
const triangles = (merged.index ? merged.index.count : merged.attributes.position.count) / 3;
console.log(JSON.stringify({ buildings, triangles, bytes, ms: { parse: t1 - t0, extrude: t2 - t1, merge: t3 - t2, write: t4 - t3, total: t4 - t0 } }));

function polygonsOf(g) {
  if (!g) return [];
  if (g.type === "Polygon") return [g.coordinates];
  if (g.type === "MultiPolygon") return g.coordinates;
  return [];
}

function writeGlb(file, geom) {
  const attrs = [["POSITION", "position", "VEC3"], ["NORMAL", "normal", "VEC3"], ["TEXCOORD_0", "uv", "VEC2"]].filter(([, k]) => geom.attributes[k]);
  const views = [], accessors = [], chunks = [], attributes = {};
  let offset = 0;
  for (const [name, key, type] of attrs) {
    const a = geom.attributes[key];
    const data = new Uint8Array(a.array.buffer, a.array.byteOffset, a.array.byteLength);
    views.push({ buffer: 0, byteOffset: offset, byteLength: data.byteLength, target: 34962 });
    const acc = { bufferView: views.length - 1, componentType: 5126, count: a.count, type };
    if (name === "POSITION") {
      const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
      for (let i = 0; i < a.array.length; i += 3) for (let k = 0; k < 3; k++) { const v = a.array[i + k]; if (v < min[k]) min[k] = v; if (v > max[k]) max[k] = v; }
      Object.assign(acc, { min, max });
    }
    accessors.push(acc);
    attributes[name] = accessors.length - 1;
    chunks.push(data);
    offset += data.byteLength;
  }
  const json = { asset: { version: "2.0", generator: "citymesh bench peer (three.js)" }, scene: 0, scenes: [{ nodes: [0] }], nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes }] }], buffers: [{ byteLength: offset }], bufferViews: views, accessors };
  let js = Buffer.from(JSON.stringify(json));
  if (js.length % 4) js = Buffer.concat([js, Buffer.alloc(4 - (js.length % 4), 0x20)]);
  const head = Buffer.alloc(20);
  const total = 12 + 8 + js.length + 8 + offset;
  head.writeUInt32LE(0x46546c67, 0); head.writeUInt32LE(2, 4); head.writeUInt32LE(total, 8);
  head.writeUInt32LE(js.length, 12); head.writeUInt32LE(0x4e4f534a, 16);
  const binHead = Buffer.alloc(8);
  binHead.writeUInt32LE(offset, 0); binHead.writeUInt32LE(0x004e4942, 4);
  const fd = fs.openSync(file, "w");
  try { for (const b of [head, js, binHead, ...chunks]) fs.writeSync(fd, b); } finally { fs.closeSync(fd); }
  return total;
}
