// Scale-out through the built CLI: shard processes share one store, then `citymesh merge`.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { spawn } from "child_process";
import { generateCity, cityToGeoJSON } from "../support/cityGenerator";
import { CLI, runCli, runCliAndKill } from "../support/cli";
import { Gate } from "../support/gate";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-shards-"));
const input = path.join(dir, "city.geojson");
fs.writeFileSync(input, cityToGeoJSON(generateCity({ buildings: 500, seed: 9, x0: 120340.5, y0: 487210.25 })));
const opts = ["--tile-size", "80", "--workers", "1"];
const tilesDone = (log: string) => [...log.matchAll(/tile (\d+) done/g)].map((m) => Number(m[1]));

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function runAsync(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, ...args]);
    let stderr = "";
    c.stderr.on("data", (d) => (stderr += d));
    c.on("exit", (code) => resolve({ code: code ?? -1, stderr }));
  });
}

test("plan is deterministic and splits tiles among shards", () => {
  const a = runCli(["plan", input, ...opts, "--shards", "4"]), b = runCli(["plan", input, ...opts, "--shards", "4"]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  const plan = JSON.parse(a.stdout);
  assert.ok(plan.tiles >= 30 && plan.buildings === 500 && /^[0-9a-f]{16}$/.test(plan.buildKey));
  assert.deepEqual([...new Set(plan.tileList.map((t: { shard: number }) => t.shard))].sort(), [0, 1, 2, 3]);
  assert.equal(plan.tileList.reduce((s: number, t: { buildings: number }) => s + t.buildings, 0), 500, "each building in exactly one tile");
});

test("4 shards at once into one store, then merge: byte-identical to a single-process build", async () => {
  const single = path.join(dir, "single.glb"), merged = path.join(dir, "merged.glb"), store = path.join(dir, "shared-store");
  const s = runCli(["build", input, "-o", single, ...opts, "--scratch-dir", path.join(dir, "s-single"), "--quiet"]);
  assert.equal(s.code, 0, s.stderr);
  const shards = await Promise.all([0, 1, 2, 3].map((i) => runAsync(["build", input, ...opts, "--shard", `${i}/4`, "--scratch-dir", store])));
  shards.forEach((r, i) => assert.equal(r.code, 0, `shard ${i}: ${r.stderr}`));
  const built = shards.flatMap((r) => tilesDone(r.stderr));
  assert.equal(new Set(built).size, built.length, "a tile was built by two shards");
  const m = runCli(["merge", store, "-o", merged]);
  assert.equal(m.code, 0, m.stderr);
  assert.ok(fs.readFileSync(single).equals(fs.readFileSync(merged)), "merged shards differ from the single-process build");
  assert.ok(fs.existsSync(path.join(dir, "merged.buildings.jsonl")));
  // merge checks its options against the same table as build.
  const fbx = runCli(["merge", store, "-o", path.join(dir, "m.fbx")]);
  assert.equal(fbx.code, 2);
  assert.match(fbx.stderr, /Unknown output format "fbx": use one of glb, ply, obj, stl/);
  const batch = runCli(["merge", store, "-o", merged, "--merge-batch-size", "1"]);
  assert.equal(batch.code, 2);
  assert.match(batch.stderr, /mergeBatchSize must be at least 2 \(got 1\)/);
  const quantized = runCli(["merge", store, "-o", path.join(dir, "quantized.glb"), "--glb-compression", "quantize"]);
  assert.equal(quantized.code, 0, quantized.stderr);
  const q = fs.readFileSync(path.join(dir, "quantized.glb"));
  assert.deepEqual((JSON.parse(q.subarray(20, 20 + q.readUInt32LE(12)).toString("utf8")) as { extensionsRequired?: string[] }).extensionsRequired, ["KHR_mesh_quantization"]);
  // The same store merged into a tileset with quantized, meshopt-encoded contents.
  const tiles = runCli(["merge", store, "-o", path.join(dir, "merged3d") + "/tileset.json", "--glb-compression", "meshopt+quantize", "--json"]);
  assert.equal(tiles.code, 0, tiles.stderr);
  const first = fs.readdirSync(path.join(dir, "merged3d", "tiles"))[0];
  const glb = fs.readFileSync(path.join(dir, "merged3d", "tiles", first));
  const json = JSON.parse(glb.subarray(20, 20 + glb.readUInt32LE(12)).toString("utf8")) as { extensionsRequired?: string[] };
  assert.deepEqual(json.extensionsRequired, ["KHR_mesh_quantization", "EXT_meshopt_compression"]);
});

test("merge with a damaged buildings file in the store: an error naming the file and line, no output and no temp file (the GLB's table is made on a thread of the merge's own)", () => {
  // A copy of the store the test above filled, its buildings file damaged on line 2.
  const store = path.join(dir, "damaged-store"), out = path.join(dir, "damaged.glb");
  fs.cpSync(path.join(dir, "shared-store"), store, { recursive: true });
  const side = (fs.readdirSync(store, { recursive: true }) as string[]).find((f) => path.basename(f) === "buildings.jsonl");
  assert.ok(side, "the store has a buildings file");
  const file = path.join(store, side), lines = fs.readFileSync(file, "utf8").split("\n");
  lines[1] = "{not json";
  fs.writeFileSync(file, lines.join("\n"));
  const before = (fs.readdirSync(store, { recursive: true }) as string[]).sort();
  const m = runCli(["merge", store, "-o", out]);
  assert.equal(m.code, 1, m.stderr);
  assert.ok(m.stderr.includes(`${file} line 2: not a buildings record`), m.stderr);
  assert.ok(!fs.existsSync(out));
  assert.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith("damaged.glb")), [], "no temp GLB beside the output");
  assert.deepEqual((fs.readdirSync(store, { recursive: true }) as string[]).sort(), before, "no merge folder left in the store");
});

