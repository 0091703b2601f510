// What the globe and map tests (CesiumJS, deck.gl) share: a tiny http server on 127.0.0.1 that
// serves a page, its script, whatever else the caller maps, and tileset folders under
// /tilesets/<name>/; and a headless Chromium page on it where every request that leaves the server
// is refused and recorded, so a test can show that nothing reached the network.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
  ".glb": "model/gltf-binary", ".wasm": "application/wasm", ".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml",
  ".ktx2": "image/ktx2",
};

export interface TilesetServer {
  origin: string;
  /** Serves the folder `dir` at /tilesets/<name>/; answers the tileset.json URL. */
  addTileset(name: string, dir: string): string;
  close(): Promise<void>;
}

/** The file under `base` that a URL path names, or undefined when it would leave `base`. */
export function inside(base: string, rel: string): string | undefined {
  const p = path.resolve(base, "." + path.posix.normalize("/" + decodeURIComponent(rel)));
  return p === base || p.startsWith(base + path.sep) ? p : undefined;
}

/** Serves `page` at /, `pageJs` at /page.js, `route(pathname)`'s file for other paths, and tileset folders. */
export async function startTilesetServer(page: string, pageJs: string, route: (pathname: string) => string | undefined = () => undefined): Promise<TilesetServer> {
  const folders = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let file: string | undefined;
    if (url.pathname === "/") { res.writeHead(200, { "content-type": TYPES[".html"] }).end(page); return; }
    if (url.pathname === "/favicon.ico") { res.writeHead(204).end(); return; }
    if (url.pathname === "/page.js") file = pageJs;
    else {
      const m = /^\/tilesets\/([^/]+)\/(.*)$/.exec(url.pathname);
      const dir = m && folders.get(m[1]);
      file = m && dir ? inside(dir, m[2]) : route(url.pathname);
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

export interface OfflinePage {
  page: Page;
  /** Requests that tried to leave 127.0.0.1 (refused). */
  offsite: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
  /** Console warnings, for the record. */
  warnings: string[];
}

/** Opens the server's page; resolves once window.citymesh (the page script) is ready. */
export async function openOfflinePage(browser: Browser, server: TilesetServer, viewport = { width: 1024, height: 768 }): Promise<OfflinePage> {
  const page = await browser.newPage({ viewport });
  const offsite: string[] = [], errors: string[] = [], warnings: string[] = [];
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
