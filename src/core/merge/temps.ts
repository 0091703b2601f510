// Names of the temp files a merge makes next to its output, and their removal after a merge
// whose worker was terminated. Kept free of heavy imports: the CLI's main bundle uses it.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";

/** The spool folder of one merge into `out` (absolute): `.<name>.merge-<pid>-<hex>` beside it. */
export const mergeTempDir = (out: string): string => path.join(path.dirname(out), `.${path.basename(out)}.merge-${process.pid}-${randomBytes(4).toString("hex")}`);

/**
 * Removes the temp files this process's merges left for `output`: the spool folder
 * `.<name>.merge-<pid>-<hex>` and the unrenamed `<name>.tmp-<pid>-<hex>`. A merge cleans up after
 * itself, but not when its worker thread is terminated (a cancelled build); the caller runs this
 * once the worker is gone. Other processes' temp files are left alone.
 */
export function removeMergeTemps(output: string): void {
  const out = path.resolve(output), dir = path.dirname(out), base = path.basename(out);
  const mine = [`.${base}.merge-${process.pid}-`, `${base}.tmp-${process.pid}-`]; // mergeTempDir, and writeAtomically's tempName
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = mine.find((m) => n.startsWith(m));
    if (p && /^[0-9a-f]{8}$/.test(n.slice(p.length))) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
  }
}
