// A CesiumJS page for tests, served offline by a tiny http server on 127.0.0.1: CesiumJS straight
// from node_modules/cesium/Build/Cesium (no copy, no bundling: its workers, wasm and assets load
// from /cesium/ as CESIUM_BASE_URL says), the page script cesiumPage.browser.js, and tileset
// folders under /tilesets/<name>/. Opened in headless Debian Chromium (launchChromium), where every
// request that leaves the server is refused and recorded, so a test can show that nothing reached
// the network (no Ion, no imagery).
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { inside, openOfflinePage, startTilesetServer, type OfflinePage, type TilesetServer } from "./offlinePage";

const ROOT = path.resolve(__dirname, "../..");
export const CESIUM_BUILD = path.join(ROOT, "node_modules/cesium/Build/Cesium");
const PAGE_SCRIPT = path.join(__dirname, "cesiumPage.browser.js");

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>citymesh in CesiumJS</title>
<script>window.CESIUM_BASE_URL = "/cesium/";</script>
<script src="/cesium/Cesium.js"></script>
<link rel="stylesheet" href="/cesium/Widgets/widgets.css">
<style>html, body, #map { margin: 0; width: 100%; height: 100%; overflow: hidden; }</style>
</head><body><div id="map"></div><script src="/page.js"></script></body></html>`;

export type CesiumServer = TilesetServer;
export type CesiumPage = OfflinePage;

export async function startCesiumServer(): Promise<CesiumServer> {
  if (!fs.existsSync(path.join(CESIUM_BUILD, "Cesium.js"))) throw new Error(`${CESIUM_BUILD}/Cesium.js is missing: npm ci (cesium is a devDependency)`);
  return startTilesetServer(PAGE, PAGE_SCRIPT, (p) => (p.startsWith("/cesium/") ? inside(CESIUM_BUILD, p.slice("/cesium/".length)) : undefined));
}

/** Opens the Cesium page; resolves once window.citymesh (the page script) is ready. */
export const openCesiumPage = (browser: Browser, server: CesiumServer, viewport = { width: 1024, height: 768 }): Promise<CesiumPage> => openOfflinePage(browser, server, viewport);
