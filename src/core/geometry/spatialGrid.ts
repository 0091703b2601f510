import { PointIndex } from "./pointIndex";

// A uniform bucket grid over axis-aligned boxes: the spatial index of the cleanup and
// tiling passes. Buildings are small and evenly spread, so a grid beats a tree here and
// its queries return ids in ascending order (deterministic results).

export class BoxGrid {
  private readonly cells = new Map<number, number[]>();
  constructor(
    private readonly cell: number,
    private readonly x0: number,
    private readonly y0: number,
  ) {}

  private key(i: number, j: number): number { return i * 0x200000 + j; }
  private ix(x: number): number { return Math.floor((x - this.x0) / this.cell); }
  private iy(y: number): number { return Math.floor((y - this.y0) / this.cell); }

  insert(id: number, xmin: number, ymin: number, xmax: number, ymax: number): void {
    for (let i = this.ix(xmin); i <= this.ix(xmax); i++)
      for (let j = this.iy(ymin); j <= this.iy(ymax); j++) {
        const k = this.key(i, j);
        const list = this.cells.get(k);
        if (list) list.push(id); else this.cells.set(k, [id]);
      }
  }

  /** Ids whose cells meet the box, each once, ascending. Callers test the boxes exactly. */
  query(xmin: number, ymin: number, xmax: number, ymax: number, out: number[] = []): number[] {
    out.length = 0;
    for (let i = this.ix(xmin); i <= this.ix(xmax); i++)
      for (let j = this.iy(ymin); j <= this.iy(ymax); j++) {
        const list = this.cells.get(this.key(i, j));
        if (list) for (const id of list) out.push(id);
      }
    out.sort((a, b) => a - b);
    let w = 0;
    for (let r = 0; r < out.length; r++) if (r === 0 || out[r] !== out[r - 1]) out[w++] = out[r];
    out.length = w;
    return out;
  }
}

/** A grid of building boxes with a cell size suited to them (about twice the mean box size). */
export function gridOfBoxes(boxes: Float64Array, count: number): BoxGrid {
  let sum = 0, x0 = Infinity, y0 = Infinity;
  for (let b = 0; b < count; b++) {
    sum += Math.max(boxes[4 * b + 2] - boxes[4 * b], boxes[4 * b + 3] - boxes[4 * b + 1]);
    x0 = Math.min(x0, boxes[4 * b]);
    y0 = Math.min(y0, boxes[4 * b + 1]);
  }
  const cell = Math.max(1, count ? (2 * sum) / count : 1);
  const grid = new BoxGrid(cell, Number.isFinite(x0) ? x0 : 0, Number.isFinite(y0) ? y0 : 0);
  for (let b = 0; b < count; b++) grid.insert(b, boxes[4 * b], boxes[4 * b + 1], boxes[4 * b + 2], boxes[4 * b + 3]);
  return grid;
}

/** CSR buckets of ids by grid cell (cells interned in a PointIndex: no string keys). */
export class Buckets {
  readonly cells = new PointIndex(2, 1024);
  start = new Int32Array(1);
  ids = new Int32Array(0);
  constructor(readonly size: number) {}
  cell(v: number): number { return Math.floor(v / this.size); }

  /** Fills from (id, cell) pairs listed in `pairs` (cell ids from this.cells). */
  fill(pairs: number[]): void {
    const n = this.cells.count;
    this.start = new Int32Array(n + 1);
    for (let k = 1; k < pairs.length; k += 2) this.start[pairs[k] + 1]++;
    for (let c = 0; c < n; c++) this.start[c + 1] += this.start[c];
    this.ids = new Int32Array(pairs.length / 2);
    const at = this.start.slice(0, n);
    for (let k = 0; k < pairs.length; k += 2) this.ids[at[pairs[k + 1]]++] = pairs[k];
  }
}

