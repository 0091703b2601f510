// A private copy of the project for checks that build or pack it (the reliability suite, the
// production-bundle check, the packaging tests), so they never touch ./dist, which other suites
// and a developer's build use: the sources are linked, `copy` names entries copied instead (npm
// pack leaves out files that are symlinks), and `build` runs scripts/build.mjs in the copy.
// Test support, not packaging: only the suites use it (the faults runner, the worker-crash case,
// the release test); `npm run package` and prepack build in place.
import { spawnSync } from "child_process";
import fs from "fs";
import path from "path";
import { fileURLToPath } from "url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ENTRIES = ["src", "webview", "node_modules", "scripts", "media", "package.json", "tsconfig.json"];

/** Lays the project out in `dir` (which must exist): linked entries, plus `copy` copied. */
export function projectCopy(dir, copy = []) {
  for (const n of new Set([...ENTRIES, ...copy])) {
    const from = path.join(ROOT, n), to = path.join(dir, n);
    if (!fs.existsSync(from)) continue;
    if (copy.includes(n)) fs.cpSync(from, to, { recursive: true });
    else fs.symlinkSync(from, to);
  }
  return dir;
}

/** Bundles in `dir` (a projectCopy): the dev build with the test fault hook, or the production one. Returns dir/dist. */
export function buildIn(dir, production) {
  const r = spawnSync(process.execPath, ["scripts/build.mjs", ...(production ? ["--production"] : [])], { cwd: dir, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`build in ${dir} failed (exit ${r.status}; its errors are above)`);
  return path.join(dir, "dist");
}
