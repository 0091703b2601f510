// CityJSON CityObjects → the GeoJSON building features the footprint reader takes (used by cityjson.ts for a
// whole CityJSON file and for each line of a CityJSONSeq). One Building is one feature: its key is the id, its
// attributes (flattened to scalars) the properties, and its footprint comes from, in order:
//   1. an LoD0 MultiSurface/CompositeSurface (3D BAG and CityGML 3.0 footprints; a LoD0 whose semantics name
//      only RoofSurfaces is a roof edge and is passed over);
//   2. the GroundSurface-semantic surfaces of its highest-LoD geometry that has any (Solid, MultiSolid,
//      CompositeSolid, MultiSurface, CompositeSurface);
//   3. else the lowest horizontal faces of its highest-LoD geometry (a LoD1 block without semantics).
// A Building with no geometry of its own that gives a footprint takes its BuildingParts' (3D BAG keeps every
// solid in a part "<id>-0"): each part's footprint by the same rules, together one MultiPolygon. Parts are not
// unioned: in 3D BAG and CityGML they do not overlap, so the union is the same area. A BuildingPart whose
// parent is not in the data is a building of its own. Every other CityObject type is counted and skipped.
//
// Heights, written as `properties.height` only when the object has no `height` attribute (a user's
// --height-attributes still names any attribute it wants; `height` is first among the defaults), with
// `citymesh:heightSource` saying where it came from: 3D BAG's b3_h_dak_70p − b3_h_maaiveld (older 3D BAG:
// h_dak_70p − h_maaiveld), else CityGML's measuredHeight, else the geometry: highest roof z − lowest ground z
// (RoofSurface / GroundSurface where the semantics say so, else the highest and lowest vertex) of the highest
// LoD (> 0) of the building and its parts. Rings lose z and are wound as the reader wants them (outer
// counter-clockwise, holes clockwise: CityJSON's ground faces point down, so they come clockwise).
import type { Diagnostic } from "../types";
import { ringArea } from "../geometry/rings";

/** x, y, z of every vertex after the transform; NaN for a vertex that is not three numbers. */
export type Vertices = Float64Array;

/**
 * Applies `transform` to the file's integer vertices. A decimal scale (0.001) with a translate of at most nine
 * decimals is applied as an exact integer sum divided by a power of ten, so each coordinate is the double
 * nearest the decimal the file encodes (the same double a GeoJSON with that decimal gives), not v·0.001 + t
 * with two roundings. Throws an Error with the reason when `vertices` is not an array.
 */
export function decodeVertices(raw: unknown, transform: unknown): Vertices {
  if (!Array.isArray(raw)) throw new Error(`"vertices" is ${raw === undefined ? "missing" : "not an array"}`);
  const t = transform as { scale?: unknown; translate?: unknown } | undefined;
  const axes = [0, 1, 2].map((k) => {
    const s = Array.isArray(t?.scale) ? Number(t!.scale[k]) : 1, o = Array.isArray(t?.translate) ? Number(t!.translate[k]) : 0;
    return axis(Number.isFinite(s) && s !== 0 ? s : 1, Number.isFinite(o) ? o : 0);
  });
  const xyz = new Float64Array(raw.length * 3);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i] as unknown[];
    const ok = Array.isArray(v) && v.length >= 3 && typeof v[0] === "number" && typeof v[1] === "number" && typeof v[2] === "number";
    for (let k = 0; k < 3; k++) xyz[3 * i + k] = ok ? axes[k](v[k] as number) : NaN;
  }
  return xyz;
}

function axis(scale: number, translate: number): (v: number) => number {
  for (let p = 1; p <= 1e9; p *= 10) {
    const s = Math.round(scale * p), o = Math.round(translate * p);
    if (s / p === scale && o / p === translate) return (v) => (Number.isSafeInteger(v * s + o) ? (v * s + o) / p : v * scale + translate);
  }
  return (v) => v * scale + translate;
}

/** What the conversion needs of its scanner: the decoded vertices, where to report, and the ordinal counter. */
export interface ObjectContext {
  file: string;
  xyz: Vertices;
  diagnostics: Diagnostic[];
  /** Skipped CityObjects by type, reported once per file. */
  skipped: Map<string, number>;
  /** The next building's ordinal (the scanner's featureCount++). */
  next(): number;
  /** Line of the CityJSONSeq record the objects are on. */
  line?: number;
}

