// Every build option once: name, type, default, limits, wording. The CLI's flags and help, the
// VS Code settings and task schema (package.json, written by `npm run sync-options`), the
// settings reader, Build with Options and the README's option table all come from this table,
// and resolveOptions checks a build against its limits; test/unit/options checks that none of
// them has drifted. Names are dtcc-core's (tile_size → tileSize, …).

export const FORMATS = ["glb", "ply", "obj", "stl", "cityjson", "cityjsonseq", "3dtiles"] as const;
export type BuildFormat = (typeof FORMATS)[number];

/**
 * maxMeshSize when it is auto (0) and a DEM is given: ground elements of 10 m follow a DEM's
 * usual 0.5–5 m cells closely enough. Without a DEM the ground is flat and auto means no
 * refinement: elements may be as long as the tile (measured on New York, 102,034 buildings:
 * 11.9 M triangles with 10 m elements, 2.7 M without).
 */
export const DEM_MAX_MESH_SIZE = 10;

type Kind = "number" | "integer" | "boolean" | "string" | "string[]" | "format" | "choice";

interface OptionSpec {
  kind: Kind;
  default: number | boolean | string | readonly string[];
  /** The values of a "choice" option. */
  choices?: readonly string[];
  minimum?: number;
  maximum?: number;
  /** A value that means "the build chooses" and is exempt from the limits (maxMeshSize 0). */
  auto?: number;
  /** One line: CLI help, task schema and README. */
  summary: string;
  /** One per format, for the Settings editor. */
  enumDescriptions?: readonly string[];
  /** Markdown for the setting's description (default: the summary). */
  detail?: string;
  /** The CLI's wording when its flag means the opposite of the option (--no-disk-store). */
  cliSummary?: string;
  /** The CLI's value placeholder; no placeholder for a boolean flag. */
  arg?: string;
  /** The CLI flag when it is not the kebab-case name (useDiskStore is switched off by --no-disk-store). */
  flag?: string;
  short?: string;
  /** How the default reads in the CLI help and the README when the literal says little ("" = auto). */
  cliDefault?: string;
  /** The setting's scope and its place in the Settings editor; absent = not a setting (output names one file). */
  setting?: { scope: "resource" | "machine-overridable"; order: number };
  /** A path: relative values resolve against the workspace folder, and workspace-level values may not leave it. */
  path?: boolean;
}

/**
 * The table. Order is the order of the CLI help and the README. A default of "" or 0 where the
 * summary says "auto" means the build picks (UTM zone, one worker per core, …).
 */
