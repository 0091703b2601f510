// The coarse content of 3D Tiles parents (src/core/writers/tiles3d/coarse.ts): sampling a tile
// mesh at cell centres, coarsening four grids into one, and the grid's mesh (ground, block roofs,
// walls) — covering every inside cell exactly once seen from above, facing the right way.
import test from "node:test";
import assert from "node:assert/strict";
import { GRID, blockBuildings, coarsen, emptyGrid, gridMesh, sampleMesh, type CoarseGrid } from "../../../src/core/writers/tiles3d/coarse";

const N = 10; // buildings of the marker convention: walls 0..9, roofs 10..19, ground −2 (−1: ground touching a building)

/** A 64 m tile of 1 m cells: ground z = 0.1 x + 0.05 y around a 20 × 8 m building (index 3, roof 30 m) at (20..40, 32..40). */
function tileMesh(): { vertices: Float64Array; faces: Int32Array; markers: Int32Array } {
  const v: number[] = [], f: number[] = [], m: number[] = [];
  const z = (x: number, y: number) => 0.1 * x + 0.05 * y;
  const quad = (pts: [number, number, number][], marker: number) => {
    const base = v.length / 3;
    for (const p of pts) v.push(...p);
    f.push(base, base + 1, base + 2, base, base + 2, base + 3);
    m.push(marker, marker);
  };
  // Ground as 4 m squares, except where the building stands.
  for (let y = 0; y < 64; y += 4) for (let x = 0; x < 64; x += 4) {
    if (x >= 20 && x < 40 && y >= 32 && y < 40) continue;
    quad([[x, y, z(x, y)], [x + 4, y, z(x + 4, y)], [x + 4, y + 4, z(x + 4, y + 4)], [x, y + 4, z(x, y + 4)]], -1);
  }
  quad([[20, 32, 30], [40, 32, 30], [40, 40, 30], [20, 40, 30]], N + 3);
  // A wall: never sampled.
  quad([[20, 32, 0], [40, 32, 0], [40, 32, 30], [20, 32, 30]], 3);
  return { vertices: Float64Array.from(v), faces: Int32Array.from(f), markers: Int32Array.from(m) };
}

function sampled(): CoarseGrid {
  const g = emptyGrid(0, 0, 1, 1);
  g.inside.fill(1);
  const t = tileMesh();
  sampleMesh(g, t.vertices, t.faces, t.markers, N, () => true);
  return g;
}

test("sampling at cell centres: the ground's height, and the roof over the building's cells only", () => {
  const g = sampled();
  let blocks = 0;
  for (let j = 0; j < GRID; j++) for (let i = 0; i < GRID; i++) {
    const c = j * GRID + i, x = i + 0.5, y = j + 0.5;
    const under = x > 20 && x < 40 && y > 32 && y < 40;
    if (under) {
      blocks++;
      assert.equal(g.roof[c], 30);
      assert.equal(g.id[c], 3);
      assert.ok(Number.isNaN(g.ground[c]), `ground sampled under the building at ${i}, ${j}`);
    } else {
      assert.ok(Number.isNaN(g.roof[c]));
      assert.ok(Math.abs(g.ground[c] - (0.1 * x + 0.05 * y)) < 1e-5, `ground at ${i}, ${j}: ${g.ground[c]}`);
    }
  }
  assert.equal(blocks, 160);
  assert.deepEqual([...blockBuildings(g)], [3]);
  // A building the caller keeps whole is not sampled as a block.
  const h = emptyGrid(0, 0, 1, 1);
  const t = tileMesh();
  sampleMesh(h, t.vertices, t.faces, t.markers, N, (b) => b !== 3);
  assert.equal(blockBuildings(h).size, 0);
});

/** Signed area of a triangle's projection on the xy plane. */
const xyArea = (v: Float64Array, a: number, b: number, c: number) =>
  ((v[3 * b] - v[3 * a]) * (v[3 * c + 1] - v[3 * a + 1]) - (v[3 * c] - v[3 * a]) * (v[3 * b + 1] - v[3 * a + 1])) / 2;

