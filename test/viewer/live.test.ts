// The live view of a build (headless Chromium, as viewer.test.ts): tiles announced faster than they
// load are drawn in batches, the camera follows the growing city until the user moves it, every
// announced tile file is reported done (so the host may delete it), the final mesh shows its load's
// progress and replaces the live tiles only once it is ready, and the counts line stays clear of
// VS Code's notification toasts. Nothing waits on time: held frames and held responses are released
// by the test, and every wait is for a page state.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { buildWebview, launchChromium, tmpDir } from "../support/viewerPage";
import { cmpvOf, glbOf, viewerCity, type ViewerCity } from "../support/viewerCity";
import { startGatedServer, type GatedServer } from "./gatedServer";
import { classify } from "./pixels";

const UI_MS = 180_000;
const VIEWPORT = { width: 1000, height: 700 };

// A switch that holds animation frames until the test releases them. A string, not a function: tsx would wrap
// inner functions in its __name helper, unknown in the page.
const FRAME_HOLD = `
  window.__holdFrames = false;
  window.__heldFrames = [];
  const realRaf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => { if (window.__holdFrames) { window.__heldFrames.push(cb); return 0; } return realRaf(cb); };
  window.__releaseFrames = () => { window.__holdFrames = false; for (const cb of window.__heldFrames.splice(0)) realRaf(cb); };`;

let server: GatedServer;
let browser: Browser;
let dir: string;

