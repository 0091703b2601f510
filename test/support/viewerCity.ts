// Synthetic citymesh GLBs for the viewer's test and benchmark: a grid of box buildings on a
// gridded ground, laid out like src/core/writers/glb.ts writes (one mesh, primitives ground,
// walls, roofs sharing one POSITION accessor; dtcc-core face markers in a bufferView named by
// asset.extras.citymesh.faceMarkers). Y-up local metres; ground at y = 0.

export interface SyntheticCityOptions {
  /** Buildings per row and per column. */
  cols: number;
  rows: number;
  /** Grid pitch and building footprint, metres. */
  pitch?: number;
  size?: number;
  /** Ground cells per side (2 triangles each). */
  groundCells?: number;
  /** Height of building b, metres. */
  height?: (b: number) => number;
  /** Shift of the whole city (x east, z south), metres: tiles of one city side by side. */
  offset?: [number, number];
}

export interface SyntheticCity {
  glb: Buffer;
  /** JSON-lines side file, one line per building. */
  buildingsJsonl: string;
  buildings: number;
  triangles: number;
  vertices: number;
  /** Roof centre of building b (Y-up mesh coordinates). */
  roofCentre(b: number): [number, number, number];
}

const pad4 = (n: number) => (n + 3) & ~3;

export function syntheticCity(o: SyntheticCityOptions): SyntheticCity {
  const pitch = o.pitch ?? 30, size = o.size ?? 18, cells = o.groundCells ?? Math.max(1, Math.min(o.cols, 256));
  const height = o.height ?? ((b: number) => 6 + ((b * 7919) % 11) * 3);
  const n = o.cols * o.rows;
  const [ox, oz] = o.offset ?? [0, 0];
  const w = o.cols * pitch, d = o.rows * pitch;
  const gv = (cells + 1) * (cells + 1), gf = 2 * cells * cells;
  const nv = gv + 8 * n, nf = gf + 10 * n;
  const pos = new Float32Array(3 * nv);
  const idx = new Uint32Array(3 * nf);
  const markers = new Int32Array(nf);
  // Ground: x in [-w/2, w/2], z in [-d/2, d/2].
  let v = 0;
  for (let j = 0; j <= cells; j++) for (let i = 0; i <= cells; i++, v++) {
    pos[3 * v] = ox - w / 2 - pitch / 2 + ((w + pitch) * i) / cells; pos[3 * v + 1] = 0; pos[3 * v + 2] = oz - d / 2 - pitch / 2 + ((d + pitch) * j) / cells;
  }
  let f = 0;
  const tri = (a: number, b: number, c: number, m: number) => { idx[3 * f] = a; idx[3 * f + 1] = b; idx[3 * f + 2] = c; markers[f++] = m; };
  for (let j = 0; j < cells; j++) for (let i = 0; i < cells; i++) {
    const a = j * (cells + 1) + i, b = a + 1, c = a + cells + 1, e = c + 1;
    tri(a, c, b, -2); tri(b, c, e, -2); // counter-clockwise seen from above (+y)
  }
  const centre = (b: number): [number, number] => {
    const col = b % o.cols, row = Math.floor(b / o.cols);
    return [ox - w / 2 + pitch / 2 + col * pitch, oz - d / 2 + pitch / 2 + row * pitch];
  };
  // Box vertices: 0-3 bottom, 4-7 top; corners (x-,z-), (x+,z-), (x+,z+), (x-,z+).
  const base = (b: number) => gv + 8 * b;
  for (let b = 0; b < n; b++) {
    const [cx, cz] = centre(b), h = height(b), s = size / 2, v0 = base(b);
    const corners = [[cx - s, cz - s], [cx + s, cz - s], [cx + s, cz + s], [cx - s, cz + s]];
    for (let k = 0; k < 8; k++) {
      const [x, z] = corners[k % 4];
      pos[3 * (v0 + k)] = x; pos[3 * (v0 + k) + 1] = k < 4 ? 0 : h; pos[3 * (v0 + k) + 2] = z;
    }
  }
  const wallStart = f;
  for (let b = 0; b < n; b++) {
    const v0 = base(b);
    for (let k = 0; k < 4; k++) {
      const a = v0 + k, c = v0 + ((k + 1) % 4);
      tri(a, c, c + 4, b); tri(a, c + 4, a + 4, b);
    }
  }
  const roofStart = f;
  for (let b = 0; b < n; b++) { const t = base(b) + 4; tri(t, t + 3, t + 2, n + b); tri(t, t + 2, t + 1, n + b); }

  // Binary: positions | ground idx | wall idx | roof idx | markers.
  const parts = [pos, idx.subarray(0, 3 * wallStart), idx.subarray(3 * wallStart, 3 * roofStart), idx.subarray(3 * roofStart), markers];
  const offsets: number[] = [];
  let len = 0;
  for (const p of parts) { offsets.push(len); len = pad4(len + p.byteLength); }
  const bin = Buffer.alloc(len);
  parts.forEach((p, i) => Buffer.from(p.buffer, p.byteOffset, p.byteLength).copy(bin, offsets[i]));
  const maxH = Math.max(...Array.from({ length: Math.min(n, 10000) }, (_, b) => height(b)), 0);
  const json = {
    asset: {
      version: "2.0", generator: "citymesh viewer test (synthetic)",
      extras: { citymesh: {
        crs: { name: "EPSG:32633", origin: [500000, 6000000] }, origin: [500000, 6000000], upAxis: "Y",
        faceMarkers: { bufferView: 4, count: nf, componentType: 5124 },
        primitives: [["ground", 0, wallStart], ["walls", wallStart, roofStart], ["roofs", roofStart, nf]].map(([c, a, b]) => ({ class: c, faceOffset: a, faceCount: (b as number) - (a as number) })),
        primitiveFaceOffsets: [0, wallStart, roofStart], buildings: n, markerConvention: "dtcc-core",
      } },
    },
    scene: 0, scenes: [{ nodes: [0] }], nodes: [{ mesh: 0, name: "city" }],
    meshes: [{ name: "city", primitives: [1, 2, 3].map((k) => ({ attributes: { POSITION: 0 }, indices: k, material: k - 1, mode: 4 })) }],
    materials: ["ground", "walls", "roofs"].map((name) => ({ name, pbrMetallicRoughness: { metallicFactor: 0 } })),
    buffers: [{ byteLength: len }],
    bufferViews: parts.map((p, i) => ({ buffer: 0, byteOffset: offsets[i], byteLength: p.byteLength, ...(i === 0 ? { target: 34962 } : i < 4 ? { target: 34963 } : {}) })),
    accessors: [
      { bufferView: 0, componentType: 5126, count: nv, type: "VEC3", min: [ox - w / 2 - pitch / 2, 0, oz - d / 2 - pitch / 2], max: [ox + w / 2 + pitch / 2, maxH, oz + d / 2 + pitch / 2] },
      { bufferView: 1, componentType: 5125, count: 3 * wallStart, type: "SCALAR" },
      { bufferView: 2, componentType: 5125, count: 3 * (roofStart - wallStart), type: "SCALAR" },
      { bufferView: 3, componentType: 5125, count: 3 * (nf - roofStart), type: "SCALAR" },
    ],
  };
  let jsonBuf = Buffer.from(JSON.stringify(json));
  jsonBuf = Buffer.concat([jsonBuf, Buffer.alloc(pad4(jsonBuf.length) - jsonBuf.length, 0x20)]);
  const header = Buffer.alloc(12);
  header.writeUInt32LE(0x46546c67, 0); header.writeUInt32LE(2, 4); header.writeUInt32LE(12 + 8 + jsonBuf.length + 8 + bin.length, 8);
  const chunk = (l: number, t: number) => { const c = Buffer.alloc(8); c.writeUInt32LE(l, 0); c.writeUInt32LE(t, 4); return c; };
  const glb = Buffer.concat([header, chunk(jsonBuf.length, 0x4e4f534a), jsonBuf, chunk(bin.length, 0x004e4942), bin]);
  const lines: string[] = [];
  if (n <= 100000) for (let b = 0; b < n; b++) lines.push(JSON.stringify({ b, f: b, id: `bldg-${b}`, properties: { name: `Block ${b}`, height: height(b) } }));
  return {
    glb, buildingsJsonl: lines.join("\n") + "\n", buildings: n, triangles: nf, vertices: nv,
    roofCentre: (b) => { const [x, z] = centre(b); return [x, height(b), z]; },
  };
}

/** A CMPV preview tile of a synthetic city: positions, indices, markers as the worker writes them. */
export function cmpvOf(c: SyntheticCity): Buffer {
  const glb = c.glb;
  const jsonLen = glb.readUInt32LE(12);
  const json = JSON.parse(glb.subarray(20, 20 + jsonLen).toString());
  const binStart = 20 + jsonLen + 8;
  const view = (i: number) => { const bv = json.bufferViews[i]; return glb.subarray(binStart + bv.byteOffset, binStart + bv.byteOffset + bv.byteLength); };
  const head = Buffer.alloc(16);
  head.write("CMPV", 0, "ascii"); head.writeUInt32LE(c.vertices, 4); head.writeUInt32LE(c.triangles, 8); head.writeUInt32LE(c.buildings, 12);
  return Buffer.concat([head, view(0), view(1), view(2), view(3), view(4)]);
}
