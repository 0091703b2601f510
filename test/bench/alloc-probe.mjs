// How far this machine runs two allocation-heavy JavaScript threads at once: figure 4's context.
// The loop allocates like the pipeline does (small typed arrays, arrays, a Map), so V8's parallel
// and concurrent garbage collector works beside it. Run alone, then two copies at once (separate
// processes, started together by run.mjs); each prints its seconds as JSON.
//   node test/bench/alloc-probe.mjs [rounds]
const rounds = Number(process.argv[2] ?? 20);
const t0 = performance.now();
let sum = 0;
for (let r = 0; r < rounds; r++) {
  const byKey = new Map(), all = [];
  for (let i = 0; i < 200_000; i++) { const v = new Float64Array(8); v[0] = i; all.push([i, v]); byKey.set(i * 7, v); }
  for (const [k, v] of all) sum += v[0] + (byKey.get(k * 7) ? 1 : 0);
}
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, check: sum > 0 }));
