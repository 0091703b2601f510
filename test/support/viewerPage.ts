// Standalone viewer page for tests and benchmarks: builds the webview bundle, serves it with
// media/viewer.html (rendered by the extension's own html.ts, so the same CSP) from a tiny
// http server on 127.0.0.1, and opens it in headless Debian Chromium via playwright-core.
import * as esbuild from "esbuild";
import fs from "fs";
import http from "http";
import os from "os";
import path from "path";
import type { AddressInfo } from "net";
import { chromium, type Browser } from "playwright-core";
import { makeNonce, renderViewerHtml } from "../../src/extension/viewer/html";
import { CHROMIUM_ARGS, chromiumPath } from "./chromium.mjs";

export const ROOT = path.resolve(__dirname, "../..");

/** Bundles webview/main.ts exactly as scripts/build.mjs does, into outFile. */
export async function buildWebview(outFile: string): Promise<void> {
  await esbuild.build({
    entryPoints: [path.join(ROOT, "webview/main.ts")], outfile: outFile, bundle: true, platform: "browser",
    format: "iife", target: "es2020", minify: true, legalComments: "none", logLevel: "warning",
  });
}

export interface ViewerServer {
  origin: string;
  /** Serves bytes (or a file on disk) at a path, e.g. "/data/city.glb". */
  put(urlPath: string, body: Buffer | { file: string }): void;
  /** URL of the viewer page; query: mesh, buildings, name, format. */
  pageUrl(query?: Record<string, string>): string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };

export async function startViewerServer(bundleFile: string): Promise<ViewerServer> {
  const routes = new Map<string, Buffer | { file: string }>();
  const template = fs.readFileSync(path.join(ROOT, "media/viewer.html"), "utf8");
  routes.set("/dist/webview.js", { file: bundleFile });
  routes.set("/media/viewer.css", { file: path.join(ROOT, "media/viewer.css") });
  let origin = "";
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname === "/" || url.pathname === "/viewer.html") {
      const nonce = makeNonce();
      const html = renderViewerHtml(template, { cspSource: origin, nonce, scriptUri: "/dist/webview.js", styleUri: "/media/viewer.css", title: "citymesh viewer" });
      res.writeHead(200, { "content-type": TYPES[".html"], "cache-control": "no-store" }).end(html);
      return;
    }
    const body = routes.get(url.pathname);
    if (!body) { res.writeHead(404).end("not found"); return; }
    const type = TYPES[path.extname(url.pathname)] ?? "application/octet-stream";
    if (Buffer.isBuffer(body)) { res.writeHead(200, { "content-type": type, "content-length": body.length }).end(body); return; }
    const size = fs.statSync(body.file).size;
    res.writeHead(200, { "content-type": type, "content-length": size });
    fs.createReadStream(body.file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    put: (p, b) => { routes.set(p, b); },
    pageUrl: (q = {}) => `${origin}/?${new URLSearchParams(q).toString()}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The viewer's WebGL canvas (DOM overlays excluded) as r,g,b triples of every `every`-th pixel, with its size. */
export function canvasRgb(page: import("playwright-core").Page, every = 1): Promise<{ w: number; h: number; rgb: number[] }> {
  return page.evaluate((k) => {
    const src = document.querySelector<HTMLCanvasElement>("#view canvas")!;
    const c = document.createElement("canvas");
    c.width = src.width; c.height = src.height;
    const ctx = c.getContext("2d")!;
    ctx.drawImage(src, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    const rgb: number[] = [];
    for (let i = 0; i < px.length; i += 4 * k) rgb.push(px[i], px[i + 1], px[i + 2]);
    return { w: c.width, h: c.height, rgb };
  }, every);
}
