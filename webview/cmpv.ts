// Live preview tiles ("CMPV"), written by the pipeline worker next to each finished tile.
// Little-endian: "CMPV", u32 nVertices, u32 nFaces, u32 nBuildings, then f32[3V] positions
// (already Y-up, local metres), u32[3F] indices, i32[F] face markers.
import { groupFacesByClass, type MeshData } from "./meshData";

const HEADER = 16;

export function parseCmpv(buf: ArrayBuffer): MeshData {
  if (buf.byteLength < HEADER) throw new Error("preview tile: file too short");
  const dv = new DataView(buf);
  const magic = String.fromCharCode(dv.getUint8(0), dv.getUint8(1), dv.getUint8(2), dv.getUint8(3));
  if (magic !== "CMPV") throw new Error(`preview tile: bad magic ${JSON.stringify(magic)}`);
  const nv = dv.getUint32(4, true), nf = dv.getUint32(8, true), nb = dv.getUint32(12, true);
  const need = HEADER + 12 * nv + 12 * nf + 4 * nf;
  if (buf.byteLength < need) throw new Error(`preview tile: ${buf.byteLength} bytes, header says ${need}`);
  const positions = new Float32Array(buf, HEADER, 3 * nv);
  const index = new Uint32Array(buf, HEADER + 12 * nv, 3 * nf);
  const markers = new Int32Array(buf, HEADER + 12 * nv + 12 * nf, nf);
  for (let i = 0; i < index.length; i++) if (index[i] >= nv) throw new Error(`preview tile: index ${index[i]} out of range`);
  return groupFacesByClass(positions, index, markers, nb);
}
