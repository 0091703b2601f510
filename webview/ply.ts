// Fast path for the PLY our writer makes (binary little-endian; double x,y,z per vertex; faces as
// `list uchar int vertex_indices` + `int marker`; "comment buildings N", optional "comment tiles N"), so PLY files get the
// same classes and picking as GLB. Z-up in the file, turned Y-up here: (x, y, z) → (x, z, -y).
// Anything else goes to three's PLYLoader.
import { groupFacesByClass, type MeshData } from "./meshData";
import { statedTiles } from "./counts";

interface PlyHeader { length: number; vertices: number; faces: number; buildings: number; tiles?: number }

/** The header when the file has exactly our layout, else undefined. */
export function citymeshPlyHeader(buf: ArrayBuffer): PlyHeader | undefined {
  const head = new TextDecoder("latin1").decode(new Uint8Array(buf, 0, Math.min(buf.byteLength, 8192)));
  const end = head.indexOf("end_header\n");
  if (!head.startsWith("ply\n") || end < 0) return undefined;
  const lines = head.slice(0, end).split("\n").map((l) => l.trim());
  const body = lines.filter((l) => !l.startsWith("comment") && !l.startsWith("obj_info")).join("|");
  const m = /^ply\|format binary_little_endian 1\.0\|element vertex (\d+)\|property double x\|property double y\|property double z\|element face (\d+)\|property list uchar int vertex_indices\|property int marker\|?$/.exec(body);
  if (!m) return undefined;
  const b = lines.map((l) => /^comment buildings (\d+)$/.exec(l)).find(Boolean);
  if (!b) return undefined;
  const t = lines.map((l) => /^comment tiles (\d+)$/.exec(l)).find(Boolean);
  return { length: end + "end_header\n".length, vertices: Number(m[1]), faces: Number(m[2]), buildings: Number(b[1]), tiles: statedTiles(t?.[1]) };
}

export function parseCitymeshPly(buf: ArrayBuffer, h: PlyHeader): MeshData {
  const need = h.length + 24 * h.vertices + 17 * h.faces;
  if (buf.byteLength < need) throw new Error(`PLY: ${buf.byteLength} bytes, header says ${need}`);
  const dv = new DataView(buf);
  const positions = new Float32Array(3 * h.vertices);
  for (let v = 0, p = h.length; v < h.vertices; v++, p += 24) {
    positions[3 * v] = dv.getFloat64(p, true);
    positions[3 * v + 1] = dv.getFloat64(p + 16, true);
    positions[3 * v + 2] = -dv.getFloat64(p + 8, true);
  }
  const index = new Uint32Array(3 * h.faces);
  const markers = new Int32Array(h.faces);
  for (let f = 0, p = h.length + 24 * h.vertices; f < h.faces; f++, p += 17) {
    if (dv.getUint8(p) !== 3) throw new Error(`PLY: face ${f} is not a triangle`);
    for (let k = 0; k < 3; k++) {
      const i = dv.getInt32(p + 1 + 4 * k, true);
      if (i < 0 || i >= h.vertices) throw new Error(`PLY: index ${i} out of range`);
      index[3 * f + k] = i;
    }
    markers[f] = dv.getInt32(p + 13, true);
  }
  return { ...groupFacesByClass(positions, index, markers, h.buildings), tiles: h.tiles };
}
