// One esbuild script for every bundle: the extension (CommonJS, as VS Code loads it),
// the worker and the CLI (ESM, so h5wasm's ESM build bundles as is), the webview (browser).
// HDF5 (h5wasm) is only ever imported by the worker bundle; its WebAssembly ships beside it as dist/hdf5_util.wasm.
import * as esbuild from "esbuild";
import fs from "fs";
import path from "path";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");
// ESM bundles that contain CommonJS code need require/__dirname.
const esmShim = `import { createRequire as __cmCreateRequire } from "module"; import { fileURLToPath as __cmToPath } from "url"; import { dirname as __cmDirname } from "path";
const require = __cmCreateRequire(import.meta.url); const __filename = __cmToPath(import.meta.url); const __dirname = __cmDirname(__filename);`;

// __CITYMESH_FAULTS__: the test-only fault hook (src/core/pipeline/faultHook.ts) is compiled out of production bundles.
// __CITYMESH_VERSION__: package.json's version, for `citymesh --version`.
const { version } = JSON.parse(fs.readFileSync("package.json", "utf8"));
const common = { bundle: true, metafile: true, sourcemap: !production, minify: production, logLevel: "warning", legalComments: "none", define: { __CITYMESH_FAULTS__: production ? "false" : "true", __CITYMESH_VERSION__: JSON.stringify(version) } };
// h5wasm's Node build carries its WebAssembly (3.5 MB) inlined in its JavaScript as a string literal
// (emscripten's SINGLE_FILE), which every thread that loads the worker bundle had to decode and
// compile with the bundle: 230 ms a thread start (the build's two tile threads, its merge thread and
// the merge's table thread each), most of it for that string, even in threads that never open an
// HDF5 file. This plugin moves the bytes to dist/hdf5_util.wasm, beside the bundles, and has
// h5wasm read them from there when it starts. It stops the build if h5wasm's code no longer has
// the shape it expects (an h5wasm upgrade), rather than bundle something that fails at run time.
const H5WASM_FILE = "hdf5_util.wasm";
const h5wasmBinaryOutside = {
  name: "h5wasm-binary-outside",
  setup(build) {
    build.onLoad({ filter: /[\\/]h5wasm[\\/]dist[\\/]node[\\/]hdf5_util\.js$/ }, async (args) => {
      const src = await fs.promises.readFile(args.path, "utf8");
      const head = "function findWasmBinary(){return binaryDecode(";
      const at = src.indexOf(head), q = at + head.length;
      if (at < 0 || src.indexOf(head, q) >= 0 || (src[q] !== "'" && src[q] !== '"')) throw new Error(`${args.path}: no single findWasmBinary(){return binaryDecode('…')} (h5wasm changed): update scripts/build.mjs`);
      let end = q + 1;
      while (src[end] !== src[q]) end += src[end] === "\\" ? 2 : 1;
      if (src.slice(end + 1, end + 3) !== ")}") throw new Error(`${args.path}: findWasmBinary's literal is not followed by ")}" (h5wasm changed): update scripts/build.mjs`);
      // The literal's value, decoded as h5wasm's own binaryDecode does (one byte per character).
      const text = new Function(`return ${src.slice(q, end + 1)}`)();
      const wasm = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) { const c = text.charCodeAt(i); wasm[i] = ~c >> 8 & c; }
      if (!WebAssembly.validate(wasm)) throw new Error(`${args.path}: findWasmBinary's bytes are not WebAssembly (h5wasm changed): update scripts/build.mjs`);
      fs.mkdirSync("dist", { recursive: true });
      fs.writeFileSync(path.join("dist", H5WASM_FILE), wasm);
      const load = `function findWasmBinary(){return new Uint8Array(require("fs").readFileSync(new URL(${JSON.stringify("./" + H5WASM_FILE)}, import.meta.url)))}`;
      return { contents: src.slice(0, at) + load + src.slice(end + 3), loader: "js" };
    });
  },
};
const builds = [
  { ...common, entryPoints: ["src/extension/extension.ts"], outfile: "dist/extension.js", platform: "node", format: "cjs", target: "node18", external: ["vscode"] },
  { ...common, entryPoints: ["src/worker/tileWorker.ts"], outfile: "dist/worker.mjs", platform: "node", format: "esm", target: "node18", banner: { js: esmShim }, plugins: [h5wasmBinaryOutside] },
  { ...common, entryPoints: ["src/worker/plannerWorker.ts"], outfile: "dist/planner.mjs", platform: "node", format: "esm", target: "node18", banner: { js: esmShim } },
  { ...common, entryPoints: ["src/worker/plannerThread.ts"], outfile: "dist/planner-thread.mjs", platform: "node", format: "esm", target: "node18", banner: { js: esmShim } },
  { ...common, entryPoints: ["src/worker/buildProcess.ts"], outfile: "dist/build-process.mjs", platform: "node", format: "esm", target: "node18", banner: { js: esmShim } },
  { ...common, entryPoints: ["src/cli/bin.ts"], outfile: "dist/cli.mjs", platform: "node", format: "esm", target: "node18", banner: { js: "#!/usr/bin/env node\n" + esmShim } },
  { ...common, entryPoints: ["webview/main.ts"], outfile: "dist/webview.js", platform: "browser", format: "iife", target: "es2020" },
];

const present = builds.filter((b) => fs.existsSync(b.entryPoints[0]));
const bundled = new Set();
for (const b of present) {
  if (watch) { await (await esbuild.context(b)).watch(); continue; }
  const r = await esbuild.build(b);
  for (const input of Object.keys(r.metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) bundled.add(m[1]);
  }
}
// laz-perf's WebAssembly (the LAZ codec, src/core/pointcloud/lazPerf.ts) ships as a file beside the bundles,
// once, instead of inlined into each bundle that may read a point cloud; the reader finds it next to itself.
fs.mkdirSync("dist", { recursive: true });
fs.copyFileSync("node_modules/laz-perf/lib/node/laz-perf.wasm", "dist/laz-perf.wasm");
bundled.add("laz-perf");
if (!watch) {
  // The CLI is an executable script (its shebang line): `./dist/cli.mjs` and a symlink to it run.
  if (present.some((b) => b.outfile === "dist/cli.mjs")) fs.chmodSync("dist/cli.mjs", 0o755);
  // The bundles carry third-party code with its legal comments stripped, so its licences ship
  // beside them: every package esbuild put into a bundle, with its licence file as it stands.
  const notices = [...bundled].sort().map((name) => {
    const dir = path.join("node_modules", name);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    const text = file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : `(no licence file in the package; package.json says: ${JSON.stringify(pkg.license ?? "none")})`;
    return `${name} ${pkg.version} — ${typeof pkg.license === "string" ? pkg.license : "see below"}\n${"-".repeat(72)}\n${text}\n`;
  });
  fs.writeFileSync("dist/THIRD-PARTY-NOTICES.txt", `Third-party software bundled in citymesh's dist/ files, with its licence terms.\n\n${notices.join("\n\n")}`);
}
