import { GeoParquetScanner } from "../src/core/input/geoparquet";
const s = new GeoParquetScanner(process.argv[2]);
let n = 0, max = 0;
for await (const f of s.features()) { n++; if (n % 5000 === 0) { const m = process.memoryUsage(); max = Math.max(max, m.rss); if (n % 20000 === 0) console.log(n, (m.rss/1e6).toFixed(0), (m.heapUsed/1e6).toFixed(0), (m.external/1e6).toFixed(0), (m.arrayBuffers/1e6).toFixed(0)); } }
console.log(n, "max rss", (max/1e6).toFixed(0));
