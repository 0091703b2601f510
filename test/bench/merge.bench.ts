// Throughput of merge + write on a synthetic ~1M-triangle city (not part of the test run):
//   node --import tsx test/bench/merge.bench.ts [k=350]      (k=60: a quick run, ~30 k triangles)
// MB/s = output bytes per second of merge (weld + spool) + write.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mergeTiles } from "../../src/core/merge/mergeTiles";
import { memoryTileSource } from "../../src/core/merge/tileSource";
import { storeTileSource } from "../../src/core/merge/storeSource";
import { readTileFile, writeTileFile } from "../../src/core/store/tileFile";
import { syntheticCity } from "../support/tiledCity";

(async () => {
  const k = Number(process.argv[2] ?? 350);
  const city = syntheticCity(2, 2, k);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-bench-"));
  const crs = { name: "EPSG:32631", proj4: "", origin: [0, 0] as [number, number], sourceCrs: "EPSG:4326" };
  console.log(`${city.triangles} triangles, ${city.vertices} vertices, 4 tiles`);
  const files: string[] = [];
  const rss = () => `rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`;
  console.log(`city built, ${rss()}`);
  // First call loads and compiles h5wasm's wasm: time it apart from the writes.
  let t = performance.now();
  await writeTileFile(path.join(dir, "warm.h5"), 0, city.tiles[0], [0, 0, 1, 1]);
  console.log(`h5wasm load + first tile: ${((performance.now() - t) / 1000).toFixed(2)} s, ${rss()}`);
  t = performance.now();
  let storeBytes = 0;
  for (let i = 0; i < city.tiles.length; i++) {
    const f = path.join(dir, `tile_${i}.h5`);
    storeBytes += (await writeTileFile(f, i, city.tiles[i], [0, 0, 1, 1])).bytes;
    files.push(f);
  }
  let s = (performance.now() - t) / 1000;
  console.log(`store write: ${(storeBytes / 1e6).toFixed(1)} MB in ${s.toFixed(2)} s = ${(storeBytes / 1e6 / s).toFixed(0)} MB/s, ${rss()}`);
  t = performance.now();
  for (const f of files) await readTileFile(f);
  s = (performance.now() - t) / 1000;
  console.log(`store read (validated, checksummed): ${(storeBytes / 1e6 / s).toFixed(0)} MB/s`);
  for (const [label, source] of [["memory", memoryTileSource(city.tiles)], ["store", storeTileSource(files)]] as const) {
    for (const format of ["glb", "ply", "obj", "stl"] as const) {
      if (label === "store" && format !== "glb") continue;
      t = performance.now();
      const st = await mergeTiles(source, { output: path.join(dir, `city.${format}`), format, crs, buildings: city.buildings });
      s = (performance.now() - t) / 1000;
      console.log(
        `${label} → ${format}: ${(st.bytes / 1e6).toFixed(1)} MB in ${s.toFixed(2)} s (spool ${st.spoolSeconds.toFixed(2)} s, write ${st.writeSeconds.toFixed(2)} s) = ${(st.bytes / 1e6 / s).toFixed(0)} MB/s; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
      );
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
})();
