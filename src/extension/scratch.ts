// Clean Scratch Store: what it removes. No vscode import: unit-tested directly.
import fs from "fs";
import path from "path";
import { cleanStore } from "../core/store/manifest";

export interface CleanSummary {
  removed: number;
  bytes: number;
}

/**
 * Cleans each scratch directory and every store directly below it (the core keeps one store per input under the
 * scratch dir). Only what a store made goes (tile files, manifests, temp leftovers — see cleanStore); anything else,
 * e.g. a user file in a mistyped scratchDir, stays, and so do directories that are not empty afterwards.
 */
export function cleanScratchDirs(dirs: string[]): CleanSummary {
  let removed = 0, bytes = 0;
  for (const d of dirs) {
    if (!fs.existsSync(d)) continue;
    const subs = fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.isSymbolicLink()).map((e) => path.join(d, e.name));
    for (const dir of [...subs, d]) {
      const r = cleanStore(dir);
      removed += r.removed;
      bytes += r.bytes;
    }
  }
  return { removed, bytes };
}
