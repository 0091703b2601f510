// Errors the user can act on. Each names what failed (file, tile, directory) and why;
// callers (CLI, extension, tasks) print `message` as is and exit non-zero.

export type ErrorCode =
  | "input" // the input file cannot be read or is not GeoJSON at all
  | "crs" // unknown or unusable coordinate reference system
  | "dem" // the DEM cannot be read or does not cover the data
  | "pointcloud" // a LAS/LAZ point cloud cannot be read or does not cover the data
  | "tile" // a tile failed twice
  | "store" // the scratch store cannot be written or read (ENOSPC, EACCES, corrupt)
  | "output" // the output file cannot be written
  | "cancelled"
  | "options"; // invalid build options

export class CityMeshError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "CityMeshError";
  }

  /** workerpool sends a worker's error as JSON: keep the code and the details (nested keys too). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, code: this.code, details: this.details, stack: this.stack };
  }
}

/** A CityMeshError thrown in a worker (thread or process) arrives as a plain Error carrying its fields: make it one again. */
export function fromWorker(e: unknown): unknown {
  const o = e as { name?: unknown; code?: unknown; message?: unknown; details?: unknown } | null;
  if (!o || o instanceof CityMeshError || o.name !== "CityMeshError" || typeof o.code !== "string") return e;
  return new CityMeshError(o.code as ErrorCode, String(o.message), (o.details as Record<string, unknown>) ?? {});
}

export const isCancelled = (e: unknown): boolean => e instanceof CityMeshError && e.code === "cancelled";
