// The GeoTIFFs the `dem` option names: one file, or a folder whose .tif/.tiff files form a
// mosaic (in name order; where they overlap the first wins). A folder keeps the option one path,
// so the workspace path rules that vet it (src/extension/pathPolicy.ts) hold unchanged.
// Also the DEM's share of the build key: its files' names and bytes, so an edited or added
// DEM tile makes a new store instead of resuming tiles built on the old ground.
import fs from "fs";
import path from "path";
import { createHash } from "crypto";
import { CityMeshError } from "./errors";
import { hashFile } from "./store/manifest";

export function demFiles(dem: string): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(dem);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CityMeshError("dem", `DEM ${dem}: ${code === "ENOENT" ? "file not found." : `cannot be read (${(e as Error).message}).`}`, { path: dem });
  }
  if (!st.isDirectory()) return [dem];
  const files = fs.readdirSync(dem).filter((n) => /\.tiff?$/i.test(n)).sort().map((n) => path.join(dem, n));
  if (files.length === 0) throw new CityMeshError("dem", `DEM folder ${dem} holds no GeoTIFF (.tif or .tiff) files.`, { path: dem });
  return files;
}

/** sha256 over the DEM files' names (relative to the option's value) and bytes, in mosaic order. */
export async function hashDem(dem: string): Promise<string> {
  const h = createHash("sha256");
  for (const f of demFiles(dem)) h.update(`\0${path.relative(dem, f)}\0`).update(await hashFile(f));
  return h.digest("hex");
}
