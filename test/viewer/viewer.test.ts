// The viewer page in headless Chromium (SwiftShader WebGL), served standalone with the same
// HTML and CSP the extension ships. Screenshots go to test/artifacts/viewer-*.png.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { buildWebview, canvasRgb, launchChromium, ROOT, startViewerServer, tmpDir, type ViewerServer } from "../support/viewerPage";
import { cmpvOf, glbOf, viewerCity, type ViewerCity } from "../support/viewerCity";
import { classify, type PixelClass } from "./pixels";
import { spawnSync } from "node:child_process";
import { parseCitymeshGlb } from "../../webview/glb";
import { markerBuilding, SurfaceClass } from "../../webview/meshData";

const ARTIFACTS = path.join(ROOT, "test/artifacts");
const VIEWPORT = { width: 1000, height: 700 };
const MESH = "/data/city.glb", BUILDINGS = "/data/city.buildings.jsonl";

/** Limit for the page to show something: a loaded 2-core machine runs SwiftShader slowly, the waits are events. */
const UI_MS = 180_000;

let server: ViewerServer;
let browser: Browser;
let city: ViewerCity;

/** Opens the page and waits for the first frame; collects page errors. */
async function open(query: Record<string, string>, init?: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  page.setDefaultTimeout(UI_MS); // goto, click, selectOption… (Playwright's default is 30 s)
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (init) await page.addInitScript({ content: init });
  await page.goto(server.pageUrl(query));
  return { page, errors };
}

const waitReady = (page: Page) => page.waitForSelector("html[data-status=ready]", { timeout: UI_MS });
/**
 * Resolves once the page has drawn what the last change asked for: the viewer renders in the next animation frame
 * after a change, so two frames later it is on the canvas (no fixed sleep, however slow the machine).
 */
const drawn = (page: Page) => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

/** Class histogram of the WebGL canvas (DOM overlays excluded), as fractions of all pixels. */
async function canvasClasses(page: Page): Promise<Record<PixelClass, number>> {
  const { w, h, rgb: data } = await canvasRgb(page, 3);
  assert.ok(w > 0 && h > 0);
  return classify(data);
}

