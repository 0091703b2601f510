// Nodata holes of a DEM, filled once when it is opened so sampling never meets them: each hole
// cell takes the distance-weighted mean of its already-known 8-neighbours, layer by layer inward
// from the hole's rim (a breadth-first sweep, like GDAL's FillNodata without its search radius).
// Every cell is visited a bounded number of times, so the cost is linear in the raster's size,
// and a layer's values are computed before any is stored, so the result does not depend on order.

export interface Filled {
  /** The raster with every hole filled (the input array when it could hold the means, else a Float32Array copy). */
  values: Float32Array | Float64Array;
  /** 1 where the cell was nodata before filling; null when there was none. */
  hole: Uint8Array | null;
  holes: number;
}

const DIAG = Math.SQRT1_2;

export function fillNodata(raster: ArrayLike<number>, width: number, height: number, isNodata: (v: number) => boolean): Filled {
  const n = width * height;
  let hole: Uint8Array | null = null;
  let holes = 0;
  for (let k = 0; k < n; k++) {
    if (isNodata(raster[k])) {
      hole ??= new Uint8Array(n);
      hole[k] = 1;
      holes++;
    }
  }
  const values = raster instanceof Float32Array || raster instanceof Float64Array ? raster : Float32Array.from(raster);
  if (!hole || holes === n) return { values, hole, holes };
  // known: 1 for data cells and cells filled in an earlier layer.
  const known = new Uint8Array(n);
  for (let k = 0; k < n; k++) known[k] = hole[k] ^ 1;
  const queued = new Uint8Array(n);
  let layer: number[] = [];
  /** Calls fn(m, diagonal) for each of cell k's (up to 8) neighbours inside the raster. */
  const eachNeighbour = (k: number, fn: (m: number, diagonal: boolean) => void) => {
    const i = k % width, j = (k - i) / width;
    for (let dj = -1; dj <= 1; dj++) {
      const jj = j + dj;
      if (jj < 0 || jj >= height) continue;
      for (let di = -1; di <= 1; di++) {
        const ii = i + di;
        if ((di === 0 && dj === 0) || ii < 0 || ii >= width) continue;
        fn(jj * width + ii, di !== 0 && dj !== 0);
      }
    }
  };
  const pushNeighbours = (k: number, into: number[]) => eachNeighbour(k, (m) => {
    if (!known[m] && !queued[m]) { queued[m] = 1; into.push(m); }
  });
  for (let k = 0; k < n; k++) if (known[k]) {
    // Only data cells on a hole's rim seed the sweep.
    let rim = false;
    eachNeighbour(k, (m) => { if (hole[m]) rim = true; });
    if (rim) pushNeighbours(k, layer);
  }
  const next: number[] = [];
  let buf = new Float64Array(0);
  let sum = 0, wsum = 0;
  const addKnown = (m: number, diagonal: boolean) => {
    if (!known[m]) return;
    const w = diagonal ? DIAG : 1;
    sum += values[m] * w;
    wsum += w;
  };
  while (layer.length) {
    if (buf.length < layer.length) buf = new Float64Array(layer.length);
    for (let q = 0; q < layer.length; q++) {
      sum = 0; wsum = 0;
      eachNeighbour(layer[q], addKnown);
      buf[q] = sum / wsum; // every queued cell touches a known one
    }
    for (let q = 0; q < layer.length; q++) { values[layer[q]] = buf[q]; known[layer[q]] = 1; }
    next.length = 0;
    for (const k of layer) pushNeighbours(k, next);
    layer = next.slice();
  }
  return { values, hole, holes };
}
