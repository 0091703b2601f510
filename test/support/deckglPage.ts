// A deck.gl page for tests: deckglPage.browser.ts (deck.gl's Tile3DLayer with loaders.gl's
// Tiles3DLoader, from node_modules) bundled by esbuild at test time into a temp folder, served with
// tileset folders under /tilesets/<name>/ by a tiny http server on 127.0.0.1, and opened in headless
// Debian Chromium (launchChromium, SwiftShader WebGL2), where every request that leaves the server
// is refused and recorded: nothing comes from a CDN, and there is no basemap.
import * as esbuild from "esbuild";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { openOfflinePage, startTilesetServer, type OfflinePage, type TilesetServer } from "./offlinePage";

const PAGE_SCRIPT = path.join(__dirname, "deckglPage.browser.ts");

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

export type DeckglServer = TilesetServer;
export type DeckglPage = OfflinePage;

export const startDeckglServer = (pageJs: string): Promise<DeckglServer> => startTilesetServer(PAGE, pageJs);

/** Opens the deck.gl page; resolves once window.citymesh (the page script) is ready. */
export const openDeckglPage = (browser: Browser, server: DeckglServer, viewport = { width: 1024, height: 768 }): Promise<DeckglPage> => openOfflinePage(browser, server, viewport);
