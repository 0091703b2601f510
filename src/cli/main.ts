// The headless `citymesh` command over the same core as the extension.
//   citymesh build <input.geojson> [-o out.glb] [options]
//   citymesh plan <input.geojson> [options] [--shards N] [--out plan.json]
//   citymesh build <input.geojson> --shard I/N|auto [--shards N] --scratch-dir <shared store>
//   citymesh merge <store-dir> -o out.glb [--allow-missing]
//   citymesh info <store-dir>     tiles, status and sizes of a scratch store
//   citymesh clean [scratch-dir]  removes scratch stores
import { parseArgs } from "util";
import path from "path";
import fs from "fs";
import { buildCityMesh, buildShard, planCity } from "../core/pipeline/build";
import { mergeStore } from "../core/pipeline/mergeStore";
import { parseShard } from "../core/pipeline/shard";
import { CityMeshError } from "../core/errors";
import { problemCountText } from "../core/problemList";
import { listStore, cleanStore } from "../core/store/manifest";
import { progressPrinter } from "./progress";
import { checkCommand, CHECK_USAGE } from "./check";
import { BUILD_FLAGS, buildOptionsFromFlags, buildOptionsHelp } from "./buildArgs";
import type { BuildFormat, BuildOptions, BuildResult } from "../core/types";
import type { GlbCompression } from "../core/writers/glb";

/** The package version, fixed at bundle time (scripts/build.mjs); "dev" when run from source. */
declare const __CITYMESH_VERSION__: string | undefined;
const CITYMESH_VERSION = typeof __CITYMESH_VERSION__ === "string" ? __CITYMESH_VERSION__ : "dev";