test("the grid's mesh: ground and roofs cover each inside cell once, counter-clockwise; walls face out of their block and reach the ground", () => {
  const g = sampled();
  // Leave a corner of the grid outside the tiled area: nothing may be drawn there.
  for (let j = 48; j < GRID; j++) for (let i = 48; i < GRID; i++) g.inside[j * GRID + i] = 0;
  const mesh = gridMesh(g, N)!;
  const { vertices: v, faces, markers } = mesh;
  let ground = 0, roofs = 0, walls = 0;
  const cover = new Float64Array(GRID * GRID);
  for (let f = 0; f < markers.length; f++) {
    const [a, b, c] = [faces[3 * f], faces[3 * f + 1], faces[3 * f + 2]];
    const area = xyArea(v, a, b, c);
    if (markers[f] < N) {
      // A wall: vertical, its outward normal pointing away from the block it belongs to.
      assert.ok(markers[f] === 3 || markers[f] === -2);
      if (markers[f] === -2) { assert.ok(area > 0); ground += area; }
      else {
        walls++;
        assert.ok(Math.abs(area) < 1e-9, "a wall is vertical");
        const e1 = [v[3 * b] - v[3 * a], v[3 * b + 1] - v[3 * a + 1], v[3 * b + 2] - v[3 * a + 2]];
        const e2 = [v[3 * c] - v[3 * a], v[3 * c + 1] - v[3 * a + 1], v[3 * c + 2] - v[3 * a + 2]];
        const nx = e1[1] * e2[2] - e1[2] * e2[1], ny = e1[2] * e2[0] - e1[0] * e2[2];
        const len = Math.hypot(nx, ny);
        const cx = (v[3 * a] + v[3 * b] + v[3 * c]) / 3, cy = (v[3 * a + 1] + v[3 * b + 1] + v[3 * c + 1]) / 3;
        const inner = [cx - (nx / len) * 0.25, cy - (ny / len) * 0.25], outer = [cx + (nx / len) * 0.25, cy + (ny / len) * 0.25];
        const cellAt = (p: number[]) => Math.floor(p[1]) * GRID + Math.floor(p[0]);
        assert.equal(g.roof[cellAt(inner)], 30, `wall at ${cx}, ${cy} faces into its block`);
        assert.ok(Number.isNaN(g.roof[cellAt(outer)]), `wall at ${cx}, ${cy} faces another block`);
        // From the roof down to about the ground (at most 6 m about the building: the plane at its far corner).
        const zs = [v[3 * a + 2], v[3 * b + 2], v[3 * c + 2]];
        assert.ok(Math.max(...zs) === 30 && Math.min(...zs) <= 6.5);
      }
    } else {
      assert.equal(markers[f], N + 3);
      assert.ok(area > 0);
      roofs += area;
    }
    if (markers[f] < 0 || markers[f] >= N) {
      // Attribute the face's area to the cells it covers (its vertices are cell corners: a run of whole cells).
      const xs = [v[3 * a], v[3 * b], v[3 * c]], ys = [v[3 * a + 1], v[3 * b + 1], v[3 * c + 1]];
      for (let y = Math.min(...ys); y < Math.max(...ys); y++) for (let x = Math.min(...xs); x < Math.max(...xs); x++) cover[y * GRID + x] += 0.5;
    }
  }
  const insideCells = g.inside.reduce((k, x) => k + x, 0);
  assert.equal(insideCells, GRID * GRID - 16 * 16);
  assert.ok(Math.abs(ground + roofs - insideCells) < 1e-6, `ground ${ground} + roofs ${roofs} ≠ ${insideCells} cells`);
  assert.equal(roofs, 160);
  // On a slope no two wall quads share a flat bottom: a quad per edge cell of the 20 × 8 block.
  assert.equal(walls, 2 * (20 + 8 + 20 + 8));
  for (let c = 0; c < GRID * GRID; c++) assert.equal(cover[c], g.inside[c] ? 1 : 0, `cell ${c % GRID}, ${Math.floor(c / GRID)} covered ${cover[c]} times`);
  // The ground follows the plane at the grid's inner corners (a corner is the mean of its four cells' centres).
  for (let k = 0; k < v.length; k += 3) {
    const [x, y, z] = [v[k], v[k + 1], v[k + 2]];
    if (z === 30 || x <= 0 || y <= 0 || x >= 48 || y >= 48 || (x >= 19 && x <= 41 && y >= 31 && y <= 41)) continue;
    assert.ok(Math.abs(z - (0.1 * x + 0.05 * y)) < 1e-5, `ground corner ${x}, ${y} at ${z}`);
  }
});

