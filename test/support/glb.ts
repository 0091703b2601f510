// Reads back a citymesh GLB for tests: positions (back to Z-up local metres), all faces in
// primitive order, and the per-face markers stored in asset.extras.citymesh.
import fs from "fs";

export interface GlbMesh { vertices: Float64Array; faces: Int32Array; markers: Int32Array; json: any }

export function readCityGlb(file: string): GlbMesh {
  const buf = fs.readFileSync(file);
  if (buf.readUInt32LE(0) !== 0x46546c67) throw new Error(`${file} is not a GLB`);
  const jsonLen = buf.readUInt32LE(12);
  const json = JSON.parse(buf.subarray(20, 20 + jsonLen).toString("utf8"));
  const binStart = 20 + jsonLen + 8;
  const view = (accessorOrView: { bufferView?: number; byteOffset?: number }, isView = false) => {
    const bv = json.bufferViews[isView ? (accessorOrView as any).bufferView ?? accessorOrView : accessorOrView.bufferView!];
    return binStart + (bv.byteOffset ?? 0) + (isView ? 0 : accessorOrView.byteOffset ?? 0);
  };
  const prims = json.meshes[0].primitives as any[];
  const posAcc = json.accessors[prims[0].attributes.POSITION];
  const n = posAcc.count, off = view(posAcc);
  const vertices = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const x = buf.readFloatLE(off + 12 * i), y = buf.readFloatLE(off + 12 * i + 4), z = buf.readFloatLE(off + 12 * i + 8);
    vertices[3 * i] = x; vertices[3 * i + 1] = -z; vertices[3 * i + 2] = y; // glTF Y-up → Z-up
  }
  const idx: number[] = [];
  for (const p of prims) {
    const a = json.accessors[p.indices], o = view(a);
    for (let k = 0; k < a.count; k++) idx.push(buf.readUInt32LE(o + 4 * k));
  }
  const fm = json.asset.extras.citymesh.faceMarkers;
  const mo = binStart + (json.bufferViews[fm.bufferView].byteOffset ?? 0);
  const markers = new Int32Array(fm.count);
  for (let k = 0; k < fm.count; k++) markers[k] = buf.readInt32LE(mo + 4 * k);
  return { vertices, faces: Int32Array.from(idx), markers, json };
}
