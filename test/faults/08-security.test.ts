// Case 8: security. (1) Workspace-level path settings (citymesh.scratchDir, outputDir, dem) may not
// point outside the workspace: '..' is refused outright, symlinks are resolved (real links in a
// temp dir), and package.json marks them restricted so an untrusted workspace's values are not
// even read. (2) A tasks.json task's input and paths likewise (the mesh goes beside the input).
// (3) The viewer's Content-Security-Policy: the page the extension renders (html.ts, same template)
// loaded in headless Chromium, then every kind of remote load is attempted against a second local
// server that records requests. With the CSP none may reach it; without the CSP (control) they do.
// The policy code is tested directly (src/extension/paths.ts, pathPolicy.ts: no vscode import);
// the Restricted Mode refusal itself runs in a real VS Code in test/host/suite/trust.untrusted.test.ts.
import assert from "node:assert/strict";
import fs from "fs";
import http from "http";
import os from "os";
import path from "path";
import type { AddressInfo } from "net";
import { chromium, type Browser } from "playwright-core";
import { run, cli, tmpDir, writeCity, waitFor, DIST, ROOT } from "./support/harness";
import { checkPathsInsideWorkspace } from "../../src/extension/paths";
import { PATH_SETTINGS, TASK_PATH_PROPERTIES, taskPathProblems } from "../../src/extension/pathPolicy";
import { toBuildOptions, settingDefaults } from "../../src/extension/options";
import { makeNonce, renderViewerHtml, viewerCsp } from "../../src/extension/viewer/html";
import { CHROMIUM_ARGS, chromiumPath } from "../support/chromium.mjs";

const CASE = "8 security";
const dir = fs.realpathSync(tmpDir("sec"));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** A workspace folder with real symlinks: in → a folder inside it, out → a folder elsewhere, city-out.geojson → a file elsewhere. */
function workspace(name: string) {
  const ws = path.join(dir, name), elsewhere = path.join(dir, `${name}-elsewhere`);
  fs.mkdirSync(path.join(ws, "data"), { recursive: true });
  fs.mkdirSync(elsewhere, { recursive: true });
  fs.writeFileSync(path.join(ws, "data", "city.geojson"), "{}");
  fs.writeFileSync(path.join(elsewhere, "secret.geojson"), "{}");
  fs.symlinkSync(path.join(ws, "data"), path.join(ws, "in"));
  fs.symlinkSync(elsewhere, path.join(ws, "out"));
  fs.symlinkSync(path.join(elsewhere, "secret.geojson"), path.join(ws, "data", "city-out.geojson"));
  return { ws, elsewhere };
}

run(CASE, "workspace settings cannot direct scratchDir, outputDir or dem outside the workspace ('..', absolute, symlinks)", (ctx) => {
  const { ws, elsewhere } = workspace("ws1");
  // Restricted Mode: VS Code does not read workspace values of these settings at all.
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, "limited");
  for (const k of PATH_SETTINGS) {
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(`citymesh.${k}`), `citymesh.${k} is a restricted configuration`);
    assert.equal(pkg.contributes.configuration.properties[`citymesh.${k}`].scope, "machine-overridable", `citymesh.${k}`);
  }
  const refused = [
    "../outside", "a/../../outside", "..\\outside", "a/..", "./../x", `${ws}/../outside`, // any '..' segment
    elsewhere, os.tmpdir(), "/etc", // absolute elsewhere
    "out", "out/scratch", "out/new/deeper/not-yet-created", "in/../out", // through a symlink that leaves the workspace
  ];
  const accepted = [".citymesh/scratch", "meshes", "data", path.join(ws, "meshes/new"), "in", "in/sub/not-yet-created", ws];
  let checked = 0;
  for (const k of PATH_SETTINGS) {
    for (const value of refused) {
      const p = checkPathsInsideWorkspace([{ name: `citymesh.${k}`, value }], ws);
      assert.equal(p.length, 1, `citymesh.${k} = ${JSON.stringify(value)} must be refused`);
      assert.ok(p[0].startsWith(`citymesh.${k} ("${value}")`), p[0]);
      assert.match(p[0], value.split(/[\\/]+/).includes("..") ? /contains "\.\.": workspace settings may not point outside the workspace folder/ : /resolves to .+, outside the workspace folder .+ Set it in your user settings instead\./);
      checked++;
    }
    for (const value of accepted) {
      assert.deepEqual(checkPathsInsideWorkspace([{ name: `citymesh.${k}`, value }], ws), [], `citymesh.${k} = ${JSON.stringify(value)} is inside`);
      checked++;
    }
  }
  // Why vetting matters: unvetted, toBuildOptions would really write there.
  const o = toBuildOptions(path.join(ws, "data/city.geojson"), { ...settingDefaults(), scratchDir: "../outside", outputDir: "out" }, ws);
  assert.equal(o.scratchDir, path.join(dir, "outside"));
  assert.equal(fs.realpathSync(path.dirname(path.dirname(o.output!))), ws, "output under the 'out' link");
  assert.equal(fs.realpathSync(path.join(ws, "out")), elsewhere);
  ctx.note(`${checked} setting values checked with real symlinks: ${refused.length} refused and ${accepted.length} accepted for each of ${PATH_SETTINGS.map((k) => `citymesh.${k}`).join(", ")}; all three are restrictedConfigurations (ignored in an untrusted workspace, where builds are also refused: test/host/suite/trust.untrusted.test.ts checks that in a real VS Code, npm run test:host, not part of this suite)`);
});