test("a shard killed mid-way: merge names the missing tiles; rerunning that shard rebuilds only its own", async () => {
  const store = path.join(dir, "store-kill"), out = path.join(dir, "kill.glb"), single = path.join(dir, "single.glb");
  for (const i of [0, 1, 3]) assert.equal(runCli(["build", input, ...opts, "--shard", `${i}/4`, "--scratch-dir", store, "--quiet"]).code, 0);
  // Shard 2 builds its tiles in id order on one worker: its fourth tile is held in its build (test
  // fault hook), and the shard is killed once the three before it are done.
  const plan = JSON.parse(runCli(["plan", input, ...opts, "--shards", "4"]).stdout) as { tileList: { id: number; shard: number }[] };
  const mine = plan.tileList.filter((t) => t.shard === 2).map((t) => t.id).sort((a, b) => a - b);
  assert.ok(mine.length >= 5, `shard 2 has ${mine.length} tiles`);
  const held = mine[3];
  const gate = new Gate(dir, "shard-kill");
  let k;
  try {
    k = await runCliAndKill(["build", input, ...opts, "--shard", "2/4", "--scratch-dir", store], (log) => gate.isReached("build", held) && tilesDone(log).length >= 3, gate.env("build", [held]));
  } finally { gate.release(); }
  assert.ok(k.killed, `shard 2 ended before it could be killed:\n${k.stderr.slice(-2000)}`);
  const before = tilesDone(k.stderr);

  const m = runCli(["merge", store, "-o", out]);
  assert.equal(m.code, 1);
  assert.match(m.stderr, /is incomplete: \d+ of \d+ tile\(s\) missing \(\d+/);
  assert.ok(!fs.existsSync(out));
  const holes = runCli(["merge", store, "-o", out, "--allow-missing"]);
  assert.equal(holes.code, 0, holes.stderr);
  assert.match(holes.stderr, /holes: \d+ tile\(s\) were missing/);

  const storeDir = fs.readdirSync(store).map((n) => path.join(store, n)).find((p) => fs.statSync(p).isDirectory())!;
  const others = fs.readdirSync(storeDir).filter((n) => n.endsWith(".h5")).map((n) => [n, fs.statSync(path.join(storeDir, n)).mtimeMs] as const);
  const again = runCli(["build", input, ...opts, "--shard", "2/4", "--scratch-dir", store]);
  assert.equal(again.code, 0, again.stderr);
  for (const t of before) assert.ok(!tilesDone(again.stderr).includes(t), `tile ${t} rebuilt`);
  for (const [n, mtime] of others) assert.equal(fs.statSync(path.join(storeDir, n)).mtimeMs, mtime, `${n} was rewritten`);
  assert.equal(runCli(["merge", store, "-o", out]).code, 0);
  assert.ok(fs.readFileSync(single).equals(fs.readFileSync(out)));
});
