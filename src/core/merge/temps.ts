// Names of the temp files a merge makes next to its output, and their removal after a merge
// whose worker was terminated. Kept free of heavy imports: the CLI's main bundle uses it.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";

/**
 * The spool folder of one merge into `out` (absolute): `.<name>.merge-<pid>-<hex>` in `spoolDir`, by default
 * beside the output. Builds put it in their scratch directory: a folder as large as the city flashing up beside
 * the output in the user's explorer is noise, and the scratch directory is where the tiles already are.
 */
export const mergeTempDir = (out: string, spoolDir = path.dirname(out)): string =>
  path.join(spoolDir, `.${path.basename(out)}.merge-${process.pid}-${randomBytes(4).toString("hex")}`);

/**
 * Removes merge temp files left for `output`: the spool folder `.<name>.merge-<pid>-<hex>` and the
 * unrenamed `<name>.tmp-<pid>-<hex>`, beside the output and in `spoolDir` (where mergeTempDir put the spool).
 *  - "mine": this process's. A merge cleans up after itself, but not when its worker thread is
 *    terminated (a cancelled build); the caller runs this once the worker is gone.
 *  - "stale": those of processes that no longer run (a build killed with SIGKILL cannot clean up;
 *    the spool folder is as large as the city). Run when a build starts. A live process's temp
 *    files are left alone; the check is by pid on this machine, so another machine's merge into the
 *    same folder on a shared file system is not told apart — merges there run one at a time.
 */
export function removeMergeTemps(output: string, which: "mine" | "stale" = "mine", spoolDir?: string): void {
  const out = path.resolve(output), base = path.basename(out);
  for (const dir of new Set([path.dirname(out), ...(spoolDir ? [path.resolve(spoolDir)] : [])])) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const pid = tempOwner(n, base);
      if (pid === undefined) continue;
      if (which === "mine" ? pid === process.pid : pid !== process.pid && !processAlive(pid)) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
    }
  }
}

/** The pid in a merge temp name for output `base` (mergeTempDir, or writeAtomically's tempName), else undefined. */
function tempOwner(name: string, base: string): number | undefined {
  for (const prefix of [`.${base}.merge-`, `${base}.tmp-`]) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-[0-9a-f]{8}$/.exec(name.slice(prefix.length));
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** Whether process `pid` runs on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}
