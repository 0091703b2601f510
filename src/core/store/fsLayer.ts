// The few fs calls the store makes, behind an interface so tests can inject ENOSPC/EACCES/EROFS
// (tests run as root, where chmod 555 does not stop writes).
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { CityMeshError } from "../errors";

export interface StoreFs {
  mkdirSync(dir: string, opts: { recursive: true }): unknown;
  writeFileSync(file: string, data: string | Uint8Array): void;
  renameSync(from: string, to: string): void;
  unlinkSync(file: string): void;
}

export const nodeFs: StoreFs = {
  mkdirSync: (d, o) => fs.mkdirSync(d, o),
  writeFileSync: (f, d) => fs.writeFileSync(f, d),
  renameSync: (a, b) => fs.renameSync(a, b),
  unlinkSync: (f) => fs.unlinkSync(f),
};

/** `<file>.tmp-<pid>-<random>`: unique per process and call, so concurrent writers never share a temp file. */
export const tempName = (file: string): string => `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;

/** True for names made by tempName (left behind only by a crash). */
export const isTempName = (name: string): boolean => /\.tmp-\d+-[0-9a-f]{8}$/.test(name);

const REASONS: Record<string, string> = {
  ENOSPC: "the disk is full (ENOSPC)",
  EDQUOT: "the disk quota is exhausted (EDQUOT)",
  EACCES: "permission denied (EACCES)",
  EPERM: "operation not permitted (EPERM)",
  EROFS: "the file system is read-only (EROFS)",
  ENOTDIR: "a part of the path is not a directory (ENOTDIR)",
  EEXIST: "a file exists where a directory is needed (EEXIST)",
  ENOENT: "the directory does not exist (ENOENT)",
};

const sizeText = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.ceil(b / 1e3))} kB`);

/**
 * Turns an fs error into a CityMeshError("store") naming the directory, what was being done and why.
 * For a full disk it also says how much the failed write needed (`neededBytes`) and how much is free.
 */
export function storeError(err: unknown, dir: string, action: string, neededBytes = 0): CityMeshError {
  if (err instanceof CityMeshError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? "";
  const reason = REASONS[code] ?? (err instanceof Error ? err.message : String(err));
  let hint = "";
  if (code === "ENOSPC" || code === "EDQUOT") {
    let free = "";
    try { const st = fs.statfsSync(dir); free = `${sizeText(st.bavail * st.bsize)} free`; } catch { /* statfs unsupported */ }
    const need = neededBytes > 0 ? `this write needs about ${sizeText(neededBytes)}` : "";
    hint = `; free some space or choose another scratch directory${need || free ? ` (${[need, free].filter(Boolean).join(", ")})` : ""}`;
  }
  return new CityMeshError("store", `Scratch store ${dir}: cannot ${action}: ${reason}${hint}`, { dir, errno: code, action, neededBytes });
}

/** Creates the store directory (and parents), mapping failures to a store error. */
export function ensureDir(dir: string, fsl: StoreFs = nodeFs): void {
  try {
    fsl.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw storeError(e, dir, "create the directory");
  }
}

/** Writes a whole small file atomically: temp name in the same directory, then rename. */
export function writeFileAtomic(file: string, data: string | Uint8Array, fsl: StoreFs = nodeFs): void {
  const dir = path.dirname(file);
  const tmp = tempName(file);
  try {
    fsl.writeFileSync(tmp, data);
    fsl.renameSync(tmp, file);
  } catch (e) {
    try {
      fsl.unlinkSync(tmp);
    } catch {
      // the temp file may never have been created
    }
    throw storeError(e, dir, `write ${path.basename(file)}`, Buffer.byteLength(data));
  }
}

/**
 * h5wasm reports a failed create with file_id < 0 and no errno. Writing a tiny probe file with
 * node's fs recovers the real reason (ENOSPC, EACCES, ...) for the message.
 */
export function probeWritable(dir: string, fsl: StoreFs = nodeFs, neededBytes = 0, action = "write a file"): CityMeshError | null {
  // A nearly full disk may still take a 1-byte probe: compare free space with what was needed.
  try {
    const st = fs.statfsSync(dir);
    if (neededBytes > 0 && st.bavail * st.bsize < neededBytes) {
      return storeError(Object.assign(new Error("ENOSPC"), { code: "ENOSPC" }), dir, action, neededBytes);
    }
  } catch {
    // statfs unsupported: rely on the probe
  }
  const probe = tempName(path.join(dir, ".probe"));
  try {
    fsl.writeFileSync(probe, "x");
    fsl.unlinkSync(probe);
    return null;
  } catch (e) {
    // On a full disk the probe's file may have been created before its byte failed to fit.
    try { fsl.unlinkSync(probe); } catch { /* never created */ }
    return storeError(e, dir, action, neededBytes);
  }
}
