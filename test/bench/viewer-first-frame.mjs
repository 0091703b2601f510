#!/usr/bin/env node
// Time to first frame of the viewer page for synthetic cities of ~1M and ~10M triangles, in
// headless Chromium with SwiftShader (CPU WebGL: a floor for real GPUs, not their speed).
// One JSON line per size: {triangles, msToFirstFrame, ...}; msToFirstFrame runs from the page's
// load request (fetch + parse + GPU upload + the first draw, waited for with readPixels).
//   node test/bench/viewer-first-frame.mjs [triangles...]     (default: 1000000 10000000)
import { register } from "tsx/esm/api";
import { register as registerCjs } from "tsx/cjs/api";
import fs from "node:fs";
import path from "node:path";

register();
registerCjs(); // the harness is TypeScript in a CommonJS package
const cjs = (m) => m.default ?? m;
const { buildWebview, launchChromium, startViewerServer, tmpDir } = cjs(await import("../support/viewerPage.ts"));
const { viewerCity, writeGlbOf } = cjs(await import("../support/viewerCity.ts"));

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (sizes.length === 0) sizes.push(1_000_000, 10_000_000);

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
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
