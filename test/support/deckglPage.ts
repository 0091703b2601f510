// A deck.gl page for tests: deckglPage.browser.ts (deck.gl's Tile3DLayer with loaders.gl's
// Tiles3DLoader, from node_modules) bundled by esbuild at test time into a temp folder, served with
// tileset folders under /tilesets/<name>/ by a tiny http server on 127.0.0.1, and opened in headless
// Debian Chromium (launchChromium, SwiftShader WebGL2), where every request that leaves the server
// is refused and recorded: nothing comes from a CDN, and there is no basemap.
import * as esbuild from "esbuild";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";

const PAGE_SCRIPT = path.join(__dirname, "deckglPage.browser.ts");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".json": "application/json", ".glb": "model/gltf-binary",
};

// The canvas is cleared to transparent over a black page: the pixel count reads the canvas's alpha.
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>citymesh in deck.gl</title>
<style>html, body, #map { margin: 0; width: 100%; height: 100%; overflow: hidden; background: #000; } #map { position: relative; }</style>
</head><body><div id="map"></div><script src="/page.js"></script></body></html>`;

/** Bundles the page script (deck.gl, loaders.gl and all) into `outDir`/page.js; answers its path and size. */
export async function bundleDeckglPage(outDir: string): Promise<{ file: string; bytes: number }> {
  const file = path.join(outDir, "page.js");
  await esbuild.build({
    entryPoints: [PAGE_SCRIPT], outfile: file, bundle: true, platform: "browser", format: "iife", target: "es2022",
    minify: false, sourcemap: false, legalComments: "none", logLevel: "warning",
  });
  return { file, bytes: fs.statSync(file).size };
}

export interface DeckglServer {
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

export async function startDeckglServer(pageJs: string): Promise<DeckglServer> {
  const folders = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let file: string | undefined;
    if (url.pathname === "/") { res.writeHead(200, { "content-type": TYPES[".html"] }).end(PAGE); return; }
    if (url.pathname === "/favicon.ico") { res.writeHead(204).end(); return; }
    if (url.pathname === "/page.js") file = pageJs;
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

export interface DeckglPage {
  page: Page;
  /** Requests that tried to leave 127.0.0.1 (refused). */
  offsite: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
  /** Console warnings (deck.gl/luma.gl/loaders.gl log through console.warn), for the record. */
  warnings: string[];
}

/** Opens the deck.gl page; resolves once window.citymesh (the page script) is ready. */
export async function openDeckglPage(browser: Browser, server: DeckglServer, viewport = { width: 1024, height: 768 }): Promise<DeckglPage> {
  const page = await browser.newPage({ viewport });
  const offsite: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const own = new URL(server.origin).host;
  await page.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === "data:" || u.protocol === "blob:" || u.host === own) return route.continue();
    offsite.push(u.href);
    return route.abort("blockedbyclient");
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
    else if (m.type() === "warning") warnings.push(m.text());
  });
  await page.goto(server.origin + "/");
  await page.waitForFunction(() => "citymesh" in window, undefined, { timeout: 60_000 });
  return { page, offsite, errors, warnings };
}
