#!/usr/bin/env node
// Shows a mesh in the standalone viewer page (headless Chromium) and saves a screenshot.
//   node test/viewer/screenshot.mjs MESH [--buildings FILE] [--out test/artifacts/viewer-shot.png] [--top] [--height] [--serve]
// --serve keeps the page's server running and prints its URL (open it in any browser).
import { register } from "tsx/esm/api";
import { register as registerCjs } from "tsx/cjs/api";
import fs from "node:fs";
import path from "node:path";

register();
registerCjs();
const cjs = (m) => m.default ?? m;
const { buildWebview, launchChromium, startViewerServer, tmpDir, ROOT } = cjs(await import("../support/viewerPage.ts"));

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
const flag = (name) => { const i = args.indexOf(name); if (i >= 0) args.splice(i, 1); return i >= 0; };
const buildings = opt("--buildings");
const out = path.resolve(opt("--out") ?? path.join(ROOT, "test/artifacts/viewer-shot.png"));
const top = flag("--top"), height = flag("--height"), serve = flag("--serve");
const mesh = args[0];
if (!mesh) { console.error("usage: screenshot.mjs MESH [--buildings FILE] [--out PNG] [--top] [--height] [--serve]"); process.exit(2); }

const dir = tmpDir("citymesh-viewer-shot-");
await buildWebview(path.join(dir, "webview.js"));
const server = await startViewerServer(path.join(dir, "webview.js"));
const name = path.basename(mesh);
// A 3D Tiles tileset: its whole folder is served, so relative content URIs resolve.
const tileset = /\.json$/i.test(name);
if (tileset) {
  const base = path.dirname(path.resolve(mesh));
  for (const f of fs.readdirSync(base, { recursive: true })) {
    const file = path.join(base, f);
    if (fs.statSync(file).isFile()) server.put(`/data/${f.split(path.sep).join("/")}`, { file });
  }
} else server.put(`/data/${name}`, { file: path.resolve(mesh) });
const query = { mesh: `/data/${name}` };
if (buildings) { server.put("/data/buildings.jsonl", { file: path.resolve(buildings) }); query.buildings = "/data/buildings.jsonl"; }
if (serve) { console.log(server.pageUrl(query)); await new Promise(() => {}); }
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  page.setDefaultTimeout(180_000);
  await page.goto(server.pageUrl(query));
  await page.waitForSelector("html[data-status=ready], html[data-status=error]", { timeout: 600_000 });
  if (top) await page.click("#top");
  if (height) await page.selectOption("#colorMode", "height");
  // The viewer draws a change in the next animation frame: two frames later it is on the canvas, however slow.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  const d = await page.evaluate(() => ({ ...document.documentElement.dataset, counts: document.getElementById("counts").textContent, status: document.getElementById("status").textContent }));
  console.log(JSON.stringify({ out, ...d }));
} finally {
  await browser.close();
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
