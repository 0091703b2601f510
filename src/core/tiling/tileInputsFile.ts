// Every tile's input, spilled by the planner to one scratch file (one slice per tile), so the
// city's footprints leave memory once the plan is made. A tile job reads its own slice back;
// retries and resumed builds read the same bytes, so a tile is always meshed from one input.
import fs from "fs";
import path from "path";
import { type BuildPlan, tileInput } from "./plan";
import type { TileInput } from "../mesh/tileInput";
import { decodeTileInput, encodeTileInput } from "../mesh/tileInputCodec";
import { storeError } from "../store/fsLayer";

/**
 * Writes every tile's input of `plan` to `file` (created anew), tile by tile. Returns the byte
 * offsets: tile t's input is bytes offsets[t] .. offsets[t+1]-1.
 */
export function writeTileInputs(plan: BuildPlan, file: string): Float64Array {
  const offsets = new Float64Array(plan.tiles.length + 1);
  let fd = -1;
  try {
    fd = fs.openSync(file, "w");
    let at = 0;
    for (let t = 0; t < plan.tiles.length; t++) {
      const bytes = encodeTileInput(tileInput(plan, t));
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, at + done);
      at += bytes.length; // encodeTileInput pads to 8 bytes, so every slice starts aligned
      offsets[t + 1] = at;
    }
  } catch (e) {
    if (fd >= 0) fs.closeSync(fd);
    fd = -1;
    try { fs.rmSync(file, { force: true }); } catch { /* never created (e.g. ENOTDIR) */ }
    throw storeError(e, path.dirname(file), `write the tile inputs (${path.basename(file)})`);
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
  return offsets;
}

/** Reads the input of the tile stored at bytes [start, end) of `file` back, in its own buffer. */
export function readTileInput(file: string, start: number, end: number): TileInput {
  const bytes = new Uint8Array(end - start);
  const fd = fs.openSync(file, "r");
  try {
    let done = 0;
    while (done < bytes.length) {
      const n = fs.readSync(fd, bytes, done, bytes.length - done, start + done);
      if (n === 0) throw new Error(`${file} ends before the tile input at bytes ${start}..${end}`);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return decodeTileInput(bytes);
}