before(async () => {
  dir = tmpDir("citymesh-viewer-live-");
  const bundle = path.join(dir, "webview.js");
  await buildWebview(bundle);
  server = await startGatedServer(bundle);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function open(init = ""): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.setDefaultTimeout(UI_MS);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (init) await page.addInitScript({ content: init });
  await page.goto(server.pageUrl());
  return { page, errors };
}

const send = (page: Page, m: unknown) => page.evaluate((m) => window.postMessage(m, "*"), m);
const drawn = (page: Page) => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
const html = (page: Page, key: string) => page.evaluate((k) => document.documentElement.dataset[k], key);
/** Every URL the page reported in "tilesDone", in order. */
const doneUrls = (page: Page) => page.evaluate(() =>
  (window as unknown as { citymeshPosted: { type: string; urls?: string[] }[] }).citymeshPosted.filter((m) => m.type === "tilesDone").flatMap((m) => m.urls!));
const waitLiveTiles = (page: Page, n: number) => page.waitForSelector(`html[data-live-tiles='${n}']`, { timeout: UI_MS });

type V3 = [number, number, number];
/** The 8 corners of a tile's bounds in the viewer's Y-up frame (x, z, -y of the mesh). */
function corners(cities: ViewerCity[]): V3[] {
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (const c of cities) {
    const v = c.mesh.vertices;
    for (let i = 0; i < v.length; i += 3) {
      const p = [v[i], v[i + 2], -v[i + 1]];
      for (let k = 0; k < 3; k++) { lo[k] = Math.min(lo[k], p[k]); hi[k] = Math.max(hi[k], p[k]); }
    }
  }
  return [0, 1, 2, 3, 4, 5, 6, 7].map((k) => [k & 1 ? hi[0] : lo[0], k & 2 ? hi[1] : lo[1], k & 4 ? hi[2] : lo[2]]);
}
const toNdc = (page: Page, pts: V3[]) => page.evaluate((pts) =>
  pts.map((p) => (window as unknown as { citymeshViewer: { toNdc(x: number, y: number, z: number): V3 } }).citymeshViewer.toNdc(p[0], p[1], p[2])), pts);
const inView = (ndc: V3[]) => ndc.every((p) => p.every((c) => c >= -1 && c <= 1));

/** WCAG relative luminance of an sRGB colour (0–255 channels). */
function luminance(rgb: number[]): number {
  const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

async function canvasClasses(page: Page) {
  const data = await page.evaluate(() => {
    const src = document.querySelector<HTMLCanvasElement>("#view canvas")!;
    const c = document.createElement("canvas"); c.width = src.width; c.height = src.height;
    const ctx = c.getContext("2d")!; ctx.drawImage(src, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data, out: number[] = [];
    for (let i = 0; i < px.length; i += 4 * 3) out.push(px[i], px[i + 1], px[i + 2]);
    return out;
  });
  return classify(data);
}

/** The last message of this type the page posted to its host. */
async function lastPosted(page: Page, type: string): Promise<unknown> {
  return page.evaluate((t) => (window as unknown as { citymeshPosted: { type: string }[] }).citymeshPosted.filter((m) => m.type === t).at(-1), type);
}

describe("live view (standalone, headless Chromium)", () => {
  it("draws tiles announced faster than they load in batches, and reports every tile file done", async () => {
    const cols = 6, rows = 4, n = cols * rows, N = 4 * n;
    const tiles: ViewerCity[] = [], urls: string[] = [];
    for (let t = 0; t < n; t++) {
      const city = viewerCity({ cols: 2, rows: 2, groundCells: 2, offset: [90 * (t % cols), 90 * Math.floor(t / cols)], tileOf: { first: 4 * t, of: N } });
      tiles.push(city);
      urls.push(`/batch/t${t}.cmpv`);
      server.put(urls[t], cmpvOf(city));
    }
    const missing = "/batch/removed-by-the-build.cmpv"; // a preview file already deleted: reported done, not drawn
    const { page, errors } = await open(FRAME_HOLD);
    // No frame runs until released: everything that arrives meanwhile must go into the next frame's batch.
    await page.evaluate(() => { (window as unknown as { __holdFrames: boolean }).__holdFrames = true; });
    await send(page, { type: "beginLive", title: "batch" });
    for (const url of [...urls, missing]) await send(page, { type: "addTile", url });
    await page.waitForFunction((k) =>
      (window as unknown as { citymeshPosted: { type: string; urls?: string[] }[] }).citymeshPosted.filter((m) => m.type === "tilesDone").flatMap((m) => m.urls!).length >= k,
    n + 1, { timeout: UI_MS });
    assert.deepEqual((await doneUrls(page)).sort(), [...urls, missing].sort(), "each announced tile reported done exactly once");
    assert.equal(await html(page, "liveTiles"), "0", "nothing drawn while frames are held");
    await page.evaluate(() => (window as unknown as { __releaseFrames(): void }).__releaseFrames());
    await waitLiveTiles(page, n);
    const batches = Number(await html(page, "liveBatches"));
    assert.equal(batches, 1, `${n} tiles that arrived before one frame are one scene addition (${batches})`);
    assert.equal(await page.locator("#counts").getAttribute("data-tiles"), String(n));
    assert.equal(Number(await page.locator("#counts").getAttribute("data-triangles")), tiles.reduce((s, c) => s + c.triangles, 0));
    assert.match(await page.locator("#counts").innerText(), new RegExp(`· ${N} buildings`));
    await drawn(page);
    assert.ok(inView(await toNdc(page, corners(tiles))), "the camera fitted the whole batch");
    const cls = await canvasClasses(page);
    assert.ok(cls.roof > 0.01 && cls.wall > 0.01 && cls.ground > 0.01, JSON.stringify(cls));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("refits as tiles extend the city, until the user drags the view; Fit still fits", async () => {
    const a = viewerCity({ cols: 2, rows: 2, groundCells: 2, tileOf: { first: 0, of: 12 } });
    const b = viewerCity({ cols: 2, rows: 2, groundCells: 2, offset: [900, 0], tileOf: { first: 4, of: 12 } });
    const c = viewerCity({ cols: 2, rows: 2, groundCells: 2, offset: [0, 1500], tileOf: { first: 8, of: 12 } });
    server.put("/refit/a.cmpv", cmpvOf(a));
    server.put("/refit/b.cmpv", cmpvOf(b));
    server.put("/refit/c.cmpv", cmpvOf(c));
    const { page, errors } = await open();
    await send(page, { type: "beginLive", title: "refit" });
    await send(page, { type: "addTile", url: "/refit/a.cmpv" });
    await waitLiveTiles(page, 1);
    await drawn(page);
    assert.ok(inView(await toNdc(page, corners([a]))), "first tile in view");
    const bCorners = corners([b]);
    assert.ok(!inView(await toNdc(page, bCorners)), "the next tile starts outside the first tile's view");
    await send(page, { type: "addTile", url: "/refit/b.cmpv" });
    await waitLiveTiles(page, 2);
    await drawn(page);
    assert.ok(inView(await toNdc(page, corners([a, b]))), "refitted to both tiles");
    assert.deepEqual(await lastPosted(page, "liveView"), { type: "liveView", tilesDrawn: 2, coversTiles: true }, "the page tells the host the view covers the tiles drawn");

    // The user drags the view (MapControls pans): from now on a new tile does not move the camera.
    const box = (await page.locator("#view canvas").boundingBox())!;
    const x = box.x + box.width / 2, y = box.y + box.height * 0.6;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 120, y + 40, { steps: 6 });
    await page.mouse.up();
    await drawn(page);
    const probe: V3[] = [[0, 0, 0], [900, 0, 0]];
    const afterDrag = await toNdc(page, probe);
    await send(page, { type: "addTile", url: "/refit/c.cmpv" });
    await waitLiveTiles(page, 3);
    await drawn(page);
    const afterTile = await toNdc(page, probe);
    for (let i = 0; i < probe.length; i++) for (const k of [0, 1]) assert.ok(Math.abs(afterTile[i][k] - afterDrag[i][k]) < 1e-9, "the camera stayed where the user put it");
    assert.ok(!inView(await toNdc(page, corners([a, b, c]))), "the third tile is not fitted in automatically");
    assert.deepEqual(await lastPosted(page, "liveView"), { type: "liveView", tilesDrawn: 3, coversTiles: false }, "and the page says so");
    await page.click("#fit");
    await drawn(page);
    assert.ok(inView(await toNdc(page, corners([a, b, c]))), "Fit frames all three tiles");
    // In a new live session the camera follows again; Top is a view the user chose, so a later tile leaves it alone.
    await send(page, { type: "beginLive", title: "refit again" });
    await send(page, { type: "addTile", url: "/refit/a.cmpv" });
    await waitLiveTiles(page, 1);
    await page.click("#top");
    await drawn(page);
    const topView = await toNdc(page, probe);
    await send(page, { type: "addTile", url: "/refit/b.cmpv" });
    await waitLiveTiles(page, 2);
    await drawn(page);
    const afterB = await toNdc(page, probe);
    for (let i = 0; i < probe.length; i++) for (const k of [0, 1]) assert.ok(Math.abs(afterB[i][k] - topView[i][k]) < 1e-9, "the top view stayed");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("shows the final mesh's load progress over the live tiles, then swaps, keeping the user's camera", async () => {
    // Two live tiles of the 8 × 6 city the final GLB holds (stated as merged from 6 tiles).
    const a = viewerCity({ cols: 4, rows: 6, groundCells: 8, offset: [-60, 0], tileOf: { first: 0, of: 48 } });
    const b = viewerCity({ cols: 4, rows: 6, groundCells: 8, offset: [60, 0], tileOf: { first: 24, of: 48 } });
    const whole = viewerCity({ cols: 8, rows: 6, groundCells: 16 });
    server.put("/swap/a.cmpv", cmpvOf(a));
    server.put("/swap/b.cmpv", cmpvOf(b));
    const glb = await glbOf(whole, 6);
    // The mesh: half sent, the rest held; no Content-Length, so the total must come from the source's `bytes`.
    const half = Math.floor(glb.length / 2);
    const meshGate = server.gate("/swap/city.glb", glb, half, { length: false });
    // A tile still loading when the mesh replaces the live view: dropped, and reported done.
    const tileGate = server.gate("/swap/late.cmpv", cmpvOf(b), 8);

    const { page, errors } = await open();
    await send(page, { type: "beginLive", title: "swap" });
    await send(page, { type: "addTile", url: "/swap/a.cmpv" });
    await send(page, { type: "addTile", url: "/swap/b.cmpv" });
    await waitLiveTiles(page, 2);
    const box = (await page.locator("#view canvas").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 60, box.y + box.height / 2 + 30, { steps: 4 });
    await page.mouse.up();
    await drawn(page);
    const probe: V3[] = [[0, 0, 0], [100, 20, -50]];
    const userView = await toNdc(page, probe);

    await send(page, { type: "addTile", url: "/swap/late.cmpv" });
    await tileGate.reached;
    await send(page, { type: "load", source: { url: "/swap/city.glb", key: "/work/swap/city.glb", name: "city.glb", bytes: glb.length } });
    await meshGate.reached;
    await page.waitForFunction((half) => Number(document.documentElement.dataset.loadBytes ?? 0) >= half, half, { timeout: UI_MS });
    const loaded = Number(await html(page, "loadBytes")), total = Number(await html(page, "loadTotal"));
    assert.equal(total, glb.length, "total from the source's bytes");
    assert.ok(loaded > 0 && loaded < total, `progress ${loaded} / ${total} while the rest is held`);
    const status = await page.locator("#status").innerText();
    assert.match(status, /^Loading city\.glb — \d+\.\d \/ \d+\.\d MB$/, status);
    const told = await lastPosted(page, "loadProgress") as { key: string; loaded: number; total: number };
    assert.ok(told.key === "/work/swap/city.glb" && told.total === glb.length && told.loaded > 0 && told.loaded < told.total, `the host is told the progress too: ${JSON.stringify(told)}`);
    assert.equal(await html(page, "status"), "loading");
    // The live tiles stay on screen meanwhile: a fresh frame (not the last one left on the canvas) still draws them.
    assert.equal(await page.locator("#counts").getAttribute("data-tiles"), "2");
    await page.evaluate(() => (window as unknown as { citymeshViewer: { requestRender(): void } }).citymeshViewer.requestRender());
    await drawn(page);
    const during = await canvasClasses(page);
    assert.ok(during.roof > 0.005 && during.wall > 0.005, `live tiles drawn during the load: ${JSON.stringify(during)}`);

    meshGate.release();
    await page.waitForSelector("html[data-status=ready]", { timeout: UI_MS });
    assert.equal(Number(await page.locator("#counts").getAttribute("data-triangles")), whole.triangles);
    assert.equal(await page.locator("#counts").getAttribute("data-tiles"), "6", "the tile count is the mesh's metadata's");
    assert.match(await page.locator("#counts").innerText(), / · 6 tiles · 48 buildings/);
    const finalView = await toNdc(page, probe);
    for (let i = 0; i < probe.length; i++) for (const k of [0, 1]) assert.ok(Math.abs(finalView[i][k] - userView[i][k]) < 1e-9, "the user's camera kept across the swap");
    assert.deepEqual((await doneUrls(page)).sort(), ["/swap/a.cmpv", "/swap/b.cmpv", "/swap/late.cmpv"], "the tile still loading was dropped and reported");
    const shown = await page.evaluate(() => (window as unknown as { citymeshPosted: { type: string; key?: string }[] }).citymeshPosted.find((m) => m.type === "shown"));
    assert.equal(shown?.key, "/work/swap/city.glb");
    tileGate.release();
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("puts the counts line at the top left, clear of VS Code's notification toasts, readable in light and dark themes", async () => {
    server.put("/toast/a.cmpv", cmpvOf(viewerCity({ cols: 3, rows: 3, groundCells: 4 })));
    const { page, errors } = await open();
    await send(page, { type: "beginLive", title: "toast" });
    await send(page, { type: "addTile", url: "/toast/a.cmpv" });
    await waitLiveTiles(page, 1);
    const r = (await page.locator("#counts").boundingBox())!;
    assert.match(await page.locator("#counts").innerText(), /triangles/);
    // VS Code's toasts: up to 450 px wide, stacked up from the bottom right corner of the window.
    const toast = { left: VIEWPORT.width - 470, top: VIEWPORT.height / 2 };
    assert.ok(r.x + r.width < toast.left || r.y + r.height < toast.top, `counts at ${JSON.stringify(r)} under the toast area`);
    assert.ok(r.y + r.height < VIEWPORT.height / 2 && r.x < VIEWPORT.width / 2, `counts at the top left: ${JSON.stringify(r)}`);
    // The colours come from the theme's widget variables, so the line reads well in either theme.
    const contrast = async () => {
      const s = await page.evaluate(() => { const cs = getComputedStyle(document.getElementById("counts")!); return [cs.color, cs.backgroundColor]; });
      const [a, b] = s.map((c) => luminance((c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number)));
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    };
    assert.ok(await contrast() >= 4.5, `dark fallback contrast ${await contrast()}`);
    await page.evaluate(() => {
      document.body.className = "vscode-light";
      for (const [k, v] of [["--vscode-editor-background", "#ffffff"], ["--vscode-editorWidget-background", "#f3f3f3"], ["--vscode-editorWidget-foreground", "#616161"]]) document.body.style.setProperty(k, v);
    });
    assert.ok(await contrast() >= 4.5, `light theme contrast ${await contrast()}`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
