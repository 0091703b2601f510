#!/usr/bin/env node
// Summarises V8 .cpuprofile files (from `node --cpu-prof --cpu-prof-dir DIR`; worker threads
// write their own): self time per function and per source file, summed over all threads, as
// shares of the total sampled time (idle and GC listed separately).
//   node scripts/bench/profile-summary.mjs DIR [--top N] [--json]
import fs from "node:fs";
import path from "node:path";

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
      if (cf.functionName === "(idle)" || cf.functionName === "(program)" && false) { idle += us; continue; }
      if (cf.functionName === "(idle)") continue;
      if (cf.functionName === "(garbage collector)") gc += us;
      threadBusy += us;
      const file = cf.url ? path.basename(cf.url.replace(/^file:\/\//, "")) : cf.functionName.startsWith("(") ? cf.functionName : "(native)";
      const fn = `${cf.functionName || "(anonymous)"} ${file}${cf.url ? `:${cf.lineNumber + 1}` : ""}`;
      byFn.set(fn, (byFn.get(fn) ?? 0) + us);
      byFile.set(file, (byFile.get(file) ?? 0) + us);
    }
    threads.push({ file: name, busyMs: Math.round(threadBusy / 1000), wallMs: Math.round((p.endTime - p.startTime) / 1000) });
  }
  const busy = total - idle;
  const rank = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ name: k, ms: Math.round(us / 1000), share: us / busy }));
  return { threads, busyMs: Math.round(busy / 1000), gcShare: gc / busy, functions: rank(byFn), files: rank(byFile) };
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
