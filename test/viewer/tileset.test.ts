// A 3D Tiles tileset in the viewer page (headless Chromium, SwiftShader): the CLI builds the sample
// city with --format 3dtiles, the page streams it with 3d-tiles-renderer from the same server (its
// relative content URIs resolve against tileset.json's URL), draws ground, walls and roofs, and a click
// on a roof shows that building's row of its content's property table, checked against the input
// GeoJSON. Screenshots go to test/artifacts/viewer-tileset*.png.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { buildWebview, canvasRgb, launchChromium, ROOT, startViewerServer, tmpDir, type ViewerServer } from "../support/viewerPage";
import { runCli } from "../support/cli";
import { classify, pixelClass, type PixelClass } from "./pixels";

const ARTIFACTS = path.join(ROOT, "test/artifacts");
const VIEWPORT = { width: 1000, height: 700 };
const SAMPLE = path.join(ROOT, "media/sample/sample-city.geojson");
const TILESET = "/data/city/tileset.json";
/** The same city with --glb-compression meshopt+quantize. */
const PACKED = "/data/packed/tileset.json";
/** Limit for the page to show something: a loaded 2-core machine runs SwiftShader slowly, the waits are events. */
const UI_MS = 180_000;

let server: ViewerServer;
let browser: Browser;
let work: string;

interface Feature { properties: Record<string, unknown> }

async function open(tileset = TILESET): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.setDefaultTimeout(UI_MS);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.pageUrl({ mesh: tileset }));
  await page.waitForSelector("html[data-status=ready], html[data-status=error]", { timeout: UI_MS });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.status), "ready", await page.locator("#status").innerText());
  return { page, errors };
}

/** The viewer draws a change in the next animation frame: two frames later it is on the canvas. */
const drawn = (page: Page) => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

/** Every third pixel of the WebGL canvas as r,g,b triples, with its size. */
async function canvasPixels(page: Page): Promise<{ w: number; h: number; rgb: number[]; step: number }> {
  return { ...(await canvasRgb(page)), step: 1 };
}

async function canvasClasses(page: Page): Promise<Record<PixelClass, number>> {
  return classify((await canvasPixels(page)).rgb);
}

