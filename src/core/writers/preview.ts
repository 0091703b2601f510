// Live-preview tile files ("CMPV"), written next to each finished tile so the viewer can show
// the city tile by tile while the build runs. Little-endian: "CMPV", u32 vertices, u32 faces,
// u32 buildings, then f32 positions already Y-up (x, z, -y), u32 indices, i32 markers.
import fs from "fs";
import type { TileMesh } from "../types";

export function previewBytes(mesh: TileMesh, buildings: number): Uint8Array {
  const nv = mesh.vertices.length / 3, nf = mesh.faces.length / 3;
  const buf = new ArrayBuffer(16 + nv * 12 + nf * 16);
  const dv = new DataView(buf);
  dv.setUint8(0, 0x43); dv.setUint8(1, 0x4d); dv.setUint8(2, 0x50); dv.setUint8(3, 0x56);
  dv.setUint32(4, nv, true); dv.setUint32(8, nf, true); dv.setUint32(12, buildings, true);
  const pos = new Float32Array(buf, 16, nv * 3);
  for (let i = 0; i < nv; i++) {
    pos[3 * i] = mesh.vertices[3 * i];
    pos[3 * i + 1] = mesh.vertices[3 * i + 2];
    pos[3 * i + 2] = -mesh.vertices[3 * i + 1];
  }
  new Uint32Array(buf, 16 + nv * 12, nf * 3).set(mesh.faces);
  new Int32Array(buf, 16 + nv * 12 + nf * 12, nf).set(mesh.markers);
  return new Uint8Array(buf);
}

export function writePreview(file: string, mesh: TileMesh, buildings: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, previewBytes(mesh, buildings));
  fs.renameSync(tmp, file);
}
