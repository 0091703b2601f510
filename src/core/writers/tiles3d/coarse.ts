// The coarse content of a parent tile: the city under it as blocks on a grid of GRID × GRID cells
// plus the ground, so a tileset seen from afar looks whole (3D Tiles REPLACE refinement: a parent
// stands for everything below it until its children are loaded).
//
// A leaf samples its store tile at the cells' centres: the ground's height and, for each cell
// whose centre falls on a roof, that roof's height and building (the cell is built up). A parent's
// grid is its four children's, each 2 × 2 block of cells made one: inside if any is, the mean
// ground, the built-up share (the mean of theirs), the roof height over the built-up part and the
// tallest one's building. The mesh makes blocks of the cells by error diffusion (Floyd–Steinberg)
// of the built-up share, so a suburb a quarter built shows a quarter of its cells as blocks from
// afar instead of none (a majority rule empties it within two levels), and a dense centre stays
// dense. Sampling at centres keeps area unbiased; the tile's geometric error (two cells) says
// what a block may be off.
// Buildings large enough to span 4 cells are not made blocks: the parent carries them whole
// (tileset.ts), so a skyline stays sharp from afar.
import type { MeshPiece } from "./content";

/** Cells along a grid's side. 64: a parent of a 1 km tile size has 31 m cells, and ≤ 4,096 of them. */
export const GRID = 64;

export interface CoarseGrid {
  /** South-west corner and cell size (local metres). */
  x0: number;
  y0: number;
  cw: number;
  ch: number;
  /** Per cell, row-major from the south-west: ground height (NaN: none sampled), built-up share
   * (0…1), roof height over the built-up part (NaN: none) and its tallest building, inside the
   * tiled area (1) or not. */
  ground: Float32Array;
  cover: Float32Array;
  roof: Float32Array;
  id: Int32Array;
  inside: Uint8Array;
}

export function emptyGrid(x0: number, y0: number, cw: number, ch: number): CoarseGrid {
  const n = GRID * GRID;
  return { x0, y0, cw, ch, ground: new Float32Array(n).fill(NaN), cover: new Float32Array(n), roof: new Float32Array(n).fill(NaN), id: new Int32Array(n).fill(-1), inside: new Uint8Array(n) };
}

/**
 * Samples a tile mesh at the grid's cell centres: ground faces (marker < 0) give the ground,
 * roof faces (marker ≥ n) of the buildings `asBlock` accepts give blocks (the highest roof wins).
 */
export function sampleMesh(g: CoarseGrid, xyz: Float64Array, faces: Int32Array, markers: Int32Array, n: number, asBlock: (b: number) => boolean): void {
  for (let f = 0; f < markers.length; f++) {
    const m = markers[f];
    if (m >= 0 && m < n) continue; // walls
    const b = m < 0 ? -1 : m - n;
    if (b >= 0 && !asBlock(b)) continue;
    const a = 3 * faces[3 * f], p = 3 * faces[3 * f + 1], q = 3 * faces[3 * f + 2];
    const ax = xyz[a], ay = xyz[a + 1], bx = xyz[p], by = xyz[p + 1], cx = xyz[q], cy = xyz[q + 1];
    const det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
    if (det === 0) continue;
    // Cells whose centre may lie in the triangle's box.
    const i0 = Math.max(0, Math.ceil((Math.min(ax, bx, cx) - g.x0) / g.cw - 0.5)), i1 = Math.min(GRID - 1, Math.floor((Math.max(ax, bx, cx) - g.x0) / g.cw - 0.5));
    const j0 = Math.max(0, Math.ceil((Math.min(ay, by, cy) - g.y0) / g.ch - 0.5)), j1 = Math.min(GRID - 1, Math.floor((Math.max(ay, by, cy) - g.y0) / g.ch - 0.5));
    for (let j = j0; j <= j1; j++) {
      const y = g.y0 + (j + 0.5) * g.ch;
      for (let i = i0; i <= i1; i++) {
        const x = g.x0 + (i + 0.5) * g.cw;
        // Barycentric weights; a centre on an edge counts for both sides (either value is right).
        const w0 = ((by - cy) * (x - cx) + (cx - bx) * (y - cy)) / det;
        const w1 = ((cy - ay) * (x - cx) + (ax - cx) * (y - cy)) / det;
        const w2 = 1 - w0 - w1;
        if (w0 < -1e-12 || w1 < -1e-12 || w2 < -1e-12) continue;
        const z = w0 * xyz[a + 2] + w1 * xyz[p + 2] + w2 * xyz[q + 2];
        const c = j * GRID + i;
        if (b < 0) g.ground[c] = z;
        else if (!(g.roof[c] >= z)) { g.roof[c] = z; g.id[c] = b; g.cover[c] = 1; }
      }
    }
  }
}

