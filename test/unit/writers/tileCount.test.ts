// The merged mesh records how many tiles it was merged from (GLB asset.extras.citymesh.tiles, PLY
// "comment tiles N"), and the viewer's parsers and counts line read it back.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mergeTiles } from "../../../src/core/merge/mergeTiles";
import { memoryTileSource } from "../../../src/core/merge/tileSource";
import type { BuildFormat, CrsInfo } from "../../../src/core/types";
import { parseCitymeshGlb, readGlbChunks } from "../../../webview/glb";
import { citymeshPlyHeader, parseCitymeshPly } from "../../../webview/ply";
import { countsText, tilesShown } from "../../../webview/counts";
import { syntheticCity } from "../../support/tiledCity";

const crs: CrsInfo = { name: "EPSG:28992", proj4: "+proj=sterea", origin: [84790, 445823], sourceCrs: "EPSG:28992" };
const ab = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

async function merged(format: BuildFormat, batch = 2): Promise<Buffer> {
  const city = syntheticCity(3, 2, 2); // 6 tiles
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-tilecount-"));
  try {
    const out = path.join(dir, `city.${format}`);
    await mergeTiles(memoryTileSource(city.tiles), { output: out, format, crs, buildings: city.buildings, mergeBatchSize: batch });
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("a merged GLB states its tile count in asset.extras.citymesh, and the viewer shows it", async () => {
  const glb = await merged("glb");
  const { json } = readGlbChunks(ab(glb));
  assert.equal((json.asset.extras!.citymesh as { tiles?: number }).tiles, 6);
  const d = parseCitymeshGlb(ab(glb));
  assert.equal(d.tiles, 6);
  assert.equal(tilesShown(d, 0), 6, "the merged mesh's own count, not the live tiles (none once it is shown)");
  assert.match(countsText({ triangles: d.index.length / 3, vertices: d.positions.length / 3, tiles: tilesShown(d, 0), buildings: d.buildings }), / · 6 tiles · 6 buildings$/);
});

test("a merged PLY states its tile count in a header comment, and the viewer reads it", async () => {
  const ply = await merged("ply");
  const head = ply.subarray(0, ply.indexOf("end_header\n")).toString("latin1");
  assert.match(head, /^comment tiles 6$/m);
  const h = citymeshPlyHeader(ab(ply));
  assert.ok(h);
  assert.equal(parseCitymeshPly(ab(ply), h).tiles, 6);
});

test("the tile count is metadata only: the batch size does not change the bytes, and it is not in OBJ", async () => {
  assert.deepEqual(await merged("glb", 1), await merged("glb", 4));
  assert.doesNotMatch((await merged("obj")).subarray(0, 400).toString(), /tiles/);
});

test("a mesh whose file states no tile count shows none (not a made-up 1)", () => {
  const d = { positions: new Float32Array(9), index: new Uint32Array([0, 1, 2]), groups: [], buildings: 0 };
  assert.equal(tilesShown(d, 0), undefined);
  assert.equal(countsText({ triangles: 1, vertices: 3, tiles: undefined, buildings: 0 }), "1 triangles · 3 vertices");
  assert.equal(countsText({ triangles: 10, vertices: 8, tiles: tilesShown(undefined, 2), buildings: 0 }), "10 triangles · 8 vertices · 2 tiles", "live tiles count as they arrive");
});
