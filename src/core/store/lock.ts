// One build at a time per store directory. h5wasm has no file locking, and two builds writing
// the same tiles and manifest would interleave; a lock file (created exclusively) names the
// process holding it. A lock whose process is gone is stale and taken over.
import fs from "fs";
import path from "path";
import os from "os";
import { CityMeshError } from "../errors";

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === "EPERM"; }
};

export function lockStore(dir: string, name = "build.lock"): () => void {
  const file = path.join(dir, name);
  const me = `${process.pid}@${os.hostname()}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, me, { flag: "wx" });
      return () => { try { if (fs.readFileSync(file, "utf8") === me) fs.unlinkSync(file); } catch { /* already gone */ } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new CityMeshError("store", `Cannot create the lock file in ${dir}: ${(e as NodeJS.ErrnoException).code ?? e}`, { dir });
      const holder = (() => { try { return fs.readFileSync(file, "utf8"); } catch { return ""; } })();
      const [pid, host] = holder.split("@");
      if (host === os.hostname() && pid && !alive(Number(pid))) { try { fs.unlinkSync(file); } catch { /* raced */ } continue; }
      throw new CityMeshError("store", `Another build (process ${holder || "unknown"}) is using the scratch store ${dir}. Wait for it to finish or cancel it; if no build is running, delete ${file}.`, { dir, holder });
    }
  }
  throw new CityMeshError("store", `Cannot lock the scratch store ${dir}.`, { dir });
}
