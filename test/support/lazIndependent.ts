// An independent decoding of a LAZ file for checks: laz-rs (LASzip reimplemented in Rust, compiled
// to wasm, through @loaders.gl/las's LAZRsLoader), which shares no code with laz-perf nor with our
// chunk-table decoder (src/core/pointcloud/). The whole file at once; positions scaled and offset
// as the LAS spec says; the class as the low 5 bits (point formats 0–5).
import fs from "fs";
import path from "path";
import { pathToFileURL } from "url";

export interface RawCloud { n: number; x: Float64Array; y: Float64Array; z: Float64Array; cls: Uint8Array }

const root = path.resolve(__dirname, "../..");
let ready: Promise<void> | undefined;

export async function readLazRs(file: string): Promise<RawCloud> {
  const dirRs = path.join(root, "node_modules/@loaders.gl/las/dist/libs/laz-rs-wasm");
  ready ??= (async () => {
    // LAZRsLoader initialises its wasm by fetching a URL, which Node cannot do for a file: give it the bytes first.
    const m = await import(pathToFileURL(path.join(dirRs, "laz_rs_wasm.js")).href);
    await m.default({ module_or_path: fs.readFileSync(path.join(dirRs, "laz_rs_wasm_bg.wasm")) });
  })();
  await ready;
  const { LAZRsLoader } = await import("@loaders.gl/las");
  const b = fs.readFileSync(file);
  const mesh = (await LAZRsLoader.parse(b.buffer.slice(b.byteOffset, b.byteOffset + b.length), { las: { fp64: true, colorDepth: 8 } } as never)) as unknown as { attributes: { POSITION: { value: Float64Array }; classification: { value: Uint8Array } } };
  const p = mesh.attributes.POSITION.value, c = mesh.attributes.classification.value, n = c.length;
  const out: RawCloud = { n, x: new Float64Array(n), y: new Float64Array(n), z: new Float64Array(n), cls: new Uint8Array(n) };
  for (let i = 0; i < n; i++) { out.x[i] = p[3 * i]; out.y[i] = p[3 * i + 1]; out.z[i] = p[3 * i + 2]; out.cls[i] = c[i] & 0x1f; }
  return out;
}
