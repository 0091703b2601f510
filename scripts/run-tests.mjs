// Runs node's test runner (through tsx, for TypeScript) on every *.test.ts under the given folders (or the given test files).
// Node 20's --test takes no globs, so the files are listed here.
import { spawnSync } from "child_process";
import fs from "fs";
import path from "path";

// --note TEXT: printed before and after the run (npm test names the suites it leaves out).
const args = process.argv.slice(2);
const noteAt = args.indexOf("--note");
const note = noteAt >= 0 ? args.splice(noteAt, 2)[1] : "";
const dirs = args;
const files = [];
const walk = (d) => {
  if (!fs.existsSync(d)) return;
  if (fs.statSync(d).isFile()) { if (d.endsWith(".test.ts")) files.push(d); return; } // a single test file
  for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith(".test.ts")) files.push(p);
  }
};
dirs.forEach(walk);
if (files.length === 0) { console.error(`no test files under ${dirs.join(", ")}`); process.exit(1); }
if (note) console.log(`note: ${note}\n`);
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=1", ...files], { stdio: "inherit" });
if (note) console.log(`\nnote: ${note}`);
process.exit(r.status ?? 1);
