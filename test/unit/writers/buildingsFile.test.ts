import test from "node:test";
import assert from "node:assert/strict";
import fs from "fs";
import os from "os";
import path from "path";
import { writeBuildingsFile } from "../../../src/core/writers/buildingsFile";
import { CityMeshError } from "../../../src/core/errors";

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "citymesh-bfile-"));
/** Reader lines as the reader writes them: JSON.stringify({b, f, id, properties}), read numbering. */
const readerLines = (dir: string) => {
  const file = path.join(dir, "props.jsonl");
  fs.writeFileSync(file, [0, 1, 2, 3].map((b) => JSON.stringify({ b, f: b + 10, id: `w${b}`, properties: { name: `b${b}`, "b\":": 1 } })).join("\n") + "\n");
  return file;
};

test("renumbers kept buildings (by their {\"b\":N, prefix) and drops the others; output identical to re-serialising each line", async () => {
  const dir = tmpDir(), out = path.join(dir, "city.buildings.jsonl");
  assert.equal(await writeBuildingsFile(readerLines(dir), out, Uint32Array.of(1, 3)), out);
  const lines = fs.readFileSync(out, "utf8").trim().split("\n");
  assert.deepEqual(lines, [JSON.stringify({ b: 0, f: 11, id: "w1", properties: { name: "b1", "b\":": 1 } }), JSON.stringify({ b: 1, f: 13, id: "w3", properties: { name: "b3", "b\":": 1 } })]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["city.buildings.jsonl", "props.jsonl"], "no temporary file left");
});

test("creates a missing output folder (the merge beside it may not have yet), and publish=false leaves the file under its temporary name", async () => {
  const dir = tmpDir(), out = path.join(dir, "meshes", "nested", "city.buildings.jsonl");
  const tmp = await writeBuildingsFile(readerLines(dir), out, Uint32Array.of(0, 1, 2, 3), false);
  assert.notEqual(tmp, out);
  assert.ok(fs.existsSync(tmp) && !fs.existsSync(out));
  assert.equal(fs.readFileSync(tmp, "utf8").trim().split("\n").length, 4);
});

test("an output it cannot create is a CityMeshError naming the file, not an unhandled stream error", async () => {
  const dir = tmpDir(), blocker = path.join(dir, "not-a-folder");
  fs.writeFileSync(blocker, "a file where the output folder should be");
  const out = path.join(blocker, "city.buildings.jsonl");
  await assert.rejects(writeBuildingsFile(readerLines(dir), out, Uint32Array.of(0)), (e: unknown) => e instanceof CityMeshError && e.code === "output" && e.message.includes(out));
});

test("a line in another shape (b not first, spaces) is parsed and renumbered too", async () => {
  const dir = tmpDir(), lines = path.join(dir, "other.jsonl"), out = path.join(dir, "o.buildings.jsonl");
  fs.writeFileSync(lines, '{ "f": 4, "b": 2, "id": "x" }\n{"f":5,"b":3,"id":"y"}\n');
  await writeBuildingsFile(lines, out, Uint32Array.of(3));
  assert.deepEqual(fs.readFileSync(out, "utf8").trim().split("\n"), [JSON.stringify({ f: 5, b: 0, id: "y" })]);
});

test("a large file waits for the stream many times without piling up listeners (no MaxListenersExceededWarning)", async () => {
  const dir = tmpDir(), src = path.join(dir, "big.jsonl"), out = path.join(dir, "big.buildings.jsonl");
  const pad = "x".repeat(1000);
  fs.writeFileSync(src, Array.from({ length: 20_000 }, (_, b) => JSON.stringify({ b, f: b, id: b, properties: { pad } })).join("\n") + "\n");
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on("warning", onWarning);
  try {
    await writeBuildingsFile(src, out, Uint32Array.from({ length: 20_000 }, (_, i) => i));
    await new Promise((r) => setImmediate(r)); // process warnings are emitted on the next tick
  } finally {
    process.off("warning", onWarning);
  }
  assert.deepEqual(warnings.map((w) => w.name), []);
  assert.equal(fs.readFileSync(out, "utf8").split("\n").length, 20_001);
});

test("lines longer than the 2 MiB block, CRLF line ends, blank lines and a last line without a newline: the same lines out", async () => {
  const dir = tmpDir(), src = path.join(dir, "long.jsonl"), out = path.join(dir, "long.buildings.jsonl");
  const long = "é".repeat(3 << 20); // 6 MiB of UTF-8, a multi-byte character across every block boundary
  const recs = [0, 1, 2, 3, 4].map((b) => ({ b, f: b, id: `w${b}`, properties: { name: b === 2 ? long : `n${b}` } }));
  fs.writeFileSync(src, recs.slice(0, 3).map((r) => JSON.stringify(r)).join("\r\n") + "\r\n\n" + recs.slice(3).map((r) => JSON.stringify(r)).join("\n"));
  await writeBuildingsFile(src, out, Uint32Array.of(0, 2, 4));
  assert.deepEqual(fs.readFileSync(out, "utf8").split("\n"), [...[0, 2, 4].map((b, k) => JSON.stringify({ ...recs[b], b: k })), ""]);
});

test("a line that is not JSON is a CityMeshError naming the output, and no temporary file is left", async () => {
  const dir = tmpDir(), src = path.join(dir, "bad.jsonl"), out = path.join(dir, "bad.buildings.jsonl");
  fs.writeFileSync(src, '{"b":0,"id":"a"}\nnot json\n');
  await assert.rejects(writeBuildingsFile(src, out, Uint32Array.of(0, 1)), (e: unknown) => e instanceof CityMeshError && e.code === "output" && e.message.includes(out));
  assert.deepEqual(fs.readdirSync(dir), ["bad.jsonl"]);
});
