// Readers for the meshes our writers make (GLB, PLY, OBJ, STL), back into the mesh's own frame
// (east, north, up; local metres), for `citymesh check`. Pure TS (no vscode). Each throws a
// CityMeshError("input") that names the file and the reason when it cannot read it.
import fs from "node:fs";
import path from "node:path";
import { CityMeshError } from "../errors";
import { CLASS_GROUND, CLASS_ROOF, CLASS_UNKNOWN, CLASS_WALL } from "../mesh/check";
import { PointIndex } from "../geometry/pointIndex";

export interface ReadMesh {
  format: "glb" | "ply" | "obj" | "stl";
  vertices: Float64Array;
  faces: Int32Array;
  /** dtcc-core markers (GLB, PLY), else null. */
  markers: Int32Array | null;
  /** Face classes (CLASS_*) when the format has groups but no markers (OBJ), else null. */
  classes: Uint8Array | null;
  /** N from the file's metadata, or null. */
  buildings: number | null;
  /** CRS name and origin when recorded. */
  crs: string | null;
  origin: [number, number] | null;
}

const fail = (file: string, reason: string): never => {
  throw new CityMeshError("input", `Cannot read ${file}: ${reason}`, { file });
};

export function readMeshFile(file: string): ReadMesh {
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch (e) { return fail(file, (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message); }
  if (!st.isFile()) fail(file, "not a file");
  const ext = path.extname(file).toLowerCase().slice(1);
  let buf: Buffer;
  try { buf = fs.readFileSync(file); } catch (e) { return fail(file, (e as Error).message); }
  const head = buf.subarray(0, 4).toString("latin1");
  const format = head === "glTF" ? "glb" : head === "ply\n" || head === "ply\r" ? "ply" : ext;
  try {
    switch (format) {
      case "glb": return readGlb(buf, file);
      case "ply": return readPly(buf, file);
      case "obj": return readObj(buf, file);
      case "stl": return readStl(buf, file);
      default: return fail(file, `unknown mesh format "${ext}" (expected .glb, .ply, .obj or .stl)`);
    }
  } catch (e) {
    if (e instanceof CityMeshError) throw e;
    return fail(file, `${(e as Error).message}`);
  }
}

// ---------- GLB ----------

const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4, 5124: 4 };