export interface BuildingFeature {
  index: number;
  value: { type: "Feature"; id: string; properties: Record<string, unknown>; geometry: { type: "Polygon" | "MultiPolygon"; coordinates: number[][][] | number[][][][] } };
}

type Obj = { type?: unknown; attributes?: unknown; geometry?: unknown; children?: unknown; parents?: unknown };
interface Surface { rings: number[][]; sem?: string }
interface Geom { type: string; lod: number; surfaces: Surface[] }

const SURFACE_TYPES = new Set(["MultiSurface", "CompositeSurface"]);
const VOLUME_TYPES = new Set(["Solid", "MultiSolid", "CompositeSolid", ...SURFACE_TYPES]);

/** Yields one feature per Building (or orphan BuildingPart) of `objects`; problems go to ctx.diagnostics. */
export function* buildingFeatures(objects: unknown, ctx: ObjectContext): Generator<BuildingFeature> {
  if (!objects || typeof objects !== "object" || Array.isArray(objects)) return;
  const all = objects as Record<string, Obj>;
  for (const [id, o] of Object.entries(all)) {
    const type = o && typeof o === "object" && typeof o.type === "string" ? o.type : "(no type)";
    const orphanPart = type === "BuildingPart" && !(Array.isArray(o.parents) && o.parents.some((p) => typeof p === "string" && all[p]));
    if (type !== "Building" && !orphanPart) {
      if (type !== "BuildingPart") ctx.skipped.set(type, (ctx.skipped.get(type) ?? 0) + 1);
      continue;
    }
    const index = ctx.next();
    const report = (code: string, message: string) => ctx.diagnostics.push({
      file: ctx.file, featureIndex: index, featureId: id, pointer: `/CityObjects/${id.replace(/~/g, "~0").replace(/\//g, "~1")}`,
      ...(ctx.line !== undefined ? { line: ctx.line, column: 1 } : {}), severity: "error", code, message: `${type} "${id}": ${message}; skipped.`,
    });
    try {
      const b = building(id, o, all, ctx.xyz);
      if (!b.polygons.length) { report("no-footprint", b.why); continue; }
      const properties = flatten(o.attributes);
      if (properties.height === undefined || properties.height === null || properties.height === "") {
        const h = attributeHeight(properties) ?? (b.zTop > b.zBottom ? { value: b.zTop - b.zBottom, source: `geometry (LoD ${b.lod}: highest roof z − lowest ground z)` } : undefined);
        if (h) { properties.height = Math.round(h.value * 1000) / 1000; properties["citymesh:heightSource"] = h.source; }
      }
      const coordinates = b.polygons.length === 1 ? b.polygons[0] : b.polygons;
      yield { index, value: { type: "Feature", id, properties, geometry: { type: b.polygons.length === 1 ? "Polygon" : "MultiPolygon", coordinates } as BuildingFeature["value"]["geometry"] } };
    } catch (e) {
      report("invalid-cityobject", (e as Error).message);
    }
  }
}

/** The footprint polygons and height range of a Building with its parts, or why there is none. */
function building(id: string, o: Obj, all: Record<string, Obj>, xyz: Vertices): { polygons: number[][][][]; why: string; zTop: number; zBottom: number; lod: number } {
  const own = footprint(geometries(o.geometry), xyz);
  const range = { zTop: -Infinity, zBottom: Infinity, lod: -1 };
  const parts: Obj[] = [];
  const seen = new Set([id]);
  const collect = (x: Obj) => {
    for (const c of Array.isArray(x.children) ? x.children : []) {
      const p = typeof c === "string" && !seen.has(c) ? all[c] : undefined;
      if (p?.type === "BuildingPart") { seen.add(c as string); parts.push(p); collect(p); }
    }
  };
  collect(o);
  let polygons = own.polygons, why = own.why;
  const extend = (f: Footprint) => { if (f.lod > 0) { range.zTop = Math.max(range.zTop, f.zTop); range.zBottom = Math.min(range.zBottom, f.zBottom); range.lod = Math.max(range.lod, f.lod); } };
  extend(own);
  const partPrints = parts.map((p) => footprint(geometries(p.geometry), xyz));
  partPrints.forEach(extend);
  if (!polygons.length && parts.length) {
    polygons = partPrints.flatMap((f) => f.polygons);
    if (!polygons.length) why = `neither it nor its ${parts.length} BuildingPart(s) have a footprint (${partPrints.map((f) => f.why).join("; ")})`;
  }
  return { polygons, why, ...range };
}

