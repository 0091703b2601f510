#!/usr/bin/env node
// Summarises V8 .cpuprofile files (from `node --cpu-prof --cpu-prof-dir DIR`; worker threads
// write their own): self time per function and per source file, summed over all threads, as
// shares of the total sampled time (idle and GC listed separately).
//   node test/bench/profile-summary.mjs DIR [--top N] [--json]
import fs from "node:fs";
import path from "node:path";

// Source maps (esbuild's `<bundle>.map`), so bundle lines become src/… files.
const B64 = new Map([..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]));
const maps = new Map();
function loadMap(file) {
  if (maps.has(file)) return maps.get(file);
  let m = null;
  try {
    const raw = JSON.parse(fs.readFileSync(file + ".map", "utf8"));
    const lines = [];
    let src = 0, sl = 0, sc = 0;
    for (const line of raw.mappings.split(";")) {
      const segs = [];
      let col = 0;
      for (const seg of line.split(",")) {
        if (!seg) continue;
        const v = [];
        let shift = 0, acc = 0;
        for (const ch of seg) {
          const d = B64.get(ch);
          acc += (d & 31) << shift;
          if (d & 32) shift += 5;
          else { v.push(acc & 1 ? -(acc >>> 1) : acc >>> 1); acc = 0; shift = 0; }
        }
        col += v[0];
        if (v.length >= 4) { src += v[1]; sl += v[2]; sc += v[3]; segs.push([col, src, sl]); }
      }
      lines.push(segs);
    }
    m = { sources: raw.sources.map((s) => s.replace(/^(\.\.\/)+/, "")), lines };
  } catch { m = null; }
  maps.set(file, m);
  return m;
}
function original(url, line, col) {
  const file = url.replace(/^file:\/\//, "");
  const m = loadMap(file);
  const segs = m?.lines[line];
  if (!segs?.length) return null;
  let best = segs[0];
  for (const s of segs) { if (s[0] <= col) best = s; else break; }
  return { file: m.sources[best[1]], line: best[2] + 1 };
}

export function summariseProfiles(dir, top = 12) {
  const byFn = new Map(), byFile = new Map(), threads = [];
  let total = 0, idle = 0, gc = 0;
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).sort()) {
    const p = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    const dt = new Map();
    // timeDeltas[i] is the time before sample i; attribute it to that sample's node.
    for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
    let threadBusy = 0;
    for (const [id, us] of dt) {
      const n = nodes.get(id);
      const cf = n.callFrame;
      total += us;
      if (cf.functionName === "(idle)") { idle += us; continue; }
      if (cf.functionName === "(garbage collector)") gc += us;
      threadBusy += us;
      const o = cf.url ? original(cf.url, cf.lineNumber, cf.columnNumber) : null;
      const file = o ? o.file : /^wasm-function/.test(cf.functionName) ? "(wasm: h5wasm's HDF5)" : cf.url ? path.basename(cf.url.replace(/^file:\/\//, "")) : cf.functionName.startsWith("(") ? cf.functionName : "(native)";
      const fn = `${cf.functionName || "(anonymous)"} ${file}${o ? `:${o.line}` : cf.url ? `:${cf.lineNumber + 1}` : ""}`;
      byFn.set(fn, (byFn.get(fn) ?? 0) + us);
      byFile.set(file, (byFile.get(file) ?? 0) + us);
    }
    threads.push({ file: name, busyMs: Math.round(threadBusy / 1000), wallMs: Math.round((p.endTime - p.startTime) / 1000) });
  }
  const busy = total - idle;
  const rank = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ name: k, ms: Math.round(us / 1000), share: us / busy }));
  return { threads, busyMs: Math.round(busy / 1000), gcShare: gc / busy, functions: rank(byFn), files: rank(byFile), allFiles: [...byFile].map(([k, us]) => ({ name: k, share: us / busy })) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) { console.error("usage: profile-summary.mjs DIR [--top N] [--json]"); process.exit(2); }
  const top = Number(process.argv[process.argv.indexOf("--top") + 1]) || 12;
  const s = summariseProfiles(dir, top);
  if (process.argv.includes("--json")) { console.log(JSON.stringify(s, null, 2)); process.exit(0); }
  console.log(`threads: ${s.threads.map((t) => `${t.file} busy ${t.busyMs} ms / wall ${t.wallMs} ms`).join("; ")}`);
  console.log(`busy ${s.busyMs} ms, GC ${(s.gcShare * 100).toFixed(1)} %`);
  console.log("\nself time by file:");
  for (const f of s.files) console.log(`  ${(f.share * 100).toFixed(1).padStart(5)} %  ${String(f.ms).padStart(7)} ms  ${f.name}`);
  console.log("\nself time by function:");
  for (const f of s.functions) console.log(`  ${(f.share * 100).toFixed(1).padStart(5)} %  ${String(f.ms).padStart(7)} ms  ${f.name}`);
}
