// Drives the VS Code workbench served by run-host-tests.mjs from headless chromium (playwright-core from .host/).
//   node driver.mjs test <port> <repo> <testsIndexJs> <workspace>  → exit code of the mocha suite in the extension host
//                                                                    (<workspace>: a folder or a .code-workspace file)
//   node driver.mjs ui   <port> <repo> <workspace>                  → explorer context menu, status bar cancel and
//                                                                    Build with Options… through the UI
// In test mode a line "@@screenshot <name>" logged by a test saves test/artifacts/<name>.png (written atomically,
// so the test can wait for the file to appear); "@@screenshot <name> <css selector>" first waits for that element
// (what the picture is meant to show: the Problems rows, a notification), up to UI_MS. "@@explorer <file> <entry>"
// right-clicks the file in the explorer and runs that context-menu entry (the city pass builds New York so).
// UI mode needs CITYMESH_HOLD_GATE / CITYMESH_HOLD_TILE: its server holds tile CITYMESH_HOLD_TILE of every build
// at that gate folder (test fault hook, "hold" mode) until the driver writes <gate>/release.
// Every wait is for an event or a condition, with limits meant for a machine loaded far beyond its cores
// (UI_MS for a workbench element to appear, BUILD_MS for a build); none is a fixed sleep.
import fs from "fs";
import { createRequire } from "module";
import os from "os";
import path from "path";
import { format } from "util";
import { CHROMIUM_ARGS, chromiumPath } from "../support/chromium.mjs";
import { cityGeoJson } from "../support/cityGeoJson.mjs";