run(CASE, "tasks.json inputs and paths with '..' or symlinks out of the workspace are refused", (ctx) => {
  const { ws, elsewhere } = workspace("ws2");
  const other = path.join(dir, "ws2-second-folder");
  fs.mkdirSync(other, { recursive: true });
  assert.deepEqual([...TASK_PATH_PROPERTIES], ["input", "output", "outputDir", "scratchDir", "dem", "pointCloud"]);
  const refusedInputs = [
    "../ws2-elsewhere/secret.geojson", `${ws}/../ws2-elsewhere/secret.geojson`, // '..' (also after ${workspaceFolder} substitution)
    path.join(elsewhere, "secret.geojson"), // absolute elsewhere
    "out/secret.geojson", "data/city-out.geojson", // a symlinked folder, a symlinked file
  ];
  for (const input of refusedInputs) {
    const p = taskPathProblems({ input }, ws, [ws]);
    assert.equal(p.length, 1, `input ${input} must be refused`);
    assert.ok(p[0].startsWith(`task property "input" ("${input}")`), p[0]);
  }
  for (const input of ["data/city.geojson", path.join(ws, "data/city.geojson"), "in/city.geojson"]) assert.deepEqual(taskPathProblems({ input }, ws, [ws]), [], input);
  // Every path property, one at a time, next to a good input.
  for (const k of ["output", "scratchDir", "dem"] as const) {
    for (const v of ["../x", "out/x", elsewhere]) assert.equal(taskPathProblems({ input: "data/city.geojson", [k]: v }, ws, [ws]).length, 1, `${k} = ${v}`);
    assert.deepEqual(taskPathProblems({ input: "data/city.geojson", [k]: "meshes/x" }, ws, [ws]), [], k);
  }
  // A list of paths (the point clouds): one escaping entry among good ones is refused.
  for (const v of ["../x.laz", "out/x.laz", path.join(elsewhere, "x.laz")]) assert.equal(taskPathProblems({ input: "data/city.geojson", pointCloud: ["meshes/a.laz", v] }, ws, [ws]).length, 1, `pointCloud [.., ${v}]`);
  assert.deepEqual(taskPathProblems({ input: "data/city.geojson", pointCloud: ["meshes/a.laz", "b.laz"] }, ws, [ws]), [], "pointCloud inside");
  // A workspace-wide task of a multi-root workspace: any of its folders is inside, '..' never is.
  assert.deepEqual(taskPathProblems({ input: path.join(other, "c.geojson") }, ws, [ws, other]), []);
  assert.equal(taskPathProblems({ input: path.join(other, "c.geojson") }, ws, [ws]).length, 1, "a folder-scoped task stays in its folder");
  assert.equal(taskPathProblems({ input: "../ws2-second-folder/c.geojson" }, ws, [ws, other]).length, 1, "'..' is refused even when it lands in another folder");
  // With no workspace folder there is no workspace content to distrust.
  assert.deepEqual(taskPathProblems({ input: "../anything.geojson" }, ws, []), []);
  ctx.note(`${refusedInputs.length} escaping task inputs refused (..; absolute; symlinked folder; symlinked file), 3 inside accepted; output/scratchDir/dem and each point cloud of a list likewise; the task's BuildTerminal (src/extension/tasks.ts) runs this check before any build (its "cm escape" task is run in a real VS Code by test/host/suite/manifest.test.ts, npm run test:host, not part of this suite)`);
});

