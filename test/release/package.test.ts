// The package as users get it, not the development tree: `npm pack` in a copy of the project
// (its prepack makes the production bundle), the tarball installed into an empty prefix and run
// as `citymesh` from the PATH (npm's bin symlink) and through `npx`; and the VSIX that
// `npm run package` makes, unpacked, its production CLI run. Each must build the sample city to
// the same bytes as the development build. The copy keeps ./dist (the dev bundle the other
// suites use) untouched.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import yauzl from "yauzl";
import { runCli } from "../support/cli";
import { projectCopy } from "../support/projectCopy.mjs";

const ROOT = path.resolve(import.meta.dirname ?? __dirname, "../..");
const SAMPLE = path.join(ROOT, "media/sample/sample-city.geojson");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string; name: string };
const work = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-release-"));
const stage = path.join(work, "project");
const BUILD_ARGS = ["--tile-size", "300", "--quiet"]; // several tiles, so the merge runs
let reference: Buffer;

// The outer `npm test` exports npm_* variables (its config, its user agent); an npm started from
// here must read its own.
const cleanEnv = (extra: Record<string, string> = {}) => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
};
function run(cmd: string, args: string[], cwd: string, env = cleanEnv()): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 600_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stdout?.slice(-2000)}\n${r.stderr?.slice(-3000)}`);
  return r;
}

before(() => {
  // A copy of the project as a fresh clone has it: sources linked, package files copied.
  fs.mkdirSync(stage);
  projectCopy(stage, ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "media"]);
  const dev = runCli(["build", SAMPLE, "-o", path.join(work, "dev.glb"), "--scratch-dir", path.join(work, "s-dev"), ...BUILD_ARGS]);
  assert.equal(dev.code, 0, dev.stderr);
  reference = fs.readFileSync(path.join(work, "dev.glb"));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

let tarball = "";

test("npm pack: the tarball holds the production bundles, licences and media, no sources or source maps", () => {
  const r = run("npm", ["pack", "--json", "--pack-destination", work], stage);
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, info.filename);
  const files = info.files.map((f) => f.path).sort();
  for (const f of ["package.json", "README.md", "LICENSE", "CHANGELOG.md", "dist/cli.mjs", "dist/worker.mjs", "dist/planner.mjs", "dist/planner-thread.mjs", "dist/extension.js", "dist/webview.js", "dist/laz-perf.wasm", "dist/hdf5_util.wasm", "dist/THIRD-PARTY-NOTICES.txt", "media/icon.png", "media/sample/sample-city.geojson"]) {
    assert.ok(files.includes(f), `${f} is in the tarball (${files.join(", ")})`);
  }
  assert.deepEqual(files.filter((f) => /^(src|test|scripts|node_modules)\//.test(f) || f.endsWith(".map")), [], "no sources, tests or source maps");
  const cli = fs.readFileSync(path.join(stage, "dist", "cli.mjs"), "utf8");
  assert.ok(cli.startsWith("#!/usr/bin/env node"), "the CLI starts with its shebang");
  for (const f of ["cli.mjs", "worker.mjs", "planner.mjs", "planner-thread.mjs"]) assert.ok(!fs.readFileSync(path.join(stage, "dist", f), "utf8").includes("CITYMESH_FAULT"), `${f} is the production bundle (no test fault hook)`);
});

test("the installed tarball runs as `citymesh` from the PATH: --version, and a build of the sample equal to the dev build", () => {
  assert.ok(tarball, "npm pack ran");
  const prefix = path.join(work, "prefix");
  // --offline: the package has no runtime dependencies, so installing it needs no registry.
  run("npm", ["install", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball], work);
  const bin = path.join(prefix, "bin");
  assert.ok(fs.lstatSync(path.join(bin, "citymesh")).isSymbolicLink(), "npm installed citymesh as a bin symlink");
  const env = cleanEnv({ PATH: `${bin}${path.delimiter}${process.env.PATH}` });
  const cwd = fs.mkdtempSync(path.join(work, "user-"));
  const v = run("citymesh", ["--version"], cwd, env);
  assert.equal(v.stdout.trim(), `citymesh ${pkg.version}`);
  const b = run("citymesh", ["build", SAMPLE, "-o", "city.glb", "--scratch-dir", "store", ...BUILD_ARGS], cwd, env);
  assert.equal(b.stderr.match(/error/i), null, b.stderr);
  assert.ok(fs.readFileSync(path.join(cwd, "city.glb")).equals(reference), "the installed CLI's mesh equals the dev build's, byte for byte");
  // A LAZ point cloud: laz-perf's WebAssembly is found beside the installed bundle, with no node_modules.
  const laz = run("citymesh", ["build", path.join(ROOT, "test/fixtures/real/delft-bgt.geojson"), "--point-cloud", path.join(ROOT, "test/fixtures/pointcloud/delft-2chunks.laz"), "-o", "delft.glb", "--scratch-dir", "store", "--json"], cwd, env);
  assert.ok(JSON.parse(laz.stdout).buildings === 160 && fs.existsSync(path.join(cwd, "delft.glb")), laz.stderr);
  const noArgs = spawnSync("citymesh", [], { cwd, env, encoding: "utf8" });
  assert.equal(noArgs.status, 2, "no command: usage and exit 2 (not a silent 0)");
  assert.match(noArgs.stdout, /^Usage:/);
});

test("npx citymesh in a project that depends on the tarball", () => {
  assert.ok(tarball, "npm pack ran");
  const project = path.join(work, "user-project");
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "user-project", version: "1.0.0", private: true }));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], project);
  const v = run("npx", ["--offline", "citymesh", "--version"], project);
  assert.equal(v.stdout.trim(), `citymesh ${pkg.version}`);
  run("npx", ["--offline", "citymesh", "build", SAMPLE, "-o", "city.glb", "--scratch-dir", "store", ...BUILD_ARGS], project);
  assert.ok(fs.readFileSync(path.join(project, "city.glb")).equals(reference), "npx citymesh's mesh equals the dev build's");
});

/** The entries of a zip file (the VSIX), each written under `dir`. */
function unzip(file: string, dir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      zip.on("error", reject);
      zip.on("end", () => resolve(names));
      zip.on("entry", (e: yauzl.Entry) => {
        names.push(e.fileName);
        const to = path.join(dir, e.fileName);
        if (!to.startsWith(dir + path.sep)) return reject(new Error(`zip entry escapes: ${e.fileName}`));
        if (e.fileName.endsWith("/")) { fs.mkdirSync(to, { recursive: true }); zip.readEntry(); return; }
        fs.mkdirSync(path.dirname(to), { recursive: true });
        zip.openReadStream(e, (e2, s) => {
          if (e2 || !s) return reject(e2);
          s.pipe(fs.createWriteStream(to)).on("finish", () => zip.readEntry()).on("error", reject);
        });
      });
      zip.readEntry();
    });
  });
}

test("npm run package: a VSIX under 5 MB with licence, icon and changelog; its production CLI builds the sample to the dev build's bytes", async (t) => {
  const vsix = path.join(stage, "citymesh.vsix");
  run("npm", ["run", "package"], stage);
  const bytes = fs.statSync(vsix).size;
  assert.ok(bytes < 5 * 1024 * 1024, `the VSIX is ${(bytes / 1e6).toFixed(2)} MB`);
  const out = path.join(work, "vsix");
  const names = await unzip(vsix, out);
  for (const f of ["extension/package.json", "extension/LICENSE.txt", "extension/CHANGELOG.md", "extension/readme.md", "extension/media/icon.png", "extension/dist/extension.js", "extension/dist/cli.mjs", "extension/dist/worker.mjs", "extension/dist/planner.mjs", "extension/dist/planner-thread.mjs", "extension/dist/webview.js", "extension/dist/laz-perf.wasm", "extension/dist/hdf5_util.wasm", "extension/dist/THIRD-PARTY-NOTICES.txt"]) {
    assert.ok(names.some((n) => n.toLowerCase() === f.toLowerCase()), `${f} is in the VSIX (${names.join(", ")})`);
  }
  assert.deepEqual(names.filter((n) => n.endsWith(".map") || /^extension\/(src|test|node_modules)\//.test(n)), [], "no source maps, sources, tests or node_modules");
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "extension/package.json"), "utf8")) as { icon?: string; repository?: unknown };
  assert.equal(manifest.icon, "media/icon.png");
  assert.ok(manifest.repository, "repository field");
  const cwd = fs.mkdtempSync(path.join(work, "vsix-user-"));
  run(process.execPath, [path.join(out, "extension/dist/cli.mjs"), "build", SAMPLE, "-o", "city.glb", "--scratch-dir", "store", ...BUILD_ARGS], cwd);
  assert.ok(fs.readFileSync(path.join(cwd, "city.glb")).equals(reference), "the VSIX's CLI mesh equals the dev build's");
  t.diagnostic(`VSIX ${(bytes / 1e6).toFixed(2)} MB, ${names.length} files`);
});
