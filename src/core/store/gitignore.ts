// The one writer of `.citymesh/.gitignore`: a scratch store inside a `.citymesh` folder (the
// default, in the CLI's working folder or the extension's workspace folder) is never committed.
import fs from "fs";
import path from "path";

export const CITYMESH_DIR = ".citymesh";
const GITIGNORE = "# citymesh scratch store: never commit\n*\n";

/**
 * Writes `<.citymesh>/.gitignore` (ignore everything) unless it exists, for the nearest folder
 * named `.citymesh` that holds `scratchDir`. Returns its path, or undefined when the store lies
 * outside any `.citymesh` folder (the user chose the place, and its version control).
 */
export function ensureScratchGitignore(scratchDir: string): string | undefined {
  for (let d = path.resolve(scratchDir); ; d = path.dirname(d)) {
    if (path.basename(d) === CITYMESH_DIR) {
      const file = path.join(d, ".gitignore");
      fs.mkdirSync(d, { recursive: true });
      if (!fs.existsSync(file)) fs.writeFileSync(file, GITIGNORE);
      return file;
    }
    if (path.dirname(d) === d) return undefined;
  }
}
