// Binary glTF 2.0, streamed from the spool. One node, one mesh, up to three primitives (ground,
// walls, roofs; empty ones skipped) sharing ONE position accessor, each with its own uint32 index
// accessor and material. BIN chunk layout (all parts 4-byte aligned by their element sizes):
//   positions float32 VEC3 | ground indices | walls indices | roofs indices | face markers int32
// Axes: glTF is Y-up, we are Z-up: glTF (x, y, z) = (x, z, -y). That map is a rotation
// (determinant +1), so counter-clockwise winding stays counter-clockwise.
// Positions are float32 relative to the local origin; the float64 origin and CRS sit in
// asset.extras.citymesh with the per-face markers (a bufferView, int32 little-endian,
// componentType 5124 = GL_INT, in face order ground, walls, roofs) and the number of tiles merged.
import { CityMeshError } from "../errors";
import { FACE_CLASSES, indexFile, markerFile, positionsFile, totalTriangles, type Spool } from "./spool";
import { CHUNK_BYTES, f64, readChunks, writeAtomically } from "./io";
import { MARKER_CONVENTION, type WriteMeta } from "./meta";

const GLB_MAGIC = 0x46546c67;
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
const ARRAY_BUFFER = 34962;
const ELEMENT_ARRAY_BUFFER = 34963;
const FLOAT = 5126;
const UNSIGNED_INT = 5125;
const GL_INT = 5124;
const TRIANGLES = 4;

/** Ground, walls and roofs (FACE_CLASSES order): shared with the 3D Tiles contents. */
export const MATERIALS = [
  { name: "ground", baseColorFactor: [0.45, 0.52, 0.42, 1], roughnessFactor: 1 }, // grey-green
  { name: "walls", baseColorFactor: [0.85, 0.85, 0.83, 1], roughnessFactor: 0.9 }, // light grey
  { name: "roofs", baseColorFactor: [0.72, 0.33, 0.22, 1], roughnessFactor: 0.8 }, // terracotta
];

/** Shape of asset.extras.citymesh, for readers (the viewer) of our GLB files. */
export interface GlbCityExtras {
  crs: WriteMeta["crs"];
  /** Float64 local origin in the CRS; add it to (x, -z, y) of a glTF position to get CRS coordinates. */
  origin: [number, number];
  upAxis: "Y";
  faceMarkers: { bufferView: number; count: number; componentType: 5124 } | null;
  /** Per primitive, in mesh order: its class and the index of its first face in faceMarkers. */
  primitives: { class: string; faceOffset: number; faceCount: number }[];
  primitiveFaceOffsets: number[];
  buildings: number;
  /** Tiles merged into this mesh (absent when the writer was not told). */
  tiles?: number;
  markerConvention: string;
}

/** Builds the glTF JSON for a spool; returns it with the BIN chunk length. */
export function glbJson(spool: Spool, meta: WriteMeta): { json: Record<string, unknown>; binBytes: number } {
  const tris = totalTriangles(spool);
  const bufferViews: Record<string, unknown>[] = [];
  const accessors: Record<string, unknown>[] = [];
  const materials: Record<string, unknown>[] = [];
  const primitives: Record<string, unknown>[] = [];
  const extrasPrims: GlbCityExtras["primitives"] = [];
  let offset = 0;
  if (tris > 0) {
    bufferViews.push({ name: "positions", buffer: 0, byteOffset: 0, byteLength: spool.vertices * 12, target: ARRAY_BUFFER });
    // min/max must equal the stored float32 values; fround is monotonic, so they are the rounded
    // float64 extremes. The Y/Z swap with negation turns max y into min glTF z.
    const { min, max } = spool;
    accessors.push({
      name: "positions",
      bufferView: 0,
      componentType: FLOAT,
      type: "VEC3",
      count: spool.vertices,
      min: [Math.fround(min[0]), Math.fround(min[2]), Math.fround(-max[1])],
      max: [Math.fround(max[0]), Math.fround(max[2]), Math.fround(-min[1])],
    });
    offset = spool.vertices * 12;
    let faceOffset = 0;
    for (let c = 0; c < 3; c++) {
      const n = spool.triangles[c];
      if (n === 0) continue;
      bufferViews.push({ name: FACE_CLASSES[c], buffer: 0, byteOffset: offset, byteLength: n * 12, target: ELEMENT_ARRAY_BUFFER });
      accessors.push({ name: FACE_CLASSES[c], bufferView: bufferViews.length - 1, componentType: UNSIGNED_INT, type: "SCALAR", count: n * 3 });
      const { name, baseColorFactor, roughnessFactor } = MATERIALS[c];
      materials.push({ name, pbrMetallicRoughness: { baseColorFactor, metallicFactor: 0, roughnessFactor }, doubleSided: false });
      primitives.push({ attributes: { POSITION: 0 }, indices: accessors.length - 1, material: materials.length - 1, mode: TRIANGLES });
      extrasPrims.push({ class: FACE_CLASSES[c], faceOffset, faceCount: n });
      faceOffset += n;
      offset += n * 12;
    }
    bufferViews.push({ name: "faceMarkers", buffer: 0, byteOffset: offset, byteLength: tris * 4 });
    offset += tris * 4;
  }
  const extras: GlbCityExtras = {
    crs: meta.crs,
    origin: meta.crs.origin,
    upAxis: "Y",
    faceMarkers: tris > 0 ? { bufferView: bufferViews.length - 1, count: tris, componentType: GL_INT } : null,
    primitives: extrasPrims,
    primitiveFaceOffsets: extrasPrims.map((p) => p.faceOffset),
    buildings: spool.buildings,
    ...(meta.tiles !== undefined ? { tiles: meta.tiles } : {}),
    markerConvention: MARKER_CONVENTION,
  };
  const json: Record<string, unknown> = {
    asset: { version: "2.0", generator: "citymesh", extras: { citymesh: extras } },
    scene: 0,
    scenes: [tris > 0 ? { name: "city", nodes: [0] } : { name: "city" }],
  };
  if (tris > 0) {
    Object.assign(json, {
      // The root node carries the origin (glTF y-up: east, up, −north), so a tool that applies
      // node transforms puts the mesh at its CRS coordinates while positions stay small float32;
      // the mesh sits on a child node of its own, untransformed (our viewer reads it as before).
      nodes: [{ name: "origin", translation: [meta.crs.origin[0], 0, -meta.crs.origin[1]], children: [1] }, { name: "city", mesh: 0 }],
      meshes: [{ name: "city", primitives }],
      materials,
      accessors,
      bufferViews,
      buffers: [{ byteLength: offset }],
    });
  }
  return { json, binBytes: offset };
}

