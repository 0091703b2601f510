// Entry the extension host loads (extensionTestsPath), the same contract as @vscode/test-electron:
// run() resolves when all tests pass. Mocha runs the bundled *.test.js beside this file: in a trusted
// workspace all but *.untrusted.test.js, in an untrusted one only those.
import fs from "fs";
import Mocha from "mocha";
import path from "path";
import * as vscode from "vscode";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 120_000, reporter: "spec", grep: process.env.CITYMESH_HOST_GREP || undefined });
  const untrusted = !vscode.workspace.isTrusted;
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith(".test.js") && f.endsWith(".untrusted.test.js") === untrusted).sort();
  console.log(`host suite (${untrusted ? "untrusted" : "trusted"} workspace): ${files.join(", ")}`);
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} host test(s) failed`)) : resolve()));
  });
}
