import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { readChunks } from "../../../src/core/writers/io";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-io-"));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: number, seed: number): { path: string; data: Uint8Array } {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 31 + seed) & 255;
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return { path: p, data };
}

test("readChunks gives a file's bytes in order, in chunks of the size asked, the last one short, across calls that reuse its buffer", () => {
  const a = file("a.bin", 10_000, 1), b = file("b.bin", 4_096, 2);
  for (const [f, chunk] of [[a, 4096], [b, 4096], [a, 1024], [a, 20_000]] as const) {
    const got: number[] = [], sizes: number[] = [], offsets: number[] = [];
    readChunks(f.path, chunk, (c, offset) => { got.push(...c); sizes.push(c.length); offsets.push(offset); });
    assert.deepEqual(Uint8Array.from(got), f.data, `${path.basename(f.path)} in chunks of ${chunk}`);
    assert.ok(sizes.slice(0, -1).every((s) => s === chunk), `full chunks but the last: ${sizes}`);
    assert.deepEqual(offsets, sizes.map((_, k) => k * chunk));
  }
  const empty = file("empty.bin", 0, 0);
  let calls = 0;
  readChunks(empty.path, 4096, () => calls++);
  assert.equal(calls, 0, "an empty file gives no chunk");
});

test("readChunks called from inside another's callback reads into a buffer of its own", () => {
  const outer = file("outer.bin", 3 * 512, 3), inner = file("inner.bin", 700, 4);
  const seenOuter: number[] = [];
  readChunks(outer.path, 512, (c) => {
    const before = Uint8Array.from(c);
    const innerBytes: number[] = [];
    readChunks(inner.path, 512, (d) => { innerBytes.push(...d); });
    assert.deepEqual(Uint8Array.from(innerBytes), inner.data);
    assert.deepEqual(Uint8Array.from(c), before, "the outer chunk is untouched by the inner read");
    seenOuter.push(...c);
  });
  assert.deepEqual(Uint8Array.from(seenOuter), outer.data);
});
