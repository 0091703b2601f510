// Progress output of the CLI: a redrawn bar on a terminal, plain lines otherwise (CI logs, pipes).
import type { ProgressEvent } from "../core/types";

export function progressPrinter(stream: NodeJS.WriteStream, quiet: boolean): { onProgress(e: ProgressEvent): void; end(): void } {
  const tty = !!stream.isTTY;
  let last = "", lastPlain = 0;
  return {
    onProgress(e) {
      if (quiet) return;
      const eta = e.etaSeconds !== undefined && Number.isFinite(e.etaSeconds) ? ` ETA ${Math.ceil(e.etaSeconds)}s` : "";
      const tiles = e.tilesTotal ? ` ${e.tilesDone}/${e.tilesTotal} tiles` : "";
      const tris = e.triangles ? ` ${e.triangles.toLocaleString("en")} triangles` : "";
      if (tty) {
        const width = 24, frac = e.tilesTotal ? e.tilesDone / e.tilesTotal : 0;
        const bar = "█".repeat(Math.round(frac * width)).padEnd(width, "░");
        const line = `${e.phase.padEnd(8)} ${bar}${tiles}${tris}${eta}`;
        if (line !== last) { stream.write(`\r\x1b[K${line}`); last = line; }
      } else {
        // Plain lines: phase changes, and at most one line a second otherwise.
        const line = `${e.phase}:${tiles}${tris}${eta}${e.message ? ` — ${e.message}` : ""}`;
        const now = Date.now();
        if (!line.startsWith(last.split(":")[0] + ":") || now - lastPlain > 1000 || e.phase === "done") {
          stream.write(line + "\n");
          last = line; lastPlain = now;
        }
      }
    },
    end() { if (tty && last) stream.write("\n"); },
  };
}