test("on flat ground, a row's ground is a quad, and a block's walls and roof merge along runs", () => {
  const g = emptyGrid(0, 0, 2, 2);
  g.inside.fill(1);
  g.ground.fill(5);
  assert.equal(gridMesh(g, N)!.markers.length, 2 * GRID);
  // A 5 × 3-cell block of one building at one height: 3 roof runs, 4 walls, and its rows' ground in two runs each.
  for (let j = 10; j < 13; j++) for (let i = 20; i < 25; i++) { const c = j * GRID + i; g.cover[c] = 1; g.roof[c] = 25; g.id[c] = 1; g.ground[c] = NaN; }
  const m = gridMesh(g, N)!;
  const count = (pred: (k: number) => boolean) => m.markers.filter(pred).length;
  assert.equal(count((k) => k === N + 1), 2 * 3);
  assert.equal(count((k) => k === 1), 2 * 4);
  assert.equal(count((k) => k === -2), 2 * (GRID + 3));
  assert.equal(gridMesh(emptyGrid(0, 0, 1, 1), N), undefined, "nothing inside: no mesh");
});

test("coarsening carries the built-up share up, the blocks keep it (a sparse suburb too), and a block takes the tallest building", () => {
  // Seeded pseudo-random leaves (xorshift): a quarter and a half of the cells built up.
  let seed = 12345;
  const rand = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 2 ** 32; };
  for (const share of [0.25, 0.5]) {
    let level: CoarseGrid[] = [];
    for (let k = 0; k < 64; k++) {
      const g = emptyGrid(0, 0, 1, 1);
      g.inside.fill(1);
      for (let c = 0; c < GRID * GRID; c++) {
        if (rand() < share) { g.roof[c] = 10 + 10 * rand(); g.id[c] = c % 7; g.cover[c] = 1; } else g.ground[c] = 1;
      }
      level.push(g);
    }
    // Three levels up: 64 grids → 16 → 4 → 1.
    while (level.length > 1) {
      const next: CoarseGrid[] = [];
      for (let k = 0; k < level.length; k += 4) {
        const p = emptyGrid(0, 0, 2, 2);
        coarsen(p, level.slice(k, k + 4));
        next.push(p);
      }
      level = next;
    }
    const top = level[0];
    // The share carried up exactly, and the mesh's blocks (error diffusion) keep it: roof area / grid area.
    const mean = top.cover.reduce((k, x) => k + x, 0) / (GRID * GRID);
    assert.ok(Math.abs(mean - share) < 0.01, `carried share ${mean} for ${share}`);
    const mesh = gridMesh(top, N)!;
    let roofArea = 0;
    for (let f = 0; f < mesh.markers.length; f++) if (mesh.markers[f] >= N) roofArea += xyArea(mesh.vertices, mesh.faces[3 * f], mesh.faces[3 * f + 1], mesh.faces[3 * f + 2]);
    const built = roofArea / (GRID * GRID * 4);
    assert.ok(Math.abs(built - share) < 0.01, `blocks cover ${built} for ${share}`);
    assert.ok(top.inside.every((x) => x === 1));
  }
  // One parent cell from four children: 3 built (12, 20, 16 m) → three quarters built, their mean height, the tallest one's building.
  const child = emptyGrid(0, 0, 1, 1);
  child.inside.fill(1);
  [[0, 12, 1], [1, 20, 2], [GRID, 16, 4]].forEach(([c, r, id]) => { child.roof[c] = r; child.id[c] = id; child.cover[c] = 1; });
  child.ground[GRID + 1] = 3;
  const p = emptyGrid(0, 0, 2, 2);
  coarsen(p, [child, undefined, undefined, undefined]);
  assert.equal(p.roof[0], 16);
  assert.equal(p.cover[0], 0.75);
  assert.equal(p.id[0], 2);
  assert.equal(p.ground[0], 3);
  assert.equal(p.inside[GRID / 2], 0, "no child there: outside");
});
