// The CLI and the extension's build process (buildProcess.ts) own their processes, so they tune V8's heap growth for bounded memory. V8 sizes the next
// heap limit at up to 4× the live data after each collection when collecting is cheap against
// the program's allocation rate, which meshing always is: a tile worker's heap then kept growing
// with the number of tiles it had built (~80 MB after 2 tiles, ~140 MB after 30), so peak
// memory grew with the city though each tile needs the same. A fixed factor of 1.2 keeps a
// worker at about one tile's working set; measured on 8,000 vs 128,000 buildings, peak RSS
// 290 vs 343 MiB (1.18×) against 370 vs 472 MiB (1.28×), and the mean tile time did not change.
// The flag is process-wide and read at every collection, so it also holds for the worker
// threads started later. The extension host never sets it: VS Code's extension host is shared
// with other extensions, and its heap settings are not ours to change.
import v8 from "v8";

export const HEAP_GROWING_PERCENT = 20;

export function tuneHeapForBoundedMemory(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
