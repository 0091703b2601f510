// CityJSONSeq (CityJSON Text Sequences, https://www.cityjson.org/cityjsonseq/): the first line is
// a CityJSON object with the transform and metadata and no objects, then one CityJSONFeature per
// line, each with its own vertices (integers under the first line's transform). One feature per
// building, then the terrain in features of TERRAIN_FEATURE_TRIANGLES ground triangles, so no
// line is large and a reader can stream the city.
import type { OutFile } from "../io";
import type { Spool } from "../spool";
import type { WriteMeta } from "../meta";
import type { BuildingRecords } from "./attributes";
import { forEachBatch, forEachFace, prismsOf, scanBuildings, SCALE, type PrismSet, type QuantizedPositions } from "./buildings";
import { TERRAIN_KEY, buildingObjects, cityJsonHeader, writeCityJsonFile } from "./common";

export const TERRAIN_FEATURE_TRIANGLES = 20_000;

/** A feature's vertex list: refs (spool vertex ≥ 0 or a prism's base vertex < 0) numbered locally. */
class LocalVertices {
  private readonly index = new Map<number, number>();
  readonly list: number[][] = [];
  constructor(private readonly pos: QuantizedPositions, private readonly set?: PrismSet) {}
  of = (r: number): number => {
    let i = this.index.get(r);
    if (i === undefined) {
      i = this.list.length;
      this.index.set(r, i);
      if (r >= 0) this.list.push([this.pos.q(r, 0), this.pos.q(r, 1), this.pos.q(r, 2)]);
      else { const e = this.set!.extra, k = 3 * (-1 - r); this.list.push([e[k], e[k + 1], e[k + 2]]); }
    }
    return i;
  };
}

export function writeCityJsonSeq(spool: Spool, out: string, meta: WriteMeta): number {
  return writeCityJsonFile(spool, out, meta, (o, pos, records) => writeSeq(o, spool, meta, pos, records));
}

function writeSeq(o: OutFile, spool: Spool, meta: WriteMeta, pos: QuantizedPositions, records: BuildingRecords): void {
  o.write(JSON.stringify({ ...cityJsonHeader(spool, meta), CityObjects: {}, vertices: [] }) + "\n");
  const scan = scanBuildings(spool, pos);
  forEachBatch(spool, scan, pos, (batch) => {
    const lines: string[] = [];
    for (let b = batch.b0; b < batch.b1; b++) {
      const set = prismsOf(batch, b, scan, pos);
      const { key, attributes } = records.next(b, set ? set.heightQ * SCALE : undefined);
      const local = new LocalVertices(pos, set);
      const objects = Object.fromEntries(buildingObjects(key, attributes, set, local.of));
      lines.push(JSON.stringify({ type: "CityJSONFeature", id: key, CityObjects: objects, vertices: local.list }));
      if (lines.length >= 1024) { o.write(lines.join("\n") + "\n"); lines.length = 0; }
    }
    if (lines.length) o.write(lines.join("\n") + "\n");
  });
  let chunk = 0, local = new LocalVertices(pos), tris: number[][][] = [];
  const flush = () => {
    const key = `${TERRAIN_KEY}-${++chunk}`;
    const tin = { type: "TINRelief", geometry: [{ type: "CompositeSurface", lod: "1", boundaries: tris }] };
    o.write(JSON.stringify({ type: "CityJSONFeature", id: key, CityObjects: { [key]: tin }, vertices: local.list }) + "\n");
    local = new LocalVertices(pos);
    tris = [];
  };
  forEachFace(spool, 0, (a, b, c) => {
    tris.push([[local.of(a), local.of(b), local.of(c)]]);
    if (tris.length === TERRAIN_FEATURE_TRIANGLES) flush();
  });
  if (tris.length) flush();
}
