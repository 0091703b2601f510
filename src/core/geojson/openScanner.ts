// Which reader a footprint file gets: a GeoJSON FeatureCollection, a feature sequence (GeoJSONL / GeoJSONSeq),
// FlatGeobuf, GeoPackage, GeoParquet, Shapefile (.shp, or a .zip holding one), or CityJSON / CityJSONSeq (checked before the
// feature sequence, which would claim a .jsonl). Every one hands the reader GeoJSON features,
// so validation, repairs, CRS, heights and planning are the same whatever the format.
import { FeatureCollectionScanner, type FeatureScanner } from "./scan";
import { FeatureSequenceScanner, isFeatureSequence } from "./seqScan";
import { FlatGeobufScanner, isFlatGeobuf } from "../input/flatgeobuf";
import { GeoPackageScanner, isGeoPackage } from "../input/geopackage";
import { GeoParquetScanner, isGeoParquet } from "../input/geoparquet";
import { ShapefileScanner, isShapefile } from "../input/shapefile";
import { CityJsonScanner, CityJsonSeqScanner, cityJsonKind } from "../input/cityjson";

export interface ScannerOptions {
  blockSize?: number;
  maxDepth?: number;
  /** The features table of a GeoPackage with several, or a GeoParquet file's geometry column. */
  layer?: string;
}

export function openScanner(file: string, opts: ScannerOptions = {}): FeatureScanner {
  if (isFlatGeobuf(file)) return new FlatGeobufScanner(file);
  if (isGeoPackage(file)) return new GeoPackageScanner(file, opts.layer || undefined);
  if (isGeoParquet(file)) return new GeoParquetScanner(file, opts.layer || undefined);
  if (isShapefile(file)) return new ShapefileScanner(file);
  const city = cityJsonKind(file);
  if (city) return city === "cityjsonseq" ? new CityJsonSeqScanner(file, (f) => new FeatureSequenceScanner(f, { blockSize: opts.blockSize })) : new CityJsonScanner(file);
  if (isFeatureSequence(file)) return new FeatureSequenceScanner(file, { blockSize: opts.blockSize });
  return new FeatureCollectionScanner(file, { blockSize: opts.blockSize, maxDepth: opts.maxDepth });
}