/** A roof pixel (CSS coordinates) whose 7×7 neighbourhood is all roof, nearest the canvas centre. */
async function roofPoint(page: Page): Promise<[number, number]> {
  const { w, h, rgb } = await canvasPixels(page);
  const box = (await page.locator("#view canvas").boundingBox())!;
  const cls = (x: number, y: number) => { const i = 3 * (y * w + x); return pixelClass(rgb[i], rgb[i + 1], rgb[i + 2]); };
  let best: [number, number] | undefined, bestD = Infinity;
  for (let y = 4; y < h - 4; y += 2) for (let x = 4; x < w - 4; x += 2) {
    if (cls(x, y) !== "roof") continue;
    const d = Math.hypot(x - w / 2, y - h / 2);
    if (d >= bestD) continue;
    let all = true;
    for (let dy = -3; dy <= 3 && all; dy++) for (let dx = -3; dx <= 3 && all; dx++) all = cls(x + dx, y + dy) === "roof";
    if (all) { best = [x, y]; bestD = d; }
  }
  assert.ok(best, "a roof big enough to click is on screen");
  return [box.x + (best[0] * box.width) / w, box.y + (best[1] * box.height) / h];
}

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  work = tmpDir("citymesh-viewer-tileset-");
  const bundle = path.join(work, "webview.js");
  await buildWebview(bundle);
  server = await startViewerServer(bundle);
  for (const [name, extra] of [["city", []], ["packed", ["--glb-compression", "meshopt+quantize"]]] as const) {
    const out = path.join(work, name);
    const r = runCli(["build", SAMPLE, "--format", "3dtiles", "-o", out + "/", "--scratch-dir", path.join(work, "scratch"), ...extra]);
    assert.equal(r.code, 0, r.stderr);
    for (const f of fs.readdirSync(out, { recursive: true }) as string[]) {
      const file = path.join(out, f);
      if (fs.statSync(file).isFile()) server.put(`/data/${name}/${f.split(path.sep).join("/")}`, { file });
    }
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("viewer page streams a 3D Tiles tileset (headless Chromium)", () => {
  it("draws the sample city's tileset with ground, wall and roof colours", async () => {
    const { page, errors } = await open();
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-tileset.png") });
    const cls = await canvasClasses(page);
    assert.ok(cls.ground > 0.05, `ground pixels ${cls.ground}`);
    assert.ok(cls.wall > 0.005, `wall pixels ${cls.wall}`);
    assert.ok(cls.roof > 0.01, `roof pixels ${cls.roof}`);
    assert.ok(cls.background > 0.05 && cls.background < 0.95, `background ${cls.background}`);
    const counts = page.locator("#counts");
    assert.ok(Number(await counts.getAttribute("data-tiles")) >= 1);
    assert.ok(Number(await counts.getAttribute("data-triangles")) > 1000);
    assert.match(await counts.innerText(), /300 buildings/); // every building of the sample is on screen at the fitted view
    assert.match(await page.locator("#legend").innerText(), /ground[\s\S]*wall[\s\S]*roof/);
    // The host hears that the tileset is on screen ("shown" → ViewerApi.onDidShowMesh).
    const shown = await page.evaluate(() => (window as unknown as { citymeshPosted: { type: string; key?: string; buildings?: number }[] }).citymeshPosted.filter((m) => m.type === "shown"));
    assert.equal(shown.length, 1);
    assert.equal(shown[0].key, TILESET);
    assert.equal(shown[0].buildings, 300);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("opens the same city with meshopt-compressed, quantized contents (the bundled decoder, KHR_mesh_quantization): the same picture", async () => {
    const plain = await open();
    await drawn(plain.page);
    const want = await canvasClasses(plain.page);
    await plain.page.close();
    const { page, errors } = await open(PACKED);
    await drawn(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-tileset-packed.png") });
    const got = await canvasClasses(page);
    assert.match(await page.locator("#counts").innerText(), /300 buildings/);
    // Quantization moves a vertex by under a centimetre here: the classes' shares match to a small fraction.
    for (const k of ["ground", "wall", "roof", "background"] as const) assert.ok(Math.abs(got[k] - want[k]) < 0.01, `${k}: ${got[k]} packed, ${want[k]} plain`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("picks a building through its feature id and shows its property table row (the input's properties)", async () => {
    const { page, errors } = await open();
    const [x, y] = await roofPoint(page);
    await page.mouse.click(x, y);
    await page.waitForSelector("#props[data-state=found]", { timeout: UI_MS });
    const b = Number(await page.locator("#props").getAttribute("data-building"));
    const rows = await page.locator("#props tr").evaluateAll((trs) => trs.map((tr) => [tr.querySelector("th")!.textContent!, tr.querySelector("td")!.textContent!]));
    const shown = new Map(rows as [string, string][]);
    // The row names the building by its source properties: the input feature with that BAG id has every one of them.
    const features = (JSON.parse(fs.readFileSync(SAMPLE, "utf8")) as { features: Feature[] }).features;
    const id = shown.get("identificatie");
    assert.ok(id, `identificatie shown (${JSON.stringify(rows)})`);
    const f = features.find((g) => g.properties.identificatie === id);
    assert.ok(f, `an input feature has identificatie ${id}`);
    for (const [k, v] of Object.entries(f.properties)) {
      if (v === null || typeof v === "object") continue;
      assert.equal(shown.get(k), String(v), `property ${k} of building ${b}`);
    }
    // And nothing else: a property the feature lacks (its table value is the noData) is not shown as a made-up 0.
    for (const k of shown.keys()) if (!["building", "height (mesh)", "id"].includes(k)) assert.ok(k in f.properties, `${k} shown but not in the input feature`);
    // The building index is the input feature's position (the order the whole pipeline numbers buildings in).
    assert.equal(features[b].properties.identificatie, id);
    // Its mesh height is the input's height when the input states one.
    if (typeof f.properties.height === "number") assert.ok(Math.abs(Number(shown.get("height (mesh)")) - f.properties.height) < 0.01);
    await drawn(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-tileset-pick.png") });
    const cls = await canvasClasses(page);
    assert.ok(cls.highlight > 0.0005, `highlighted pixels ${cls.highlight}`);
    // A click on empty background clears the selection.
    await page.mouse.click(VIEWPORT.width - 5, VIEWPORT.height / 2);
    await page.waitForSelector("#props", { state: "hidden", timeout: UI_MS });
    await drawn(page);
    assert.equal((await canvasClasses(page)).highlight, 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("colours buildings by height, toggles wireframe and goes top-down", async () => {
    const { page, errors } = await open();
    await page.selectOption("#colorMode", "height");
    await drawn(page);
    assert.match(await page.locator("#legend").innerText(), /height above ground[\s\S]*0\.0 m[\s\S]*\d+\.\d m/);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-tileset-height.png") });
    const h = await canvasClasses(page);
    assert.ok(h.cool > 0.002, `low buildings in the ramp's blue (${h.cool})`);
    assert.ok(h.roof < 0.002, `no class colours left (${h.roof})`);
    await page.click("#top");
    await page.check("#wireframe");
    await page.waitForFunction(() => (window as unknown as { citymeshViewer: { tilesSettled(): boolean } }).citymeshViewer.tilesSettled());
    await drawn(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-tileset-top-wireframe.png") });
    const w = await canvasClasses(page);
    assert.ok(w.background > h.background, `wireframe shows the background between edges (${w.background} vs ${h.background})`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