function readGlb(buf: Buffer, file: string): ReadMesh {
  if (buf.length < 20 || buf.readUInt32LE(0) !== 0x46546c67) fail(file, "not a GLB (bad magic)");
  if (buf.readUInt32LE(4) !== 2) fail(file, `GLB version ${buf.readUInt32LE(4)}, expected 2`);
  const total = buf.readUInt32LE(8);
  if (total > buf.length) fail(file, `truncated: header says ${total} bytes, the file has ${buf.length}`);
  const jsonLen = buf.readUInt32LE(12);
  if (buf.readUInt32LE(16) !== 0x4e4f534a || 20 + jsonLen > buf.length) fail(file, "no JSON chunk");
  let json: any;
  try { json = JSON.parse(buf.subarray(20, 20 + jsonLen).toString("utf8")); } catch (e) { return fail(file, `bad JSON chunk (${(e as Error).message})`); }
  let bin: Buffer = Buffer.alloc(0);
  const binHead = 20 + jsonLen;
  if (binHead + 8 <= buf.length) {
    const len = buf.readUInt32LE(binHead);
    if (buf.readUInt32LE(binHead + 4) !== 0x004e4942) fail(file, "second chunk is not BIN");
    if (binHead + 8 + len > buf.length) fail(file, `truncated BIN chunk (${len} bytes announced, ${buf.length - binHead - 8} present)`);
    bin = buf.subarray(binHead + 8, binHead + 8 + len);
  }
  const extras = json?.asset?.extras?.citymesh ?? null;
  const prims: any[] = json?.meshes?.[0]?.primitives ?? [];
  if (!prims.length) {
    return { format: "glb", vertices: new Float64Array(0), faces: new Int32Array(0), markers: null, classes: null, buildings: extras?.buildings ?? null, crs: extras?.crs?.name ?? null, origin: extras?.origin ?? null };
  }
  const viewBytes = (bvIndex: number, what: string): { off: number; len: number; stride: number } => {
    const bv = json.bufferViews?.[bvIndex];
    if (!bv) fail(file, `${what}: bufferView ${bvIndex} is missing`);
    if ((bv.buffer ?? 0) !== 0) fail(file, `${what}: only the GLB's own buffer is supported`);
    const off = bv.byteOffset ?? 0, len = bv.byteLength;
    if (!(off >= 0 && off + len <= bin.length)) fail(file, `${what}: bufferView ${bvIndex} lies outside the BIN chunk`);
    return { off, len, stride: bv.byteStride ?? 0 };
  };
  const accessor = (i: number, what: string) => {
    const a = json.accessors?.[i];
    if (!a || a.bufferView === undefined) fail(file, `${what}: accessor ${i} is missing or sparse`);
    const v = viewBytes(a.bufferView, what);
    const comps = ({ SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 } as Record<string, number>)[a.type] ?? 0;
    const size = COMPONENT_BYTES[a.componentType] ?? 0;
    const stride = v.stride || comps * size;
    const off = v.off + (a.byteOffset ?? 0);
    if (!comps || !size) fail(file, `${what}: unsupported accessor type ${a.type}/${a.componentType}`);
    if (a.count > 0 && off + stride * (a.count - 1) + comps * size > v.off + v.len) fail(file, `${what}: accessor ${i} runs past its bufferView`);
    return { a, off, stride, comps };
  };
  const posIndex = prims[0].attributes?.POSITION;
  if (posIndex === undefined) fail(file, "the mesh has no POSITION attribute");
  for (const p of prims) if (p.attributes?.POSITION !== posIndex) fail(file, "primitives do not share one POSITION accessor");
  const pos = accessor(posIndex, "positions");
  if (pos.a.componentType !== 5126 || pos.comps !== 3) fail(file, "positions are not float32 VEC3");
  const nv = pos.a.count, vertices = new Float64Array(3 * nv);
  const dv = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  for (let i = 0; i < nv; i++) {
    const o = pos.off + pos.stride * i;
    // glTF (x, y, z) = (east, up, -north) → (east, north, up)
    vertices[3 * i] = dv.getFloat32(o, true);
    vertices[3 * i + 1] = -dv.getFloat32(o + 8, true);
    vertices[3 * i + 2] = dv.getFloat32(o + 4, true);
  }
  let nIdx = 0;
  const idxAcc = prims.map((p, k) => {
    if ((p.mode ?? 4) !== 4) fail(file, `primitive ${k} is not TRIANGLES`);
    if (p.indices === undefined) fail(file, `primitive ${k} has no indices`);
    const acc = accessor(p.indices, `primitive ${k} indices`);
    if (acc.a.count % 3) fail(file, `primitive ${k} has ${acc.a.count} indices, not a multiple of 3`);
    nIdx += acc.a.count;
    return acc;
  });
  const faces = new Int32Array(nIdx), classes = new Uint8Array(nIdx / 3);
  let w = 0;
  const primClasses: string[] = (extras?.primitives ?? []).map((p: any) => p.class);
  idxAcc.forEach((acc, k) => {
    const ct = acc.a.componentType, size = COMPONENT_BYTES[ct], stride = acc.stride || size;
    const cls = classCode(primClasses[k] ?? json.materials?.[prims[k].material]?.name);
    const f0 = w / 3;
    for (let i = 0; i < acc.a.count; i++) {
      const o = acc.off + stride * i;
      const v = ct === 5125 ? dv.getUint32(o, true) : ct === 5123 ? dv.getUint16(o, true) : dv.getUint8(o);
      if (v >= nv) fail(file, `primitive ${k} index ${i} is ${v}, but there are ${nv} vertices`);
      faces[w++] = v;
    }
    classes.fill(cls, f0, w / 3);
  });
  let markers: Int32Array | null = null;
  const fm = extras?.faceMarkers;
  if (fm) {
    const v = viewBytes(fm.bufferView, "faceMarkers");
    if (fm.count !== nIdx / 3) fail(file, `faceMarkers has ${fm.count} entries for ${nIdx / 3} faces`);
    if (v.len < 4 * fm.count) fail(file, "faceMarkers bufferView is too short");
    markers = new Int32Array(fm.count);
    for (let i = 0; i < fm.count; i++) markers[i] = dv.getInt32(v.off + 4 * i, true);
  }
  return {
    format: "glb", vertices, faces, markers, classes: classes.every((c) => c === CLASS_UNKNOWN) ? null : classes,
    buildings: typeof extras?.buildings === "number" ? extras.buildings : null, crs: extras?.crs?.name ?? null, origin: extras?.origin ?? null,
  };
}

