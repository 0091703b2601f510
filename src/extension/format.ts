// Text shown for a running build: status bar, notification, task terminal, log. No vscode import.
import type { BuildPhase, BuildResult, ProgressEvent } from "../core/types";
import { problemCountText } from "../core/problemList";

const PHASE_LABEL: Record<BuildPhase, string> = {
  reading: "Reading", tiling: "Tiling", building: "Building tiles", merging: "Merging", writing: "Writing", done: "Done",
};

export const phaseLabel = (p: BuildPhase): string => PHASE_LABEL[p] ?? p;

/** "45 s", "3 min 20 s", "1 h 05 min"; "" when unknown. */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** Tiles part: "12/40 tiles" once the grid is known. */
const tiles = (e: ProgressEvent): string => (e.tilesTotal > 0 ? `${e.tilesDone}/${e.tilesTotal} tiles` : "");

/** "Building tiles 12/40 · ETA 1 min 05 s" (tiles done/total): the status bar and the notification say the same. */
export function progressText(e: ProgressEvent): string {
  const eta = formatEta(e.etaSeconds);
  const count = e.tilesTotal > 0 ? ` ${e.tilesDone}/${e.tilesTotal}` : "";
  return `${phaseLabel(e.phase)}${count}${eta ? ` · ETA ${eta}` : ""}`;
}

/** Status bar text, e.g. "$(sync~spin) City Mesh: Building tiles 12/40 · ETA 1 min 05 s". */
export const statusBarText = (e: ProgressEvent): string => `$(sync~spin) City Mesh: ${progressText(e)}`;

/** One line for the task terminal and the log, e.g. "[building] 12/40 tiles, 1,234,567 triangles, ETA 1 min 05 s — tile 17". */
export function progressLine(e: ProgressEvent): string {
  const parts = [tiles(e), e.triangles > 0 ? `${e.triangles.toLocaleString("en-US")} triangles` : "", e.etaSeconds !== undefined ? `ETA ${formatEta(e.etaSeconds)}` : ""].filter(Boolean);
  return `[${e.phase}] ${parts.join(", ")}${e.message ? ` — ${e.message}` : ""}`.trimEnd();
}

/** Fraction done (0..1) for withProgress increments; the tile phase dominates a build's time. */
export function fractionDone(e: ProgressEvent): number {
  switch (e.phase) {
    case "reading": return 0.02;
    case "tiling": return 0.05;
    case "building": return 0.05 + 0.8 * (e.tilesTotal > 0 ? e.tilesDone / e.tilesTotal : 0);
    case "merging": return 0.88;
    case "writing": return 0.95;
    case "done": return 1;
    default: return 0;
  }
}

/** Lines summing up a finished build. */
export function summaryLines(r: BuildResult): string[] {
  return [
    `Wrote ${r.output} (${r.format}): ${r.triangles.toLocaleString("en-US")} triangles, ${r.vertices.toLocaleString("en-US")} vertices, ${r.buildings.toLocaleString("en-US")} buildings.`,
    `${r.tiles} tiles (${r.tilesReused} reused from the store) in ${r.seconds.toFixed(1)} s; CRS ${r.crs.name}.`,
    ...(r.diagnostics.length ? [`Input: ${problemCountText(r.diagnostics)}, in the Problems panel.`] : []),
  ];
}
