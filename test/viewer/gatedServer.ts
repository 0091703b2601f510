// A viewer page server whose responses the test can hold half-way: the page (same HTML and CSP as
// the extension's, via html.ts) plus files, some "gated" — the first `sendFirst` bytes go out at
// once, the rest only when the test calls release(). Lets a test see a load in progress, or a tile
// fetch still running, as an event it controls rather than a race it hopes to win.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { makeNonce, renderViewerHtml } from "../../src/extension/viewer/html";
import { ROOT } from "../support/viewerPage";

export interface Gate {
  /** Resolves when a request for the gated path has received its first part. */
  reached: Promise<void>;
  /** Sends the rest. */
  release(): void;
}

export interface GatedServer {
  origin: string;
  put(urlPath: string, body: Buffer): void;
  /**
   * Serves body at urlPath, holding everything after sendFirst bytes until release(). `length`: whether to state a
   * Content-Length (without it the page must take the total from elsewhere).
   */
  gate(urlPath: string, body: Buffer, sendFirst: number, opts?: { length?: boolean }): Gate;
  pageUrl(): string;
  close(): Promise<void>;
}

export async function startGatedServer(bundleFile: string): Promise<GatedServer> {
  const files = new Map<string, Buffer>();
  const gates = new Map<string, { body: Buffer; first: number; length: boolean; reached: () => void; released: Promise<void> }>();
  const template = fs.readFileSync(path.join(ROOT, "media/viewer.html"), "utf8");
  let origin = "";
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? "/", origin).pathname;
    if (p === "/") {
      const html = renderViewerHtml(template, { cspSource: origin, nonce: makeNonce(), scriptUri: "/dist/webview.js", styleUri: "/media/viewer.css", title: "citymesh viewer" });
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
    } else if (p === "/dist/webview.js") res.writeHead(200, { "content-type": "text/javascript" }).end(fs.readFileSync(bundleFile));
    else if (p === "/media/viewer.css") res.writeHead(200, { "content-type": "text/css" }).end(fs.readFileSync(path.join(ROOT, "media/viewer.css")));
    else if (files.has(p)) res.writeHead(200, { "content-type": "application/octet-stream", "content-length": files.get(p)!.length }).end(files.get(p));
    else if (gates.has(p)) {
      const g = gates.get(p)!;
      res.writeHead(200, { "content-type": "application/octet-stream", "cache-control": "no-store", ...(g.length ? { "content-length": g.body.length } : {}) });
      res.write(g.body.subarray(0, g.first), () => g.reached());
      void g.released.then(() => res.end(g.body.subarray(g.first)));
    } else res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    put: (p, b) => { files.set(p, b); },
    gate(p, body, first, opts = {}) {
      let reached!: () => void, release!: () => void;
      const reachedP = new Promise<void>((r) => { reached = r; });
      const released = new Promise<void>((r) => { release = r; });
      gates.set(p, { body, first, length: opts.length ?? true, reached, released });
      return { reached: reachedP, release };
    },
    pageUrl: () => `${origin}/`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
