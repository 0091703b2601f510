import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { cleanScratchDirs } from "../../../src/extension/scratch";

test("cleanScratchDirs removes store files in the scratch dir and its per-input stores, nothing else", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cm-scratch-"));
  const scratch = path.join(root, "scratch");
  const store = path.join(scratch, "5c0a74094b280e85");
  fs.mkdirSync(store, { recursive: true });
  fs.writeFileSync(path.join(store, "manifest.json"), "{}");
  fs.writeFileSync(path.join(store, "tile_0.h5"), "x".repeat(100));
  fs.writeFileSync(path.join(store, "tile_1.h5"), "x".repeat(50));
  const userDir = path.join(scratch, "mine");
  fs.mkdirSync(userDir);
  fs.writeFileSync(path.join(userDir, "notes.txt"), "keep me");
  fs.writeFileSync(path.join(scratch, "readme.txt"), "keep me too");
  const r = cleanScratchDirs([scratch, path.join(root, "missing")]);
  assert.equal(r.removed, 3);
  assert.equal(r.bytes, 152);
  assert.ok(!fs.existsSync(store), "emptied store directory removed");
  assert.equal(fs.readFileSync(path.join(userDir, "notes.txt"), "utf8"), "keep me");
  assert.ok(fs.existsSync(path.join(scratch, "readme.txt")));
});