const USAGE = `Usage:
  citymesh build <input.geojson> [-o out.glb] [options]
  citymesh info <store-dir>
  citymesh clean [scratch-dir]          (default ./.citymesh/scratch)
${CHECK_USAGE.trimEnd()}   exit 1 on a defect
  citymesh --version
Scale-out (one store shared by several machines):
  citymesh plan <input.geojson> [options] [--shards N] [--out plan.json]
  citymesh build <input.geojson> --shard I/N|auto [--shards N] --scratch-dir DIR [options]
  citymesh merge <store-or-scratch-dir> -o out.glb [--format F] [--glb-compression none|meshopt] [--allow-missing]
  (--shard auto reads JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or AWS_BATCH_JOB_ARRAY_INDEX)

Build options (dtcc-core's names):
${buildOptionsHelp()}`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "-h" || cmd === "--help" || cmd === "help") { process.stdout.write(USAGE); return cmd ? 0 : 2; }
  if (cmd === "-V" || cmd === "--version" || cmd === "version") { process.stdout.write(`citymesh ${CITYMESH_VERSION}\n`); return 0; }
  try {
    if (cmd === "build") return await build(rest);
    if (cmd === "plan") return await plan(rest);
    if (cmd === "merge") return await merge(rest);
    if (cmd === "info") return info(rest);
    if (cmd === "clean") return clean(rest);
    if (cmd === "check") return checkCommand(rest);
    process.stderr.write(`citymesh: unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  } catch (e) {
    if (e instanceof CityMeshError) {
      process.stderr.write(`citymesh: ${e.message}\n`);
      return e.code === "cancelled" ? 130 : e.code === "options" ? 2 : 1;
    }
    if (e instanceof TypeError && /parseArgs|ERR_PARSE_ARGS/.test(String((e as NodeJS.ErrnoException).code ?? e.message))) {
      process.stderr.write(`citymesh: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`citymesh: internal error: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CityMeshError("options", `--${name} needs a number (got "${v}").`);
  return n;
};

const BUILD_OPTIONS = { ...BUILD_FLAGS, shard: { type: "string" }, shards: { type: "string" }, out: { type: "string" } } as const;

function parseBuildArgs(args: string[], what: string): { opts: BuildOptions; values: Record<string, string | boolean | undefined> } {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: BUILD_OPTIONS });
  if (positionals.length !== 1) throw new CityMeshError("options", `${what} takes one input file (got ${positionals.length}).\n\n${USAGE}`);
  return { opts: { input: positionals[0], ...buildOptionsFromFlags(values) }, values };
}

/** Runs fn with SIGINT wired to an AbortSignal and progress/log printing on stderr. */
async function withConsole<T>(quiet: boolean, fn: (hooks: { signal: AbortSignal; onProgress: ReturnType<typeof progressPrinter>["onProgress"]; log?: (l: string) => void }) => Promise<T>): Promise<T> {
  const progress = progressPrinter(process.stderr, quiet);
  const ac = new AbortController();
  const onSigint = () => { process.stderr.write("\ncancelling…\n"); ac.abort(); };
  process.on("SIGINT", onSigint);
  try {
    const r = await fn({ signal: ac.signal, onProgress: progress.onProgress, log: quiet ? undefined : (l) => { progress.end(); process.stderr.write(l + "\n"); } });
    progress.end();
    return r;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/** The build's problem list (problemList.ts: most serious first, repairs summed up), its first entries and the count every surface gives. */
function printProblems(problems: BuildResult["diagnostics"]): void {
  if (!problems.length) return;
  for (const d of problems.slice(0, 20)) process.stderr.write(`${d.file}${d.line ? `:${d.line}:${d.column}` : ""}: ${d.severity}: ${/^feature/i.test(d.message) || d.featureIndex < 0 ? "" : `feature ${d.featureIndex}${d.featureId != null ? ` (${d.featureId})` : ""}: `}${d.message} [${d.code}]\n`);
  if (problems.length > 20) process.stderr.write(`… and ${problems.length - 20} more (--json lists them all)\n`);
  process.stderr.write(`input: ${problemCountText(problems)}\n`);
}

async function build(args: string[]): Promise<number> {
  const { opts, values } = parseBuildArgs(args, "build");
  const quiet = !!values.quiet || !!values.json;
  if (values.shard !== undefined) {
    const shard = parseShard(values.shard as string, process.env, num("shards", values.shards as string | undefined));
    const r = await withConsole(quiet, (hooks) => buildShard(opts, shard, hooks));
    printProblems(r.diagnostics);
    if (values.json) process.stdout.write(JSON.stringify(r, null, 2) + "\n");
    else process.stdout.write(`shard ${shard.index}/${shard.count}: ${r.tiles.length} tiles (${r.built} built, ${r.reused} reused) in ${r.storeDir}\n`);
    return 0;
  }
  const r = await withConsole(quiet, (hooks) => buildCityMesh(opts, hooks));
  printProblems(r.diagnostics);
  if (values.json) process.stdout.write(JSON.stringify(r, null, 2) + "\n");
  else process.stdout.write(`${r.output}: ${r.buildings} buildings, ${r.tiles} tiles (${r.tilesReused} reused), ${r.vertices} vertices, ${r.triangles} triangles in ${r.seconds.toFixed(1)} s\n`);
  return 0;
}

async function plan(args: string[]): Promise<number> {
  const { opts, values } = parseBuildArgs(args, "plan");
  const shards = num("shards", values.shards as string | undefined);
  if (shards !== undefined && !(Number.isInteger(shards) && shards >= 1)) throw new CityMeshError("options", `--shards must be a whole number ≥ 1 (got ${shards}).`);
  const r = await withConsole(true, (hooks) => planCity(opts, shards, hooks));
  const text = JSON.stringify(r, null, 1) + "\n";
  if (values.out) { fs.writeFileSync(values.out as string, text); process.stdout.write(`${values.out}: ${r.tiles} tiles, ${r.buildings} buildings, build key ${r.buildKey}, store ${r.storeDir}\n`); }
  else process.stdout.write(text);
  return 0;
}

async function merge(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { output: { type: "string", short: "o" }, format: { type: "string" }, "allow-missing": { type: "boolean" }, "merge-batch-size": { type: "string" }, "glb-compression": { type: "string" }, json: { type: "boolean" }, quiet: { type: "boolean", short: "q" } } });
  if (positionals.length !== 1 || !values.output) throw new CityMeshError("options", `merge takes a store directory and -o <output>.\n\n${USAGE}`);
  const quiet = !!values.quiet || !!values.json;
  const r = await withConsole(quiet, (hooks) => mergeStore(positionals[0], { output: values.output!, format: values.format as BuildFormat | undefined, allowMissing: values["allow-missing"], mergeBatchSize: num("merge-batch-size", values["merge-batch-size"]), glbCompression: values["glb-compression"] as GlbCompression | undefined }, hooks));
  if (r.missing.length) process.stderr.write(`holes: ${r.missing.length} tile(s) were missing: ${r.missing.join(", ")}\n`);
  if (values.json) process.stdout.write(JSON.stringify({ output: r.output, storeDir: r.storeDir, vertices: r.vertices, triangles: r.triangles, missing: r.missing, buildingsFile: r.buildingsFile }, null, 2) + "\n");
  else process.stdout.write(`${r.output}: ${r.vertices} vertices, ${r.triangles} triangles from ${r.info.tiles - r.missing.length} of ${r.info.tiles} tiles\n`);
  return 0;
}

function info(args: string[]): number {
  const dir = args[0];
  if (!dir) throw new CityMeshError("options", "info needs a store directory.");
  const l = listStore(path.resolve(dir));
  if (!l.exists) throw new CityMeshError("store", `No scratch store at ${path.resolve(dir)}.`);
  process.stdout.write(JSON.stringify({ dir: l.dir, buildKey: l.manifest?.buildKey, counts: l.counts, totalBytes: l.totalBytes, tiles: l.tiles }, null, 2) + "\n");
  return 0;
}

function clean(args: string[]): number {
  const dir = path.resolve(args[0] ?? path.join(".citymesh", "scratch"));
  if (!fs.existsSync(dir)) { process.stdout.write(`nothing to clean at ${dir}\n`); return 0; }
  let removed = 0, bytes = 0;
  for (const name of fs.readdirSync(dir)) {
    const sub = path.join(dir, name);
    if (!fs.statSync(sub).isDirectory()) continue;
    const r = cleanStore(sub);
    removed += r.removed; bytes += r.bytes;
  }
  process.stdout.write(`removed ${removed} file(s), ${(bytes / 1e6).toFixed(1)} MB from ${dir}\n`);
  return 0;
}