before(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dir = tmpDir("citymesh-viewer-");
  const bundle = path.join(dir, "webview.js");
  await buildWebview(bundle);
  server = await startViewerServer(bundle);
  city = viewerCity({ cols: 8, rows: 6, groundCells: 16 });
  server.put(MESH, await glbOf(city));
  server.put(BUILDINGS, Buffer.from(city.buildingsJsonl));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe("viewer page (standalone, headless Chromium)", () => {
  it("draws the city with ground, wall and roof colours", async () => {
    const { page, errors } = await open({ mesh: MESH, buildings: BUILDINGS });
    await waitReady(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-city.png") });
    const cls = await canvasClasses(page);
    assert.ok(cls.ground > 0.02, `ground pixels ${cls.ground}`);
    assert.ok(cls.wall > 0.01, `wall pixels ${cls.wall}`);
    assert.ok(cls.roof > 0.01, `roof pixels ${cls.roof}`);
    assert.ok(cls.background > 0.05 && cls.background < 0.95, `background ${cls.background}`);
    assert.ok(cls.cool < 0.001, `no height-ramp blue in class mode (${cls.cool})`);
    const counts = await page.locator("#counts").getAttribute("data-triangles");
    assert.equal(Number(counts), city.triangles);
    assert.match(await page.locator("#legend").innerText(), /ground[\s\S]*wall[\s\S]*roof/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("picks a building by its roof and shows its properties", async () => {
    const { page, errors } = await open({ mesh: MESH, buildings: BUILDINGS });
    await waitReady(page);
    const b = 3 * 8 + 4; // a building in the middle of the grid
    const [x, y, z] = city.roofCentre(b);
    const [sx, sy] = await page.evaluate(([x, y, z]) =>
      (window as unknown as { citymeshViewer: { project(x: number, y: number, z: number): [number, number] } }).citymeshViewer.project(x, y, z), [x, y, z]);
    await page.mouse.click(sx, sy);
    await page.waitForSelector("#props[data-state=found]", { timeout: UI_MS });
    assert.equal(await page.locator("#props").getAttribute("data-building"), String(b));
    const text = await page.locator("#props").innerText();
    assert.match(text, new RegExp(`bldg-${b}\\b`));
    assert.match(text, new RegExp(`Block ${b}\\b`));
    await drawn(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-pick.png") });
    const cls = await canvasClasses(page);
    assert.ok(cls.highlight > 0.0005, `highlighted pixels ${cls.highlight}`);
    // Clicking the ground clears the selection.
    const [gx, gy] = await page.evaluate(([x, z]) =>
      (window as unknown as { citymeshViewer: { project(x: number, y: number, z: number): [number, number] } }).citymeshViewer.project(x, 0, z),
      [0, 6 * 30 / 2 + 12]);
    await page.mouse.click(gx, gy);
    await page.waitForSelector("#props", { state: "hidden", timeout: UI_MS });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("colours by building height, toggles wireframe, fits and goes top-down", async () => {
    const { page, errors } = await open({ mesh: MESH, buildings: BUILDINGS });
    await waitReady(page);
    await page.selectOption("#colorMode", "height");
    await drawn(page);
    assert.match(await page.locator("#legend").innerText(), /height above ground[\s\S]*6\.0 m[\s\S]*36\.0 m/);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-height.png") });
    const h = await canvasClasses(page);
    assert.ok(h.cool > 0.005, `low buildings drawn in the ramp's blue (${h.cool})`);
    await page.click("#top");
    await page.check("#wireframe");
    await drawn(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-top-wireframe.png") });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("follows the VS Code theme's editor background", async () => {
    const { page } = await open({ mesh: MESH });
    await waitReady(page);
    const corner = () => page.evaluate(() => {
      const src = document.querySelector<HTMLCanvasElement>("#view canvas")!;
      const c = document.createElement("canvas"); c.width = 4; c.height = 4;
      const g = c.getContext("2d")!; g.drawImage(src, 0, 0, 4, 4, 0, 0, 4, 4);
      return [...g.getImageData(1, 1, 1, 1).data.slice(0, 3)];
    });
    // What VS Code does on a theme change: body class and CSS variables.
    await page.evaluate(() => { document.body.className = "vscode-dark"; document.body.style.setProperty("--vscode-editor-background", "#102030"); });
    await drawn(page);
    assert.deepEqual(await corner(), [0x10, 0x20, 0x30]);
    await page.evaluate(() => { document.body.className = "vscode-light"; document.body.style.setProperty("--vscode-editor-background", "#fafafa"); });
    await drawn(page);
    assert.deepEqual(await corner(), [0xfa, 0xfa, 0xfa]);
    await page.close();
  });

  it("the CSP blocks remote loads", async () => {
    const { page } = await open({ mesh: MESH });
    await waitReady(page);
    const r = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener("securitypolicyviolation", (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
      let fetched = "no error";
      try { await fetch("http://example.invalid/x.json"); } catch (e) { fetched = String(e); }
      const s = document.createElement("script");
      s.src = "http://example.invalid/x.js";
      document.head.append(s);
      const inline = document.createElement("script");
      inline.textContent = "window.inlineRan = true";
      document.head.append(inline);
      // The violation events are queued tasks: wait for the two remote ones by event, not for a guessed time
      // (180 s is only a cap, so a missing violation fails the assertions below instead of hanging the run). An
      // inline script that the CSP allowed would have run during append() already.
      // (No named inner functions: tsx would wrap them in its __name helper, unknown in the page.)
      await new Promise<void>((r) => {
        for (const ev of ["check-now", "securitypolicyviolation"]) {
          document.addEventListener(ev, () => {
            if (violations.some((v) => v.startsWith("connect-src http://example.invalid")) && violations.some((v) => v.startsWith("script-src-elem http://example.invalid"))) r();
          });
        }
        document.dispatchEvent(new Event("check-now"));
        setTimeout(r, 180_000);
      });
      return { violations, fetched, inlineRan: (window as unknown as { inlineRan?: boolean }).inlineRan === true };
    });
    assert.match(r.fetched, /TypeError/);
    assert.ok(r.violations.some((v) => v.startsWith("connect-src http://example.invalid")), r.violations.join("; "));
    assert.ok(r.violations.some((v) => v.startsWith("script-src-elem http://example.invalid")), r.violations.join("; "));
    assert.equal(r.inlineRan, false);
    await page.close();
  });

  it("streams live tiles and replaces them with the final mesh", async () => {
    // Two tiles of one city, as the worker writes them: both use the city's N (48) in their markers, b's buildings are 24..47.
    const a = viewerCity({ cols: 4, rows: 6, groundCells: 8, offset: [-60, 0], tileOf: { first: 0, of: 48 } });
    const b = viewerCity({ cols: 4, rows: 6, groundCells: 8, offset: [60, 0], height: (i) => 30 - i, tileOf: { first: 24, of: 48 } });
    server.put("/tiles/a.cmpv", cmpvOf(a));
    server.put("/tiles/b.cmpv", cmpvOf(b));
    const { page, errors } = await open({});
    await page.evaluate(() => window.postMessage({ type: "beginLive", title: "sample" }, "*"));
    await page.evaluate(() => window.postMessage({ type: "addTile", url: "/tiles/a.cmpv" }, "*"));
    await page.waitForSelector("#counts[data-tiles='1']", { timeout: UI_MS });
    await page.evaluate(() => window.postMessage({ type: "addTile", url: "/tiles/b.cmpv" }, "*"));
    await page.waitForSelector("#counts[data-tiles='2']", { timeout: UI_MS });
    assert.equal(Number(await page.locator("#counts").getAttribute("data-triangles")), a.triangles + b.triangles);
    assert.match(await page.locator("#counts").innerText(), /· 48 buildings/, "buildings meshed so far, not the city's N once per tile");
    await drawn(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-live.png") });
    const cls = await canvasClasses(page);
    assert.ok(cls.roof > 0.01 && cls.wall > 0.01 && cls.ground > 0.01, JSON.stringify(cls));
    await page.evaluate((m) => window.postMessage({ type: "load", source: { url: m, key: m, name: "city.glb" } }, "*"), MESH);
    await waitReady(page);
    assert.equal(Number(await page.locator("#counts").getAttribute("data-triangles")), city.triangles);
    assert.equal(await page.locator("html").getAttribute("data-live-tiles"), "2", "the page remembers the live tiles it drew before the final mesh");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("talks to a VS Code host: ready, pick → buildingInfo, state restored after reload", async () => {
    // A stand-in for acquireVsCodeApi: state in sessionStorage (survives reload), answers as the
    // extension does. A string, not a function: tsx would wrap inner functions in its __name helper.
    const init = `
      const posted = [];
      window.__posted = posted;
      window.acquireVsCodeApi = () => ({
        getState: () => JSON.parse(sessionStorage.getItem("state") || "null") || undefined,
        setState: (s) => sessionStorage.setItem("state", JSON.stringify(s)),
        postMessage: (m) => {
          posted.push(m);
          const reply = (r) => setTimeout(() => window.postMessage(r, "*"), 0);
          if (m.type === "ready") reply({ type: "load", source: { url: "/data/city.glb", key: "/work/city.glb", name: "city.glb" } });
          if (m.type === "pick") reply({ type: "buildingInfo", requestId: m.requestId, building: m.building, info: { b: m.building, id: "host-" + m.building, properties: { from: "host" } } });
        },
      });`;
    const { page, errors } = await open({}, init);
    await waitReady(page);
    assert.equal(await page.evaluate(() => (window as unknown as { citymeshViewer?: unknown }).citymeshViewer), undefined);
    // Move the camera (top view) and switch colour mode, then pick a building.
    await page.click("#top");
    await page.selectOption("#colorMode", "height");
    // The colour mode is saved at once, the camera when the view settles: wait for both in the host's state.
    await page.waitForFunction(() => {
      const s = JSON.parse(sessionStorage.getItem("state") ?? "null");
      return s?.colorMode === "height" && s.camera && Math.abs(s.camera.position[0] - s.camera.target[0]) < 1;
    }, undefined, { timeout: UI_MS });
    const before = await page.evaluate(() => JSON.parse(sessionStorage.getItem("state")!));
    assert.equal(before.colorMode, "height");
    assert.equal(before.source.key, "/work/city.glb");
    const c = city.roofCentre(0);
    assert.ok(Math.abs(before.camera.position[0] - before.camera.target[0]) < 1, "top view looks straight down");
    // In the top view building 0's roof centre projects straight to the screen.
    const size = await page.evaluate(() => [innerWidth, innerHeight]);
    const t = before.camera.target, dist = before.camera.position[1] - t[1];
    const fov = (45 * Math.PI) / 180, k = size[1] / 2 / (Math.tan(fov / 2) * (dist - c[1]));
    await page.mouse.click(size[0] / 2 + (c[0] - t[0]) * k, size[1] / 2 + (c[2] - t[2]) * k);
    await page.waitForSelector("#props[data-state=found]", { timeout: UI_MS });
    assert.equal(await page.locator("#props").getAttribute("data-building"), "0");
    assert.match(await page.locator("#props").innerText(), /host-0/);
    const posted = await page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted.map((m) => m.type));
    assert.deepEqual(posted.slice(0, 1), ["ready"]);
    assert.ok(posted.includes("pick"));
    const shown = await page.evaluate(() => (window as unknown as { __posted: { type: string; key?: string; triangles?: number }[] }).__posted.find((m) => m.type === "shown"));
    assert.equal(shown?.key, "/work/city.glb", "the page tells the host when the mesh is on screen");
    assert.equal(shown?.triangles, Number(await page.locator("#counts").getAttribute("data-triangles")));
    await page.reload();
    await waitReady(page);
    assert.equal(await page.locator("#colorMode").inputValue(), "height");
    const restored = await page.evaluate(() => JSON.parse(sessionStorage.getItem("state")!));
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(restored.camera.position[i] - before.camera.position[i]) < 1e-6, "camera restored");
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-vscode-host.png") });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("shows the sample city built by the CLI, and picks its largest roof", async (t) => {
    const cli = path.join(ROOT, "dist/cli.mjs");
    if (!fs.existsSync(cli)) { t.skip("dist/cli.mjs not built (npm run build)"); return; }
    const dir = tmpDir("citymesh-viewer-sample-");
    const out = path.join(dir, "sample-city.glb");
    const r = spawnSync(process.execPath, [cli, "build", path.join(ROOT, "media/sample/sample-city.geojson"), "-o", out], { encoding: "utf8", timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    const sideFile = path.join(dir, "sample-city.buildings.jsonl");
    assert.ok(fs.existsSync(sideFile), "buildings side file next to the mesh");
    server.put("/data/sample-city.glb", { file: out });
    server.put("/data/sample-city.buildings.jsonl", { file: sideFile });

    // The largest roof triangle: its centroid is on that roof, and seen from the top nothing covers it.
    const glb = fs.readFileSync(out);
    const d = parseCitymeshGlb(glb.buffer.slice(glb.byteOffset, glb.byteOffset + glb.byteLength) as ArrayBuffer);
    const roofs = d.groups.find((g) => g.cls === SurfaceClass.Roof)!;
    let best = -1, bestArea = 0;
    for (let f = roofs.start / 3; f < (roofs.start + roofs.count) / 3; f++) {
      const [a, b, c] = [0, 1, 2].map((k) => 3 * d.index[3 * f + k]);
      const area = Math.abs((d.positions[b] - d.positions[a]) * (d.positions[c + 2] - d.positions[a + 2]) - (d.positions[c] - d.positions[a]) * (d.positions[b + 2] - d.positions[a + 2])) / 2;
      if (area > bestArea) { bestArea = area; best = f; }
    }
    const building = markerBuilding(d.markers![best], d.buildings);
    const centroid = [0, 1, 2].map((axis) => [0, 1, 2].reduce((s, k) => s + d.positions[3 * d.index[3 * best + k] + axis], 0) / 3);

    const { page, errors } = await open({ mesh: "/data/sample-city.glb", buildings: "/data/sample-city.buildings.jsonl" });
    await waitReady(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-sample-city.png") });
    const cls = await canvasClasses(page);
    assert.ok(cls.ground > 0.05 && cls.wall > 0.002 && cls.roof > 0.02, JSON.stringify(cls));
    assert.equal(Number(await page.locator("#counts").getAttribute("data-triangles")), d.index.length / 3);
    await page.click("#top");
    await drawn(page);
    const [sx, sy] = await page.evaluate(([x, y, z]) =>
      (window as unknown as { citymeshViewer: { project(x: number, y: number, z: number): [number, number] } }).citymeshViewer.project(x, y, z), centroid);
    await page.mouse.click(sx, sy);
    await page.waitForSelector("#props[data-state=found]", { timeout: UI_MS });
    assert.equal(await page.locator("#props").getAttribute("data-building"), String(building));
    const line = JSON.parse(fs.readFileSync(sideFile, "utf8").split("\n")[building]);
    assert.equal(line.b, building);
    const text = await page.locator("#props").innerText();
    for (const [k, v] of Object.entries(line.properties as Record<string, unknown>)) assert.ok(text.includes(k) && text.includes(String(v)), `${k}=${v} shown`);
    await drawn(page);
    await page.screenshot({ path: path.join(ARTIFACTS, "viewer-sample-pick.png") });
    assert.deepEqual(errors, []);
    await page.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows Delft built from its AHN3 LiDAR coloured by height above the ground (../shared/data's two tiles, else the committed cut)", async (t) => {
    const cli = path.join(ROOT, "dist/cli.mjs");
    if (!fs.existsSync(cli)) { t.skip("dist/cli.mjs not built (npm run build)"); return; }
    const shared = ["delft-ahn3-1.laz", "delft-ahn3-2.laz"].map((n) => path.resolve(ROOT, "../shared/data", n));
    const full = shared.every((f) => fs.existsSync(f));
    if (!full) t.diagnostic(`${shared.join(", ")} absent (../shared/data is not beside this checkout): the committed cut covers a few buildings only`);
    const clouds = full ? shared : [path.join(ROOT, "test/fixtures/pointcloud/delft-2chunks.laz")];
    const dir = tmpDir("citymesh-viewer-delft-");
    const out = path.join(dir, "delft.glb");
    const r = spawnSync(process.execPath, [cli, "build", path.join(ROOT, "test/fixtures/real/delft-bgt.geojson"), "--point-cloud", clouds.join(","), "--tile-size", "100", "-o", out], { encoding: "utf8", timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    server.put("/data/delft.glb", { file: out });
    server.put("/data/delft.buildings.jsonl", { file: path.join(dir, "delft.buildings.jsonl") });
    const { page, errors } = await open({ mesh: "/data/delft.glb", buildings: "/data/delft.buildings.jsonl" });
    await waitReady(page);
    const cls = await canvasClasses(page);
    assert.ok(cls.ground > 0.05 && cls.roof > 0.005, JSON.stringify(cls));
    await page.selectOption("#colorMode", "height");
    await drawn(page);
    const legend = await page.locator("#legend").innerText();
    const [lo, hi] = [...legend.matchAll(/([\d.]+) m/g)].map((m) => Number(m[1]));
    // Heights above the ground at the buildings' corners: Delft's low annexes to its canal houses (no building is 0 m, none floats).
    assert.match(legend, /height above ground/);
    assert.ok(lo >= 2 && hi <= 30 && hi > lo, legend);
    await page.screenshot({ path: path.join(ARTIFACTS, full ? "viewer-delft-lidar.png" : "viewer-delft-lidar-cut.png") });
    assert.deepEqual(errors, []);
    await page.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("opens a GLB compressed with EXT_meshopt_compression under the extension's CSP (the bundled WebAssembly decoder), the same mesh as the plain one", async (t) => {
    const cli = path.join(ROOT, "dist/cli.mjs");
    if (!fs.existsSync(cli)) { t.skip("dist/cli.mjs not built (npm run build)"); return; }
    const dir = tmpDir("citymesh-viewer-meshopt-");
    const plain = path.join(dir, "plain.glb"), packed = path.join(dir, "packed.glb");
    for (const [out, extra] of [[plain, []], [packed, ["--glb-compression", "meshopt"]]] as const) {
      const r = spawnSync(process.execPath, [cli, "build", path.join(ROOT, "media/sample/sample-city.geojson"), "-o", out, ...extra], { encoding: "utf8", timeout: 300_000 });
      assert.equal(r.status, 0, r.stderr);
    }
    assert.ok(fs.statSync(packed).size < fs.statSync(plain).size, "compressed");
    const counts: string[] = [];
    for (const [name, file] of [["plain", plain], ["packed", packed]]) {
      server.put(`/data/${name}.glb`, { file });
      const { page, errors } = await open({ mesh: `/data/${name}.glb` });
      await waitReady(page);
      counts.push(`${await page.locator("#counts").getAttribute("data-triangles")}`);
      const cls = await canvasClasses(page);
      assert.ok(cls.ground > 0.05 && cls.roof > 0.02, `${name}: ${JSON.stringify(cls)}`);
      assert.deepEqual(errors, [], name);
      if (name === "packed") await page.screenshot({ path: path.join(ARTIFACTS, "viewer-meshopt.png") });
      await page.close();
    }
    assert.equal(counts[0], counts[1]);
    assert.ok(Number(counts[0]) > 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("opens the PLY, OBJ and STL the CLI writes (PLY and OBJ keep the classes, PLY the picking)", async (t) => {
    const cli = path.join(ROOT, "dist/cli.mjs");
    if (!fs.existsSync(cli)) { t.skip("dist/cli.mjs not built (npm run build)"); return; }
    const dir = tmpDir("citymesh-viewer-formats-");
    for (const fmt of ["ply", "obj", "stl"]) {
      const out = path.join(dir, `sample-city.${fmt}`);
      const r = spawnSync(process.execPath, [cli, "build", path.join(ROOT, "media/sample/sample-city.geojson"), "-o", out], { encoding: "utf8", timeout: 300_000 });
      assert.equal(r.status, 0, r.stderr);
      server.put(`/data/sample-city.${fmt}`, { file: out });
      server.put("/data/sample-city.buildings.jsonl", { file: path.join(dir, "sample-city.buildings.jsonl") });
      const { page, errors } = await open({ mesh: `/data/sample-city.${fmt}`, buildings: "/data/sample-city.buildings.jsonl" });
      await waitReady(page);
      await page.screenshot({ path: path.join(ARTIFACTS, `viewer-sample-${fmt}.png`) });
      const legend = await page.locator("#legend").innerText();
      const cls = await canvasClasses(page);
      if (fmt === "stl") assert.match(legend, /surface/);
      else {
        assert.match(legend, /ground[\s\S]*wall[\s\S]*roof/, fmt);
        assert.ok(cls.ground > 0.05 && cls.roof > 0.02, `${fmt}: ${JSON.stringify(cls)}`);
      }
      if (fmt === "ply") {
        assert.match(await page.locator("#counts").innerText(), /300 buildings/);
        await page.click("#top");
        await drawn(page);
        // The roof pixel nearest the centre of the view: clicking it must name a building.
        const target = await page.evaluate(() => {
          const src = document.querySelector<HTMLCanvasElement>("#view canvas")!;
          const c = document.createElement("canvas"); c.width = src.width; c.height = src.height;
          const g = c.getContext("2d")!; g.drawImage(src, 0, 0);
          const d = g.getImageData(0, 0, c.width, c.height).data;
          let best: [number, number, number] | null = null;
          for (let y = 0; y < c.height - 6; y += 3) for (let x = 0; x < c.width - 6; x += 3) {
            // (no inner functions: tsx would wrap them in its __name helper, unknown in the page)
            const i = 4 * (y * c.width + x), j = 4 * ((y + 5) * c.width + x + 5);
            if (d[i] > 150 && d[i + 1] < 110 && d[i + 2] < 90 && d[j] > 150 && d[j + 1] < 110 && d[j + 2] < 90) {
              const dist = Math.hypot(x - c.width / 2, y - c.height / 2);
              if (!best || dist < best[2]) best = [x + 2, y + 2, dist];
            }
          }
          return best;
        });
        assert.ok(target, "a roof pixel");
        await page.mouse.click(target![0], target![1]);
        await page.waitForSelector("#props[data-state=found]", { timeout: UI_MS });
      }
      assert.deepEqual(errors, []);
      await page.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

