// FlatGeobuf input, read with the format's own library (`flatgeobuf`): features streamed from the file in order,
// each handed to the reader as GeoJSON, the CRS from the header (EPSG code, else its WKT). A file cut short or
// damaged mid-way keeps the features before the damage and reports where it stopped.
import fs from "fs";
import { Readable } from "stream";
import type { HeaderMeta } from "flatgeobuf/lib/mjs/header-meta.js";
import { FileScanner, readHead, type SourceFeature } from "./scanner";

export class FlatGeobufScanner extends FileScanner {
  override readonly crsFrom = "the FlatGeobuf header";

  async *features(): AsyncGenerator<SourceFeature> {
    // Loaded when a FlatGeobuf is read: the planner and every tile worker load this bundle, most never need it.
    // Before the stream is opened: its 'data' listener starts the flow, which must go straight into deserialize.
    const { deserialize } = await import("flatgeobuf/lib/mjs/geojson.js");
    const file = fs.createReadStream(this.path, { highWaterMark: 1 << 20 });
    file.on("data", (chunk) => { this.bytesRead += chunk.length; });
    const headerMetaFn = (h: HeaderMeta) => {
      const c = h.crs;
      if (c && c.code > 0 && (!c.org || c.org.toUpperCase() === "EPSG")) this.members.crs = `EPSG:${c.code}`;
      else if (c?.wkt) this.members.crs = c.wkt;
    };
    try {
      for await (const f of deserialize(Readable.toWeb(file) as ReadableStream, { headerMetaFn })) {
        // FlatGeobuf has no feature ids: the library numbers features itself, which is not the data's.
        delete (f as { id?: unknown }).id;
        yield { index: this.featureCount++, value: f };
      }
    } catch (e) {
      // The library stops at the first record it cannot decode: what came before is kept.
      const what = this.featureCount === 0 ? "the file's header or first feature" : `feature ${this.featureCount} (after ${this.featureCount} good ones)`;
      this.diagnostics.push({
        file: this.path, featureIndex: this.featureCount === 0 ? -1 : this.featureCount, severity: "error", code: "invalid-record",
        message: `${this.path}: FlatGeobuf ${what} cannot be read (${(e as Error).message}); the file is damaged or cut short, the rest is skipped.`,
      });
    } finally {
      file.destroy();
    }
  }
}

/** A FlatGeobuf file starts with "fgb" and a version byte 3. */
const FGB_MAGIC = Buffer.from([0x66, 0x67, 0x62, 0x03]);

export function isFlatGeobuf(file: string): boolean {
  return /\.fgb$/i.test(file) || readHead(file, 4).equals(FGB_MAGIC);
}
