// One build at a time per store directory. h5wasm has no file locking, and two builds writing
// the same tiles and manifest would interleave; a lock file names the process holding it. A lock
// whose process is gone is stale and taken over.
//
// The lock appears whole: its content ("pid@host") is written to a private file first and then
// hard-linked to the lock's name, which fails if the name exists (atomic, also on NFS). Creating
// it with O_EXCL and then writing left a moment in which a second build found the lock empty and
// could only say "process unknown" (seen in CI: two builds started together).
import fs from "fs";
import path from "path";
import os from "os";
import crypto from "crypto";
import { CityMeshError } from "../errors";

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === "EPERM"; }
};

const readHolder = (file: string): string | undefined => {
  try { return fs.readFileSync(file, "utf8"); } catch { return undefined; }
};

/** Creates `file` holding `content`, atomically; false if it exists. */
function createWhole(file: string, content: string): boolean {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`; // the store's temp-name form (fsLayer isTempName): a killed build's leftover is cleaned
  fs.writeFileSync(tmp, content);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    // A file system without hard links: exclusive create, written at once (a short window remains).
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "ENOSYS") {
      try { fs.writeFileSync(file, content, { flag: "wx" }); return true; } catch (e2) { if ((e2 as NodeJS.ErrnoException).code === "EEXIST") return false; throw e2; }
    }
    throw e;
  } finally {
    try { fs.unlinkSync(tmp); } catch { /* already gone */ }
  }
}

export function lockStore(dir: string, name = "build.lock"): () => void {
  const file = path.join(dir, name);
  const me = `${process.pid}@${os.hostname()}`;
  // A few rounds: the holder may release the lock, or a stale one be removed, between our tries.
  for (let attempt = 0; attempt < 5; attempt++) {
    let created: boolean;
    try {
      created = createWhole(file, me);
    } catch (e) {
      throw new CityMeshError("store", `Cannot create the lock file in ${dir}: ${(e as NodeJS.ErrnoException).code ?? e}`, { dir });
    }
    if (created) return () => { if (readHolder(file) === me) try { fs.unlinkSync(file); } catch { /* already gone */ } };
    const holder = readHolder(file);
    if (holder === undefined) continue; // released since: try again
    const [pid, host] = holder.split("@");
    if (host === os.hostname() && pid && !alive(Number(pid))) {
      // Stale: remove it only if it still names the dead process (another build may have taken it over).
      if (readHolder(file) === holder) try { fs.unlinkSync(file); } catch { /* raced */ }
      continue;
    }
    throw new CityMeshError("store", `Another build (process ${holder || "unknown"}) is using the scratch store ${dir}. Wait for it to finish or cancel it; if no build is running, delete ${file}.`, { dir, holder });
  }
  throw new CityMeshError("store", `Cannot lock the scratch store ${dir}.`, { dir });
}
