// buildInProcess: the extension's builds run in dist/build-process.mjs, a child process, so VS Code's shared
// extension host only relays progress. Through the built bundles: the same bytes as a build in this process,
// progress and log lines relayed, previews in the folder asked for, a cancel that lands while a tile is held at
// the fault hook's gate (no timing), a CityMeshError that keeps its code and details, and a child that dies.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { buildInProcess } from "../../src/core/pipeline/buildProcess";
import { buildCityMesh } from "../../src/core/pipeline/build";
import { CityMeshError } from "../../src/core/errors";
import type { ProgressEvent } from "../../src/core/types";
import { Gate, releaseAllGates, waitFor } from "../support/gate";

const repo = path.resolve(import.meta.dirname ?? __dirname, "../..");
const SCRIPT = path.join(repo, "dist", "build-process.mjs");
const SAMPLE = path.join(repo, "media", "sample", "sample-city.geojson");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-buildprocess-"));
test.after(() => { releaseAllGates(); fs.rmSync(dir, { recursive: true, force: true }); });

test("a build in the child process gives the same mesh as one in this process, relaying progress, log lines and previews", async () => {
  const events: ProgressEvent[] = [], lines: string[] = [];
  const previewDir = path.join(dir, "previews");
  const a = path.join(dir, "child.glb"), b = path.join(dir, "here.glb");
  const r = await buildInProcess(SCRIPT, { input: SAMPLE, output: a, scratchDir: path.join(dir, "s1"), tileSize: 200 }, {
    previewDir, log: (l) => lines.push(l), onProgress: (e) => events.push(e),
  });
  await buildCityMesh({ input: SAMPLE, output: b, scratchDir: path.join(dir, "s2"), tileSize: 200 });
  assert.ok(fs.readFileSync(a).equals(fs.readFileSync(b)), "byte-identical outputs");
  assert.equal(r.buildings, 300);
  assert.ok(r.tiles > 1, `several tiles (${r.tiles})`);
  assert.equal(events.at(-1)?.phase, "done");
  assert.ok(lines.some((l) => /^read 300 buildings/.test(l)), lines.join("\n"));
  const previews = events.filter((e) => e.tileFile).map((e) => e.tileFile!);
  assert.equal(previews.length, r.tiles, "one preview per built tile");
  for (const p of previews) assert.ok(path.dirname(p) === previewDir && fs.existsSync(p), `${p} in the preview folder`);
  const strays: string[] = [];
  const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".cmpv") && strays.push(e.name); };
  if (fs.existsSync(path.join(dir, "s1"))) walk(path.join(dir, "s1"));
  assert.deepEqual(strays, [], "no preview in the scratch store");
});

test("a cancel while a tile is held: a cancelled error once the child has cleaned up, and the finished tiles kept for resuming", async () => {
  const gate = new Gate(dir, "cancel");
  const scratch = path.join(dir, "s-cancel");
  const before = process.env.CITYMESH_FAULT;
  process.env.CITYMESH_FAULT = gate.env("build", [2]).CITYMESH_FAULT; // the child inherits it
  const abort = new AbortController();
  let settled = false;
  try {
    const run = buildInProcess(SCRIPT, { input: SAMPLE, output: path.join(dir, "cancel.glb"), scratchDir: scratch, tileSize: 200, workers: 1 }, { signal: abort.signal });
    run.catch(() => {}).finally(() => { settled = true; });
    await waitFor("tile 2 held in the child's worker", () => gate.isReached("build", 2), () => settled);
    abort.abort();
    await assert.rejects(run, (e: unknown) => e instanceof CityMeshError && e.code === "cancelled");
  } finally {
    if (before === undefined) delete process.env.CITYMESH_FAULT; else process.env.CITYMESH_FAULT = before;
    gate.release();
  }
  assert.ok(!fs.existsSync(path.join(dir, "cancel.glb")), "no output");
  const stores = fs.readdirSync(scratch).filter((n) => fs.statSync(path.join(scratch, n)).isDirectory());
  assert.equal(stores.length, 1, `one store kept (${stores.join(", ")})`);
  const kept = fs.readdirSync(path.join(scratch, stores[0]));
  assert.ok(kept.some((n) => /^tile_\d+\.h5$/.test(n)), `finished tiles kept: ${kept.join(", ")}`);
  assert.ok(!kept.some((n) => /lock/.test(n)), `the store's lock released: ${kept.join(", ")}`);
});

test("an input error keeps its code, message and problem list across the process boundary", async () => {
  const bad = path.join(dir, "nothing.geojson");
  fs.writeFileSync(bad, JSON.stringify({ type: "FeatureCollection", features: [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: [4.37, 52] } }] }));
  await assert.rejects(buildInProcess(SCRIPT, { input: bad, output: path.join(dir, "bad.glb"), scratchDir: path.join(dir, "s-bad") }), (e: unknown) => {
    assert.ok(e instanceof CityMeshError, String(e));
    assert.equal(e.code, "input");
    assert.match(e.message, /nothing\.geojson: no valid building footprints \(1 error, 1 warning reported\)/);
    const ds = e.details.diagnostics as { code: string }[];
    assert.deepEqual(ds.map((d) => d.code), ["no-buildings", "unsupported-geometry"], "most serious first");
    return true;
  });
});

test("a build process that dies is an error saying so, with what it printed", async () => {
  const crash = path.join(dir, "crash.mjs");
  fs.writeFileSync(crash, `process.stderr.write("out of luck\\n"); process.exit(3);\n`);
  await assert.rejects(buildInProcess(crash, { input: SAMPLE, output: path.join(dir, "crash.glb"), scratchDir: path.join(dir, "s-crash") }),
    /The build process exited unexpectedly \(exit code 3\): out of luck/);
});
