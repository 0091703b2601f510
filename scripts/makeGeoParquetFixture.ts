// Makes test/fixtures/formats/delft20.parquet from delft20.geojson beside it (the 20 Delft buildings the other
// format fixtures hold): GeoParquet 1.1, WKB geometry, CRS EPSG:28992 as PROJJSON, snappy, 3 row groups of at most
// 8 rows. Written with parquet-wasm + apache-arrow (test/support/geoparquet.ts), not the reader's hyparquet.
// Run: node --import tsx scripts/makeGeoParquetFixture.ts
import fs from "fs";
import path from "path";
import { projjson, writeGeoParquet, type Feature } from "../test/support/geoparquet";

const dir = path.resolve(import.meta.dirname ?? __dirname, "../test/fixtures/formats");
const fc = JSON.parse(fs.readFileSync(path.join(dir, "delft20.geojson"), "utf8")) as { features: Feature[] };
writeGeoParquet(path.join(dir, "delft20.parquet"), fc.features, { crs: projjson(28992, "Amersfoort / RD New"), rowGroupSize: 8, compression: "snappy" });
console.log(`wrote ${path.join(dir, "delft20.parquet")}`);