/** The parent grid of four children (index di + 2·dj; absent where no tile is). */
export function coarsen(parent: CoarseGrid, children: readonly (CoarseGrid | undefined)[]): void {
  const half = GRID / 2;
  for (let k = 0; k < 4; k++) {
    const c = children[k];
    if (!c) continue;
    const di = k & 1, dj = k >> 1;
    for (let b = 0; b < half; b++) for (let a = 0; a < half; a++) {
      const out = (dj * half + b) * GRID + di * half + a;
      let inside = 0, gSum = 0, gN = 0, cover = 0, rSum = 0, top = -Infinity, topId = -1;
      for (const s of [2 * b * GRID + 2 * a, 2 * b * GRID + 2 * a + 1, (2 * b + 1) * GRID + 2 * a, (2 * b + 1) * GRID + 2 * a + 1]) {
        inside |= c.inside[s];
        const gz = c.ground[s], k = c.cover[s];
        if (gz === gz) { gSum += gz; gN++; }
        if (k > 0) {
          cover += k; rSum += k * c.roof[s];
          if (c.roof[s] > top) { top = c.roof[s]; topId = c.id[s]; }
        }
      }
      parent.inside[out] = inside;
      if (gN) parent.ground[out] = gSum / gN;
      if (cover > 0) { parent.cover[out] = cover / 4; parent.roof[out] = rSum / cover; parent.id[out] = topId; }
    }
  }
}

/** Buildings the grid's blocks name. */
export function blockBuildings(g: CoarseGrid): Set<number> {
  const s = new Set<number>();
  for (let c = 0; c < g.id.length; c++) if (g.cover[c] > 0 && g.inside[c]) s.add(g.id[c]);
  return s;
}

/**
 * The grid as a mesh (local metres, z up; dtcc markers: ground −2, walls b, roofs n + b): the
 * ground on the cells' corners (so it follows a DEM without steps; flat runs of a row are one
 * quad), and on each block cell its roof and the walls down to the lower of its neighbour's roof
 * and the ground. Cells under a building have no ground sample; they take their neighbours'.
 */
