// Headless Debian Chromium as every browser-driven check here starts it: the viewer page, the
// security case, the VS Code workbench (host suite, viewer host check). Software WebGL
// (SwiftShader), no network services of its own. Plain JS: the host driver runs without a
// TypeScript loader.
import fs from "fs";

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-gpu", "--disable-quic",
  "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** The browser binary: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath() {
  const p = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!fs.existsSync(p)) throw new Error(`${p} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return p;
}
