// Drives the VS Code workbench served by run-host-tests.mjs from headless chromium (playwright-core from .host/).
//   node driver.mjs test <port> <repo> <testsIndexJs> <workspace>  → exit code of the mocha suite in the extension host
//                                                                    (<workspace>: a folder or a .code-workspace file)
//   node driver.mjs ui   <port> <repo> <workspace>                  → explorer context menu of a .geojson offers the build
// In test mode a line "@@screenshot <name>" logged by a test saves test/artifacts/<name>.png (written atomically,
// so the test can wait for the file to appear).
import fs from "fs";
import { createRequire } from "module";
import os from "os";
import path from "path";
import { format } from "util";
import { cityGeoJson } from "./city-geojson.mjs";

const [mode, port, repo, a, b] = process.argv.slice(2);
const hostDir = process.env.CITYMESH_HOST_DIR || path.join(repo, ".host");
const artifacts = process.env.CITYMESH_ARTIFACTS || path.join(repo, "test", "artifacts");
const { chromium } = createRequire(path.join(hostDir, "package.json"))("playwright-core");
const host = `127.0.0.1:${port}`;
const remote = (p) => `vscode-remote://${host}${p}`;
const tests = mode === "test" ? a : null;
const ws = mode === "test" ? b : a;
// The extension under test: the repo itself, or (CITYMESH_EXT_DIR) a VSIX installed by the server.
const payload = [["extensionDevelopmentPath", remote(process.env.CITYMESH_EXT_DIR || repo)], ["skipWelcome", "true"]];
if (tests) payload.push(["extensionTestsPath", remote(tests)]);
const target = ws.endsWith(".code-workspace") ? `workspace=${encodeURIComponent(ws)}` : `folder=${encodeURIComponent(ws)}`;
const url = `http://${host}/?${target}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

const ud = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-chrome-"));
const ctx = await chromium.launchPersistentContext(ud, {
  executablePath: "/usr/bin/chromium", headless: true, viewport: { width: 1400, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = ctx.pages()[0] || (await ctx.newPage());
const shot = async (name) => {
  const file = path.join(artifacts, `${name}.png`);
  const buf = await page.screenshot();
  fs.writeFileSync(file + ".tmp", buf);
  fs.renameSync(file + ".tmp", file);
  console.log(`  (screenshot ${path.relative(repo, file)})`);
};


let code = 1;
try {
  if (mode === "test") {
    let done;
    const exited = new Promise((r) => (done = r));
    // Offline noise of a web workbench without a gallery, update service or vsda.
    const noise = /AgentHost|ChatModel|AccountPolicy|open-vsx|gallery|authentication provider|socket|connection token|grace-time|builtin extensions cache|Service Worker|vsda|^\s+at /;
    let shots = Promise.resolve();
    let webviewLoadErrors = 0; // the live viewer asking for preview files already cleaned from the store; counted, not echoed
    await page.exposeFunction("codeAutomationLog", (_type, args) => {
      const s = format(...[].concat(args));
      const m = /@@screenshot ([\w.-]+)/.exec(s);
      if (m) shots = shots.then(() => shot(m[1])).catch((e) => console.log(`screenshot ${m[1]} failed: ${e.message}`));
      else if (/Webview\.loadLocalResource - Error/.test(s)) webviewLoadErrors++;
      else if (!noise.test(s)) console.log(s);
    });
    await page.exposeFunction("codeAutomationExit", (c) => done(c));
    await page.goto(url);
    const limit = +(process.env.CITYMESH_HOST_TIMEOUT_MS || 900000);
    code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), limit))]);
    await shots;
    if (webviewLoadErrors) console.log(`(${webviewLoadErrors} "Webview.loadLocalResource - Error using fileReader" lines from the viewer not shown)`);
    console.log(`extension tests finished: ${code}`);
  } else if (mode === "ui") {
    // 1. The explorer context menu of a .geojson offers "Build City Mesh" (menus are DOM in the web workbench).
    // A city big enough that the build is still running when the status bar is clicked (the main pass leaves the
    // same one behind; written here when the main pass did not run).
    const file = "big-city.geojson";
    if (!fs.existsSync(path.join(ws, file))) fs.writeFileSync(path.join(ws, file), cityGeoJson(160));
    await page.goto(url);
    await page.waitForSelector(".monaco-workbench", { timeout: 120000 });
    const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label*="${file}"]`).first();
    await row.waitFor({ timeout: 60000 });
    const item = page.locator('.context-view .action-label:text-is("Build City Mesh")');
    let found = false;
    for (const end = Date.now() + 120000; !found && Date.now() < end;) { // the extension's menus appear once its manifest is scanned
      await row.click({ button: "right" });
      found = await item.waitFor({ timeout: 5000 }).then(() => true, () => false);
      if (!found) await page.keyboard.press("Escape");
    }
    console.log(found ? `ui: explorer context menu of ${file} offers "Build City Mesh"` : `ui: "Build City Mesh" missing from the explorer context menu of ${file}`);
    await shot(found ? "explorer-context-menu" : "explorer-context-menu-missing");
    if (!found) throw new Error("context menu entry missing");
    code = 1;
    {
      // 2. Start the build from that menu, then status bar → "Cancel Build" → confirm, through the UI.
      await item.click();
      const status = page.locator('.statusbar-item:has-text("City Mesh:")').first();
      await status.waitFor({ timeout: 120000 });
      await page.locator('.statusbar-item:has-text("tiles"), .statusbar-item:has-text("Building")').first().waitFor({ timeout: 120000 }).catch(() => undefined);
      await shot("ui-status-bar-building");
      await status.click();
      const cancelRow = page.locator('.quick-input-list .monaco-list-row[aria-label*="Cancel Build"]');
      await cancelRow.waitFor({ timeout: 15000 });
      const hasLog = await page.locator('.quick-input-list .monaco-list-row[aria-label*="Show Log"]').count();
      await shot("ui-status-bar-menu");
      await cancelRow.click();
      const confirm = page.locator('.monaco-dialog-box a.monaco-button:has-text("Stop Build")').first();
      await confirm.waitFor({ timeout: 15000 });
      await shot("ui-cancel-confirmation");
      await confirm.click();
      await status.waitFor({ state: "detached", timeout: 120000 }).catch(() => status.waitFor({ state: "hidden", timeout: 1000 }));
      // Headless chromium never shows notification toasts (the window has no focus); the notification centre has them.
      await page.locator(".statusbar-item:has(.codicon-bell), .statusbar-item:has(.codicon-bell-dot)").last().click();
      const note = page.locator('.notifications-center .monaco-list-row:has-text("City Mesh build cancelled")');
      const noted = await note.first().waitFor({ timeout: 60000 }).then(() => true, () => false);
      await shot("ui-after-cancel");
      await page.keyboard.press("Escape");
      if (!noted) throw new Error('no "City Mesh build cancelled" notification after the cancel');
      console.log(`ui: build started from the explorer menu, status bar menu offered ${hasLog ? "Show Log and " : ""}Cancel Build, "Stop Build" in the confirmation stopped it`);
      // 3. "Build City Mesh with Options…" from the explorer: four quick picks, then a PLY beside the sample.
      const sampleRow = page.locator('.explorer-folders-view .monaco-list-row[aria-label*="sample-city.geojson"]').first();
      const ply = path.join(ws, "sample-city.ply");
      fs.rmSync(ply, { force: true });
      await sampleRow.click({ button: "right" });
      await page.locator('.context-view .action-label:text-is("Build City Mesh with Options…")').click();
      for (const [step, label] of [["tile size", "500 m"], ["workers", "1"], ["format", "ply"], ["terrain", "Flat ground"]]) {
        const pickRow = page.locator(`.quick-input-list .monaco-list-row[aria-label^="${label}"]`).first();
        await pickRow.waitFor({ timeout: 15000 });
        if (step === "format") await shot("ui-build-options-format");
        await pickRow.click();
      }
      const t0 = Date.now();
      while (!fs.existsSync(ply) && Date.now() - t0 < 180000) await page.waitForTimeout(500);
      const plyOk = fs.existsSync(ply) && fs.readFileSync(ply).subarray(0, 3).toString() === "ply";
      console.log(plyOk ? "ui: Build City Mesh with Options… (500 m, 1 worker, ply, flat) wrote sample-city.ply" : "ui: no sample-city.ply after Build with Options…");
      code = hasLog && plyOk ? 0 : 1;
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (e) {
  console.log(`driver ${mode} failed: ${e?.stack || e}`);
  code = 1;
} finally {
  await ctx.close();
  fs.rmSync(ud, { recursive: true, force: true });
}
process.exit(code === 0 ? 0 : 1);
