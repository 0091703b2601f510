// One esbuild script for every bundle: the extension (CommonJS, as VS Code loads it),
// the worker and the CLI (ESM, so h5wasm's ESM build bundles as is), the webview (browser).
// HDF5 (h5wasm, 4 MB of inlined wasm) is only ever imported by the worker bundle.
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");
// ESM bundles that contain CommonJS code need require/__dirname.
const esmShim = `import { createRequire as __cmCreateRequire } from "module"; import { fileURLToPath as __cmToPath } from "url"; import { dirname as __cmDirname } from "path";
const require = __cmCreateRequire(import.meta.url); const __filename = __cmToPath(import.meta.url); const __dirname = __cmDirname(__filename);`;

// __CITYMESH_FAULTS__: the test-only fault hook (src/worker/faults.ts) is compiled out of production bundles.
// __CITYMESH_VERSION__: package.json's version, for `citymesh --version`.
const { version } = JSON.parse(await import("fs").then((fs) => fs.promises.readFile("package.json", "utf8")));
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: "warning", legalComments: "none", define: { __CITYMESH_FAULTS__: production ? "false" : "true", __CITYMESH_VERSION__: JSON.stringify(version) } };
const builds = [
  { ...common, entryPoints: ["src/extension/extension.ts"], outfile: "dist/extension.js", platform: "node", format: "cjs", target: "node18", external: ["vscode"] },
  { ...common, entryPoints: ["src/worker/tileWorker.ts"], outfile: "dist/worker.mjs", platform: "node", format: "esm", target: "node18", banner: { js: esmShim } },
  { ...common, entryPoints: ["src/cli/bin.ts"], outfile: "dist/cli.mjs", platform: "node", format: "esm", target: "node18", banner: { js: "#!/usr/bin/env node\n" + esmShim } },
  { ...common, entryPoints: ["webview/main.ts"], outfile: "dist/webview.js", platform: "browser", format: "iife", target: "es2020" },
];

const present = await Promise.all(builds.map(async (b) => {
  try { await import("fs").then((fs) => fs.promises.access(b.entryPoints[0])); return b; } catch { return null; }
}));
for (const b of present.filter(Boolean)) {
  if (watch) await (await esbuild.context(b)).watch();
  else await esbuild.build(b);
}
// The CLI is an executable script (its shebang line): `./dist/cli.mjs` and a symlink to it run.
if (!watch && present.some((b) => b?.outfile === "dist/cli.mjs")) await import("fs").then((fs) => fs.promises.chmod("dist/cli.mjs", 0o755));
