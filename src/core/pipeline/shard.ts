// Sharding a build across machines: each shard builds a contiguous run of tiles into one shared
// store, balanced by estimated work, and `citymesh merge` joins them. The shard index can come
// from the engine running the job (Kubernetes Indexed Job, Slurm job array, AWS Batch array).
import type { PlanSummary } from "./planning";
import { CityMeshError } from "../errors";

export interface ShardSpec { index: number; count: number }

/** What sharding needs of a plan: the grid and how many buildings each tile meshes. */
export type TileWork = Pick<PlanSummary, "tiles" | "owned" | "grid">;

/**
 * "I/N" (0-based), or "auto": the index from the environment of the engine running the shard.
 * Counts come from the engine where it says (Slurm), else from `count` (--shards) or CITYMESH_SHARDS.
 */
export function parseShard(spec: string, env: NodeJS.ProcessEnv = process.env, count?: number): ShardSpec {
  const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : undefined);
  const n = count ?? int(env.CITYMESH_SHARDS);
  let s: ShardSpec | undefined;
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  if (m) s = { index: Number(m[1]), count: Number(m[2]) };
  else if (spec === "auto") {
    if (env.JOB_COMPLETION_INDEX !== undefined) s = { index: int(env.JOB_COMPLETION_INDEX) ?? -1, count: n ?? -1 };
    else if (env.SLURM_ARRAY_TASK_ID !== undefined) {
      // Arrays may start at 1 (--array=1-4): count from the array's first index.
      s = { index: (int(env.SLURM_ARRAY_TASK_ID) ?? -1) - (int(env.SLURM_ARRAY_TASK_MIN) ?? 0), count: int(env.SLURM_ARRAY_TASK_COUNT) ?? n ?? -1 };
    } else if (env.AWS_BATCH_JOB_ARRAY_INDEX !== undefined) s = { index: int(env.AWS_BATCH_JOB_ARRAY_INDEX) ?? -1, count: n ?? int(env.AWS_BATCH_JOB_ARRAY_SIZE) ?? -1 };
    else throw new CityMeshError("options", "--shard auto: none of JOB_COMPLETION_INDEX (Kubernetes), SLURM_ARRAY_TASK_ID (Slurm) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) is set.");
  } else throw new CityMeshError("options", `--shard takes I/N (e.g. 0/4) or auto (got "${spec}").`);
  if (!(s.count >= 1)) throw new CityMeshError("options", "The number of shards is unknown: pass --shards N or set CITYMESH_SHARDS (Slurm sets SLURM_ARRAY_TASK_COUNT itself).");
  if (!(s.index >= 0 && s.index < s.count)) throw new CityMeshError("options", `Shard index ${s.index} is outside 0..${s.count - 1}.`);
  return s;
}

/**
 * Estimated work of a tile: its buildings, plus its ground (a full tile of ground costs about
 * as much as 200 buildings' walls and roofs at the default element size; measured on generated
 * cities, where an empty 1 km tile took about as long as ~200 buildings).
 */
export function tileCost(plan: TileWork, id: number): number {
  const cells = plan.grid.cellsX * plan.grid.cellsY;
  return plan.owned[id] + (200 * cells) / 10000;
}

/** Splits tiles 0..n-1 into `count` contiguous runs of about equal estimated work. */
export function shardTiles(plan: TileWork, count: number): number[][] {
  const n = plan.tiles;
  const cost = Array.from({ length: n }, (_, i) => tileCost(plan, i));
  const total = cost.reduce((a, b) => a + b, 0);
  const shards: number[][] = Array.from({ length: count }, () => []);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    // A tile goes to the shard its cost's midpoint falls in.
    const mid = acc + cost[i] / 2;
    shards[Math.min(count - 1, Math.floor((mid / total) * count))].push(i);
    acc += cost[i];
  }
  return shards;
}
