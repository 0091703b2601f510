// The buildings side file (JSON lines, one per building of the mesh: {b, f, id, properties}),
// for picking in the viewer: face marker → building index b → its GeoJSON feature. The reader
// numbers buildings before the clean-up drops or merges some, so lines are renumbered here,
// streamed (a city's properties can be larger than we want in memory).
import fs from "fs";
import readline from "readline";

/** The side file's name in a scratch store (for `citymesh merge`). */
export const STORE_BUILDINGS_FILE = "buildings.jsonl";

/** The side file of a mesh: `<output without its extension>.buildings.jsonl`. */
export const buildingsFileOf = (output: string): string => output.replace(/\.[^./\\]+$/, "") + ".buildings.jsonl";

export async function writeBuildingsFile(readerLines: string, out: string, sourceIndex: Uint32Array): Promise<void> {
  const tmp = `${out}.tmp-${process.pid}`;
  const w = fs.createWriteStream(tmp);
  let k = 0;
  if (fs.existsSync(readerLines)) {
    const rl = readline.createInterface({ input: fs.createReadStream(readerLines), crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line) continue;
      const rec = JSON.parse(line) as { b: number };
      while (k < sourceIndex.length && sourceIndex[k] < rec.b) k++;
      if (k < sourceIndex.length && sourceIndex[k] === rec.b) {
        rec.b = k;
        if (!w.write(JSON.stringify(rec) + "\n")) await new Promise<void>((r) => w.once("drain", () => r()));
      }
    }
  }
  await new Promise<void>((resolve, reject) => w.end((e?: Error | null) => (e ? reject(e) : resolve())));
  fs.renameSync(tmp, out);
}
