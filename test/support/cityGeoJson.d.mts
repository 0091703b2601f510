// Types of cityGeoJson.mjs for the TypeScript host suite.
/** A FeatureCollection of n×n rectangular buildings on a 20 m grid (WGS84 around Delft), one feature per line. */
export declare function cityGeoJson(n: number, lon0?: number, lat0?: number): string;
