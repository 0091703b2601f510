// Ground height at a local point: flat (0) or bilinear from a DEM in the mesh's metric CRS.
// Points beyond the raster are clamped to its edge (the domain may extend a little past a DEM
// cut to the city's footprint); cells with no data count as 0, so the surface stays finite.
import type { Dem } from "./dem";

export function demHeight(dem: Dem, origin: [number, number]): (x: number, y: number) => number {
  const [x0, y0, x1, y1] = dem.bounds;
  const hx = dem.resolution[0] / 2, hy = dem.resolution[1] / 2;
  return (x, y) => {
    const wx = Math.min(x1 - hx, Math.max(x0 + hx, x + origin[0]));
    const wy = Math.min(y1 - hy, Math.max(y0 + hy, y + origin[1]));
    const z = dem.sample(wx, wy);
    return Number.isFinite(z) ? z : 0;
  };
}
