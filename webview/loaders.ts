// Turns a fetched file into MeshData: our own GLB fast path, three.js loaders for the rest.
import type { BufferGeometry, Object3D } from "three";
import { Matrix4, Mesh } from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { PLYLoader } from "three/examples/jsm/loaders/PLYLoader.js";
import { OBJLoader } from "three/examples/jsm/loaders/OBJLoader.js";
import { STLLoader } from "three/examples/jsm/loaders/STLLoader.js";
import { decodeMeshoptGlb, isCitymeshGlb, isMeshoptGlb, parseCitymeshGlb, readGlbChunks, type MeshoptDecoderApi } from "./glb";
import { parseCmpv } from "./cmpv";
import { citymeshPlyHeader, parseCitymeshPly } from "./ply";
import { SurfaceClass, classOfName, type MeshData } from "./meshData";

export function formatOf(name: string, format?: string): string {
  if (format) return format.toLowerCase();
  const m = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(name);
  return m ? m[1].toLowerCase() : "glb";
}

export async function parseMesh(buf: ArrayBuffer, format: string): Promise<MeshData> {
  switch (format) {
    case "glb": {
      const { json } = readGlbChunks(buf);
      if (isCitymeshGlb(json)) {
        if (!isMeshoptGlb(json)) return parseCitymeshGlb(buf);
        const d = decodeMeshoptGlb(buf, await meshoptDecoder());
        return parseCitymeshGlb(d.buf, d);
      }
      return fromObject((await (await gltfLoader()).parseAsync(buf, "")).scene, false);
    }
    case "gltf": return fromObject((await (await gltfLoader()).parseAsync(buf, "")).scene, false);
    case "cmpv": return parseCmpv(buf);
    // PLY, OBJ and STL from GIS tools (and citymesh's own writers) are Z-up.
    case "ply": {
      const h = citymeshPlyHeader(buf);
      return h ? parseCitymeshPly(buf, h) : fromGeometries([{ geo: new PLYLoader().parse(buf), cls: SurfaceClass.Other }], true);
    }
    case "stl": return fromGeometries([{ geo: new STLLoader().parse(buf), cls: SurfaceClass.Other }], true);
    case "obj": return fromObject(new OBJLoader().parse(new TextDecoder().decode(buf)), true);
    default: throw new Error(`unsupported mesh format "${format}"`);
  }
}

let decoder: Promise<MeshoptDecoderApi> | undefined;

/**
 * meshoptimizer's decoder (WASM embedded in the bundle, no CDN). The page's CSP must allow
 * WebAssembly ('wasm-unsafe-eval'); without it the error says so instead of a bare CompileError.
 */
export function meshoptDecoder(): Promise<MeshoptDecoderApi> {
  decoder ??= (async () => {
    const { MeshoptDecoder } = await import("meshoptimizer/decoder");
    try {
      await MeshoptDecoder.ready;
    } catch (e) {
      decoder = undefined;
      throw new Error(`cannot start the meshopt decoder for this EXT_meshopt_compression GLB (WebAssembly not allowed? the page's CSP needs 'wasm-unsafe-eval'): ${(e as Error).message}`);
    }
    return MeshoptDecoder;
  })();
  return decoder;
}

/** three's GLTFLoader with the meshopt decoder: other tools' compressed GLBs (gltfpack, glTF-Transform) open too. */
async function gltfLoader(): Promise<GLTFLoader> {
  const loader = new GLTFLoader();
  loader.setMeshoptDecoder(await meshoptDecoder() as never);
  return loader;
}

function fromObject(root: Object3D, zUp: boolean): MeshData {
  root.updateMatrixWorld(true);
  const parts: Part[] = [];
  root.traverse((o) => {
    if (o instanceof Mesh) parts.push({ geo: (o.geometry as BufferGeometry).clone().applyMatrix4(o.matrixWorld as Matrix4), cls: classOfName(o.name) });
  });
  return fromGeometries(parts, zUp);
}

interface Part { geo: BufferGeometry; cls: SurfaceClass }

/**
 * Concatenates triangle geometries into one indexed mesh, recentred on its bounds (large
 * projected coordinates otherwise render as a dot) and turned Y-up when the source is Z-up.
 */
function fromGeometries(parts: Part[], zUp: boolean): MeshData {
  // Grouped by class so each class is one draw call.
  parts = [...parts].sort((a, b) => a.cls - b.cls);
  const geos = parts.map((p) => p.geo);
  let nv = 0, ni = 0;
  for (const g of geos) { nv += g.attributes.position.count; ni += g.index ? g.index.count : g.attributes.position.count; }
  if (nv === 0) throw new Error("the file holds no triangles");
  const raw = new Float64Array(3 * nv);
  const index = new Uint32Array(ni);
  let v = 0, i = 0;
  for (const g of geos) {
    const p = g.attributes.position;
    for (let k = 0; k < p.count; k++) { raw[3 * (v + k)] = p.getX(k); raw[3 * (v + k) + 1] = p.getY(k); raw[3 * (v + k) + 2] = p.getZ(k); }
    if (g.index) for (let k = 0; k < g.index.count; k++) index[i++] = v + g.index.getX(k);
    else for (let k = 0; k < p.count; k++) index[i++] = v + k;
    v += p.count;
  }
  const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
  for (let k = 0; k < raw.length; k++) { const c = k % 3; if (raw[k] < min[c]) min[c] = raw[k]; if (raw[k] > max[c]) max[c] = raw[k]; }
  // Keep the base at zero height, centre horizontally.
  const c = zUp ? [(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, min[2]] : [(min[0] + max[0]) / 2, min[1], (min[2] + max[2]) / 2];
  const positions = new Float32Array(3 * nv);
  for (let k = 0; k < nv; k++) {
    const x = raw[3 * k] - c[0], y = raw[3 * k + 1] - c[1], z = raw[3 * k + 2] - c[2];
    if (zUp) { positions[3 * k] = x; positions[3 * k + 1] = z; positions[3 * k + 2] = -y; }
    else { positions[3 * k] = x; positions[3 * k + 1] = y; positions[3 * k + 2] = z; }
  }
  const groups: MeshData["groups"] = [];
  let start = 0;
  parts.forEach((p) => {
    const count = p.geo.index ? p.geo.index.count : p.geo.attributes.position.count;
    const last = groups[groups.length - 1];
    if (last && last.cls === p.cls) last.count += count; else if (count > 0) groups.push({ start, count, cls: p.cls });
    start += count;
  });
  return { positions, index, groups, buildings: 0 };
}
