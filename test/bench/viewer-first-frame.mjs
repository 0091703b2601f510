#!/usr/bin/env node
// Time to first frame of the viewer page for synthetic cities of ~1M and ~10M triangles, in
// headless Chromium with SwiftShader (CPU WebGL: a floor for real GPUs, not their speed).
// One JSON line per size: {triangles, msToFirstFrame, ...}; msToFirstFrame runs from the page's
// load request (fetch + parse + GPU upload + the first draw, waited for with readPixels).
//   node test/bench/viewer-first-frame.mjs [triangles...] [--tileset BUILDINGS] [--tileset-geojson FILE]
//   (default: 1000000 10000000)
// --tileset: a generated city of that many buildings (the bench's "varied" city, seed 6), built by the CLI with
// --format 3dtiles and streamed by the viewer: one JSON line {tileset: true, buildings, msToFirstFrame (all tiles
// the fitted view needs drawn), msToRoot, msPerOrbitFrame (median of 120 frames orbiting the city, 3° each, tile
// update + draw, tiles streaming in between), ...}. --tileset-geojson: build from that file instead.
import { register } from "tsx/esm/api";
import { register as registerCjs } from "tsx/cjs/api";
import fs from "node:fs";
import path from "node:path";

register();
registerCjs(); // the harness is TypeScript in a CommonJS package
const cjs = (m) => m.default ?? m;
const { buildWebview, launchChromium, startViewerServer, tmpDir } = cjs(await import("../support/viewerPage.ts"));
const { viewerCity, writeGlbOf } = cjs(await import("../support/viewerCity.ts"));
const { writeCityGeoJSON } = cjs(await import("../support/cityGenerator.ts"));
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv.splice(i, 2)[1] : undefined; };
const tilesetBuildings = Number(opt("--tileset") ?? 0);
const tilesetGeojson = opt("--tileset-geojson");
const sizes = argv.map(Number).filter((n) => n > 0);
if (sizes.length === 0 && !tilesetBuildings && !tilesetGeojson) sizes.push(1_000_000, 10_000_000);
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/cli.mjs");

