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
 * Vertex colours by building height (roof top minus wall base) when face markers name the
 * buildings, else by vertex elevation. Ground stays grey. Computed once, on first use.
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
    const lo = new Float32Array(n).fill(Infinity), hi = new Float32Array(n).fill(-Infinity);
    for (let f = 0; f < m.length; f++) {
      const mk = m[f];
      if (mk < 0) continue;
      const b = mk < n ? mk : mk - n;
      for (let k = 0; k < 3; k++) { const y = pos[3 * idx[3 * f + k] + 1]; if (y < lo[b]) lo[b] = y; if (y > hi[b]) hi[b] = y; }
    }
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
