// Geometry checks of a (merged or single-tile) mesh, used by the tests and `citymesh check`:
// after welding by exact position, every edge is shared by exactly two triangles except on
// the outer edge of the domain; no degenerate triangles; volume and ground area add up.
import type { TileMesh } from "../types";

export interface MeshReport {
  vertices: number;
  triangles: number;
  /** Edges used by one triangle that are not on the domain's outer edge. */
  openEdges: number;
  /** Edges used by more than two triangles. */
  overusedEdges: number;
  /** Edges used twice in the same direction (inconsistent winding). */
  flippedEdges: number;
  degenerate: number;
  /** Σ over triangles of signed projected area × mean height. */
  volume: number;
  /** Σ area of ground triangles (marker < 0). */
  groundArea: number;
  /** Σ signed projected area of roof triangles per building marker N+i, summed. */
  roofArea: number;
  examples: string[];
}

/** Welds vertices by exact position; returns the new index of each vertex. */
export function weldExact(vertices: Float64Array): { map: Int32Array; count: number } {
  const n = vertices.length / 3, map = new Int32Array(n), seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = `${vertices[3 * i]},${vertices[3 * i + 1]},${vertices[3 * i + 2] + 0}`;
    let j = seen.get(k);
    if (j === undefined) { j = seen.size; seen.set(k, j); }
    map[i] = j;
  }
  return { map, count: seen.size };
}

export function checkMesh(m: Pick<TileMesh, "vertices" | "faces" | "markers">, domain: [number, number, number, number], buildings: number): MeshReport {
  const V = m.vertices, F = m.faces;
  const { map, count } = weldExact(V);
  const nt = F.length / 3;
  const edges = new Map<string, number>(); // "a,b" directed → uses
  const r: MeshReport = { vertices: count, triangles: nt, openEdges: 0, overusedEdges: 0, flippedEdges: 0, degenerate: 0, volume: 0, groundArea: 0, roofArea: 0, examples: [] };
  for (let t = 0; t < nt; t++) {
    const a = F[3 * t], b = F[3 * t + 1], c = F[3 * t + 2];
    const ux = V[3 * b] - V[3 * a], uy = V[3 * b + 1] - V[3 * a + 1], uz = V[3 * b + 2] - V[3 * a + 2];
    const vx = V[3 * c] - V[3 * a], vy = V[3 * c + 1] - V[3 * a + 1], vz = V[3 * c + 2] - V[3 * a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const area2 = Math.hypot(nx, ny, nz);
    const longest = Math.max(Math.hypot(ux, uy, uz), Math.hypot(vx, vy, vz), Math.hypot(vx - ux, vy - uy, vz - uz));
    if (!(area2 > 1e-12 * longest * longest) || map[a] === map[b] || map[b] === map[c] || map[a] === map[c]) {
      r.degenerate++;
      if (r.examples.length < 10) r.examples.push(`degenerate triangle ${t} (marker ${m.markers[t]})`);
    }
    const projected = nz / 2, meanZ = (V[3 * a + 2] + V[3 * b + 2] + V[3 * c + 2]) / 3;
    r.volume += projected * meanZ;
    if (m.markers[t] < 0) r.groundArea += projected;
    else if (m.markers[t] >= buildings) r.roofArea += projected;
    for (const [p, q] of [[a, b], [b, c], [c, a]]) {
      const k = `${map[p]},${map[q]}`;
      edges.set(k, (edges.get(k) ?? 0) + 1);
    }
  }
  const [x0, y0, x1, y1] = domain;
  const onOuter = (i: number, j: number) => {
    const xi = V[3 * i], yi = V[3 * i + 1], xj = V[3 * j], yj = V[3 * j + 1];
    return (xi === x0 && xj === x0) || (xi === x1 && xj === x1) || (yi === y0 && yj === y0) || (yi === y1 && yj === y1);
  };
  const rep = new Int32Array(count);
  for (let i = 0; i < map.length; i++) rep[map[i]] = i;
  for (const [k, n] of edges) {
    const [a, b] = k.split(",").map(Number);
    const back = edges.get(`${b},${a}`) ?? 0;
    if (n > 1) { r.flippedEdges++; if (r.examples.length < 10) r.examples.push(`edge ${k} used ${n}× in one direction`); }
    if (n + back > 2 && a < b) r.overusedEdges++;
    if (back === 0 && n === 1 && !onOuter(rep[a], rep[b])) {
      r.openEdges++;
      if (r.examples.length < 10) r.examples.push(`open edge (${V[3 * rep[a]]}, ${V[3 * rep[a] + 1]}, ${V[3 * rep[a] + 2]}) – (${V[3 * rep[b]]}, ${V[3 * rep[b] + 1]}, ${V[3 * rep[b] + 2]})`);
    }
  }
  return r;
}

/** Concatenates meshes (no welding): for checking a tiled build as a whole. */
export function concatMeshes(meshes: Pick<TileMesh, "vertices" | "faces" | "markers">[]): Pick<TileMesh, "vertices" | "faces" | "markers"> {
  let nv = 0, nf = 0;
  for (const m of meshes) { nv += m.vertices.length; nf += m.faces.length; }
  const vertices = new Float64Array(nv), faces = new Int32Array(nf), markers = new Int32Array(nf / 3);
  let ov = 0, of = 0;
  for (const m of meshes) {
    vertices.set(m.vertices, ov);
    for (let i = 0; i < m.faces.length; i++) faces[of + i] = m.faces[i] + ov / 3;
    markers.set(m.markers, of / 3);
    ov += m.vertices.length; of += m.faces.length;
  }
  return { vertices, faces, markers };
}
