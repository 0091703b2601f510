// Coordinate reference systems: naming, bundled proj4 definitions (no network lookups ever),
// choice of the metric CRS of a build, and the local origin.
//
// Rules: RFC 7946 input (lon/lat, no `crs` member) is projected to the UTM zone of the data's
// centre unless `options.crs` names a CRS. A legacy `crs` member is honoured; projected input
// stays in its CRS unless a target is requested. `options.crs` may be an EPSG name or a raw
// proj4 (or WKT) string for codes we do not bundle.
import proj4 from "proj4";
import type { CrsInfo } from "./types";
import { CityMeshError } from "./errors";
import { identifyWkt } from "./crsIdentify";

export interface ResolvedCrs {
  /** "EPSG:28992", "EPSG:4326", or "custom" for a raw proj4 string or a WKT that is none of the bundled codes. */
  name: string;
  /** proj4 definition (or WKT) that proj4js understands. */
  proj4: string;
  /** Coordinates are lon/lat degrees. */
  geographic: boolean;
}

const TOWGS0 = "+towgs84=0,0,0,0,0,0,0";
const utm = (zone: number, south: boolean, datum: string) => `+proj=utm +zone=${zone}${south ? " +south" : ""} ${datum} +units=m +no_defs`;

// Hand-picked national grids (definitions as published by EPSG / epsg.io).
const FIXED: Record<number, string> = {
  4326: "+proj=longlat +datum=WGS84 +no_defs",
  4258: `+proj=longlat +ellps=GRS80 ${TOWGS0} +no_defs`,
  4269: "+proj=longlat +datum=NAD83 +no_defs",
  3857: "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs",
  3395: "+proj=merc +lon_0=0 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs",
  // Netherlands: Amersfoort / RD New
  28992: "+proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +towgs84=565.4171,50.3319,465.5524,1.9342,-1.6677,9.1019,4.0725 +units=m +no_defs",
  // Belgium: Belgian Lambert 72
  31370: "+proj=lcc +lat_0=90 +lon_0=4.36748666666667 +lat_1=51.1666672333333 +lat_2=49.8333339 +x_0=150000.013 +y_0=5400088.438 +ellps=intl +towgs84=-106.8686,52.2978,-103.7239,0.3366,-0.457,1.8422,-1.2747 +units=m +no_defs",
  // France: RGF93 / Lambert-93
  2154: `+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 +ellps=GRS80 ${TOWGS0} +units=m +no_defs`,
  // Great Britain: OSGB36 / British National Grid
  27700: "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs",
  // Sweden: SWEREF99 TM
  3006: `+proj=utm +zone=33 +ellps=GRS80 ${TOWGS0} +units=m +no_defs`,
  // Germany: DHDN / 3-degree Gauss-Kruger zones 2-5
  31466: "+proj=tmerc +lat_0=0 +lon_0=6 +k=1 +x_0=2500000 +y_0=0 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs",
  31467: "+proj=tmerc +lat_0=0 +lon_0=9 +k=1 +x_0=3500000 +y_0=0 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs",
  31468: "+proj=tmerc +lat_0=0 +lon_0=12 +k=1 +x_0=4500000 +y_0=0 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs",
  31469: "+proj=tmerc +lat_0=0 +lon_0=15 +k=1 +x_0=5500000 +y_0=0 +ellps=bessel +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs",
  // Switzerland: CH1903+ / LV95 and CH1903 / LV03
  2056: "+proj=somerc +lat_0=46.9524055555556 +lon_0=7.43958333333333 +k_0=1 +x_0=2600000 +y_0=1200000 +ellps=bessel +towgs84=674.374,15.056,405.346,0,0,0,0 +units=m +no_defs",
  21781: "+proj=somerc +lat_0=46.9524055555556 +lon_0=7.43958333333333 +k_0=1 +x_0=600000 +y_0=200000 +ellps=bessel +towgs84=674.4,15.1,405.3,0,0,0,0 +units=m +no_defs",
  // Finland: ETRS89 / TM35FIN and GK25 (Helsinki)
  3067: `+proj=utm +zone=35 +ellps=GRS80 ${TOWGS0} +units=m +no_defs`,
  3879: `+proj=tmerc +lat_0=0 +lon_0=25 +k=1 +x_0=25500000 +y_0=0 +ellps=GRS80 ${TOWGS0} +units=m +no_defs`,
  // Czechia / Slovakia: S-JTSK / Krovak East North
  5514: "+proj=krovak +lat_0=49.5 +lon_0=24.8333333333333 +alpha=30.2881397527778 +k=0.9999 +x_0=0 +y_0=0 +ellps=bessel +towgs84=589,76,480,0,0,0,0 +units=m +no_defs",
  // Poland: ETRS89 / Poland CS92
  2180: `+proj=tmerc +lat_0=0 +lon_0=19 +k=0.9993 +x_0=500000 +y_0=-5300000 +ellps=GRS80 ${TOWGS0} +units=m +no_defs`,
  // Europe: ETRS89 / LAEA
  3035: `+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 ${TOWGS0} +units=m +no_defs`,
  // New Zealand: NZGD2000 / NZTM 2000
  2193: `+proj=tmerc +lat_0=0 +lon_0=173 +k=0.9996 +x_0=1600000 +y_0=10000000 +ellps=GRS80 ${TOWGS0} +units=m +no_defs`,
  // Singapore: SVY21
  3414: "+proj=tmerc +lat_0=1.36666666666667 +lon_0=103.833333333333 +k=1 +x_0=28001.642 +y_0=38744.572 +ellps=WGS84 +units=m +no_defs",
};

