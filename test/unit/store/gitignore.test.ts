// The one .gitignore writer: a scratch store anywhere inside a .citymesh folder keeps that folder
// out of git; an existing .gitignore is the user's and stays as it is.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ensureScratchGitignore } from "../../../src/core/store/gitignore";

test("ensureScratchGitignore writes <.citymesh>/.gitignore once, for the nearest .citymesh holding the store", () => {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), "cm-gi-"));
  const f = ensureScratchGitignore(path.join(ws, ".citymesh", "scratch"));
  assert.equal(f, path.join(ws, ".citymesh", ".gitignore"));
  assert.match(fs.readFileSync(f!, "utf8"), /^\*$/m);
  fs.writeFileSync(f!, "*\n!keep\n");
  assert.equal(ensureScratchGitignore(path.join(ws, ".citymesh", "deeper", "store")), f);
  assert.equal(fs.readFileSync(f!, "utf8"), "*\n!keep\n", "an existing .gitignore is left alone");
  assert.equal(ensureScratchGitignore(path.join(ws, "my-store")), undefined, "a store the user placed elsewhere gets none");
  assert.ok(!fs.existsSync(path.join(ws, ".gitignore")));
});
