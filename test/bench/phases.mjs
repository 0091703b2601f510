#!/usr/bin/env node
// Phase times and peak RSS of `citymesh build`, for two CLI bundles side by side, runs interleaved
// (A, B, A, B, …) so a noisy shared machine hits both alike. Phases come from the CLI's progress
// lines as run.mjs times them (read: start → `tiling:`; plan → `building:`; tiles → `merging:`;
// merge + write → the `wrote …` line) and CPU time (user + system, children included); peak RSS is /usr/bin/time's maxrss and the highest 100 ms
// sample of the CLI process and its children added up, per phase.
//   node test/bench/phases.mjs INPUT [--runs N] [--a dist-a/cli.mjs] [--b dist/cli.mjs] [-- extra build args]
// A baseline bundle: `git worktree add /tmp/base <commit> && (cd /tmp/base && npm ci && npm run build)`,
// then --a /tmp/base/dist/cli.mjs. Outputs and scratch stores go to a temp folder and are removed.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const argv = process.argv.slice(2);
const dash = argv.indexOf("--");
const extra = dash >= 0 ? argv.splice(dash).slice(1) : [];
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv.splice(i, 2)[1] : dflt; };
const runs = Number(opt("--runs", 2));
const clis = { A: opt("--a", undefined), B: opt("--b", path.resolve("dist/cli.mjs")) };
const input = argv[0];
if (!input) { console.error("usage: node test/bench/phases.mjs INPUT [--runs N] [--a CLI] [--b CLI] [-- build args]"); process.exit(2); }
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-phases-"));

const readProc = (f) => fs.readFileSync(f, "utf8");
const childrenOf = (pid) => {
  const out = [];
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try { out.push(...readProc(`/proc/${pid}/task/${t}/children`).trim().split(/\s+/).filter(Boolean).map(Number)); } catch { /* thread ended */ }
  }
  return out;
};
const tree = (pid) => { const all = [pid]; for (let i = 0; i < all.length; i++) { try { all.push(...childrenOf(all[i])); } catch { /* gone */ } } return all; };

function build(cli, label, k) {
  const out = path.join(tmp, `${label}-${k}.glb`);
  const args = ["-v", process.execPath, cli, "build", input, "-o", out, "--scratch-dir", path.join(tmp, `scratch-${label}`), ...extra];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn("/usr/bin/time", args, { stdio: ["ignore", "pipe", "pipe"] });
    const lines = [], samples = [];
    let buf = "";
    p.stdout.resume();
    p.stderr.on("data", (d) => {
      const t = performance.now() - t0;
      buf += d;
      for (let i; (i = buf.indexOf("\n")) >= 0; buf = buf.slice(i + 1)) lines.push({ t, line: buf.slice(0, i) });
    });
    const poll = setInterval(() => {
      try {
        const root = childrenOf(p.pid)[0];
        if (!root) return;
        let kb = 0;
        for (const q of tree(root)) kb += Number(readProc(`/proc/${q}/status`).match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
        samples.push([performance.now() - t0, kb / 1024]);
      } catch { /* not started, or gone */ }
    }, 100);
    p.on("error", reject);
    p.on("close", (code) => {
      clearInterval(poll);
      const wall = performance.now() - t0;
      const all = lines.map((l) => l.line).join("\n") + buf;
      if (code !== 0) return reject(new Error(`${cli} exited ${code}:\n${all.slice(-2000)}`));
      const at = (re) => lines.find((l) => re.test(l.line))?.t;
      const tT = at(/^tiling:/), tB = at(/^building:/), tM = at(/^merging:/), tW = at(/^wrote /);
      const peak = (a, b) => Math.round(Math.max(0, ...samples.filter(([t]) => t >= a && t < b).map(([, v]) => v)));
      const bytes = fs.statSync(out).size, jsonl = out.replace(/\.glb$/, ".buildings.jsonl");
      const jsonlBytes = fs.existsSync(jsonl) ? fs.statSync(jsonl).size : 0;
      fs.rmSync(out, { force: true }); fs.rmSync(jsonl, { force: true }); fs.rmSync(`${out}.crs.json`, { force: true });
      const s = (ms) => +(ms / 1000).toFixed(2);
      resolve({
        label, wallS: s(wall), readS: s(tT), planS: s(tB - tT), tilesS: s(tM - tB), mergeS: s(tW - tM),
        mergeMBps: Math.round((bytes + jsonlBytes) / 1e6 / ((tW - tM) / 1000)), outputMB: +((bytes + jsonlBytes) / 1e6).toFixed(1),
        maxrssMB: Math.round(Number(all.match(/Maximum resident set size \(kbytes\): (\d+)/)?.[1]) * 1024 / 1e6),
        // CPU time of the process and its children (user + system): on a shared machine less noisy than wall time.
        cpuS: Math.round((Number(all.match(/User time \(seconds\): ([\d.]+)/)?.[1]) + Number(all.match(/System time \(seconds\): ([\d.]+)/)?.[1])) * 100) / 100,
        sampledPeakMiB: { read: peak(0, tT), plan: peak(tT, tB), tiles: peak(tB, tM), merge: peak(tM, tW) },
      });
    });
  });
}

try {
  for (let k = 0; k < runs; k++) {
    for (const label of ["A", "B"]) {
      if (!clis[label]) continue;
      console.log(JSON.stringify(await build(clis[label], label, k)));
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
