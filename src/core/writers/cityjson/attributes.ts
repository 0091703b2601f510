// Buildings' CityJSON ids and attributes from the buildings side file (JSON lines {b, f, id,
// properties} in mesh building order; see buildingsFile.ts). Read synchronously, line by line,
// alongside the buildings being written: one line in memory at a time, plus the set of ids.
import fs from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { CityMeshError } from "../../errors";

export interface SideRecord {
  b: number;
  f?: number;
  id?: string | number | null;
  properties?: Record<string, unknown> | null;
}

/** Lines of a text file, read synchronously in chunks. */
export class LineReader {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(1 << 20);
  private readonly dec = new StringDecoder("utf8");
  private text = "";
  private at = 0;
  private done = false;
  lineNo = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, "r");
  }

  next(): string | undefined {
    for (;;) {
      const nl = this.text.indexOf("\n", this.at);
      if (nl >= 0) {
        const line = this.text.slice(this.at, nl);
        this.at = nl + 1;
        this.lineNo++;
        return line;
      }
      if (this.done) {
        if (this.at >= this.text.length) return undefined;
        const line = this.text.slice(this.at);
        this.at = this.text.length;
        this.lineNo++;
        return line;
      }
      const n = fs.readSync(this.fd, this.buf, 0, this.buf.length, null);
      this.text = this.text.slice(this.at) + (n > 0 ? this.dec.write(this.buf.subarray(0, n)) : this.dec.end());
      this.at = 0;
      if (n === 0) this.done = true;
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function parseLine(file: string, r: LineReader, line: string): SideRecord {
  try {
    const rec = JSON.parse(line) as SideRecord;
    if (typeof rec?.b !== "number") throw new Error("no building number b");
    return rec;
  } catch (e) {
    throw new CityMeshError("output", `${file} line ${r.lineNo}: not a buildings record (${(e as Error).message})`, { file });
  }
}

/**
 * CityObject keys and attributes per building, in building order. The key is the feature's id
 * when present and unique in the city, else `building-<b>` (made unique if some id is that).
 */
export class BuildingRecords {
  private readonly ids = new Map<string, number>();
  private reader?: LineReader;
  private pending?: SideRecord;

  constructor(private readonly file?: string) {
    if (!file || !fs.existsSync(file)) return;
    // A first pass for the ids only: whether an id is unique decides its key.
    const r = new LineReader(file);
    try {
      for (let line = r.next(); line !== undefined; line = r.next()) {
        if (!line) continue;
        const { id } = parseLine(file, r, line);
        if (id === undefined || id === null || id === "") continue;
        const k = String(id);
        this.ids.set(k, (this.ids.get(k) ?? 0) + 1);
      }
    } finally {
      r.close();
    }
    this.reader = new LineReader(file);
  }

  /** The record of building b (calls must come in increasing b), or undefined when the side file has none. */
  private record(b: number): SideRecord | undefined {
    while (this.reader && (!this.pending || this.pending.b < b)) {
      const line = this.reader.next();
      if (line === undefined) { this.pending = undefined; break; }
      if (line) this.pending = parseLine(this.file!, this.reader, line);
    }
    return this.pending && this.pending.b === b ? this.pending : undefined;
  }

  /** Key and attributes (the feature's properties, its id and measuredHeight in m) of building b. */
  next(b: number, measuredHeight: number | undefined): { key: string; attributes: Record<string, unknown> } {
    const rec = this.record(b);
    const id = rec?.id === undefined || rec.id === null || rec.id === "" ? undefined : String(rec.id);
    let key = id !== undefined && this.ids.get(id) === 1 ? id : `building-${b}`;
    // Fallback keys differ from each other by b; only an id can take one.
    if (key !== id) while (this.ids.has(key)) key += "_";
    const props = rec?.properties && typeof rec.properties === "object" && !Array.isArray(rec.properties) ? rec.properties : {};
    const attributes: Record<string, unknown> = { ...props };
    if (id !== undefined && key !== id) attributes.featureId = rec!.id;
    if (measuredHeight !== undefined) attributes.measuredHeight = measuredHeight;
    return { key, attributes };
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }
}
