// Shapefile input (.shp with its .dbf attributes, .prj CRS and .cpg encoding beside it, or all of them in a .zip),
// read with the `shapefile` package: records streamed in order, each handed to the reader as GeoJSON. The CRS is
// the .prj's WKT (an EPSG code when it names one); without a .prj the reader's default applies (lon/lat, or
// sourceCrs). A record that cannot be decoded ends the read with a diagnostic naming it; the records before it
// are kept.
import fs from "fs";
import path from "path";
import type yauzl from "yauzl";
import { CityMeshError } from "../errors";
import { FileScanner, type SourceFeature } from "./scanner";

interface Parts { shp: string | Uint8Array; dbf?: string | Uint8Array; prj?: string; cpg?: string }

export class ShapefileScanner extends FileScanner {
  override readonly crsFrom = "the .prj";

  async *features(): AsyncGenerator<SourceFeature> {
    const parts = /\.zip$/i.test(this.path) ? await zipParts(this.path) : fileParts(this.path);
    if (parts.prj) this.members.crs = epsgOfWkt(parts.prj) ?? parts.prj.trim();
    // GDAL and ArcGIS write the .dbf's encoding into the .cpg; without one the dBASE default is Windows-1252.
    const encoding = parts.cpg?.trim() || "windows-1252";
    const { open } = await import("shapefile"); // loaded when a Shapefile is read
    let source;
    try {
      source = await open(parts.shp, parts.dbf, { encoding: /^(utf-?8|65001)$/i.test(encoding) ? "utf-8" : encoding });
    } catch (e) {
      throw new CityMeshError("input", `${this.path}: not a readable Shapefile (${(e as Error).message}).`, { path: this.path });
    }
    try {
      for (;;) {
        const r = await source.read();
        if (r.done) break;
        const p = r.value.properties;
        // dBASE date fields arrive as Date objects: as the date they are (YYYY-MM-DD), as GDAL reads them.
        for (const k in p) if (p[k] instanceof Date) p[k] = (p[k] as Date).toISOString().slice(0, 10);
        yield { index: this.featureCount++, value: r.value };
      }
    } catch (e) {
      this.diagnostics.push({
        file: this.path, featureIndex: this.featureCount, severity: "error", code: "invalid-record",
        message: `${this.path}: Shapefile record ${this.featureCount} cannot be read (${(e as Error).message}); the file is damaged or cut short, the rest is skipped.`,
      });
    }
    this.bytesRead = this.size;
  }
}

/** The .shp and what lies beside it with the same name (any case of extension). */
function fileParts(shp: string): Parts {
  const dir = path.dirname(shp), base = path.basename(shp).replace(/\.shp$/i, "");
  const names = fs.readdirSync(dir);
  const sibling = (ext: string) => { const n = names.find((x) => x.toLowerCase() === `${base}.${ext}`.toLowerCase()); return n ? path.join(dir, n) : undefined; };
  const prj = sibling("prj"), cpg = sibling("cpg");
  return { shp, dbf: sibling("dbf"), prj: prj ? fs.readFileSync(prj, "utf8") : undefined, cpg: cpg ? fs.readFileSync(cpg, "utf8") : undefined };
}

/** The one .shp in a zip (a zip with several is refused, naming them) and its companions, read into memory. */
async function zipParts(zipFile: string): Promise<Parts> {
  const { default: yauzl } = await import("yauzl");
  const files = new Map<string, Uint8Array>();
  await new Promise<void>((resolve, reject) => {
    yauzl.open(zipFile, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(new CityMeshError("input", `${zipFile}: not a readable zip (${err?.message}).`, { path: zipFile }));
      zip.on("error", (e: Error) => reject(new CityMeshError("input", `${zipFile}: the zip is damaged (${e.message}).`, { path: zipFile })));
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        if (!/\.(shp|dbf|prj|cpg)$/i.test(entry.fileName) || /(^|\/)(__MACOSX|\.)/.test(entry.fileName)) { zip.readEntry(); return; }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(new CityMeshError("input", `${zipFile}: ${entry.fileName} cannot be read from the zip (${e?.message}).`, { path: zipFile }));
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("error", (x: Error) => reject(new CityMeshError("input", `${zipFile}: ${entry.fileName} is damaged (${x.message}).`, { path: zipFile })));
          stream.on("end", () => { files.set(entry.fileName, new Uint8Array(Buffer.concat(chunks))); zip.readEntry(); });
        });
      });
      zip.readEntry();
    });
  });
  const shps = [...files.keys()].filter((n) => /\.shp$/i.test(n));
  if (shps.length !== 1) {
    throw new CityMeshError("input", shps.length ? `${zipFile} holds ${shps.length} Shapefiles (${shps.join(", ")}); unzip it and pick one .shp.` : `${zipFile} holds no .shp file.`, { path: zipFile });
  }
  const base = shps[0].replace(/\.shp$/i, "").toLowerCase();
  const part = (ext: string) => [...files].find(([n]) => n.toLowerCase() === `${base}.${ext}`)?.[1];
  const text = (b?: Uint8Array) => (b ? Buffer.from(b).toString("utf8") : undefined);
  return { shp: files.get(shps[0])!, dbf: part("dbf"), prj: text(part("prj")), cpg: text(part("cpg")) };
}

/** EPSG:N when the WKT ends with the CRS's own AUTHORITY["EPSG","N"] (or ID["EPSG",N] in WKT2). */
export function epsgOfWkt(wkt: string): string | undefined {
  const m = /(?:AUTHORITY\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*\]|ID\[\s*"EPSG"\s*,\s*(\d+)\s*\])\s*\]\s*$/i.exec(wkt.trim());
  return m ? `EPSG:${m[1] ?? m[2]}` : undefined;
}

export const isShapefile = (file: string): boolean => /\.shp$/i.test(file) || /\.zip$/i.test(file);
