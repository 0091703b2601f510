// One entry point for the merge: write a spool in the requested format.
import type { BuildFormat } from "../types";
import type { Spool } from "./spool";
import type { WriteMeta } from "./meta";
import { writeGlb } from "./glb";
import { writePly } from "./ply";
import { writeObj } from "./obj";
import { writeStl } from "./stl";
import { writeCityJson } from "./cityjson/document";
import { writeCityJsonSeq } from "./cityjson/seq";

export type { WriteMeta } from "./meta";

/** Formats written from the merged city (3D Tiles is written from the tiles: tiles3d/tileset.ts). */
export type SpoolFormat = Exclude<BuildFormat, "3dtiles">;

const WRITERS: Record<SpoolFormat, (spool: Spool, out: string, meta: WriteMeta) => number | Promise<number>> = {
  glb: writeGlb,
  ply: writePly,
  obj: writeObj,
  stl: writeStl,
  cityjson: writeCityJson,
  cityjsonseq: writeCityJsonSeq,
};

/** Formats whose spool is un-welded by feature (one building or the ground per vertex: EXT_mesh_features). */
export const needsFeatureSpool = (format: BuildFormat): boolean => format === "glb";

/** Formats whose writer reads the buildings side file (WriteMeta.buildingsFile), so it must be complete first. */
export const needsBuildingsFile = (format: BuildFormat): boolean => format === "cityjson" || format === "cityjsonseq" || format === "3dtiles" || format === "glb";

/** Writes `out` from the spool in `format`, atomically. Returns the file size in bytes. */
export function writeSpool(format: SpoolFormat, spool: Spool, out: string, meta: WriteMeta): number | Promise<number> {
  return WRITERS[format](spool, out, meta);
}