function classCode(name: unknown): number {
  return name === "ground" ? CLASS_GROUND : name === "walls" || name === "wall" ? CLASS_WALL : name === "roofs" || name === "roof" ? CLASS_ROOF : CLASS_UNKNOWN;
}

// ---------- PLY (binary little-endian, as our writer makes it; other property types read too) ----------

const PLY_TYPES: Record<string, [number, string]> = {
  char: [1, "Int8"], int8: [1, "Int8"], uchar: [1, "Uint8"], uint8: [1, "Uint8"], short: [2, "Int16"], int16: [2, "Int16"],
  ushort: [2, "Uint16"], uint16: [2, "Uint16"], int: [4, "Int32"], int32: [4, "Int32"], uint: [4, "Uint32"], uint32: [4, "Uint32"],
  float: [4, "Float32"], float32: [4, "Float32"], double: [8, "Float64"], float64: [8, "Float64"],
};

function readPly(buf: Buffer, file: string): ReadMesh {
  const end = buf.indexOf("end_header");
  if (end < 0) fail(file, "PLY header has no end_header");
  const nl = buf.indexOf(0x0a, end);
  if (nl < 0) fail(file, "PLY header ends without a newline");
  const lines = buf.subarray(0, end).toString("latin1").split(/\r?\n/);
  const fmt = lines.find((l) => l.startsWith("format "));
  if (fmt?.trim() !== "format binary_little_endian 1.0") fail(file, `unsupported PLY ${fmt ?? "(no format line)"}; only binary_little_endian is read`);
  type Prop = { name: string; type: string; list?: string };
  const elements: { name: string; count: number; props: Prop[] }[] = [];
  let buildings: number | null = null, crs: string | null = null, origin: [number, number] | null = null;
  for (const l of lines) {
    const p = l.trim().split(/\s+/);
    if (p[0] === "element") elements.push({ name: p[1], count: Number(p[2]), props: [] });
    else if (p[0] === "property") {
      const el = elements[elements.length - 1];
      if (!el) fail(file, "property before any element");
      if (p[1] === "list") el.props.push({ name: p[4], type: p[3], list: p[2] });
      else el.props.push({ name: p[2], type: p[1] });
    } else if (p[0] === "comment") {
      if (p[1] === "buildings") buildings = Number(p[2]);
      if (p[1] === "crs") crs = p.slice(2).join(" ");
      if (p[1] === "origin") origin = [Number(p[2]), Number(p[3])];
    }
  }
  for (const el of elements) for (const pr of el.props) if (!PLY_TYPES[pr.type] || (pr.list && !PLY_TYPES[pr.list])) fail(file, `unknown PLY type in property ${pr.name}`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const get = (type: string, o: number): number => {
    const [, t] = PLY_TYPES[type];
    return (dv as any)[`get${t}`](o, true);
  };
  let p = nl + 1;
  let vertices = new Float64Array(0), faces: Int32Array = new Int32Array(0), markers: Int32Array | null = null;
  for (const el of elements) {
    if (!Number.isInteger(el.count) || el.count < 0) fail(file, `bad count for element ${el.name}`);
    if (el.name === "vertex") {
      const ix = el.props.findIndex((q) => q.name === "x"), iy = el.props.findIndex((q) => q.name === "y"), iz = el.props.findIndex((q) => q.name === "z");
      if (ix < 0 || iy < 0 || iz < 0 || el.props.some((q) => q.list)) fail(file, "vertex element needs scalar x, y, z");
      const offs: number[] = []; let rec = 0;
      for (const q of el.props) { offs.push(rec); rec += PLY_TYPES[q.type][0]; }
      if (p + rec * el.count > buf.length) fail(file, `truncated: ${el.count} vertices need ${rec * el.count} bytes, ${buf.length - p} left`);
      vertices = new Float64Array(3 * el.count);
      const fast = rec === 24 && el.props.every((q) => q.type === "double") && ix === 0 && iy === 1 && iz === 2;
      for (let i = 0; i < el.count; i++, p += rec) {
        if (fast) { vertices[3 * i] = dv.getFloat64(p, true); vertices[3 * i + 1] = dv.getFloat64(p + 8, true); vertices[3 * i + 2] = dv.getFloat64(p + 16, true); }
        else { vertices[3 * i] = get(el.props[ix].type, p + offs[ix]); vertices[3 * i + 1] = get(el.props[iy].type, p + offs[iy]); vertices[3 * i + 2] = get(el.props[iz].type, p + offs[iz]); }
      }
    } else if (el.name === "face") {
      const ours = el.props.length === 2 && el.props[0].list === "uchar" && el.props[0].type === "int" && el.props[0].name === "vertex_indices" && el.props[1].name === "marker" && el.props[1].type === "int";
      if (ours) {
        // citymesh's own layout: 17 bytes per face (uchar 3, int × 3, int marker).
        if (p + 17 * el.count > buf.length) fail(file, `truncated: ${el.count} faces need ${17 * el.count} bytes, ${buf.length - p} left`);
        faces = new Int32Array(3 * el.count); markers = new Int32Array(el.count);
        for (let i = 0; i < el.count; i++, p += 17) {
          if (buf[p] !== 3) fail(file, `face ${i} has ${buf[p]} corners (citymesh writes triangles)`);
          faces[3 * i] = dv.getInt32(p + 1, true); faces[3 * i + 1] = dv.getInt32(p + 5, true); faces[3 * i + 2] = dv.getInt32(p + 9, true);
          markers[i] = dv.getInt32(p + 13, true);
        }
        continue;
      }
      const tri: number[] = [], mk: number[] = [];
      const hasMarker = el.props.some((q) => q.name === "marker" && !q.list);
      const f: Int32Array = new Int32Array(3 * el.count); let nf = 0;
      const mks = new Int32Array(el.count);
      for (let i = 0; i < el.count; i++) {
        let marker = 0; let poly: number[] | null = null;
        for (const q of el.props) {
          if (p > buf.length) fail(file, `truncated in face ${i}`);
          if (q.list) {
            const n = get(q.list, p); p += PLY_TYPES[q.list][0];
            const sz = PLY_TYPES[q.type][0];
            if (p + n * sz > buf.length) fail(file, `truncated in face ${i}`);
            if (q.name === "vertex_indices" || q.name === "vertex_index") {
              if (n === 3) { f[3 * nf] = get(q.type, p); f[3 * nf + 1] = get(q.type, p + sz); f[3 * nf + 2] = get(q.type, p + 2 * sz); }
              else { poly = []; for (let k = 0; k < n; k++) poly.push(get(q.type, p + k * sz)); }
              if (n < 3) fail(file, `face ${i} has ${n} corners`);
            }
            p += n * sz;
          } else {
            if (p + PLY_TYPES[q.type][0] > buf.length) fail(file, `truncated in face ${i}`);
            if (q.name === "marker") marker = get(q.type, p);
            p += PLY_TYPES[q.type][0];
          }
        }
        if (poly) { for (let k = 1; k + 1 < poly.length; k++) { tri.push(poly[0], poly[k], poly[k + 1]); mk.push(marker); } }
        else { mks[nf] = marker; nf++; }
      }
      if (tri.length) {
        // Polygons (not written by citymesh) are fanned into triangles after the triangles.
        const g = new Int32Array(3 * nf + tri.length); g.set(f.subarray(0, 3 * nf)); g.set(tri, 3 * nf);
        const gm = new Int32Array(nf + mk.length); gm.set(mks.subarray(0, nf)); gm.set(mk, nf);
        faces = g; markers = hasMarker ? gm : null;
      } else { faces = f.subarray(0, 3 * nf); markers = hasMarker ? mks.subarray(0, nf) : null; }
    } else {
      fail(file, `unexpected PLY element "${el.name}"`);
    }
  }
  const nv = vertices.length / 3;
  for (let i = 0; i < faces.length; i++) if (!(faces[i] >= 0 && faces[i] < nv)) fail(file, `face ${Math.floor(i / 3)} refers to vertex ${faces[i]}, but there are ${nv}`);
  return { format: "ply", vertices, faces, markers, classes: null, buildings, crs, origin };
}

// ---------- OBJ (v and f lines; g ground / walls / roofs give the class) ----------

function readObj(buf: Buffer, file: string): ReadMesh {
  const verts: number[] = [];
  let faces = new Int32Array(1 << 16), classes = new Uint8Array(1 << 14), nf = 0;
  let cls = CLASS_UNKNOWN, crs: string | null = null, origin: [number, number] | null = null;
  // Decoded in ~16 MB pieces that end at a newline: a whole city's OBJ is longer than V8's longest string.
  let lineNo = 0, text = "", s = 0;
  const poly: number[] = [];
  for (let from = 0; ;) {
    if (s >= text.length) {
      if (from >= buf.length) break;
      let to = Math.min(buf.length, from + (1 << 24));
      if (to < buf.length) { const nl = buf.indexOf(0x0a, to); to = nl < 0 ? buf.length : nl + 1; }
      text = buf.toString("latin1", from, to); s = 0; from = to;
    }
    let e = text.indexOf("\n", s);
    if (e < 0) e = text.length;
    const line = text.slice(s, e).trim();
    s = e + 1; lineNo++;
    if (!line) continue;
    const c0 = line.charCodeAt(0);
    if (c0 === 0x76 /* v */ && line.charCodeAt(1) === 0x20) {
      const p = line.split(/\s+/);
      const x = Number(p[1]), y = Number(p[2]), z = Number(p[3]);
      if (!(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z))) fail(file, `line ${lineNo}: bad vertex "${line.slice(0, 60)}"`);
      verts.push(x, y, z);
    } else if (c0 === 0x66 /* f */ && line.charCodeAt(1) === 0x20) {
      const p = line.split(/\s+/);
      poly.length = 0;
      const nvNow = verts.length / 3;
      for (let k = 1; k < p.length; k++) {
        let v = parseInt(p[k], 10);
        if (v < 0) v = nvNow + v + 1;
        if (!(v >= 1 && v <= nvNow)) fail(file, `line ${lineNo}: face refers to vertex ${p[k]}, but there are ${nvNow}`);
        poly.push(v - 1);
      }
      if (poly.length < 3) fail(file, `line ${lineNo}: face with ${poly.length} corners`);
      for (let k = 1; k + 1 < poly.length; k++) {
        if (3 * nf + 3 > faces.length) { const g = new Int32Array(faces.length * 2); g.set(faces); faces = g; }
        if (nf + 1 > classes.length) { const g = new Uint8Array(classes.length * 2); g.set(classes); classes = g; }
        faces[3 * nf] = poly[0]; faces[3 * nf + 1] = poly[k]; faces[3 * nf + 2] = poly[k + 1];
        classes[nf++] = cls;
      }
    } else if (c0 === 0x67 /* g */ || c0 === 0x6f /* o */) {
      cls = classCode(line.slice(2).trim());
    } else if (c0 === 0x23 /* # */) {
      const m = /^#\s*crs\s+(.*)$/.exec(line); if (m) crs = m[1];
      const o = /^#\s*origin\s+(\S+)\s+(\S+)/.exec(line); if (o) origin = [Number(o[1]), Number(o[2])];
    }
  }
  const cl = classes.subarray(0, nf);
  return { format: "obj", vertices: Float64Array.from(verts), faces: faces.subarray(0, 3 * nf), markers: null, classes: cl.every((c) => c === CLASS_UNKNOWN) ? null : cl, buildings: null, crs, origin };
}

