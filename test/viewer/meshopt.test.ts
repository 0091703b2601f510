// The viewer opens citymesh GLBs written with glbCompression meshopt: the fast path decodes the
// EXT_meshopt_compression views (meshoptimizer's WASM decoder, bundled) and reads the same mesh as from the uncompressed file.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { mergeTiles } from "../../src/core/merge/mergeTiles";
import { memoryTileSource } from "../../src/core/merge/tileSource";
import { parseCitymeshGlb } from "../../webview/glb";
import { parseMesh } from "../../webview/loaders";
import { syntheticCity } from "../support/tiledCity";
import type { MeshData } from "../../webview/meshData";

const crs = { name: "EPSG:32618", proj4: "+proj=utm +zone=18 +datum=WGS84 +units=m +no_defs", origin: [581000, 4501000] as [number, number], sourceCrs: "EPSG:4326" };

async function glb(glbCompression: "none" | "meshopt" | "quantize" | "meshopt+quantize"): Promise<ArrayBuffer> {
  const city = syntheticCity(3, 2, 6);
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-viewer-mo-")), "city.glb");
  await mergeTiles(memoryTileSource(city.tiles), { output: out, format: "glb", crs, buildings: city.buildings, glbCompression });
  const b = fs.readFileSync(out);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Triangles as sorted-rotation strings: the index codec may rotate a triangle's corners. */
const triangles = (d: MeshData): string[] => {
  const out: string[] = [];
  for (let i = 0; i < d.index.length; i += 3) {
    const t = [d.index[i], d.index[i + 1], d.index[i + 2]], r = t.indexOf(Math.min(...t));
    out.push([t[r], t[(r + 1) % 3], t[(r + 2) % 3]].join());
  }
  return out;
};

function sameMesh(a: MeshData, b: MeshData): void {
  assert.deepEqual([...a.positions], [...b.positions]);
  assert.deepEqual(triangles(a), triangles(b));
  assert.deepEqual([...a.markers!], [...b.markers!]);
  assert.deepEqual(a.groups, b.groups);
  assert.equal(a.buildings, b.buildings);
  assert.deepEqual(a.bounds, b.bounds);
}

describe("meshopt-compressed citymesh GLB", () => {
  it("parseMesh decodes it (bundled decoder) into the mesh of the uncompressed file, markers and all", async () => {
    const plain = parseCitymeshGlb(await glb("none"));
    const packed = await parseMesh(await glb("meshopt"), "glb");
    sameMesh(packed, plain);
  });
  it("quantized (KHR_mesh_quantization), with or without meshopt: the same mesh, every position within half a step", async () => {
    const plain = parseCitymeshGlb(await glb("none"));
    const raw = await glb("quantize");
    const quantized = await parseMesh(raw, "glb");
    const both = await parseMesh(await glb("meshopt+quantize"), "glb");
    // The step per axis is the city node's scale.
    const json = JSON.parse(Buffer.from(raw, 20, new DataView(raw).getUint32(12, true)).toString("utf8")) as { nodes: { mesh?: number; scale?: number[] }[] };
    const step = json.nodes.find((n) => n.mesh !== undefined)!.scale!;
    assert.ok(step.every((s) => s > 0 && s < 0.05), `steps ${step}`);
    assert.equal(quantized.positions.length, plain.positions.length);
    let worst = 0;
    for (let i = 0; i < plain.positions.length; i++) worst = Math.max(worst, Math.abs(quantized.positions[i] - plain.positions[i]) / (step[i % 3] / 2));
    assert.ok(worst <= 1.001, `a position ${worst.toFixed(3)} half-steps off`);
    assert.deepEqual(triangles(quantized), triangles(plain));
    assert.deepEqual([...quantized.markers!], [...plain.markers!]);
    assert.deepEqual(quantized.groups, plain.groups);
    assert.deepEqual([...both.positions], [...quantized.positions]);
    assert.deepEqual(triangles(both), triangles(quantized));
  });

  it("the fast parser refuses a compressed file it was not given decoded", async () => {
    const buf = await glb("meshopt");
    assert.throws(() => parseCitymeshGlb(buf), /EXT_meshopt_compression: decode it first/);
  });
});

