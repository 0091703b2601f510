// Which bundled EPSG code a WKT definition without an EPSG authority is, as GDAL's identification does for an
// ESRI .prj (`PROJCS["RD_New", …]` names no code). Without it such a file builds in a CRS called "custom" with no
// datum shift (proj4 reads ESRI's datum names without TOWGS84), and nothing downstream can say where it is.
//
// proj4js has no identification and no EPSG database, and WKT dialects (ESRI, OGC 1, WKT2) name projections and
// parameters differently, so definitions are compared by what they compute: the ellipsoid, the unit, and the
// projected coordinates of a few points around the projection's centre, each on its own datum (no datum shift:
// that is compared only when the WKT spells one out in TOWGS84; proj4js also fills shifts in from datum names, and
// its table and EPSG's disagree, e.g. for Belge 1972). A WKT that matches bundled codes that differ only in their
// datum, and spells out none, is ambiguous and stays unidentified.
import proj4 from "proj4";

/** What proj4js makes of a definition (the fields read here). */
interface ParsedProj {
  a: number;
  b?: number;
  rf?: number;
  to_meter?: number;
  from_greenwich?: number;
  long0?: number;
  lat0?: number;
  lat1?: number;
  lat2?: number;
  datum?: { datum_type: number; datum_params?: number[] };
  projName?: string;
  forward(p: { x: number; y: number }): { x: number; y: number } | null;
}

const PJD_3PARAM = 1, PJD_7PARAM = 2, PJD_WGS84 = 4;
/**
 * Projected coordinates must agree this closely (metres) at every test point. Not a millimetre: ESRI writes some
 * projections as a near relative (Swiss LV95 as Hotine oblique Mercator, 0.13 m from EPSG's method at the centre),
 * while two different grids differ by kilometres.
 */
const MATCH_M = 0.5;

/** Results per candidate table (the bundled one in practice) and WKT: a file's CRS is resolved several times. */
const cache = new WeakMap<(code: number) => string | undefined, Map<string, number | undefined>>();

/** The bundled code `wkt` is (one of `codes` with `defOf(code)`), or undefined when none or several datums match. */
export function identifyWkt(wkt: string, codes: number[], defOf: (code: number) => string | undefined): number | undefined {
  let known = cache.get(defOf);
  if (!known) cache.set(defOf, (known = new Map()));
  const key = `${codes.join(",")}\n${wkt}`;
  if (known.has(key)) return known.get(key);
  let found: number | undefined;
  try {
    found = identify(wkt, proj4.Proj(wkt) as unknown as ParsedProj, codes, defOf);
  } catch {
    found = undefined; // proj4 cannot read it: resolveCrs reports that
  }
  known.set(key, found);
  return found;
}

function identify(wkt: string, w: ParsedProj, codes: number[], defOf: (code: number) => string | undefined): number | undefined {
  const ownShift = /TOWGS84\s*\[/i.test(wkt) || w.datum?.datum_type === PJD_WGS84;
  if (w.projName === "identity") return undefined;
  const geographic = w.projName === "longlat";
  const points = testPoints(w);
  const wx = points.map((p) => w.forward({ ...p }));  // geographic: the identity, compared by ellipsoid and datum only
  if (wx.some((p) => !p || !Number.isFinite(p.x) || !Number.isFinite(p.y))) return undefined;
  const matches: { code: number; datum: string }[] = [];
  for (const code of codes) {
    const def = defOf(code);
    if (!def) continue;
    const c = proj4.Proj(def) as unknown as ParsedProj;
    if ((c.projName === "longlat") !== geographic || !sameEllipsoid(w, c)) continue;
    if (Math.abs((w.from_greenwich ?? 0) - (c.from_greenwich ?? 0)) > 1e-12) continue; // a Paris or Ferro prime meridian
    if (!geographic && (w.to_meter ?? 1) !== (c.to_meter ?? 1)) continue; // a geographic WKT's to_meter is per degree
    const ok = geographic || points.every((p, i) => {
      const q = c.forward({ ...p });
      return !!q && Math.abs(q.x - wx[i]!.x) <= MATCH_M && Math.abs(q.y - wx[i]!.y) <= MATCH_M;
    });
    if (ok && (!ownShift || datumKey(w) === datumKey(c))) matches.push({ code, datum: datumKey(c) });
  }
  if (!matches.length) return undefined;
  // Bundled codes that differ only in their datum shift, and the WKT does not say which: ambiguous.
  if (new Set(matches.map((m) => m.datum)).size > 1 && !ownShift) return undefined;
  return matches[0]!.code;
}

/** Geographic points (radians) around the projection's centre: the standard parallels' middle where it has them. */
function testPoints(w: ParsedProj): { x: number; y: number }[] {
  const lon = w.long0 ?? 0;
  const latC = w.lat1 !== undefined && w.lat2 !== undefined ? (w.lat1 + w.lat2) / 2 : w.lat0 ?? 0;
  const lat = Math.max(-1.3, Math.min(1.3, latC)); // ±75°: away from the poles, where some projections are singular
  const d = 0.005; // ~30 km
  return [[0, 0], [d, d], [-d, d], [d, -d], [-d, -d]].map(([dx, dy]) => ({ x: lon + dx!, y: lat + dy! }));
}

/** Semi-major and semi-minor axes within a millimetre (GRS 80 and WGS 84 differ by 0.1 mm in b: told apart by rf). */
function sameEllipsoid(p: ParsedProj, q: ParsedProj): boolean {
  const bp = p.b ?? (p.rf ? p.a - p.a / p.rf : p.a), bq = q.b ?? (q.rf ? q.a - q.a / q.rf : q.a);
  if (Math.abs(p.a - q.a) > 1e-3 || Math.abs(bp - bq) > 1e-3) return false;
  return !(p.rf && q.rf) || Math.abs(p.rf - q.rf) < 1e-8;
}

function datumKey(p: ParsedProj): string {
  const t = p.datum?.datum_type;
  const params = t === PJD_3PARAM || t === PJD_7PARAM ? p.datum!.datum_params ?? [] : [];
  // A zero shift is WGS 84 (ETRS89, GDA, … with +towgs84=0).
  if (t === PJD_WGS84 || (params.length && params.every((v, i) => v === (i === 6 ? 1 : 0)))) return "wgs84";
  return params.length ? params.map((v) => v.toPrecision(6)).join(",") : "none";
}