/** The sidecar of a GLB (`<out>.crs.json`): its CRS and origin for tools that ignore glTF extras. */
export const crsSidecarOf = (out: string): string => `${out}.crs.json`;

/** Writes the sidecar: CRS name, EPSG code, proj4, origin and how glTF positions map to CRS coordinates. */
export function writeCrsSidecar(out: string, crs: WriteMeta["crs"]): void {
  const epsg = /^EPSG:(\d+)$/i.exec(crs.name);
  const body = {
    crs: crs.name,
    epsg: epsg ? Number(epsg[1]) : null,
    proj4: crs.proj4,
    sourceCrs: crs.sourceCrs,
    origin: crs.origin,
    units: "metre",
    axes: "glTF (x, y, z) = (easting - origin[0], height, -(northing - origin[1])); the root node's translation [origin[0], 0, -origin[1]] adds the origin back",
  };
  writeAtomically(crsSidecarOf(out), (o) => o.write(JSON.stringify(body, null, 1) + "\n"));
}

/** Writes `out` as GLB from the spool (atomically), and its CRS sidecar. Returns the GLB's size in bytes. */
export function writeGlb(spool: Spool, out: string, meta: WriteMeta): number {
  const bytes = writeGlbFile(spool, out, meta);
  writeCrsSidecar(out, meta.crs);
  return bytes;
}

function writeGlbFile(spool: Spool, out: string, meta: WriteMeta): number {
  const { json, binBytes } = glbJson(spool, meta);
  let jsonBytes = Buffer.from(JSON.stringify(json), "utf8");
  const pad = (4 - (jsonBytes.length % 4)) % 4;
  if (pad) jsonBytes = Buffer.concat([jsonBytes, Buffer.alloc(pad, 0x20)]);
  const total = 12 + 8 + jsonBytes.length + (binBytes > 0 ? 8 + binBytes : 0);
  if (total > 0xffffffff) {
    throw new CityMeshError("output", `Cannot write ${out}: the mesh needs ${total} bytes, over GLB's 4 GiB limit; choose PLY`, { file: out });
  }
  return writeAtomically(out, (o) => {
    const head = new Uint32Array([GLB_MAGIC, 2, total, jsonBytes.length, CHUNK_JSON]);
    o.write(head);
    o.write(jsonBytes);
    if (binBytes === 0) return;
    o.write(new Uint32Array([binBytes, CHUNK_BIN]));
    // Positions: float64 Z-up → float32 Y-up, chunk by chunk (24 bytes per vertex in, 12 out).
    const chunk = Math.floor(CHUNK_BYTES / 24) * 24;
    const f32 = new Float32Array(chunk / 8);
    readChunks(positionsFile(spool), chunk, (c) => {
      const p = f64(c);
      for (let i = 0; i < p.length; i += 3) {
        f32[i] = p[i];
        f32[i + 1] = p[i + 2];
        f32[i + 2] = -p[i + 1];
      }
      o.write(f32.subarray(0, p.length));
    });
    for (let c = 0; c < 3; c++) if (spool.triangles[c] > 0) o.copyFrom(indexFile(spool, c));
    for (let c = 0; c < 3; c++) if (spool.triangles[c] > 0) o.copyFrom(markerFile(spool, c));
    if (o.bytes !== total) throw new CityMeshError("output", `Cannot write ${out}: wrote ${o.bytes} of ${total} bytes (merge files changed?)`, { file: out });
  });
}
