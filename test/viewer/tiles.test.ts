// The viewer page shows a merged mesh's tile count from the file's metadata (headless Chromium,
// as viewer.test.ts): a GLB and a PLY merged from 6 tiles read "6 tiles"; a GLB that states no
// count shows none instead of a made-up "1 tiles".
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { buildWebview, launchChromium, startViewerServer, tmpDir, type ViewerServer } from "../support/viewerPage";
import { glbOf, viewerCity } from "../support/viewerCity";
import { mergeTiles } from "../../src/core/merge/mergeTiles";
import { memoryTileSource } from "../../src/core/merge/tileSource";
import type { BuildFormat, CrsInfo } from "../../src/core/types";
import { syntheticCity } from "../support/tiledCity";

const crs: CrsInfo = { name: "EPSG:28992", proj4: "+proj=sterea", origin: [84790, 445823], sourceCrs: "EPSG:28992" };
let server: ViewerServer;
let browser: Browser;
let dir: string;

async function merged(format: BuildFormat): Promise<string> {
  const city = syntheticCity(3, 2, 4); // 6 tiles
  const out = path.join(dir, `city.${format}`);
  await mergeTiles(memoryTileSource(city.tiles), { output: out, format, crs, buildings: city.buildings });
  return out;
}

before(async () => {
  dir = tmpDir("citymesh-viewer-tiles-");
  const bundle = path.join(dir, "webview.js");
  await buildWebview(bundle);
  server = await startViewerServer(bundle);
  server.put("/data/merged.glb", { file: await merged("glb") });
  server.put("/data/merged.ply", { file: await merged("ply") });
  server.put("/data/plain.glb", await glbOf(viewerCity({ cols: 2, rows: 2, groundCells: 2 }))); // states no tile count
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function counts(mesh: string): Promise<{ tiles: string | null; text: string }> {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(server.pageUrl({ mesh }));
    await page.waitForSelector("html[data-status=ready]", { timeout: 120_000 });
    const c = page.locator("#counts");
    const r = { tiles: await c.getAttribute("data-tiles"), text: await c.innerText() };
    assert.deepEqual(errors, []);
    return r;
  } finally {
    await page.close();
  }
}

describe("viewer tile count (headless Chromium)", () => {
  it("a merged GLB shows the tile count its metadata states", async () => {
    const c = await counts("/data/merged.glb");
    assert.equal(c.tiles, "6");
    assert.match(c.text, / · 6 tiles · 6 buildings/);
  });
  it("a merged PLY too", async () => {
    const c = await counts("/data/merged.ply");
    assert.equal(c.tiles, "6");
    assert.match(c.text, / · 6 tiles/);
  });
  it("a GLB without a tile count shows none", async () => {
    const c = await counts("/data/plain.glb");
    assert.equal(c.tiles, null);
    assert.doesNotMatch(c.text, /tiles/);
  });
});