export function gridMesh(g: CoarseGrid, n: number): MeshPiece | undefined {
  const ground = fillGround(g);
  if (!ground) return undefined;
  const C = GRID + 1;
  // Corner heights: the mean of the inside cells around each corner.
  const corner = new Float64Array(C * C);
  for (let j = 0; j <= GRID; j++) for (let i = 0; i <= GRID; i++) {
    let s = 0, k = 0;
    for (let dj = -1; dj <= 0; dj++) for (let di = -1; di <= 0; di++) {
      const a = i + di, b = j + dj;
      if (a < 0 || b < 0 || a >= GRID || b >= GRID || !g.inside[b * GRID + a]) continue;
      s += ground[b * GRID + a]; k++;
    }
    corner[j * C + i] = k ? s / k : 0;
  }
  const xs: number[] = [], faces: number[] = [], markers: number[] = [];
  const vertex = (x: number, y: number, z: number): number => { xs.push(x, y, z); return xs.length / 3 - 1; };
  /** Two triangles of the vertices a, b, c, d (counter-clockwise seen from the side they face). */
  const quad = (marker: number, a: number, b: number, c: number, d: number) => {
    faces.push(a, b, c, a, c, d);
    markers.push(marker, marker);
  };
  const X = (i: number) => g.x0 + i * g.cw, Y = (j: number) => g.y0 + j * g.ch;
  // Block roofs on steps of half a cell (a quarter of the tile's geometric error at most), so
  // neighbours of about one height share one, and the wall between them goes (New York's
  // parents: 28 MB against 31 MB unstepped). A roof is never stepped down onto its ground.
  const step = Math.max(g.cw, g.ch) / 2;
  const roof = new Float64Array(GRID * GRID).fill(NaN);
  const built = blocksOf(g);
  for (let c = 0; c < roof.length; c++) {
    const r = g.roof[c];
    if (!built[c]) continue;
    const q = step * Math.round(r / step);
    roof[c] = q > ground[c] ? q : Math.max(step * Math.ceil(r / step), r);
  }
  const isBlock = (i: number, j: number) => i >= 0 && j >= 0 && i < GRID && j < GRID && roof[j * GRID + i] === roof[j * GRID + i];

  for (let j = 0; j < GRID; j++) {
    // Ground: runs of flat cells (four equal corners) at one height make one quad.
    for (let i = 0; i < GRID;) {
      const c = j * GRID + i;
      if (!g.inside[c] || isBlock(i, j)) { i++; continue; }
      const z00 = corner[j * C + i], z10 = corner[j * C + i + 1], z11 = corner[(j + 1) * C + i + 1], z01 = corner[(j + 1) * C + i];
      let e = i + 1;
      if (z00 === z10 && z10 === z11 && z11 === z01) {
        while (e < GRID && g.inside[j * GRID + e] && !isBlock(e, j) && corner[j * C + e + 1] === z00 && corner[(j + 1) * C + e + 1] === z00) e++;
      }
      quad(-2, vertex(X(i), Y(j), z00), vertex(X(e), Y(j), corner[j * C + e]), vertex(X(e), Y(j + 1), corner[(j + 1) * C + e]), vertex(X(i), Y(j + 1), z01));
      i = e;
    }
    // Roofs: runs of one building at one height make one quad.
    for (let i = 0; i < GRID;) {
      if (!isBlock(i, j)) { i++; continue; }
      const c = j * GRID + i, r = roof[c], b = g.id[c];
      let e = i + 1;
      while (e < GRID && isBlock(e, j) && roof[j * GRID + e] === r && g.id[j * GRID + e] === b) e++;
      quad(n + b, vertex(X(i), Y(j), r), vertex(X(e), Y(j), r), vertex(X(e), Y(j + 1), r), vertex(X(i), Y(j + 1), r));
      i = e;
    }
  }
  // Walls: where a block cell's neighbour is lower (a lower block, or the ground), from its roof
  // down to that. Along each row (south and north faces) and column (east and west faces), runs of
  // cells with one building, one roof and one flat bottom make one quad. Faces run counter-clockwise
  // round the cell seen from above, so they face outward.
  const bottom = (ni: number, nj: number, ci: number, cj: number, r: number): number => {
    const nb = isBlock(ni, nj) ? roof[nj * GRID + ni] : NaN;
    return Math.min(r, nb === nb ? nb : corner[cj * C + ci]);
  };
  for (const dir of WALL_DIRECTIONS) {
    for (let t = 0; t < GRID; t++) {
      for (let s = 0; s < GRID;) {
        const [i, j] = dir.cell(s, t);
        if (!isBlock(i, j)) { s++; continue; }
        const c = j * GRID + i, r = roof[c], b = g.id[c];
        const ni = i + dir.di, nj = j + dir.dy;
        const [ai, aj] = dir.a(i, j), [bi, bj] = dir.b(i, j);
        const za = bottom(ni, nj, ai, aj, r), zb = bottom(ni, nj, bi, bj, r);
        if (za === r && zb === r) { s++; continue; }
        let e = s + 1, ei = bi, ej = bj, ez = zb;
        if (za === zb) {
          for (; e < GRID; e++) {
            const [i2, j2] = dir.cell(e, t);
            if (!isBlock(i2, j2) || roof[j2 * GRID + i2] !== r || g.id[j2 * GRID + i2] !== b) break;
            const [b2i, b2j] = dir.b(i2, j2);
            if (bottom(i2 + dir.di, j2 + dir.dy, b2i, b2j, r) !== za) break;
            const [a2i, a2j] = dir.a(i2, j2);
            if (bottom(i2 + dir.di, j2 + dir.dy, a2i, a2j, r) !== za) break;
            ei = b2i; ej = b2j;
          }
        }
        // From corner a of the first cell to corner b of the last; reversed where the face looks north or west.
        let [Pi, Pj, pz, Qi, Qj, qz] = [ai, aj, za, ei, ej, ez];
        if (dir.reversed) [Pi, Pj, pz, Qi, Qj, qz] = [ei, ej, ez, ai, aj, za];
        const P = [X(Pi), Y(Pj)], Q = [X(Qi), Y(Qj)];
        if (pz < r && qz < r) {
          quad(b, vertex(P[0], P[1], pz), vertex(Q[0], Q[1], qz), vertex(Q[0], Q[1], r), vertex(P[0], P[1], r));
        } else {
          // One end already at the roof: a triangle.
          const v0 = vertex(P[0], P[1], pz), v1 = vertex(Q[0], Q[1], qz), v2 = pz < r ? vertex(Q[0], Q[1], r) : vertex(P[0], P[1], r);
          faces.push(v0, v1, v2);
          markers.push(b);
        }
        s = e;
      }
    }
  }
  if (!markers.length) return undefined;
  return { vertices: Float64Array.from(xs), faces: Int32Array.from(faces), markers: Int32Array.from(markers) };
}