interface Footprint { polygons: number[][][][]; why: string; zTop: number; zBottom: number; lod: number }

function footprint(geoms: Geom[] | string, xyz: Vertices): Footprint {
  const none = (why: string): Footprint => ({ polygons: [], why, zTop: -Infinity, zBottom: Infinity, lod: -1 });
  if (typeof geoms === "string") return none(geoms);
  const volumes = geoms.filter((g) => g.lod > 0).sort((a, b) => b.lod - a.lod);
  // Height range: the highest LoD's roof and ground (where the semantics name them) or its extreme vertices.
  let zTop = -Infinity, zBottom = Infinity;
  if (volumes.length) {
    const g = volumes[0], roofs = g.surfaces.filter((s) => s.sem === "RoofSurface"), grounds = g.surfaces.filter((s) => s.sem === "GroundSurface");
    zTop = zExtent(roofs.length ? roofs : g.surfaces, xyz)[1];
    zBottom = zExtent(grounds.length ? grounds : g.surfaces, xyz)[0];
  }
  const lod = volumes.length ? volumes[0].lod : -1;
  const result = (surfaces: Surface[]): Footprint => ({ polygons: surfaces.map((s) => polygon(s, xyz)), why: "", zTop, zBottom, lod });
  for (const g of geoms) {
    if (g.lod !== 0 || !SURFACE_TYPES.has(g.type) || !g.surfaces.length) continue;
    const grounds = g.surfaces.filter((s) => s.sem === "GroundSurface");
    if (grounds.length) return result(grounds);
    if (!g.surfaces.some((s) => s.sem === "RoofSurface")) return result(g.surfaces);
  }
  for (const g of volumes) {
    const grounds = g.surfaces.filter((s) => s.sem === "GroundSurface");
    if (grounds.length) return result(grounds);
  }
  if (volumes.length) {
    const lowest = lowestHorizontal(volumes[0].surfaces, xyz);
    if (lowest.length) return result(lowest);
    return none(`its LoD ${volumes[0].lod} ${volumes[0].type} has no GroundSurface and no horizontal face at its lowest z`);
  }
  return none(geoms.length ? `it has no LoD0 footprint and no Solid or MultiSurface (only ${[...new Set(geoms.map((g) => `${g.type} LoD ${g.lod}`))].join(", ")})` : "it has no geometry");
}

/** The surfaces of `geometry` (an object's geometry array), or why none can be read. Templates (GeometryInstance) and points/lines are passed over. */
function geometries(geometry: unknown): Geom[] | string {
  if (!Array.isArray(geometry) || geometry.length === 0) return "it has no geometry";
  const out: Geom[] = [];
  const other: string[] = [];
  geometry.forEach((g, gi) => {
    const type = g && typeof g === "object" ? (g as { type?: unknown }).type : undefined;
    if (typeof type !== "string" || !VOLUME_TYPES.has(type)) { other.push(String(type)); return; }
    const lod = Number((g as { lod?: unknown }).lod);
    const b = (g as { boundaries?: unknown }).boundaries;
    const sem = (g as { semantics?: { surfaces?: unknown; values?: unknown } }).semantics;
    const semTypes = Array.isArray(sem?.surfaces) ? sem!.surfaces.map((s) => (s && typeof s === "object" ? (s as { type?: unknown }).type : undefined)) : [];
    const where = `geometry ${gi} (${type}, LoD ${(g as { lod?: unknown }).lod})`;
    const depth = SURFACE_TYPES.has(type) ? 0 : type === "Solid" ? 1 : 2; // array levels above the surfaces
    const surfaces: Surface[] = [];
    const walk = (node: unknown, values: unknown, level: number) => {
      if (!Array.isArray(node)) throw new Error(`${where}: its boundaries are not nested arrays as a ${type}'s are`);
      node.forEach((child, i) => {
        const v = Array.isArray(values) ? values[i] : undefined;
        if (level < depth) { walk(child, v, level + 1); return; }
        if (!Array.isArray(child) || !child.every((r) => Array.isArray(r) && r.every((k) => Number.isInteger(k) && k >= 0))) {
          throw new Error(`${where}: surface ${surfaces.length} is not a list of rings of vertex indices`);
        }
        surfaces.push({ rings: child as number[][], sem: typeof v === "number" && typeof semTypes[v] === "string" ? (semTypes[v] as string) : undefined });
      });
    };
    walk(b, sem?.values, 0);
    out.push({ type, lod: Number.isFinite(lod) ? lod : 0, surfaces });
  });
  if (!out.length) return `its geometry is ${[...new Set(other)].join(", ")}${other.includes("GeometryInstance") ? " (templates are not read)" : ""}, no surfaces`;
  return out;
}

