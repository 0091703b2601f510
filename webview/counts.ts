// The counts line (triangles · vertices · tiles · buildings) as plain data and text, so what the
// page shows can be checked without a browser.
import type { MeshData } from "./meshData";

export interface Counts {
  triangles: number;
  vertices: number;
  /** Undefined when not known (a mesh whose file does not say how many tiles it was merged from). */
  tiles?: number;
  buildings: number;
}

/**
 * Tiles on screen: a merged mesh's own count (from its file's metadata: GLB asset.extras.citymesh.tiles,
 * PLY "comment tiles N"), else the live tiles drawn so far.
 */
export function tilesShown(final: MeshData | undefined, liveTiles: number): number | undefined {
  return final ? final.tiles : liveTiles;
}

export function countsText(c: Counts): string {
  const f = (n: number) => n.toLocaleString("en-US");
  return `${f(c.triangles)} triangles · ${f(c.vertices)} vertices` + (c.tiles !== undefined ? ` · ${f(c.tiles)} tiles` : "") + (c.buildings ? ` · ${f(c.buildings)} buildings` : "");
}

/** A tile count stated in file metadata, if it is a plausible one. */
export function statedTiles(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? n : undefined;
}
