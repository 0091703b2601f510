// Names of the per-process files and folders a build leaves in the scratch directory, each carrying the host and
// the pid of the process that removes it, so the next build can tell a killed process's from a running one's
// (planning.ts's prepareScratch). Kept free of heavy imports: the extension host uses it.
import os from "os";
import path from "path";
import { randomBytes } from "crypto";

/** This machine's name as it goes into scratch file names (a shared scratch directory serves shards on several machines). */
export const HOST = os.hostname().replace(/[^A-Za-z0-9.]/g, "_") || "host";

/** `<host>-<pid>-<hex>`: unique to one use by this process. */
export const processTag = (): string => `${HOST}-${process.pid}-${randomBytes(4).toString("hex")}`;

/** A new folder in `scratchDir` for the live-preview files of one build (BuildHooks.previewDir). */
export const newPreviewDir = (scratchDir: string): string => path.join(scratchDir, `previews-${processTag()}`);
