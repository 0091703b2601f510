// The `citymesh` executable: the bundle entry of dist/cli.mjs. It always runs, whatever name
// started it — the npm bin symlink (`citymesh` on the PATH, `npx citymesh`), a copy in a
// container, or `node dist/cli.mjs`. (Deciding by argv[1]'s file name made the installed
// symlink a silent no-op.) Tests import main.ts, which only defines the command.
import { main } from "./main";
import { tuneHeapForBoundedMemory } from "../core/pipeline/heapTuning";

tuneHeapForBoundedMemory();
main(process.argv.slice(2)).then((code) => process.exit(code));
