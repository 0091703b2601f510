// Types for modules without their own: the parts of `shapefile` (mbostock's streaming Shapefile reader) input/shapefile.ts uses, and sql.js's inline-wasm build.
declare module "shapefile" {
  interface Source {
    bbox: number[];
    read(): Promise<{ done: boolean; value: { type: "Feature"; properties: Record<string, unknown>; geometry: unknown } }>;
    cancel(): Promise<void>;
  }
  export function open(shp: string | ArrayBuffer | Uint8Array, dbf?: string | ArrayBuffer | Uint8Array, options?: { encoding?: string }): Promise<Source>;
}

// sql.js's build with the WebAssembly inlined (no .wasm file to ship beside the bundles); same API as "sql.js".
declare module "sql.js/dist/sql-wasm-inline.js" {
  import initSqlJs from "sql.js";
  export default initSqlJs;
}