interface WallDirection {
  /** Cell at position s along line t. */
  cell(s: number, t: number): [number, number];
  /** Step to the neighbour across the face. */
  di: number;
  dy: number;
  /** The face's corners at the lower and higher s. */
  a(i: number, j: number): [number, number];
  b(i: number, j: number): [number, number];
  /** Counter-clockwise round the cell goes from b to a. */
  reversed: boolean;
}
const WALL_DIRECTIONS: WallDirection[] = [
  { cell: (s, t) => [s, t], di: 0, dy: -1, a: (i, j) => [i, j], b: (i, j) => [i + 1, j], reversed: false }, // south
  { cell: (s, t) => [s, t], di: 0, dy: 1, a: (i, j) => [i, j + 1], b: (i, j) => [i + 1, j + 1], reversed: true }, // north
  { cell: (s, t) => [t, s], di: 1, dy: 0, a: (i, j) => [i + 1, j], b: (i, j) => [i + 1, j + 1], reversed: false }, // east
  { cell: (s, t) => [t, s], di: -1, dy: 0, a: (i, j) => [i, j], b: (i, j) => [i, j + 1], reversed: true }, // west
];

/**
 * Which cells are blocks: the built-up share diffused (Floyd–Steinberg, serpentine rows from the
 * south-west; deterministic), so the blocks' count follows the share over any area.
 */
function blocksOf(g: CoarseGrid): Uint8Array {
  const built = new Uint8Array(GRID * GRID);
  const err = new Float64Array((GRID + 2) * 2); // this row's and the next row's carried error, one cell of margin each side
  for (let j = 0; j < GRID; j++) {
    const cur = (j & 1) * (GRID + 2), nxt = ((j + 1) & 1) * (GRID + 2);
    err.fill(0, nxt, nxt + GRID + 2);
    const ltr = (j & 1) === 0;
    for (let s = 0; s < GRID; s++) {
      const i = ltr ? s : GRID - 1 - s, c = j * GRID + i, d = ltr ? 1 : -1;
      if (!g.inside[c] || !(g.cover[c] > 0)) continue; // outside or bare: no error to carry from here
      const want = g.cover[c] + err[cur + i + 1];
      const got = want >= 0.5 ? 1 : 0;
      built[c] = got;
      const e = want - got;
      err[cur + i + 1 + d] += (e * 7) / 16;
      err[nxt + i + 1 - d] += (e * 3) / 16;
      err[nxt + i + 1] += (e * 5) / 16;
      err[nxt + i + 1 + d] += e / 16;
    }
  }
  return built;
}

/** Ground per cell with the gaps under buildings filled from their neighbours (undefined: nothing inside). */
function fillGround(g: CoarseGrid): Float64Array | undefined {
  const n = GRID * GRID;
  const z = Float64Array.from(g.ground);
  let missing = 0, any = false;
  for (let c = 0; c < n; c++) {
    if (!g.inside[c]) continue;
    any = true;
    if (z[c] !== z[c]) missing++;
  }
  if (!any) return undefined;
  // Grow the known ground into the gaps a ring at a time (a gap is a building's footprint: a few cells).
  while (missing > 0) {
    const next = Float64Array.from(z);
    let filled = 0;
    for (let j = 0; j < GRID; j++) for (let i = 0; i < GRID; i++) {
      const c = j * GRID + i;
      if (!g.inside[c] || z[c] === z[c]) continue;
      let s = 0, k = 0;
      for (const [a, b] of [[i - 1, j], [i + 1, j], [i, j - 1], [i, j + 1]]) {
        if (a < 0 || b < 0 || a >= GRID || b >= GRID) continue;
        const v = z[b * GRID + a];
        if (v === v) { s += v; k++; }
      }
      if (k) { next[c] = s / k; filled++; }
    }
    if (filled === 0) {
      // No ground sampled anywhere (a tile all roofs): the lowest roof stands in for it.
      let low = Infinity;
      for (let c = 0; c < n; c++) if (g.inside[c] && g.roof[c] < low) low = g.roof[c];
      for (let c = 0; c < n; c++) if (g.inside[c] && next[c] !== next[c]) next[c] = Number.isFinite(low) ? low : 0;
      return next;
    }
    missing -= filled;
    z.set(next);
  }
  return z;
}
