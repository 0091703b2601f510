// MeshData → three.js geometry (indexed, one group per surface class) and height colours.
import { Box3, BufferAttribute, BufferGeometry, Color, Sphere, Vector3 } from "three";
import { SurfaceClass, type MeshData } from "./meshData";
import { HEIGHT_GROUND, rampColor } from "./style";

export function toGeometry(d: MeshData): BufferGeometry {
  const g = new BufferGeometry();
  g.setAttribute("position", new BufferAttribute(d.positions, 3));
  g.setIndex(new BufferAttribute(d.index, 1));
  for (const grp of d.groups) g.addGroup(grp.start, grp.count, grp.cls);
  if (d.bounds && d.bounds.length === 6) {
    g.boundingBox = new Box3(new Vector3(d.bounds[0], d.bounds[1], d.bounds[2]), new Vector3(d.bounds[3], d.bounds[4], d.bounds[5]));
  } else g.computeBoundingBox();
  g.boundingSphere = g.boundingBox!.getBoundingSphere(new Sphere());
  return g;
}

export interface HeightColors { colors: Uint8Array; min: number; max: number; perBuilding: boolean }

/**
 * Vertex colours by building height above the ground (roof top minus the ground at its corners)
 * when face markers name the buildings, else by vertex elevation. Ground stays grey. Computed
 * once, on first use.
 * The ground mesh has a vertex at every footprint corner (the footprints are holes in it), at the
 * same x and z as the building's own corners, so a building's ground is found by position: on a
 * terrain (a DEM, a point cloud) the colour says how tall the building is, not how high it
 * stands, and a terraced house whose walls its taller neighbours built still gets its height.
 */
export function heightColors(d: MeshData): HeightColors {
  const nv = d.positions.length / 3, pos = d.positions, idx = d.index;
  const colors = new Uint8Array(3 * nv);
  const c = new Color();
  const put = (v: number, col: Color) => { colors[3 * v] = col.r * 255; colors[3 * v + 1] = col.g * 255; colors[3 * v + 2] = col.b * 255; };
  const ground = new Color(HEIGHT_GROUND);
  for (let v = 0; v < nv; v++) put(v, ground);
  const n = d.buildings, m = d.markers;
  if (m && n > 0) {
    const lo = new Float32Array(n).fill(Infinity), hi = new Float32Array(n).fill(-Infinity), onGround = new Float32Array(n).fill(Infinity);
    const ground = groundAt(d);
    for (let f = 0; f < m.length; f++) {
      const mk = m[f];
      if (mk < 0) continue;
      const b = mk < n ? mk : mk - n;
      for (let k = 0; k < 3; k++) {
        const v = idx[3 * f + k], y = pos[3 * v + 1];
        if (y < lo[b]) lo[b] = y;
        if (y > hi[b]) hi[b] = y;
        const g = ground.at(v);
        if (g < onGround[b]) onGround[b] = g;
      }
    }
    // The ground at its corners when the ground mesh has them (every citymesh file), else its own lowest vertex.
    for (let b = 0; b < n; b++) if (onGround[b] < Infinity) lo[b] = onGround[b];
    let min = Infinity, max = -Infinity;
    for (let b = 0; b < n; b++) if (hi[b] >= lo[b]) { const h = hi[b] - lo[b]; lo[b] = h; if (h < min) min = h; if (h > max) max = h; } else lo[b] = NaN;
    const span = max > min ? max - min : 1;
    for (let f = 0; f < m.length; f++) {
      const mk = m[f];
      if (mk < 0) continue;
      const h = lo[mk < n ? mk : mk - n];
      rampColor((h - min) / span, c);
      for (let k = 0; k < 3; k++) put(idx[3 * f + k], c);
    }
    return { colors, min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 0, perBuilding: true };
  }
  let min = Infinity, max = -Infinity;
  for (let v = 0; v < nv; v++) { const y = pos[3 * v + 1]; if (y < min) min = y; if (y > max) max = y; }
  const span = max > min ? max - min : 1;
  for (const grp of d.groups) {
    if (grp.cls === SurfaceClass.Ground) continue;
    for (let i = grp.start; i < grp.start + grp.count; i++) { const v = idx[i]; put(v, rampColor((pos[3 * v + 1] - min) / span, c)); }
  }
  return { colors, min, max, perBuilding: false };
}

/**
 * The ground's height under a vertex: the lowest ground vertex at the same x and z (float32 bits
 * equal), Infinity where there is none. An open-addressing table on typed arrays: a city's ground
 * has millions of vertices, too many for string-keyed maps.
 */
function groundAt(d: MeshData): { at(v: number): number } {
  const pos = d.positions, idx = d.index, m = d.markers!;
  const bits = new Uint32Array(pos.buffer, pos.byteOffset, pos.length);
  // Only the ground touching a building (marker -1, dtcc-core's convention) has footprint corners: a thin band.
  let refs = 0;
  for (let f = 0; f < m.length; f++) if (m[f] === -1) refs += 3;
  let size = 16;
  while (size < 2 * refs) size *= 2; // load ≤ ½
  const mask = size - 1, kx = new Uint32Array(size), kz = new Uint32Array(size), y = new Float32Array(size), used = new Uint8Array(size);
  const slot = (v: number, insert: boolean): number => {
    const x = bits[3 * v], z = bits[3 * v + 2];
    let h = (Math.imul(x, 0x9e3779b1) ^ Math.imul(z, 0x85ebca77)) & mask;
    while (used[h]) {
      if (kx[h] === x && kz[h] === z) return h;
      h = (h + 1) & mask;
    }
    if (!insert) return -1;
    used[h] = 1; kx[h] = x; kz[h] = z; y[h] = Infinity;
    return h;
  };
  for (let f = 0; f < m.length; f++) {
    if (m[f] !== -1) continue;
    for (let k = 0; k < 3; k++) {
      const v = idx[3 * f + k], h = slot(v, true), vy = pos[3 * v + 1];
      if (vy < y[h]) y[h] = vy;
    }
  }
  return { at: (v) => { const h = slot(v, false); return h < 0 ? Infinity : y[h]; } };
}
