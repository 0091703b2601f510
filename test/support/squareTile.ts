// A one-tile mesh for the store's tests (test/unit/store, test/tools): a square of two triangles
// with awkward float64 values (not representable in float32, a -0), one ground and one wall face,
// seam flags on two corners.
import type { TileMesh } from "../../src/core/types";

export function squareTile(): TileMesh {
  return {
    vertices: new Float64Array([0.1, 0.2, 0.3, 10.000000000001, 0, 0, 10, 10, 1 / 3, 0, 10, -0.0]),
    faces: new Int32Array([0, 1, 2, 0, 2, 3]),
    markers: new Int32Array([-2, 7]),
    seam: new Uint8Array([1, 0, 1, 0]),
  };
}