/** [exterior, interior…] vertex-index rings → GeoJSON rings (closed, z dropped), outer counter-clockwise, holes clockwise. */
function polygon(s: Surface, xyz: Vertices): number[][][] {
  return s.rings.map((ring, k) => {
    const flat = new Float64Array(ring.length * 2);
    ring.forEach((v, i) => {
      if (3 * v + 2 >= xyz.length) throw new Error(`vertex index ${v} is out of range (the file has ${xyz.length / 3} vertices)`);
      if (Number.isNaN(xyz[3 * v])) throw new Error(`vertex ${v} is not three numbers`);
      flat[2 * i] = xyz[3 * v];
      flat[2 * i + 1] = xyz[3 * v + 1];
    });
    const pts: number[][] = ring.map((_, i) => [flat[2 * i], flat[2 * i + 1]]);
    const area = ring.length >= 3 ? ringArea(flat) : 0;
    if (k === 0 ? area < 0 : area > 0) pts.reverse();
    if (pts.length) pts.push(pts[0].slice());
    return pts;
  });
}

function zExtent(surfaces: Surface[], xyz: Vertices): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const s of surfaces) for (const r of s.rings) for (const v of r) {
    const z = xyz[3 * v + 2];
    if (z < lo) lo = z;
    if (z > hi) hi = z;
  }
  return [lo, hi];
}

/** Surfaces whose exterior ring is flat (within 1 cm) at the geometry's lowest z (within 1 cm). */
function lowestHorizontal(surfaces: Surface[], xyz: Vertices): Surface[] {
  const [lo] = zExtent(surfaces, xyz);
  return surfaces.filter((s) => {
    if (!s.rings.length) return false;
    const [a, b] = zExtent([{ rings: [s.rings[0]] }], xyz);
    return b - a <= 0.01 && a - lo <= 0.01;
  });
}

/** 3D BAG's and CityGML's height attributes, in that order; undefined when none gives a positive height. */
function attributeHeight(p: Record<string, unknown>): { value: number; source: string } | undefined {
  for (const [roof, ground] of [["b3_h_dak_70p", "b3_h_maaiveld"], ["h_dak_70p", "h_maaiveld"]]) {
    const r = p[roof], g = p[ground];
    if (typeof r === "number" && typeof g === "number" && r - g > 0) return { value: r - g, source: `${roof} − ${ground}` };
  }
  const m = p.measuredHeight;
  if (typeof m === "number" && m > 0) return { value: m, source: "measuredHeight" };
  return undefined;
}

/** Attributes as GeoJSON properties: scalars kept, nested objects flattened to "a.b" keys, arrays as JSON text. */
function flatten(attributes: unknown, prefix = "", out: Record<string, unknown> = {}, depth = 0): Record<string, unknown> {
  if (!attributes || typeof attributes !== "object" || Array.isArray(attributes)) return out;
  for (const [k, v] of Object.entries(attributes)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v) && depth < 8) flatten(v, `${prefix}${k}.`, out, depth + 1);
    else out[prefix + k] = v !== null && typeof v === "object" ? JSON.stringify(v) : v;
  }
  return out;
}
