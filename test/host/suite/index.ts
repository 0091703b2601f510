// Entry the extension host loads (extensionTestsPath), the same contract as @vscode/test-electron:
// run() resolves when all tests pass. Mocha runs the bundled *.test.js beside this file, chosen by the window
// the runner opened: an untrusted workspace runs *.untrusted.test.js, a multi-root one *.multiroot.test.js, the
// real-city workspace (a .citymesh-host-pass file saying "city") *.city.test.js, a trusted single folder all the others.
import fs from "fs";
import Mocha from "mocha";
import path from "path";
import * as vscode from "vscode";

export async function run(): Promise<void> {
  // A .code-workspace window may report its folders a moment after the extension host starts.
  if (vscode.workspace.workspaceFile && !vscode.workspace.workspaceFolders?.length) {
    console.log(`waiting for the folders of ${vscode.workspace.workspaceFile.toString()}`);
    await new Promise<void>((resolve) => {
      const sub = vscode.workspace.onDidChangeWorkspaceFolders(() => { sub.dispose(); resolve(); });
      setTimeout(() => { sub.dispose(); resolve(); }, 300_000); // only a cap: the multi-root tests then fail, naming the folders
    });
  }
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 600_000, reporter: "spec", grep: process.env.CITYMESH_HOST_GREP || undefined });
  // A folder holding .citymesh-host-pass names its pass itself (the real-city pass: "city").
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const named = folder && fs.existsSync(path.join(folder, ".citymesh-host-pass")) ? fs.readFileSync(path.join(folder, ".citymesh-host-pass"), "utf8").trim() : "";
  const kind = named || (!vscode.workspace.isTrusted ? "untrusted" : vscode.workspace.workspaceFile?.scheme === "file" || vscode.workspace.workspaceFile?.scheme === "vscode-remote" || (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? "multiroot" : "");
  const kindOf = (f: string) => /\.(untrusted|multiroot|city)\.test\.js$/.exec(f)?.[1] ?? "";
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith(".test.js") && kindOf(f) === kind).sort();
  console.log(`host suite (${kind || "trusted single-folder"} workspace ${vscode.workspace.workspaceFile?.toString() ?? ""} folders ${vscode.workspace.workspaceFolders?.map((f) => f.name).join(",") ?? "none"}): ${files.join(", ")}`);
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} host test(s) failed`)) : resolve()));
  });
}
