// The LAS/LAZ files the `pointCloud` option names: files, or folders whose .las/.laz files are
// all read (in name order). Also their share of the build key: names and bytes, so a changed or
// added cloud makes a new store instead of resuming tiles lifted from the old points.
import fs from "fs";
import path from "path";
import { createHash } from "crypto";
import { CityMeshError } from "../errors";
import { hashFile } from "../store/manifest";

export function pointCloudFiles(list: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of list) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CityMeshError("pointcloud", `Point cloud ${p}: ${code === "ENOENT" ? "file not found." : `cannot be read (${(e as Error).message}).`}`, { path: p });
    }
    if (!st.isDirectory()) { out.push(p); continue; }
    const files = fs.readdirSync(p).filter((n) => /\.la[sz]$/i.test(n)).sort().map((n) => path.join(p, n));
    if (files.length === 0) throw new CityMeshError("pointcloud", `Point cloud folder ${p} holds no LAS or LAZ (.las, .laz) files.`, { path: p });
    out.push(...files);
  }
  return out;
}

/** sha256 over the clouds' names and bytes, in reading order. */
export async function hashPointClouds(list: readonly string[]): Promise<string> {
  const h = createHash("sha256");
  for (const f of pointCloudFiles(list)) h.update(`\0${path.basename(f)}\0`).update(await hashFile(f));
  return h.digest("hex");
}
