// Minimal reader for the binary PLY our writer makes (tests only): exact vertices, faces, markers.
export interface PlyData {
  comments: string[];
  vertices: Float64Array;
  faces: Int32Array;
  markers: Int32Array;
}

export function readPly(buf: Buffer): PlyData {
  const end = buf.indexOf("end_header\n");
  if (end < 0) throw new Error("no end_header");
  const header = buf.subarray(0, end).toString("latin1").split("\n");
  if (header[0] !== "ply" || header[1] !== "format binary_little_endian 1.0") throw new Error("not binary LE ply");
  const count = (el: string) => Number(header.find((l) => l.startsWith(`element ${el} `))!.split(" ")[2]);
  const nv = count("vertex");
  const nf = count("face");
  let p = end + "end_header\n".length;
  const vertices = new Float64Array(nv * 3);
  for (let i = 0; i < nv * 3; i++, p += 8) vertices[i] = buf.readDoubleLE(p);
  const faces = new Int32Array(nf * 3);
  const markers = new Int32Array(nf);
  for (let f = 0; f < nf; f++) {
    if (buf[p] !== 3) throw new Error(`face ${f} has ${buf[p]} corners`);
    faces[3 * f] = buf.readInt32LE(p + 1);
    faces[3 * f + 1] = buf.readInt32LE(p + 5);
    faces[3 * f + 2] = buf.readInt32LE(p + 9);
    markers[f] = buf.readInt32LE(p + 13);
    p += 17;
  }
  if (p !== buf.length) throw new Error(`${buf.length - p} trailing bytes`);
  return { comments: header.filter((l) => l.startsWith("comment ")), vertices, faces, markers };
}