/** Compound CRSs (horizontal + height) met in city data, and their horizontal part, which footprints are in. */
export const COMPOUND_CRS: Record<number, { horizontal: number; name: string }> = {
  7415: { horizontal: 28992, name: "Amersfoort / RD New + NAP height" },
  5555: { horizontal: 25832, name: "ETRS89 / UTM zone 32N + DHHN92 height" },
  5556: { horizontal: 25833, name: "ETRS89 / UTM zone 33N + DHHN92 height" },
  7405: { horizontal: 27700, name: "OSGB36 / British National Grid + ODN height" },
};

/** Compound or alias codes that map to a bundled horizontal CRS. */
const ALIAS: Record<number, number> = {
  ...Object.fromEntries(Object.entries(COMPOUND_CRS).map(([code, c]) => [code, c.horizontal])),
  900913: 3857,
  3785: 3857,
  102100: 3857,
  4979: 4326,
};

/** proj4 definition of a bundled EPSG code, or undefined. */
export function epsgProj4(code: number): string | undefined {
  code = ALIAS[code] ?? code;
  if (FIXED[code]) return FIXED[code];
  // Generated families of transverse Mercator zones.
  if (code >= 32601 && code <= 32660) return utm(code - 32600, false, "+datum=WGS84");
  if (code >= 32701 && code <= 32760) return utm(code - 32700, true, "+datum=WGS84");
  if (code >= 25828 && code <= 25838) return utm(code - 25800, false, `+ellps=GRS80 ${TOWGS0}`); // ETRS89 / UTM
  if (code >= 26901 && code <= 26923) return utm(code - 26900, false, "+datum=NAD83"); // NAD83 / UTM
  if (code >= 28348 && code <= 28358) return utm(code - 28300, true, `+ellps=GRS80 ${TOWGS0}`); // GDA94 / MGA
  if (code >= 7846 && code <= 7859) return utm(code - 7800, true, `+ellps=GRS80 ${TOWGS0}`); // GDA2020 / MGA
  return undefined;
}

/** Every bundled code (for docs and tests). */
export function bundledEpsgCodes(): number[] {
  const codes = Object.keys(FIXED).map(Number);
  const range = (a: number, b: number) => {
    for (let c = a; c <= b; c++) codes.push(c);
  };
  range(32601, 32660);
  range(32701, 32760);
  range(25828, 25838);
  range(26901, 26923);
  range(28348, 28358);
  range(7846, 7859);
  return codes.sort((a, b) => a - b);
}

/**
 * Reads a CRS name as found in a GeoJSON `crs` member or an option:
 * "EPSG:28992", "epsg:28992", "urn:ogc:def:crs:EPSG::28992", "urn:ogc:def:crs:EPSG:6.6:28992",
 * "http://www.opengis.net/def/crs/EPSG/0/28992", "urn:ogc:def:crs:OGC:1.3:CRS84", "CRS84".
 * Returns the EPSG code (CRS84 → 4326, lon/lat order), or undefined when it is not such a name.
 */
