// A CesiumJS page for tests, served offline by a tiny http server on 127.0.0.1: CesiumJS straight
// from node_modules/cesium/Build/Cesium (no copy, no bundling: its workers, wasm and assets load
// from /cesium/ as CESIUM_BASE_URL says), the page script cesiumPage.browser.js, and tileset
// folders under /tilesets/<name>/. Opened in headless Debian Chromium (launchChromium), where every
// request that leaves the server is refused and recorded, so a test can show that nothing reached
// the network (no Ion, no imagery).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";

const ROOT = path.resolve(__dirname, "../..");
export const CESIUM_BUILD = path.join(ROOT, "node_modules/cesium/Build/Cesium");
const PAGE_SCRIPT = path.join(__dirname, "cesiumPage.browser.js");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
  ".glb": "model/gltf-binary", ".wasm": "application/wasm", ".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml",
  ".ktx2": "image/ktx2",
};

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>citymesh in CesiumJS</title>
<script>window.CESIUM_BASE_URL = "/cesium/";</script>
<script src="/cesium/Cesium.js"></script>
<link rel="stylesheet" href="/cesium/Widgets/widgets.css">
<style>html, body, #map { margin: 0; width: 100%; height: 100%; overflow: hidden; }</style>
</head><body><div id="map"></div><script src="/page.js"></script></body></html>`;

export interface CesiumServer {
  origin: string;
  /** Serves the folder `dir` at /tilesets/<name>/; answers the tileset.json URL. */
  addTileset(name: string, dir: string): string;
  close(): Promise<void>;
}

/** The file under `base` that a URL path names, or undefined when it would leave `base`. */
function inside(base: string, rel: string): string | undefined {
  const p = path.resolve(base, "." + path.posix.normalize("/" + decodeURIComponent(rel)));
  return p === base || p.startsWith(base + path.sep) ? p : undefined;
}

export async function startCesiumServer(): Promise<CesiumServer> {
  if (!fs.existsSync(path.join(CESIUM_BUILD, "Cesium.js"))) throw new Error(`${CESIUM_BUILD}/Cesium.js is missing: npm ci (cesium is a devDependency)`);
  const folders = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let file: string | undefined;
    if (url.pathname === "/") { res.writeHead(200, { "content-type": TYPES[".html"] }).end(PAGE); return; }
    if (url.pathname === "/favicon.ico") { res.writeHead(204).end(); return; }
    if (url.pathname === "/page.js") file = PAGE_SCRIPT;
    else if (url.pathname.startsWith("/cesium/")) file = inside(CESIUM_BUILD, url.pathname.slice("/cesium/".length));
    else {
      const m = /^\/tilesets\/([^/]+)\/(.*)$/.exec(url.pathname);
      const dir = m && folders.get(m[1]);
      if (m && dir) file = inside(dir, m[2]);
    }
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404).end("not found"); return; }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "content-length": fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    addTileset: (name, dir) => { folders.set(name, path.resolve(dir)); return `${origin}/tilesets/${name}/tileset.json`; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export interface CesiumPage {
  page: Page;
  /** Requests that tried to leave 127.0.0.1 (refused). */
  offsite: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
}

/** Opens the Cesium page; resolves once window.citymesh (the page script) is ready. */
export async function openCesiumPage(browser: Browser, server: CesiumServer, viewport = { width: 1024, height: 768 }): Promise<CesiumPage> {
  const page = await browser.newPage({ viewport });
  const offsite: string[] = [];
  const errors: string[] = [];
  const own = new URL(server.origin).host;
  await page.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === "data:" || u.protocol === "blob:" || u.host === own) return route.continue();
    offsite.push(u.href);
    return route.abort("blockedbyclient");
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(server.origin + "/");
  await page.waitForFunction(() => "citymesh" in window, undefined, { timeout: 60_000 });
  return { page, offsite, errors };
}