const [mode, port, repo, a, b] = process.argv.slice(2);
const UI_MS = 180_000, BUILD_MS = 900_000;
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
  executablePath: chromiumPath(), headless: true, viewport: { width: 1400, height: 900 }, args: CHROMIUM_ARGS,
});
const page = ctx.pages()[0] || (await ctx.newPage());
page.setDefaultTimeout(UI_MS);
const shot = async (name) => {
  const file = path.join(artifacts, `${name}.png`);
  const buf = await page.screenshot();
  fs.writeFileSync(file + ".tmp", buf);
  fs.renameSync(file + ".tmp", file);
  console.log(`  (screenshot ${path.relative(repo, file)})`);
};
const T0 = Date.now();
const say = (s) => console.log(`ui [${((Date.now() - T0) / 1000).toFixed(0)}s]: ${s}`);
/** Resolves once file exists (polled: the hold fault and the build write it from another process), else throws. */
async function fileAppears(file, what, timeoutMs) {
  for (const end = Date.now() + timeoutMs; !fs.existsSync(file);) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (${file})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Right-clicks `file` in the explorer and runs the context-menu entry `entry`. The extension's entries appear once
 * the workbench has scanned its manifest, so a menu without the entry is closed and opened again; the entry is
 * run by hovering it and pressing Enter (a click right after the menu opened was seen to be ignored), and the
 * menu closing is the event that it ran.
 */
async function explorerMenu(file, entry) {
  const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label*="${file}"]`).first();
  await row.waitFor({ timeout: UI_MS });
  const menu = page.locator(".context-view .monaco-menu");
  const item = page.locator(`.context-view .action-label:text-is("${entry}")`);
  for (const end = Date.now() + 2 * UI_MS; ;) {
    await row.click({ button: "right" });
    await menu.first().waitFor({ timeout: UI_MS });
    if ((await item.count()) > 0) break;
    await page.keyboard.press("Escape");
    await menu.first().waitFor({ state: "hidden", timeout: UI_MS });
    if (Date.now() > end) throw new Error(`"${entry}" missing from the explorer context menu of ${file}`);
  }
  await item.first().hover();
  await page.keyboard.press("Enter");
  await menu.first().waitFor({ state: "hidden", timeout: UI_MS });
}

/**
 * Chooses `label` in the quick pick that is open or about to open: waits for its row, types the label into the
 * filter (which leaves that row first) and presses Enter, as a user would.
 */
async function quickPick(label) {
  await page.locator(`.quick-input-widget .quick-input-list .monaco-list-row[aria-label*="${label}"]`).first().waitFor({ timeout: UI_MS });
  await page.keyboard.type(label);
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").first().waitFor({ state: "hidden", timeout: UI_MS });
}

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
      if (m) {
        const wait = /@@screenshot [\w.-]+ (.+)$/.exec(s)?.[1];
        shots = shots.then(async () => {
          if (wait) await page.locator(wait).first().waitFor({ timeout: UI_MS }).catch(() => console.log(`  (screenshot ${m[1]}: no ${wait} within ${UI_MS / 1000} s; taken anyway)`));
          await shot(m[1]);
        }).catch((e) => console.log(`screenshot ${m[1]} failed: ${e.message}`));
      }
      else if (/@@explorer /.test(s)) {
        // "@@explorer <file name> <menu entry>": right-click the file in the explorer and run the entry, as a user
        // would. The suite waits for the command's effect (a build starting), so nothing is acknowledged here.
        const [, file, entry] = /@@explorer (\S+) (.+)$/.exec(s) ?? [];
        shots = shots.then(() => explorerMenu(file, entry)).then(() => console.log(`  (explorer: ran "${entry}" on ${file})`), (e) => console.log(`explorer menu "${entry}" on ${file} failed: ${e.message}`));
      }
      else if (/@@pick /.test(s)) {
        // "@@pick <label>": choose that entry of the quick pick the extension shows; the suite waits for its effect.
        const label = /@@pick (.+)$/.exec(s)?.[1];
        shots = shots.then(() => quickPick(label)).then(() => console.log(`  (quick pick: chose "${label}")`), (e) => console.log(`quick pick "${label}" failed: ${e.message}`));
      }
      else if (/Webview\.loadLocalResource - Error/.test(s)) webviewLoadErrors++;
      else if (!noise.test(s)) console.log(s);
    });
    await page.exposeFunction("codeAutomationExit", (c) => done(c));
    await page.goto(url);
    const limit = +(process.env.CITYMESH_HOST_TIMEOUT_MS || 1_800_000); // a cap for a hung host, not a timing guess
    code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("timeout"), limit))]);
    await shots;
    if (webviewLoadErrors) console.log(`(${webviewLoadErrors} "Webview.loadLocalResource - Error using fileReader" lines from the viewer not shown)`);
    console.log(`extension tests finished: ${code}`);
  } else if (mode === "ui") {
    const gate = process.env.CITYMESH_HOLD_GATE, holdTile = process.env.CITYMESH_HOLD_TILE;
    if (!gate || !holdTile) throw new Error("ui mode needs CITYMESH_HOLD_GATE and CITYMESH_HOLD_TILE (run it through run-host-tests.mjs)");
    const reached = path.join(gate, `reached-build-${holdTile}`), release = path.join(gate, "release");
    // 1. The explorer context menu of a .geojson offers "Build City Mesh" (menus are DOM in the web workbench).
    // About 600 m square in 150 m tiles, one worker: the build stops at the gate on tile `holdTile` until released.
    const file = "ui-city.geojson";
    fs.writeFileSync(path.join(ws, file), cityGeoJson(30));
    await page.goto(url);
    await page.waitForSelector(".monaco-workbench", { timeout: UI_MS });
    const row = page.locator(`.explorer-folders-view .monaco-list-row[aria-label*="${file}"]`).first();
    await row.waitFor({ timeout: UI_MS });
    const menu = page.locator(".context-view .monaco-menu");
    const item = page.locator('.context-view .action-label:text-is("Build City Mesh")');
    // The extension's menu entries appear once the workbench has scanned its manifest; a menu opened before that
    // lacks them. So: open the menu, wait for it to be drawn (its entries are drawn with it), look, close, reopen.
    let found = false;
    for (const end = Date.now() + 2 * UI_MS; !found;) {
      await row.click({ button: "right" });
      await menu.first().waitFor({ timeout: UI_MS });
      found = (await item.count()) > 0;
      if (found || Date.now() > end) break;
      await page.keyboard.press("Escape");
      await menu.first().waitFor({ state: "hidden", timeout: UI_MS });
    }
    say(found ? `explorer context menu of ${file} offers "Build City Mesh"` : `"Build City Mesh" missing from the explorer context menu of ${file}`);
    await shot(found ? "explorer-context-menu" : "explorer-context-menu-missing");
    if (!found) throw new Error("context menu entry missing");
    code = 1;
    /**
     * Runs a context-menu entry: hover it (the menu focuses it) and press Enter. A mouse click that came right after
     * the menu opened was ignored (seen on an idle machine: entry highlighted, menu still open, no command), so
     * the mouse is not used to run entries; the menu closing is the event that it ran.
     */
    const choose = async (entry) => {
      await entry.hover();
      await page.keyboard.press("Enter");
      await menu.first().waitFor({ state: "hidden", timeout: UI_MS });
    };
    {
      // 2. Start the build from that menu; once it is held at the gate, status bar → "Cancel Build" → confirm.
      await choose(item);
      await fileAppears(reached, `tile ${holdTile} of the build to reach the hold`, BUILD_MS);
      say(`the build is held at tile ${holdTile}`);
      const status = page.locator('.statusbar-item:has-text("City Mesh:")').first();
      await page.locator(`.statusbar-item:has-text("City Mesh: Building tiles ${holdTile}/")`).first().waitFor({ timeout: UI_MS });
      await shot("ui-status-bar-building");
      await status.click();
      const cancelRow = page.locator('.quick-input-list .monaco-list-row[aria-label*="Cancel Build"]');
      await cancelRow.waitFor({ timeout: UI_MS });
      const hasLog = await page.locator('.quick-input-list .monaco-list-row[aria-label*="Show Log"]').count();
      await shot("ui-status-bar-menu");
      await cancelRow.click();
      const confirm = page.locator('.monaco-dialog-box a.monaco-button:has-text("Stop Build")').first();
      await confirm.waitFor({ timeout: UI_MS });
      await shot("ui-cancel-confirmation");
      await confirm.click();
      await status.waitFor({ state: "hidden", timeout: UI_MS });
      // Headless chromium never shows notification toasts (the window has no focus); the notification centre has them.
      await page.locator(".statusbar-item:has(.codicon-bell), .statusbar-item:has(.codicon-bell-dot)").last().click();
      const note = page.locator('.notifications-center .monaco-list-row:has-text("City Mesh build cancelled")');
      const noted = await note.first().waitFor({ timeout: UI_MS }).then(() => true, () => false);
      await shot("ui-after-cancel");
      await page.keyboard.press("Escape");
      if (!noted) throw new Error('no "City Mesh build cancelled" notification after the cancel');
      say(`build started from the explorer menu, status bar menu offered ${hasLog ? "Show Log and " : ""}Cancel Build, "Stop Build" in the confirmation stopped it`);
      // Open the gate: the next build (the sample, several 500 m tiles) passes tile ${holdTile}.
      fs.writeFileSync(release, "");
      // 3. "Build City Mesh with Options…" from the explorer: five quick picks, then a PLY beside the sample.
      // Each step waits for its own quick pick (by its title "(n/5)") before picking, so a row of the previous
      // pick that is still on screen is never clicked.
      const sampleRow = page.locator('.explorer-folders-view .monaco-list-row[aria-label*="sample-city.geojson"]').first();
      const ply = path.join(ws, "sample-city.ply");
      fs.rmSync(ply, { force: true });
      await sampleRow.click({ button: "right" });
      await menu.first().waitFor({ timeout: UI_MS });
      await choose(page.locator('.context-view .action-label:text-is("Build City Mesh with Options…")'));
      const quickInput = page.locator(".quick-input-widget");
      for (const [n, step, label] of [[1, "tile size", "500 m"], [2, "workers", "1"], [3, "format", "ply"], [4, "terrain", "Flat ground"], [5, "point cloud", "No point cloud"]]) {
        await quickInput.locator(`.quick-input-title:has-text("(${n}/5)")`).waitFor({ timeout: UI_MS });
        const pickRow = quickInput.locator(".quick-input-list .monaco-list-row").filter({ has: page.locator(".label-name", { hasText: new RegExp(`^\\s*${label}\\s*$`) }) }).first();
        await pickRow.waitFor({ timeout: UI_MS });
        if (step === "format") await shot("ui-build-options-format");
        await pickRow.click();
      }
      await fileAppears(ply, "sample-city.ply from Build City Mesh with Options…", BUILD_MS);
      // The writer streams into a temporary file and renames it, so the PLY is complete once it exists.
      const plyOk = fs.readFileSync(ply).subarray(0, 3).toString() === "ply";
      say(plyOk ? "Build City Mesh with Options… (500 m, 1 worker, ply, flat, no point cloud) wrote sample-city.ply" : "sample-city.ply is not a PLY");
      code = hasLog && plyOk ? 0 : 1;
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (e) {
  console.log(`driver ${mode} failed: ${e?.stack || e}`);
  await shot(`${mode}-failed`).catch(() => {});
  code = 1;
} finally {
  await ctx.close();
  fs.rmSync(ud, { recursive: true, force: true });
}
process.exit(code === 0 ? 0 : 1);