// ---------- STL (binary; geometry only). Corners are welded while reading (STL repeats them). ----------

function readStl(buf: Buffer, file: string): ReadMesh {
  if (buf.length < 84) fail(file, `too short for binary STL (${buf.length} bytes)`);
  const n = buf.readUInt32LE(80);
  if (84 + 50 * n !== buf.length) {
    if (buf.subarray(0, 5).toString("latin1") === "solid") fail(file, "ASCII STL is not supported (citymesh writes binary STL)");
    fail(file, `binary STL announces ${n} triangles (${84 + 50 * n} bytes) but the file has ${buf.length} bytes`);
  }
  const index = new PointIndex(3, Math.max(16, Math.ceil(n / 2) + 16));
  const faces = new Int32Array(3 * n);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let t = 0; t < n; t++) {
    const o = 84 + 50 * t + 12;
    for (let k = 0; k < 3; k++) faces[3 * t + k] = index.id(dv.getFloat32(o + 12 * k, true), dv.getFloat32(o + 12 * k + 4, true), dv.getFloat32(o + 12 * k + 8, true));
  }
  const header = buf.subarray(0, 80).toString("latin1");
  const crs = /crs=(\S+)/.exec(header)?.[1] ?? null;
  const o = /origin=([-\d.e+]+),([-\d.e+]+)/.exec(header);
  return { format: "stl", vertices: index.coords.slice(0, 3 * index.count), faces, markers: null, classes: null, buildings: null, crs, origin: o ? [Number(o[1]), Number(o[2])] : null };
}