// ---- CSP ----------------------------------------------------------------------------------------

interface Server { origin: string; hits: string[]; close(): Promise<void> }
function serve(handler: (url: URL, res: http.ServerResponse) => void): Promise<Server> {
  const hits: string[] = [];
  let origin = "";
  const server = http.createServer((req, res) => { const u = new URL(req.url ?? "/", origin); hits.push(u.pathname); handler(u, res); });
  server.on("upgrade", (req, socket) => { hits.push(`upgrade ${req.url}`); socket.destroy(); });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve({ origin, hits, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) });
  }));
}

/**
 * Every way a page can load something, aimed at `remote`; resolves once all are started. The
 * outcomes are events the test then waits for: violations reported (window.__violations), requests
 * arriving at the remote server, the remote script running.
 */
const ATTEMPTS = `async (remote) => {
  const violations = window.__violations = [];
  document.addEventListener("securitypolicyviolation", (e) => violations.push(e.effectiveDirective + " " + e.blockedURI));
  const errors = {};
  const tryIt = async (k, f) => { try { await f(); } catch (e) { errors[k] = String(e).slice(0, 120); } };
  const add = (tag, attrs) => { const el = document.createElement(tag); Object.assign(el, attrs); document.body.append(el); return el; };
  await tryIt("fetch", () => fetch(remote + "/fetch"));
  await tryIt("xhr", () => new Promise((res, rej) => { const x = new XMLHttpRequest(); x.open("GET", remote + "/xhr"); x.onload = res; x.onerror = () => rej(new Error("xhr error")); x.send(); }));
  await tryIt("beacon", () => navigator.sendBeacon(remote + "/beacon", "x"));
  await tryIt("eventsource", () => { const s = new EventSource(remote + "/events"); setTimeout(() => s.close(), 400); });
  await tryIt("websocket", () => { new WebSocket(remote.replace("http", "ws") + "/ws"); });
  await tryIt("worker", () => { new Worker(remote + "/worker.js"); });
  await tryIt("font", () => new FontFace("remote", "url(" + remote + "/font.woff)").load());
  add("img", { src: remote + "/img.png" });
  add("script", { src: remote + "/script.js" });
  add("link", { rel: "stylesheet", href: remote + "/style.css" });
  add("link", { rel: "prefetch", href: remote + "/prefetch" });
  add("iframe", { src: remote + "/frame.html" });
  add("video", { src: remote + "/video.mp4" });
  add("audio", { src: remote + "/audio.mp3" });
  add("object", { data: remote + "/object.bin" });
  add("embed", { src: remote + "/embed.bin" });
  add("div", {}).style.backgroundImage = "url(" + remote + "/bg.png)";
  // A <base> pointing away, then a relative load: with base-uri 'none' it stays on the page's origin.
  const base = document.createElement("base"); base.href = remote + "/"; document.head.prepend(base);
  add("img", { src: "base-relative.png" });
  // A form posted to another origin (in a new window, so this page stays to report).
  await tryIt("form", () => { const f = add("form", { action: remote + "/form", method: "post", target: "_blank" }); f.submit(); });
  const inline = document.createElement("script"); inline.textContent = "window.__inlineRan = true; fetch('" + remote + "/inline')"; document.head.append(inline);
  const onerr = document.createElement("img"); onerr.setAttribute("onerror", "window.__handlerRan = true"); onerr.src = "data:,x"; document.body.append(onerr);
  return { errors };
}`;

