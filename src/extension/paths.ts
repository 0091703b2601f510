// Which files builds take, and the Workspace Trust rule that settings coming from the workspace may
// not point outside it. The default output and scratch locations are the core's (core/options.ts).
// No vscode import: unit-tested directly.
import fs from "fs";
import path from "path";

/**
 * Footprint files the menus (package.json's `when` clauses, generated from these by `npm run sync-options`), tasks
 * and pickers offer: GeoJSON, feature sequences (GeoJSONL / GeoJSONSeq / NDJSON), FlatGeobuf, GeoPackage, Shapefile
 * (by its .shp), GeoParquet and CityJSON. `.json`, `.jsonl` and `.zip` are not: telling footprints apart needs the
 * content (the CLI reads them all).
 */
export const FOOTPRINT_EXTENSIONS = ["geojson", "geojsonl", "geojsons", "geojsonseq", "ndjson", "fgb", "gpkg", "shp", "parquet", "geoparquet", "cityjson"];
/** Names with two extensions (CityJSON's own `.city.json` and CityJSONSeq's `.city.jsonl`). */
export const FOOTPRINT_SUFFIXES = ["city.json", "city.jsonl"];
const FOOTPRINT_NAME = new RegExp(`\\.(${[...FOOTPRINT_EXTENSIONS, ...FOOTPRINT_SUFFIXES].map((e) => e.replace(/\./g, "\\.")).join("|")})$`, "i");
/** True for names the explorer menus offer builds for. */
export const isGeoJsonName = (file: string): boolean => FOOTPRINT_NAME.test(file);

/** The `when` clause part that matches footprint files in package.json's menus. */
export const FOOTPRINT_WHEN =
  `(resourceExtname =~ /^\\.(${FOOTPRINT_EXTENSIONS.join("|")})$/i || resourceFilename =~ /\\.(${FOOTPRINT_SUFFIXES.map((e) => e.replace(/\./g, "\\.")).join("|")})$/i)`;

/**
 * Cheap content sniff for `.json` files picked from the palette: a GeoJSON FeatureCollection names its type
 * (or its `features` array) within the first few kilobytes.
 */
export function looksLikeGeoJson(head: string): boolean {
  return /"type"\s*:\s*"(FeatureCollection|Feature)"/.test(head) || /"features"\s*:\s*\[/.test(head);
}

/** realpath of the longest existing prefix of `p`, with the rest appended: resolves symlinks in paths not created yet. */
export function realpathOfExistingPrefix(p: string): string {
  let head = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(head), ...rest);
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return path.join(head, ...rest);
      rest.unshift(path.basename(head));
      head = parent;
    }
  }
}

/** The GeoTIFFs of a DEM folder (none when `dem` is a file or cannot be listed: the build reports that). */
function demFolderTiles(dem: string): string[] {
  try {
    return fs.statSync(dem).isDirectory() ? fs.readdirSync(dem).filter((n) => /\.tiff?$/i.test(n)).map((n) => path.join(dem, n)) : [];
  } catch {
    return [];
  }
}

/** True when `child` is `parent` or below it (both absolute, already normalised). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

export interface PathSetting {
  /** Setting name shown to the user, e.g. "citymesh.scratchDir". */
  name: string;
  /** The value as written in the settings (relative values are relative to the workspace folder). */
  value: string;
  /** The option it sets ("dem", "scratchDir"…; "input" for a task's input), when it is one. */
  option?: string;
}

/**
 * Checks paths set at workspace level (workspace or folder settings, task definitions) against the workspace folder.
 * A workspace someone hands you must not make a build write (or read a DEM) elsewhere on the machine:
 * any `..` segment is refused outright, and symlinks are resolved with realpath before comparing.
 * Returns one human-readable problem per offending setting; an empty list means all are inside.
 */
export function checkPathsInsideWorkspace(settings: PathSetting[], workspaceFolder: string): string[] {
  const root = realpathOfExistingPrefix(workspaceFolder);
  const problems: string[] = [];
  for (const { name, value, option } of settings) {
    if (!value) continue;
    if (value.split(/[\\/]+/).includes("..")) {
      problems.push(`${name} ("${value}") contains "..": workspace settings may not point outside the workspace folder ${workspaceFolder}.`);
      continue;
    }
    const real = realpathOfExistingPrefix(path.resolve(workspaceFolder, value));
    if (!isInside(root, real)) {
      problems.push(`${name} ("${value}") resolves to ${real}, outside the workspace folder ${workspaceFolder}. Set it in your user settings instead.`);
      continue;
    }
    // A DEM folder is a mosaic of the GeoTIFFs in it, which are read: each of them (a symlink, say) must stay inside too.
    if (option === "dem") {
      for (const tile of demFolderTiles(path.resolve(workspaceFolder, value))) {
        const realTile = realpathOfExistingPrefix(tile);
        if (!isInside(root, realTile)) problems.push(`${name} ("${value}") holds ${path.basename(tile)}, which resolves to ${realTile}, outside the workspace folder ${workspaceFolder}. Set it in your user settings instead.`);
      }
    }
  }
  return problems;
}
