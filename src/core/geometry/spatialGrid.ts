import { PointIndex } from "./pointIndex";

// A uniform bucket grid over axis-aligned boxes: the spatial index of the geometry kernel and
// of tiling. Buildings are small and evenly spread, so a grid beats a tree here, and a query's
// ids come out in ascending order (deterministic results).

/** A grid of building boxes with a cell size suited to them (about twice the mean box size). */
export function gridOfBoxes(boxes: Float64Array, count: number): Buckets {
  let sum = 0;
  for (let b = 0; b < count; b++) sum += Math.max(boxes[4 * b + 2] - boxes[4 * b], boxes[4 * b + 3] - boxes[4 * b + 1]);
  const cell = Math.max(1, count ? (2 * sum) / count : 1);
  return new Buckets(cell, boxCells(cell, boxes, count));
}

// The items' cell ranges [i0, j0, i1, j1] (cells of side `size` their boxes cover), one function
// per shape of input. They replaced a callback per item in the Buckets constructor: shared by every
// caller, that call site saw a different function each time, which V8 does not inline, and it was
// half of the grid's time in the clean-up (a sixth of the clean-up's time).

/** Cell ranges of `count` boxes, flat [xmin, ymin, xmax, ymax] each. */
export function boxCells(size: number, boxes: ArrayLike<number>, count: number): Int32Array {
  const range = new Int32Array(4 * count);
  for (let k = 0; k < 4 * count; k++) range[k] = Math.floor(boxes[k] / size);
  return range;
}

/** Cell ranges of `count` segments: segment k joins points from[stride·k] and to[stride·k] of `xy` (x, y pairs). */
export function segmentCells(size: number, xy: ArrayLike<number>, from: ArrayLike<number>, to: ArrayLike<number>, stride: number, count: number): Int32Array {
  const range = new Int32Array(4 * count);
  for (let k = 0; k < count; k++) {
    const a = 2 * from[stride * k], b = 2 * to[stride * k];
    range[4 * k] = Math.floor(Math.min(xy[a], xy[b]) / size);
    range[4 * k + 1] = Math.floor(Math.min(xy[a + 1], xy[b + 1]) / size);
    range[4 * k + 2] = Math.floor(Math.max(xy[a], xy[b]) / size);
    range[4 * k + 3] = Math.floor(Math.max(xy[a + 1], xy[b + 1]) / size);
  }
  return range;
}

/** Cell ranges of `count` points (x, y pairs of `xy`): one cell each. */
export function pointCells(size: number, xy: ArrayLike<number>, count: number): Int32Array {
  const range = new Int32Array(4 * count);
  for (let k = 0; k < count; k++) {
    range[4 * k] = range[4 * k + 2] = Math.floor(xy[2 * k] / size);
    range[4 * k + 1] = range[4 * k + 3] = Math.floor(xy[2 * k + 1] / size);
  }
  return range;
}

/**
 * Ids bucketed by the cells of a square grid their boxes cover, in flat arrays (CSR): the
 * spatial index of the exact kernel, which buckets millions of edges and points. Built from the
 * items' cell ranges (boxCells, segmentCells, pointCells). Cells are numbered densely when the
 * occupied rectangle of cells is small enough (the usual city), otherwise interned in a
 * PointIndex (data spread over a huge area).
 */
export class Buckets {
  private ci0 = 0; private cj0 = 0; private nj = 0; private ni = 0;
  private interned: PointIndex | null = null;
  start = new Int32Array(1);
  ids = new Int32Array(0);

  /** `range`: item k's cells of side `size` are i in range[4k]..range[4k+2], j in range[4k+1]..range[4k+3]. */
  constructor(readonly size: number, range: Int32Array) {
    const count = range.length >> 2;
    let i0 = Infinity, j0 = Infinity, i1 = -Infinity, j1 = -Infinity, entries = 0;
    for (let k = 0; k < count; k++) {
      const a0 = range[4 * k], c0 = range[4 * k + 1], a1 = range[4 * k + 2], c1 = range[4 * k + 3];
      if (a0 < i0) i0 = a0; if (c0 < j0) j0 = c0; if (a1 > i1) i1 = a1; if (c1 > j1) j1 = c1;
      entries += (a1 - a0 + 1) * (c1 - c0 + 1);
    }
    if (count === 0) { i0 = j0 = 0; i1 = j1 = -1; }
    this.ci0 = i0; this.cj0 = j0; this.ni = i1 - i0 + 1; this.nj = j1 - j0 + 1;
    let cells: number;
    // Dense while its cell array (4 bytes a cell) costs at most what the items' ranges already
    // do (16 bytes an item): interning every cell in a hash cost New York's clean-up a tenth of
    // its time, for the grid of its 600,000 hot pixels over 1.4 M cells (a 5.5 MB array).
    if (this.ni * this.nj <= Math.max(4 * count, 2 * entries) + 4096) cells = this.ni * this.nj;
    else {
      const interned = new PointIndex(2, 1024);
      for (let k = 0; k < count; k++) {
        for (let i = range[4 * k]; i <= range[4 * k + 2]; i++) for (let j = range[4 * k + 1]; j <= range[4 * k + 3]; j++) interned.id(i, j);
      }
      this.interned = interned;
      cells = interned.count;
    }
    const start = new Int32Array(cells + 1);
    for (let k = 0; k < count; k++) {
      for (let i = range[4 * k]; i <= range[4 * k + 2]; i++) for (let j = range[4 * k + 1]; j <= range[4 * k + 3]; j++) start[this.at(i, j) + 1]++;
    }
    for (let c = 0; c < cells; c++) start[c + 1] += start[c];
    const ids = new Int32Array(entries), fill = start.slice(0, cells);
    for (let k = 0; k < count; k++) {
      for (let i = range[4 * k]; i <= range[4 * k + 2]; i++) for (let j = range[4 * k + 1]; j <= range[4 * k + 3]; j++) ids[fill[this.at(i, j)]++] = k;
    }
    this.start = start;
    this.ids = ids;
  }

  cell(v: number): number { return Math.floor(v / this.size); }

  /** The cell number of (i, j), or -1 when no box met it. */
  at(i: number, j: number): number {
    if (this.interned) return this.interned.find(i, j);
    const di = i - this.ci0, dj = j - this.cj0;
    return di < 0 || dj < 0 || di >= this.ni || dj >= this.nj ? -1 : di * this.nj + dj;
  }

  /** Ids whose cells meet the box, each once, ascending. Callers test the boxes exactly. */
  query(xmin: number, ymin: number, xmax: number, ymax: number, out: number[] = []): number[] {
    out.length = 0;
    for (let i = this.cell(xmin); i <= this.cell(xmax); i++)
      for (let j = this.cell(ymin); j <= this.cell(ymax); j++) {
        const c = this.at(i, j);
        if (c >= 0) for (let m = this.start[c]; m < this.start[c + 1]; m++) out.push(this.ids[m]);
      }
    out.sort((a, b) => a - b);
    let w = 0;
    for (let r = 0; r < out.length; r++) if (r === 0 || out[r] !== out[r - 1]) out[w++] = out[r];
    out.length = w;
    return out;
  }

  /** Number of cells (for iterating all of them: 0 … cellCount − 1). */
  get cellCount(): number { return this.start.length - 1; }
}