/** The directives the CSP must report a violation of (each attempt above hits one). */
const MUST_VIOLATE = ["connect-src", "img-src", "script-src-elem", "script-src-attr", "style-src-elem", "frame-src", "media-src", "object-src", "font-src", "default-src", "form-action"];
/** The requests that must reach the remote server from the page without its CSP (the control). */
const CONTROL_HITS = ["/fetch", "/img.png", "/script.js", "/style.css", "/inline", "/base-relative.png", "/form"];
/** Safety limit on waiting for the page's events; a timeout falls through to the assertions, which say what is missing. */
const PAGE_EVENTS = 120_000;

let browser: Browser | undefined;
async function launch(): Promise<Browser> {
  // No skip: without Chromium this case fails and says how to get it.
  browser ??= await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  return browser;
}

run(CASE, "the viewer's CSP blocks every remote load, inline script and handler (Chromium; a page without the CSP is the control)", async (ctx) => {
  const bundle = path.join(DIST, "webview.js");
  assert.ok(fs.existsSync(bundle), `${bundle} is missing (npm run test:faults builds it)`);
  const input = writeCity(fs.mkdtempSync(path.join(dir, "city-")), 60, 5);
  const mesh = path.join(path.dirname(input), "city.glb");
  const r = cli(["build", input, "-o", mesh, "--quiet", "--scratch-dir", path.join(dir, "s-csp")]);
  assert.equal(r.code, 0, r.stderr);
  const template = fs.readFileSync(path.join(ROOT, "media/viewer.html"), "utf8");
  // The file name reaches the page's title: a hostile one must stay text.
  const title = `</title><script src="REMOTE/title.js"></script><img src="REMOTE/title.png">`;
  const remote = await serve((u, res) => {
    const type = u.pathname.endsWith(".js") ? "text/javascript" : u.pathname.endsWith(".css") ? "text/css" : "application/octet-stream";
    res.writeHead(200, { "content-type": type, "access-control-allow-origin": "*" }).end(u.pathname.endsWith(".js") ? "window.__remoteRan = true" : "");
  });
  let withCsp = true, cspText = "";
  const page = await serve((u, res) => {
    if (u.pathname === "/") {
      const nonce = makeNonce();
      cspText = viewerCsp(page.origin, nonce);
      let html = renderViewerHtml(template, { cspSource: page.origin, nonce, scriptUri: "/webview.js", styleUri: "/viewer.css", title: title.replace(/REMOTE/g, remote.origin) });
      if (!withCsp) html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, "");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
    } else if (u.pathname === "/webview.js") res.writeHead(200, { "content-type": "text/javascript" }).end(fs.readFileSync(bundle));
    else if (u.pathname === "/viewer.css") res.writeHead(200, { "content-type": "text/css" }).end(fs.readFileSync(path.join(ROOT, "media/viewer.css")));
    else if (u.pathname === "/city.glb") res.writeHead(200, { "content-type": "model/gltf-binary" }).end(fs.readFileSync(mesh));
    else res.writeHead(404).end();
  });
  try {
    const b = await launch();
    // Each visit's loads go to <remote>/<run>/…, so a request is known to come from its own run
    // even if it arrived late: the control runs long after the CSP visit, and at the end no
    // request from the CSP visit may have arrived at all.
    const visit = async (run: "csp" | "open") => {
      const p = await b.newPage();
      const errors: string[] = [];
      p.on("pageerror", (e) => errors.push(e.message));
      await p.goto(`${page.origin}/?${new URLSearchParams({ mesh: "/city.glb", name: "city.glb" })}`);
      // The viewer itself works under its CSP: its own script ran and drew the mesh from its own origin.
      await p.waitForSelector("html[data-status=ready]", { timeout: 120_000 });
      const shownTitle = await p.title();
      const res = await p.evaluate(`(${ATTEMPTS})(${JSON.stringify(`${remote.origin}/${run}`)})`) as { errors: Record<string, string> };
      // Wait for the outcomes as events, not for a while: with the CSP, a violation reported for
      // every directive; without it, the control's requests at the remote server and its script run.
      if (run === "csp") {
        await p.waitForFunction((need) => need.every((d) => (window as unknown as { __violations: string[] }).__violations.some((v) => v.split(" ")[0] === d)), MUST_VIOLATE, { timeout: PAGE_EVENTS, polling: 50 }).catch(() => {});
      } else {
        await waitFor("the control's requests at the remote server", () => CONTROL_HITS.every((h) => remote.hits.includes(`/open${h}`)), () => false, PAGE_EVENTS).catch(() => {});
        await p.waitForFunction("window.__remoteRan === true", undefined, { timeout: PAGE_EVENTS, polling: 50 }).catch(() => {});
      }
      const seen = await p.evaluate("({ violations: window.__violations, inlineRan: window.__inlineRan === true, handlerRan: window.__handlerRan === true, remoteRan: window.__remoteRan === true })") as { violations: string[]; inlineRan: boolean; handlerRan: boolean; remoteRan: boolean };
      await p.close();
      return { ...seen, shownTitle, errors: { ...res.errors, page: errors.join("; ") } as Record<string, string> };
    };

    const blocked = await visit("csp");
    const hitsWithCsp = [...remote.hits];
    assert.match(cspText, /^default-src 'none'; script-src 'nonce-[A-Za-z0-9]+' 'wasm-unsafe-eval'; /);
    assert.deepEqual(hitsWithCsp, [], `requests reached the remote server through the CSP: ${hitsWithCsp.join(", ")}`);
    assert.equal(blocked.remoteRan, false, "a remote script ran");
    assert.equal(blocked.inlineRan, false, "an injected inline script ran");
    assert.equal(blocked.handlerRan, false, "an inline event handler ran");
    assert.equal(blocked.shownTitle, title.replace(/REMOTE/g, remote.origin), "the hostile title is shown as text");
    const directives = new Set(blocked.violations.map((v) => v.split(" ")[0]));
    for (const d of MUST_VIOLATE) {
      assert.ok(directives.has(d), `no ${d} violation reported: ${blocked.violations.join("; ")}`);
    }
    // A cross-origin Worker is refused before the CSP is asked (same-origin rule): a SecurityError, no request.
    assert.ok(directives.has("worker-src") || /SecurityError/.test(blocked.errors.worker ?? ""), `worker: ${blocked.errors.worker}`);

    // Control: the same page without its CSP does reach the remote server, so the check above can see a leak.
    withCsp = false;
    const open = await visit("open");
    const hitsWithout = remote.hits.slice(hitsWithCsp.length).filter((h) => h.startsWith("/open/")).map((h) => h.slice("/open".length));
    for (const h of CONTROL_HITS) assert.ok(hitsWithout.includes(h), `control: without the CSP ${h} should reach the remote server (got ${hitsWithout.join(", ")})`);
    assert.equal(open.remoteRan, true, "control: the remote script runs without the CSP");
    // Nothing from the CSP visit arrived late either (the control's whole visit has passed since).
    const late = remote.hits.filter((h) => h.startsWith("/csp/") || h.startsWith("upgrade /csp/") || h.startsWith("/title"));
    assert.deepEqual(late, [], `requests reached the remote server through the CSP: ${late.join(", ")}`);
    ctx.note(`CSP "${cspText.replace(/'nonce-[^']+'/, "'nonce-…'")}": 0 requests reached the remote origin from 22 attempts (fetch, XHR, beacon, EventSource, WebSocket, Worker, FontFace, img, script, stylesheet, prefetch, iframe, video, audio, object, embed, CSS background, <base> + relative img, form post, inline script, inline handler, hostile title); ${blocked.violations.length} violations reported (${[...directives].sort().join(", ")}); the viewer still drew its mesh from its own origin. Control without the CSP: ${new Set(hitsWithout).size} distinct remote requests`);
  } finally {
    await browser?.close();
    browser = undefined;
    await Promise.all([remote.close(), page.close()]);
  }
}, { timeout: 300_000 });
