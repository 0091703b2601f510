// What the CityJSON document and the CityJSONSeq writer share: the header (transform, metadata)
// and a building's CityObjects.
import type { Spool } from "../spool";
import type { WriteMeta } from "../meta";
import { writeAtomically, type OutFile } from "../io";
import { BuildingRecords } from "./attributes";
import { QuantizedPositions, SCALE, SEMANTIC_SURFACES, quantize, type PrismSet, type VertexRef } from "./buildings";

export const CITYJSON_VERSION = "2.0";

/**
 * Writes `out` atomically through `body`, with what both forms read beside the spool: its positions in millimetres
 * and the buildings' ids and attributes (closed afterwards, whether the write succeeded or not). Returns the size.
 */
export function writeCityJsonFile(spool: Spool, out: string, meta: WriteMeta, body: (o: OutFile, pos: QuantizedPositions, records: BuildingRecords) => void): number {
  const pos = new QuantizedPositions(spool);
  const records = new BuildingRecords(meta.buildingsFile);
  try {
    return writeAtomically(out, (o) => body(o, pos, records));
  } finally {
    pos.close();
    records.close();
  }
}

/** OGC URL of an EPSG CRS ("EPSG:32631"); undefined for a custom (proj4/WKT) one, which CityJSON cannot name. */
export function referenceSystemOf(crsName: string): string | undefined {
  const m = /^EPSG:(\d+)$/i.exec(crsName.trim());
  return m ? `https://www.opengis.net/def/crs/EPSG/0/${m[1]}` : undefined;
}

/** The root members before CityObjects: type, version, transform (mm from the mesh's origin) and metadata. */
export function cityJsonHeader(spool: Spool, meta: WriteMeta): Record<string, unknown> {
  const { crs } = meta;
  const [ox, oy] = crs.origin;
  const referenceSystem = referenceSystemOf(crs.name);
  const metadata: Record<string, unknown> = {
    // A custom CRS has no OGC URL: its proj4 definition goes into the title, the one free text.
    title: referenceSystem ? "citymesh LoD1 city model" : `citymesh LoD1 city model; CRS: ${crs.proj4}`,
    ...(referenceSystem ? { referenceSystem } : {}),
  };
  if (totalFaces(spool) > 0) {
    // In CRS units, as a reader gets them from the integer vertices.
    const c = (v: number, k: number) => quantize(v) * SCALE + (k === 0 ? ox : k === 1 ? oy : 0);
    metadata.geographicalExtent = [c(spool.min[0], 0), c(spool.min[1], 1), c(spool.min[2], 2), c(spool.max[0], 0), c(spool.max[1], 1), c(spool.max[2], 2)];
  }
  return {
    type: "CityJSON",
    version: CITYJSON_VERSION,
    transform: { scale: [SCALE, SCALE, SCALE], translate: [ox, oy, 0] },
    metadata,
  };
}

const totalFaces = (s: Spool): number => s.triangles[0] + s.triangles[1] + s.triangles[2];

/**
 * A building's CityObjects as [key, object] pairs: one Building with an LoD1 Solid (a MultiSurface
 * when pinched, see Prism), or, when its
 * roof has several separate parts, a Building holding the attributes with one BuildingPart per
 * part (a Solid has one connected shell). Without a solid, the Building has attributes only.
 */
export function buildingObjects(key: string, attributes: Record<string, unknown>, set: PrismSet | undefined, resolve: (r: VertexRef) => number): [string, Record<string, unknown>][] {
  if (!set) return [[key, { type: "Building", attributes }]];
  const solids = set.prisms.map((p) =>
    p.pinched
      ? { type: "MultiSurface", lod: "1", boundaries: p.surfaces.map((ring) => [ring.map(resolve)]), semantics: { surfaces: SEMANTIC_SURFACES, values: p.values } }
      : { type: "Solid", lod: "1", boundaries: [p.surfaces.map((ring) => [ring.map(resolve)])], semantics: { surfaces: SEMANTIC_SURFACES, values: [p.values] } },
  );
  if (solids.length === 1) return [[key, { type: "Building", attributes, geometry: solids }]];
  const parts = solids.map((s, j): [string, Record<string, unknown>] => [`${key}-part-${j + 1}`, { type: "BuildingPart", parents: [key], geometry: [s] }]);
  return [[key, { type: "Building", attributes, children: parts.map(([k]) => k) }], ...parts];
}

/** `"key":{…}` for a CityObjects member. */
export const member = ([key, obj]: [string, unknown]): string => `${JSON.stringify(key)}:${JSON.stringify(obj)}`;

/** The terrain's key in a document; CityJSONSeq features add `-<chunk>`. */
export const TERRAIN_KEY = "citymesh-terrain";
