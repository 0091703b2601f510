// Placing the local mesh frame (metres east/north of the origin in the mesh's projected CRS, z up)
// on the WGS84 ellipsoid in ECEF (EPSG:4978), for 3D Tiles transforms and regions.
//
// A projected CRS is not a tangent plane: its grid north turns away from true north away from the
// central meridian (UTM: up to ~3°), its scale differs from 1 (UTM: 0.9996–1.001), and the Earth
// curves under it (a point 10 km from a tangent plane's centre sits 7.8 m above the ellipsoid). One
// east-north-up frame at the origin would misplace a city's far buildings by metres. So every tile
// gets its own frame at its centre c: the derivative of the exact map (projected x, y) → ECEF there
// (central differences through proj4: columns are grid east and grid north as they lie on the
// ellipsoid, scale and convergence included), the ellipsoid normal as up, and ECEF(c) as the
// translation. Within a 1 km tile that linear map is off by second-order terms only, about d²/2R
// (4 cm at 700 m); far from the centre of a parent tile by metres, so contents are not placed
// through it but exactly (tileset.ts) and it serves as their transform.
import proj4 from "proj4";
import type { CrsInfo } from "../../types";

/** Column-major 4×4 matrix, as glTF and 3D Tiles write them. */
export type Mat4 = number[];

const A = 6378137; // WGS84 semi-major axis
const F = 1 / 298.257223563;
const E2 = F * (2 - F);

/** ECEF (EPSG:4978) of a WGS84 longitude/latitude in degrees and an ellipsoidal height in metres. */
export function ecef(lonDeg: number, latDeg: number, h: number): [number, number, number] {
  const lon = (lonDeg * Math.PI) / 180, lat = (latDeg * Math.PI) / 180;
  const s = Math.sin(lat), c = Math.cos(lat);
  const n = A / Math.sqrt(1 - E2 * s * s);
  return [(n + h) * c * Math.cos(lon), (n + h) * c * Math.sin(lon), (n * (1 - E2) + h) * s];
}

/** WGS84 longitude/latitude (degrees) and height of an ECEF point (Bowring's iteration, µm-exact on Earth). */
export function geodetic(x: number, y: number, z: number): [number, number, number] {
  const lon = Math.atan2(y, x);
  const p = Math.hypot(x, y);
  let lat = Math.atan2(z, p * (1 - E2));
  let h = 0;
  for (let i = 0; i < 6; i++) {
    const s = Math.sin(lat);
    const n = A / Math.sqrt(1 - E2 * s * s);
    h = p / Math.cos(lat) - n;
    lat = Math.atan2(z, p * (1 - (E2 * n) / (n + h)));
  }
  return [(lon * 180) / Math.PI, (lat * 180) / Math.PI, h];
}

/** The mesh CRS's map from local coordinates (relative to the origin) to WGS84 lon/lat degrees. */
export function localToLonLat(crs: CrsInfo): (x: number, y: number) => [number, number] {
  const conv = proj4(crs.proj4, "WGS84");
  const [ox, oy] = crs.origin;
  return (x, y) => conv.forward([ox + x, oy + y]) as [number, number];
}

/** The frame at local point (cx, cy): maps (x − cx, y − cy, z) to ECEF. See the file comment. */
export function frameAt(toLonLat: (x: number, y: number) => [number, number], cx: number, cy: number): Mat4 {
  const d = 50; // metres: far above the projections' round-off, far below their curvature
  const at = (x: number, y: number) => {
    const [lon, lat] = toLonLat(x, y);
    return ecef(lon, lat, 0);
  };
  const e = at(cx + d, cy), w = at(cx - d, cy), n = at(cx, cy + d), s = at(cx, cy - d);
  const [lon, lat] = toLonLat(cx, cy);
  const t = ecef(lon, lat, 0);
  const l = (lon * Math.PI) / 180, p = (lat * Math.PI) / 180;
  const up = [Math.cos(p) * Math.cos(l), Math.cos(p) * Math.sin(l), Math.sin(p)];
  const col = (a: number[], b: number[]) => [0, 1, 2].map((k) => (a[k] - b[k]) / (2 * d));
  return [...col(e, w), 0, ...col(n, s), 0, ...up, 0, ...t, 1];
}

export function mul(a: Mat4, b: Mat4): Mat4 {
  const r = new Array<number>(16).fill(0);
  for (let c = 0; c < 4; c++) for (let row = 0; row < 4; row++) {
    let v = 0;
    for (let k = 0; k < 4; k++) v += a[k * 4 + row] * b[c * 4 + k];
    r[c * 4 + row] = v;
  }
  return r;
}

/** Inverse of an affine matrix (last row 0 0 0 1). */
export function invertAffine(m: Mat4): Mat4 {
  const [a, b, c, , d, e, f, , g, h, i] = m; // columns: (a b c), (d e f), (g h i)
  const A00 = e * i - f * h, A01 = -(d * i - f * g), A02 = d * h - e * g;
  const det = a * A00 + b * A01 + c * A02;
  // inverse of the 3×3 part, column-major
  const inv = [
    A00 / det, (c * h - b * i) / det, (b * f - c * e) / det,
    A01 / det, (a * i - c * g) / det, (c * d - a * f) / det,
    A02 / det, (b * g - a * h) / det, (a * e - b * d) / det,
  ];
  const t = [m[12], m[13], m[14]];
  const ti = [0, 1, 2].map((row) => -(inv[row] * t[0] + inv[3 + row] * t[1] + inv[6 + row] * t[2]));
  return [inv[0], inv[1], inv[2], 0, inv[3], inv[4], inv[5], 0, inv[6], inv[7], inv[8], 0, ti[0], ti[1], ti[2], 1];
}

export function apply(m: Mat4, p: [number, number, number]): [number, number, number] {
  return [0, 1, 2].map((r) => m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r]) as [number, number, number];
}

/**
 * A 3D Tiles `region` [west, south, east, north (radians), min, max height] holding the local box
 * [x0, y0, x1, y1] × [z0, z1]: its outline is sampled (projected edges are curves in lon/lat) and
 * the heights widened by the frames' curvature allowance over `halfSpan` metres plus 0.1 m.
 */
export function regionOf(toLonLat: (x: number, y: number) => [number, number], b: [number, number, number, number], z0: number, z1: number, halfSpan: number): number[] {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const K = 8;
  for (let k = 0; k <= K; k++) {
    const tx = b[0] + ((b[2] - b[0]) * k) / K, ty = b[1] + ((b[3] - b[1]) * k) / K;
    for (const [x, y] of [[tx, b[1]], [tx, b[3]], [b[0], ty], [b[2], ty]]) {
      const [lon, lat] = toLonLat(x, y);
      w = Math.min(w, lon); e = Math.max(e, lon); s = Math.min(s, lat); n = Math.max(n, lat);
    }
  }
  // ~1 m of slack around the sampled outline (1e-5° ≈ 1.1 m of latitude).
  const pad = 1e-5;
  const rad = (v: number) => (v * Math.PI) / 180;
  const bend = (halfSpan * halfSpan) / (2 * A) + 0.1;
  return [rad(w - pad), rad(s - pad), rad(e + pad), rad(n + pad), z0 - bend, z1 + bend];
}
