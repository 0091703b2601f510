// Building properties for picking, from the JSON-lines side file written next to the mesh
// ({"b": index, "f": feature, "id": …, "properties": {…}} per line). No vscode import.
// The file can hold a million lines, so it is never held whole: one streamed pass records where
// each line starts, and a pick reads just its line (line b is building b in the writer's order;
// a full parse is the fallback when it is not).
import fs from "fs";
import type { BuildingInfo } from "../../../webview/protocol";

export class BuildingsLookup {
  private offsets?: Promise<number[]>;
  private byIndex?: Map<number, BuildingInfo>;

  constructor(readonly file: string) {}

  async get(b: number): Promise<BuildingInfo | null> {
    if (this.byIndex) return this.byIndex.get(b) ?? null;
    const offsets = await (this.offsets ??= lineOffsets(this.file));
    if (b >= 0 && b + 1 < offsets.length) {
      const line = await readRange(this.file, offsets[b], offsets[b + 1]);
      const info = parseLine(line);
      if (info && info.b === b) return info;
    }
    this.byIndex = new Map();
    const text = await fs.promises.readFile(this.file, "utf8");
    for (const line of text.split("\n")) { const info = parseLine(line); if (info) this.byIndex.set(info.b, info); }
    return this.byIndex.get(b) ?? null;
  }
}

function parseLine(line: string): BuildingInfo | null {
  try {
    const o = JSON.parse(line) as BuildingInfo;
    return o && typeof o.b === "number" ? o : null;
  } catch {
    return null;
  }
}

/** Byte offsets of every line start, plus the file length at the end. */
function lineOffsets(file: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const out = [0];
    let pos = 0;
    fs.createReadStream(file, { highWaterMark: 1 << 20 })
      .on("data", (chunk) => {
        const buf = chunk as Buffer;
        for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) out.push(pos + i + 1);
        pos += buf.length;
      })
      .on("end", () => { if (out[out.length - 1] !== pos) out.push(pos); resolve(out); })
      .on("error", reject);
  });
}

async function readRange(file: string, start: number, end: number): Promise<string> {
  const fh = await fs.promises.open(file, "r");
  try {
    const buf = Buffer.alloc(end - start);
    await fh.read(buf, 0, buf.length, start);
    return buf.toString("utf8");
  } finally {
    await fh.close();
  }
}

/** The side file of a mesh when the caller did not name it: `<mesh>.buildings.jsonl` and kin. */
export function guessBuildingsFile(meshPath: string): string | undefined {
  const stem = meshPath.replace(/\.[^./\\]+$/, "");
  const candidates = [`${stem}.buildings.jsonl`, `${meshPath}.buildings.jsonl`, `${stem}.buildings.ndjson`, `${stem}.buildings.json`];
  return candidates.find((c) => fs.existsSync(c));
}