/** The ground's outer rectangle: the XY box of ground triangles (of all triangles when classes are unknown). */
export function meshDomain(m: Pick<ReadMesh, "vertices" | "faces" | "markers" | "classes">): [number, number, number, number] {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const V = m.vertices, F = m.faces, nt = F.length / 3;
  const known = !!(m.markers || m.classes);
  let any = false;
  for (let t = 0; t < nt; t++) {
    if (known && !(m.markers ? m.markers[t] < 0 : m.classes![t] === CLASS_GROUND)) continue;
    any = true;
    for (let k = 0; k < 3; k++) {
      const v = F[3 * t + k], x = V[3 * v], y = V[3 * v + 1];
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  if (!any && known) return meshDomain({ vertices: V, faces: F, markers: null, classes: null });
  return [x0, y0, x1, y1];
}

/** N: from the file's metadata, else from the markers (walls 0..N-1, roofs N..2N-1: N = (max + 1) / 2). */
export function meshBuildings(m: Pick<ReadMesh, "markers" | "buildings">): number {
  if (m.buildings !== null && Number.isInteger(m.buildings) && m.buildings >= 0) return m.buildings;
  if (!m.markers) return 0;
  let max = -1;
  for (let i = 0; i < m.markers.length; i++) if (m.markers[i] > max) max = m.markers[i];
  return max < 0 ? 0 : Math.ceil((max + 1) / 2);
}