export const OPTION_TABLE = {
  output: {
    kind: "string", default: "", short: "o", arg: "FILE", path: true, cliDefault: "`<input>.<format>`",
    summary: "output mesh file",
  },
  outputDir: {
    kind: "string", default: "", arg: "DIR", path: true, cliDefault: "beside the input",
    summary: "folder of the mesh when no output file is named",
    detail: "Folder the mesh is written to; empty = beside the input. Relative paths are relative to the workspace folder. A value set in workspace settings must stay inside the workspace folder.",
    setting: { scope: "machine-overridable", order: 4 },
  },
  format: {
    kind: "format", default: "glb", arg: "glb|ply|obj|stl|cityjson|cityjsonseq|3dtiles", cliDefault: "from `-o`, else `glb`",
    summary: "output format (`-o` ending in .city.json picks cityjson, .city.jsonl cityjsonseq, tileset.json 3dtiles)",
    enumDescriptions: ["Binary glTF (the viewer's native format)", "Stanford PLY", "Wavefront OBJ", "Binary STL", "CityJSON 2.0 (.city.json): LoD1 building solids and the terrain", "CityJSONSeq (.city.jsonl): the same, one feature per line, for large cities", "OGC 3D Tiles 1.1: a folder with tileset.json and one GLB per tile, for CesiumJS, deck.gl and other globes"],
    setting: { scope: "resource", order: 3 },
  },
  featureProperties: {
    kind: "string[]", default: [], arg: "a,b", cliDefault: "every scalar property",
    summary: "GeoJSON properties carried into the feature tables of 3D Tiles and GLB (EXT_structural_metadata)",
    detail: "Feature properties written into the per-building property tables (`EXT_structural_metadata`) of the 3D Tiles contents and the GLB, beside the building index, the source feature id and the height. Empty = every property that has a string, number or boolean value.",
    setting: { scope: "resource", order: 6 },
  },
  glbCompression: {
    kind: "choice", default: "none", choices: ["none", "meshopt", "quantize", "meshopt+quantize"], arg: "none|meshopt|quantize|meshopt+quantize",
    summary: "glTF compression of the GLB or the 3D Tiles contents: none, meshopt (EXT_meshopt_compression, lossless), quantize (KHR_mesh_quantization, 16-bit positions) or both",
    detail: "`meshopt`: `EXT_meshopt_compression`, lossless, about a third of the size; readers need a meshopt decoder, as three.js, CesiumJS, Babylon.js and this viewer have. `quantize`: positions as 16-bit integers in the mesh's box (`KHR_mesh_quantization`), lossy: steps of the box's size / 65,535 — 1.5 cm in a 1 km 3D Tiles content, but 0.31 m over the whole of New York (20 km) in one GLB (the steps are in the GLB's `.crs.json`).",
    enumDescriptions: ["Plain binary glTF: every reader opens it", "EXT_meshopt_compression (lossless, about a third of the size): three.js, CesiumJS, Babylon.js and this viewer decode it", "KHR_mesh_quantization: 16-bit positions, steps of the box's size / 65,535 (a whole city's GLB: decimetres; a 1 km 3D Tiles content: 1.5 cm)", "Both: the smallest files"],
    setting: { scope: "resource", order: 7 },
  },

  tileSize: {
    kind: "number", default: 1000, minimum: 50, maximum: 20000, arg: "M",
    summary: "tile edge, metres; data that fits one tile is not tiled",
    detail: "Edge length of a tile in metres. Each worker meshes one tile at a time, so smaller tiles use less memory per worker; very small tiles add seams and overhead.",
    setting: { scope: "resource", order: 1 },
  },
  autoTileSize: {
    kind: "boolean", default: false,
    summary: "derive the tile size from free memory (dtcc-core's calculate_optimal_tile_size)",
    detail: "Derive the tile size from free memory and the data's density (like dtcc-core's `calculate_optimal_tile_size`) instead of `#citymesh.tileSize#`.",
    setting: { scope: "resource", order: 5 },
  },
  margin: {
    kind: "number", default: 0, minimum: 0, maximum: 100000, arg: "M",
    summary: "extra ground around the data, metres",
    setting: { scope: "resource", order: 25 },
  },
  workers: {
    kind: "integer", default: 0, minimum: 0, maximum: 64, arg: "N", cliDefault: "cores",
    summary: "worker threads; 0 = one per core",
    detail: "Worker threads meshing tiles in parallel. `0` = one per CPU core.",
    setting: { scope: "machine-overridable", order: 2 },
  },
  useDiskStore: {
    kind: "boolean", default: true, flag: "no-disk-store", cliDefault: "disk store on",
    cliSummary: "keep tiles in memory instead (small cities; one pass)",
    summary: "keep finished tiles in an on-disk scratch store (resumable)",
    detail: "Keep finished tiles in an on-disk scratch store (out-of-core; lets a cancelled or failed build resume). Off = tiles stay in memory.",
    setting: { scope: "resource", order: 10 },
  },
  scratchDir: {
    kind: "string", default: "", arg: "DIR", path: true, cliDefault: "`./.citymesh/scratch`",
    summary: "scratch store folder (a .citymesh folder gets a .gitignore)",
    detail: "Scratch store folder; empty = `<workspaceFolder>/.citymesh/scratch` (a `.citymesh/.gitignore` keeps it out of git). Relative paths are relative to the workspace folder. A value set in workspace settings must stay inside the workspace folder.",
    setting: { scope: "machine-overridable", order: 11 },
  },
  keepIntermediate: {
    kind: "boolean", default: false,
    summary: "keep the tile store after a successful build",
    setting: { scope: "resource", order: 12 },
  },
  mergeBatchSize: {
    kind: "integer", default: 2, minimum: 2, maximum: 64, arg: "N",
    summary: "tiles held in memory at once while merging",
    detail: "Tiles held in memory at once while merging: the merge reads the tiles in one pass, this many at a time, and streams the mesh to disk. Does not change the output.",
    setting: { scope: "resource", order: 13 },
  },
  maxMeshSize: {
    kind: "number", default: 0, auto: 0, minimum: 0.5, maximum: 1000, arg: "M", cliDefault: "10 with a DEM, else none",
    summary: `longest ground triangle edge, metres, so the ground can follow a DEM; 0 = auto: ${DEM_MAX_MESH_SIZE} m with a DEM, none without (flat ground needs no refinement)`,
    setting: { scope: "resource", order: 20 },
  },
  minBuildingArea: {
    kind: "number", default: 0, minimum: 0, maximum: 1e6, arg: "M2",
    summary: "drop footprints smaller than this, m²",
    setting: { scope: "resource", order: 21 },
  },
  snapTolerance: {
    kind: "number", default: 0.001, minimum: 0.0001, maximum: 0.1, arg: "M",
    summary: "the exact kernel's grid, metres: coordinates round to it, an edge within half of it from a vertex is routed through it",
    setting: { scope: "resource", order: 26 },
  },
  defaultHeight: {
    kind: "number", default: 10, minimum: 0.1, maximum: 1000, arg: "M",
    summary: "height (m) when no attribute gives one",
    setting: { scope: "resource", order: 22 },
  },
  heightAttributes: {
    kind: "string[]", default: ["height", "building:height", "HEIGHT", "measuredHeight", "height_ag", "building:levels", "num_floors", "floors_ag"], arg: "a,b",
    summary: "ordered height attributes; values like \"12 m\" or \"40 ft\" are parsed; names ending in levels, floors or floors_ag count storeys × levelHeight",
    detail: "Feature properties read as the building height, first match wins. Names ending in `levels`, `floors` or `floors_ag` (above-ground floors) are storey counts × `#citymesh.levelHeight#`. Without any, `#citymesh.defaultHeight#` is used. The defaults cover OpenStreetMap (`height`, `building:levels`), CityGML (`measuredHeight`), Overture Maps (`height`, `num_floors`) and City Energy Analyst zone files (`height_ag`, `floors_ag`).",
    setting: { scope: "resource", order: 23 },
  },
  levelHeight: {
    kind: "number", default: 3, minimum: 0.5, maximum: 20, arg: "M",
    summary: "metres per storey",
    setting: { scope: "resource", order: 24 },
  },
  crs: {
    kind: "string", default: "", arg: "EPSG:N|proj4", cliDefault: "input's projected CRS, else UTM zone of the data's centre",
    summary: "metric CRS of the mesh",
    setting: { scope: "resource", order: 30 },
  },
  layer: {
    kind: "string", default: "", arg: "NAME", cliDefault: "its only table; a GeoParquet file's primary column",
    summary: "features table of a GeoPackage, or geometry column of a GeoParquet file, to read when it has several",
    setting: { scope: "resource", order: 33 },
  },
  sourceCrs: {
    kind: "string", default: "", arg: "EPSG:N|proj4", cliDefault: "the file's `crs` member, else lon/lat",
    summary: "CRS of the input when the file does not name it",
    setting: { scope: "resource", order: 32 },
  },
  dem: {
    kind: "string", default: "", arg: "FILE.tif|DIR", path: true, cliDefault: "flat",
    summary: "DEM GeoTIFF, or a folder of GeoTIFF tiles, in any CRS its GeoKeys name (reprojected to the mesh's): the ground follows it, buildings stand on the lowest ground under them",
    detail: "Digital elevation model for the terrain: one GeoTIFF, or a folder whose `.tif` files form a mosaic (in name order; where tiles overlap the first wins). Each may be in any CRS its GeoKeys name by EPSG code and is reprojected to the mesh's CRS on the fly; one naming no code is taken to be in the mesh's CRS. Nodata cells are filled from their neighbours. Empty = flat ground. A value set in workspace settings must stay inside the workspace folder.",
    setting: { scope: "machine-overridable", order: 31 },
  },
  pointCloud: {
    kind: "string[]", default: [], arg: "A.laz,B.laz|DIR", path: true, cliDefault: "none",
    summary: "LAS/LAZ point clouds (files, or folders of them): each building's height from the points on its roof, and the terrain from the ground points (class 2) unless a DEM is given",
    detail: "LAS or LAZ point clouds (files, or folders whose `.las`/`.laz` files are all read), in the CRS their header names (reprojected to the mesh's; one naming none is taken to be in the mesh's CRS). Each building's roof is `#citymesh.roofPercentile#` of the points inside its footprint (class 6 when the cloud is classified, else every point but ground and noise) and its base `#citymesh.groundPercentile#` of the ground around it; a building with too few points keeps its attribute or default height. Without `#citymesh.dem#`, the ground points (class 2) also make the terrain, on a grid of `#citymesh.terrainCellSize#`. A value set in workspace settings must stay inside the workspace folder.",
    setting: { scope: "machine-overridable", order: 34 },
  },
  roofPercentile: {
    kind: "number", default: 90, minimum: 0, maximum: 100, arg: "P",
    summary: "with a point cloud: percentile of the points on a building taken as its roof height (3dfier and dtcc-core use 90)",
    setting: { scope: "resource", order: 35 },
  },
  groundPercentile: {
    kind: "number", default: 10, minimum: 0, maximum: 100, arg: "P",
    summary: "with a point cloud: percentile of the ground measured in and around a footprint (within 3 m) taken as the building's base",
    setting: { scope: "resource", order: 36 },
  },
  terrainCellSize: {
    kind: "number", default: 1, minimum: 0.1, maximum: 100, arg: "M",
    summary: "with a point cloud and no DEM: cell size (m) of the ground grid made from its ground points, cells without any filled from their neighbours",
    setting: { scope: "resource", order: 37 },
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTION_TABLE;
export const OPTION_NAMES = Object.keys(OPTION_TABLE) as OptionName[];
export const optionSpec = (name: OptionName): OptionSpec => OPTION_TABLE[name];

type ValueOf<K extends Kind> = K extends "number" | "integer" ? number : K extends "boolean" ? boolean : K extends "string[]" ? string[] : K extends "format" ? BuildFormat : string;
/** Every option with its value type: what a task definition or a settings scope may hold. */
export type OptionValues = { -readonly [N in OptionName]: ValueOf<(typeof OPTION_TABLE)[N]["kind"]> };

type SettingName = { [N in OptionName]: (typeof OPTION_TABLE)[N] extends { setting: object } ? N : never }[OptionName];
/** The options that are VS Code settings (`citymesh.<name>`). */
export type SettingValues = Pick<OptionValues, SettingName>;
export const SETTING_NAMES = OPTION_NAMES.filter((n) => "setting" in OPTION_TABLE[n]) as SettingName[];
/** Path options: relative to the workspace folder, and vetted against it when they come from the workspace. */
export const PATH_OPTIONS = OPTION_NAMES.filter((n) => optionSpec(n).path);

/** The table's defaults, fresh copies (arrays are not shared). */
export function optionDefaults(): OptionValues {
  const out: Record<string, unknown> = {};
  for (const n of OPTION_NAMES) {
    const d = OPTION_TABLE[n].default;
    out[n] = Array.isArray(d) ? [...d] : d;
  }
  return out as OptionValues;
}

/** `--tile-size` for tileSize, `--no-disk-store` for useDiskStore. */
export const cliFlag = (name: OptionName): string => optionSpec(name).flag ?? name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());

/** The JSON type a task definition or settings.json holds for the option. */
export const jsonType = (name: OptionName): "number" | "integer" | "boolean" | "string" | "array" => {
  const k = optionSpec(name).kind;
  return k === "string[]" ? "array" : k === "format" || k === "choice" ? "string" : k;
};

/**
 * Why `value` is not a valid value of the option (type, enum, limits), or undefined when it is.
 * The message names the option as every front end does (`tileSize`); the CLI adds its flag.
 */
export function optionProblem(name: OptionName, value: unknown): string | undefined {
  const s = optionSpec(name);
  const got = `got ${JSON.stringify(value)}`;
  switch (s.kind) {
    case "boolean":
      return typeof value === "boolean" ? undefined : `${name} must be true or false (${got}).`;
    case "string":
      return typeof value === "string" ? undefined : `${name} must be a string (${got}).`;
    case "string[]":
      return Array.isArray(value) && value.every((v) => typeof v === "string") ? undefined : `${name} must be a list of strings, string[] (${got}).`;
    case "choice":
      return s.choices!.includes(value as string) ? undefined : `${name} must be one of ${s.choices!.join(", ")} (${got}).`;
    case "format":
      return (FORMATS as readonly unknown[]).includes(value) ? undefined : `Unknown output format ${JSON.stringify(value)}: use one of ${FORMATS.join(", ")}.`;
    default: {
      if (typeof value !== "number" || !Number.isFinite(value)) return `${name} must be a number (${got}).`;
      if (s.kind === "integer" && !Number.isInteger(value)) return `${name} must be a whole number (${got}).`;
      if (value === s.auto) return undefined;
      if (s.minimum !== undefined && value < s.minimum) return `${name} must be ${s.auto !== undefined ? `${s.auto} (auto) or ` : ""}at least ${s.minimum} (${got}).`;
      if (s.maximum !== undefined && value > s.maximum) return `${name} must be at most ${s.maximum} (${got}).`;
      return undefined;
    }
  }
}
