// Entry the extension host loads (extensionTestsPath), the same contract as @vscode/test-electron:
// run() resolves when all tests pass. Mocha runs the bundled *.test.js beside this file.
import fs from "fs";
import Mocha from "mocha";
import path from "path";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 120_000, reporter: "spec", grep: process.env.CITYMESH_HOST_GREP || undefined });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith(".test.js")).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} host test(s) failed`)) : resolve()));
  });
}