const dir = tmpDir("citymesh-viewer-bench-");
const bundle = path.join(dir, "webview.js");
await buildWebview(bundle);
const server = await startViewerServer(bundle);
const browser = await launchChromium(["--js-flags=--max-old-space-size=8192"]);
try {
  for (const target of sizes) {
    // Each box building is 10 triangles; the ground grid adds 2 per cell.
    const side = Math.max(1, Math.round(Math.sqrt(target / 10)));
    const t0 = performance.now();
    const city = viewerCity({ cols: side, rows: side, groundCells: 128 });
    const file = path.join(dir, `city-${target}.glb`);
    await writeGlbOf(city, file); // the merge's GLB writer, so the file is what a build writes
    const genMs = performance.now() - t0;
    server.put(`/data/city-${target}.glb`, { file });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.pageUrl({ mesh: `/data/city-${target}.glb` }));
    await page.waitForSelector("html[data-status=ready], html[data-status=error]", { timeout: 600_000 });
    const r = await page.evaluate(() => ({ ...document.documentElement.dataset, status: document.getElementById("status")?.textContent }));
    // Later frames (orbiting): the median of five, everything already on the GPU.
    const frames = await page.evaluate(() => Array.from({ length: 5 }, () => window.citymeshViewer.timeFrame()).sort((a, b) => a - b));
    const memory = await page.evaluate(() => (performance).memory?.usedJSHeapSize ?? null);
    await page.close();
    if (r.status !== "" && r.firstFrameMs === undefined) throw new Error(`page error: ${r.status} ${errors.join("; ")}`);
    console.log(JSON.stringify({
      triangles: city.triangles, vertices: city.vertices, glbBytes: fs.statSync(file).size,
      msToFirstFrame: Number(r.firstFrameMs), msFromNavigation: Number(r.firstFrameAt), phases: JSON.parse(r.phases ?? "{}"), msPerLaterFrame: Math.round(frames[2]),
      jsHeapBytes: memory, generateMs: Math.round(genMs), renderer: `chromium headless: ${r.renderer}`,
    }));
    fs.rmSync(file);
  }
  if (tilesetBuildings || tilesetGeojson) console.log(JSON.stringify(await tilesetRun()));
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A generated city as a 3D Tiles tileset: build it, stream it, orbit it. */
async function tilesetRun() {
  const t0 = performance.now();
  let geojson = tilesetGeojson, buildings = tilesetBuildings;
  if (!geojson) {
    geojson = path.join(dir, `city-${buildings}.geojson`);
    buildings = writeCityGeoJSON(geojson, { buildings, seed: 6, x0: 84000.37, y0: 444000.61, shapes: "varied" }).buildings;
  }
  const genMs = performance.now() - t0;
  const out = path.join(dir, "tileset");
  const t1 = performance.now();
  const built = JSON.parse(execFileSync(process.execPath, [CLI, "build", geojson, "--format", "3dtiles", "-o", out + "/", "--json"], { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 }).toString());
  buildings = built.buildings; // the city file of figure 1 names no count: the build's
  const buildMs = performance.now() - t1;
  if (!tilesetGeojson) fs.rmSync(geojson);
  let files = 0, bytes = 0;
  for (const f of fs.readdirSync(out, { recursive: true })) {
    const file = path.join(out, f);
    const st = fs.statSync(file);
    if (!st.isFile()) continue;
    files++; bytes += st.size;
    server.put(`/data/tileset/${f.split(path.sep).join("/")}`, { file });
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.pageUrl({ mesh: "/data/tileset/tileset.json" }));
  await page.waitForSelector("html[data-status=ready], html[data-status=error]", { timeout: 600_000 });
  const r = await page.evaluate(() => ({ ...document.documentElement.dataset, status: document.getElementById("status")?.textContent, counts: { ...document.getElementById("counts").dataset, text: document.getElementById("counts").textContent } }));
  if (r.firstFrameMs === undefined) throw new Error(`page error: ${r.status} ${errors.join("; ")}`);
  // Orbiting: one step per animation frame, so tiles keep streaming (fetch, parse) between frames as they would.
  const orbit = await page.evaluate(() => new Promise((resolve) => {
    const frames = [], gaps = [];
    let last = performance.now(), n = 0;
    const step = () => {
      const now = performance.now();
      if (n > 0) gaps.push(now - last);
      last = now;
      frames.push(...window.citymeshViewer.orbitFrames(1, 3));
      if (++n < 120) requestAnimationFrame(step); else resolve({ frames, gaps });
    };
    requestAnimationFrame(step);
  }));
  await page.waitForFunction(() => window.citymeshViewer.tilesSettled(), null, { timeout: 600_000 });
  const after = await page.evaluate(() => ({ ...document.getElementById("counts").dataset, text: document.getElementById("counts").textContent }));
  const sorted = (a) => [...a].sort((x, y) => x - y);
  const f = sorted(orbit.frames), g = sorted(orbit.gaps);
  const memory = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
  await page.close();
  fs.rmSync(out, { recursive: true, force: true });
  return {
    tileset: true, buildings, files, bytes, generateMs: Math.round(genMs), buildMs: Math.round(buildMs),
    msToFirstFrame: Number(r.firstFrameMs), msToRoot: Number(r.tilesetRootMs), phases: JSON.parse(r.phases ?? "{}"),
    firstView: r.counts.text, trianglesAtFirstFrame: Number(r.counts.triangles), tilesAtFirstFrame: Number(r.counts.tiles ?? 0),
    msPerOrbitFrame: Math.round(f[f.length >> 1] * 10) / 10, msPerOrbitFrameP95: Math.round(f[Math.floor(f.length * 0.95)] * 10) / 10,
    msBetweenOrbitFrames: Math.round(g[g.length >> 1] * 10) / 10, afterOrbit: after.text,
    jsHeapBytes: memory, renderer: `chromium headless: ${r.renderer}`, errors,
  };
}
