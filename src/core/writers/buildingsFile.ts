// The buildings side file (JSON lines, one per building of the mesh: {b, f, id, properties}),
// for picking in the viewer: face marker → building index b → its GeoJSON feature. The reader
// numbers buildings before the clean-up drops or merges some, so lines are renumbered here,
// streamed (a city's properties can be larger than we want in memory).
import { once } from "events";
import fs from "fs";
import path from "path";
import readline from "readline";
import { CityMeshError } from "../errors";

/** The side file's name in a scratch store (for `citymesh merge`). */
export const STORE_BUILDINGS_FILE = "buildings.jsonl";

/** The side file of a mesh: `<output without its extension>.buildings.jsonl`. */
export const buildingsFileOf = (output: string): string => output.replace(/\.[^./\\]+$/, "") + ".buildings.jsonl";

/**
 * Writes the side file `out` from the reader's lines (read numbering) and the plan's kept
 * buildings. With `publish: false` the file is left under the returned temporary name, for the
 * caller to rename into place once the mesh beside it is written (or to remove).
 */
export async function writeBuildingsFile(readerLines: string, out: string, sourceIndex: Uint32Array, publish = true): Promise<string> {
  const tmp = `${out}.tmp-${process.pid}`;
  let fd: number;
  try {
    // The folder may not exist yet: the merge, which runs at the same time, creates it too.
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fd = fs.openSync(tmp, "w");
  } catch (e) {
    throw new CityMeshError("output", `Cannot write ${out}: ${(e as Error).message}`, { file: out, errno: (e as NodeJS.ErrnoException).code });
  }
  const w = fs.createWriteStream(tmp, { fd });
  // A write error (disk full) rejects the next write or the end below instead of an unhandled 'error' event.
  let failed: Error | undefined;
  w.on("error", (e) => { failed = e; });
  let k = 0;
  try {
    if (fs.existsSync(readerLines)) {
      const rl = readline.createInterface({ input: fs.createReadStream(readerLines), crlfDelay: Infinity });
      for await (const line of rl) {
        if (!line) continue;
        // The reader writes each line as JSON.stringify({b, f, id, properties}): the building
        // number is its first member, renumbered here by rewriting that prefix only (parsing and
        // re-serialising every line took most of this file's time on New York).
        const m = PREFIX.exec(line);
        const rec = m ? undefined : (JSON.parse(line) as { b: number }); // a line in another shape: parsed once
        const b = m ? Number(m[1]) : rec!.b;
        while (k < sourceIndex.length && sourceIndex[k] < b) k++;
        if (k < sourceIndex.length && sourceIndex[k] === b) {
          const text = m ? `{"b":${k},${line.slice(m[0].length)}` : JSON.stringify({ ...rec, b: k });
          if (failed) throw failed;
          // events.once rejects on 'error' and removes both listeners when either fires: a listener per wait that
          // stayed behind piled up (New York: MaxListenersExceededWarning, 11 'error' listeners).
          if (!w.write(text + "\n")) await once(w, "drain");
        }
      }
    }
    await new Promise<void>((resolve, reject) => w.end((e?: Error | null) => (e || failed ? reject(e ?? failed) : resolve())));
  } catch (e) {
    w.destroy();
    fs.rmSync(tmp, { force: true });
    throw e instanceof CityMeshError ? e : new CityMeshError("output", `Cannot write ${out}: ${(e as Error).message}`, { file: out, errno: (e as NodeJS.ErrnoException).code });
  }
  if (!publish) return tmp;
  fs.renameSync(tmp, out);
  return out;
}

/** `{"b":<building>,` at the start of a reader line. */
const PREFIX = /^\{"b":(\d+),/;