export function parseCrsName(name: string): number | undefined {
  const s = name.trim();
  if (/^(urn:ogc:def:crs:OGC:(1\.3|2)?:CRS84|CRS:?84|OGC:CRS84|https?:\/\/www\.opengis\.net\/def\/crs\/OGC\/1\.3\/CRS84)$/i.test(s)) return 4326;
  let m = /^EPSG:{1,2}(\d+)$/i.exec(s);
  if (m) return Number(m[1]);
  m = /^urn:ogc:def:crs:EPSG:[\d.]*:(\d+)$/i.exec(s);
  if (m) return Number(m[1]);
  m = /^https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/[\d.]+\/(\d+)$/i.exec(s);
  if (m) return Number(m[1]);
  return undefined;
}

/** A CRS name or definition short enough for a message: a WKT by its own name ("RD_New" (WKT)), else as it is. */
export function crsLabel(spec: string): string {
  const m = /^\s*(?:PROJCS|GEOGCS|PROJCRS|GEOGCRS|GEODCRS|COMPD_CS|COMPOUNDCRS)\[\s*"([^"]*)"/i.exec(spec);
  return m ? `"${m[1]}" (WKT)` : spec;
}

function isRawDefinition(s: string): boolean {
  return /^\s*\+proj=/.test(s) || /^\s*(PROJCS|GEOGCS|PROJCRS|GEOGCRS|GEODCRS)\[/i.test(s);
}

function isGeographicDef(def: string): boolean {
  return /\+proj=(longlat|latlong|lonlat|latlon)\b/.test(def) || /^\s*(GEOGCS|GEOGCRS|GEODCRS)\[/i.test(def);
}

const HOW_TO =
  'Give its definition as a proj4 string instead, e.g. crs: "+proj=tmerc +lat_0=0 +lon_0=9 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs" ' +
  "(copy it from the CRS's page on epsg.io, section PROJ.4).";

/**
 * Resolves a CRS given by name (EPSG code, URN, CRS84) or raw proj4/WKT definition.
 * Throws CityMeshError("crs") for codes that are not bundled or definitions proj4 rejects.
 */
export function resolveCrs(spec: string, what = "CRS"): ResolvedCrs {
  if (isRawDefinition(spec)) {
    try {
      proj4(spec); // validate now, not in the middle of a build
    } catch (e) {
      throw new CityMeshError("crs", `The ${what} definition is not understood by proj4: ${(e as Error).message}`, { crs: spec });
    }
    // A WKT that names no EPSG code (an ESRI .prj) but is one of ours: that code, with its datum shift.
    const code = /^\s*\+proj=/.test(spec) ? undefined : identifyWkt(spec.trim(), bundledEpsgCodes(), epsgProj4);
    if (code !== undefined) return { name: `EPSG:${code}`, proj4: epsgProj4(code)!, geographic: isGeographicDef(epsgProj4(code)!) };
    return { name: "custom", proj4: spec.trim(), geographic: isGeographicDef(spec) };
  }
  const code = parseCrsName(spec);
  if (code === undefined) {
    throw new CityMeshError("crs", `The ${what} "${spec}" is not a CRS name this tool reads (expected e.g. "EPSG:28992" or "urn:ogc:def:crs:EPSG::28992"). ${HOW_TO}`, { crs: spec });
  }
  const def = epsgProj4(code);
  if (!def) {
    throw new CityMeshError("crs", `The ${what} EPSG:${code} is not among the bundled definitions (no network lookups are made). ${HOW_TO}`, { crs: spec, epsg: code });
  }
  return { name: `EPSG:${code}`, proj4: def, geographic: isGeographicDef(def) };
}

/** Metres per coordinate unit of a projected CRS (1 unless the definition says feet, +to_meter…); 1 for geographic ones. */
export function metresPerUnit(crs: ResolvedCrs): number {
  if (crs.geographic) return 1;
  try {
    const m = (proj4.Proj(crs.proj4) as unknown as { to_meter?: number }).to_meter;
    return typeof m === "number" && m > 0 && Number.isFinite(m) ? m : 1;
  } catch {
    return 1;
  }
}

/**
 * The CRS name in a legacy GeoJSON `crs` member ({"type":"name","properties":{"name":…}}), or
 * undefined when the member is absent. A member of another shape (e.g. "link") yields its JSON so
 * the caller can report it.
 */
export function crsMemberName(member: unknown): { name?: string; problem?: string } {
  if (member === undefined || member === null) return {};
  if (typeof member === "object" && !Array.isArray(member)) {
    const m = member as Record<string, unknown>;
    const props = m.properties as Record<string, unknown> | undefined;
    if (m.type === "name" && props && typeof props.name === "string") return { name: props.name };
    if (m.type === "EPSG" && props && (typeof props.code === "number" || typeof props.code === "string")) return { name: `EPSG:${props.code}` }; // GeoJSON 2008 draft form
    return { problem: `unsupported "crs" member ${JSON.stringify(member).slice(0, 200)} (only {"type":"name"} is read)` };
  }
  if (typeof member === "string") return { name: member };
  return { problem: `"crs" member is not an object` };
}

/** UTM zone of a lon/lat position, with the Norway and Svalbard exceptions. */
export function utmZone(lon: number, lat: number): { zone: number; south: boolean; epsg: number } {
  // Longitude 180 itself is the east edge of zone 60, not zone 1.
  let zone = lon === 180 ? 60 : Math.floor(((((lon + 180) % 360) + 360) % 360) / 6) + 1;
  if (lat >= 56 && lat < 64 && lon >= 3 && lon < 12) zone = 32;
  if (lat >= 72 && lat < 84) {
    if (lon >= 0 && lon < 9) zone = 31;
    else if (lon >= 9 && lon < 21) zone = 33;
    else if (lon >= 21 && lon < 33) zone = 35;
    else if (lon >= 33 && lon < 42) zone = 37;
  }
  const south = lat < 0;
  return { zone, south, epsg: (south ? 32700 : 32600) + zone };
}

/**
 * The metric CRS of the build. `requested` (options.crs) wins; otherwise projected input stays
 * as it is and lon/lat input goes to the UTM zone of `centreLonLat`.
 */
export function chooseTargetCrs(source: ResolvedCrs, centreLonLat: [number, number] | undefined, requested?: string): ResolvedCrs {
  if (requested) {
    const t = resolveCrs(requested, "requested CRS");
    if (t.geographic) throw new CityMeshError("crs", `The requested CRS ${requested} is geographic (degrees); a mesh needs a metric CRS such as a UTM zone.`, { crs: requested });
    return t;
  }
  if (!source.geographic) return source;
  const [lon, lat] = centreLonLat ?? [0, 0];
  const z = utmZone(lon, lat);
  return resolveCrs(`EPSG:${z.epsg}`);
}

/**
 * In-place transform of flat xy pairs from one CRS to another, or null when they are the same.
 * proj4's converter is built once; one small array is reused per call.
 */
export function makeTransform(from: ResolvedCrs, to: ResolvedCrs): ((xy: Float64Array) => void) | null {
  if (from.proj4 === to.proj4) return null;
  let conv: proj4.Converter;
  try {
    conv = proj4(from.proj4, to.proj4);
  } catch (e) {
    throw new CityMeshError("crs", `Cannot transform from ${from.name} to ${to.name}: ${(e as Error).message}`, { from: from.name, to: to.name });
  }
  return (xy: Float64Array) => {
    const p: [number, number] = [0, 0];
    for (let i = 0; i < xy.length; i += 2) {
      p[0] = xy[i];
      p[1] = xy[i + 1];
      const q = conv.forward(p);
      xy[i] = q[0];
      xy[i + 1] = q[1];
    }
  };
}

/** Local origin: the bounds' minimum corner floored to a whole metre, so local coordinates are small and non-negative. */
export function localOrigin(xmin: number, ymin: number): [number, number] {
  return [Math.floor(xmin), Math.floor(ymin)];
}

export function crsInfo(target: ResolvedCrs, origin: [number, number], source: ResolvedCrs): CrsInfo {
  return { name: target.name, proj4: target.proj4, origin, sourceCrs: source.name };
}
