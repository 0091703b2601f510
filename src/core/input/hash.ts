// The input's hash for the build key (store/manifest.ts): the file's bytes, and for a Shapefile also those of the
// .dbf (heights, properties), .prj (CRS) and .cpg (encoding) beside it, so editing any of them makes a new store
// instead of resuming tiles built from the old ones.
import fs from "fs";
import path from "path";
import { createHash } from "crypto";
import { hashFile } from "../store/manifest";

export async function hashInput(file: string): Promise<string> {
  const own = await hashFile(file);
  if (!/\.shp$/i.test(file)) return own;
  const dir = path.dirname(file), base = path.basename(file).replace(/\.shp$/i, "").toLowerCase();
  let names: string[] = [];
  try { names = fs.readdirSync(dir); } catch { return own; }
  const companions = names.filter((n) => /^(dbf|prj|cpg)$/i.test(path.extname(n).slice(1)) && n.slice(0, -4).toLowerCase() === base).sort();
  const h = createHash("sha256").update(own);
  for (const n of companions) h.update(`\0${n.slice(-3).toLowerCase()}\0`).update(await hashFile(path.join(dir, n)));
  return h.digest("hex");
}
