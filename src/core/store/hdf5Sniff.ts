// Cheap checks before handing a file to h5wasm. A failed h5wasm open does not throw: it returns
// file_id < 0 and prints HDF5's error stack to stderr. Checking the signature and the superblock's
// end-of-file address first turns the common cases (not HDF5, truncated) into a clear reason, quietly.
import fs from "node:fs";

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Offset of the end-of-file address in the superblock, by superblock version (sizes of offsets = 8). */
function eofOffset(version: number, sizeOfOffsets: number): number | null {
  if (sizeOfOffsets !== 8) return null;
  if (version === 0) return 40;
  if (version === 1) return 44;
  if (version === 2 || version === 3) return 12 + 2 * sizeOfOffsets;
  return null;
}

/** Returns null when the file looks like a complete HDF5 file written by us, else the reason it is not. */
export function sniffHdf5(file: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "the file does not exist" : `the file cannot be opened (${code ?? String(e)})`;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(64);
    const n = fs.readSync(fd, head, 0, 64, 0);
    if (n < 8 || SIGNATURE.some((b, i) => head[i] !== b)) return "not an HDF5 file (no HDF5 signature at byte 0)";
    const version = head[8];
    const sizeOfOffsets = version <= 1 ? head[13] : head[9];
    // Superblock v2/v3 keep a "file open for writing" flag that a clean close clears. h5wasm
    // reports no error when the disk fills up mid-write; the flag left set is how it shows.
    if ((version === 2 || version === 3) && (head[11] & 0x05) !== 0) {
      return "not closed cleanly (an interrupted or failed write, e.g. a full disk)";
    }
    const at = eofOffset(version, sizeOfOffsets);
    if (at === null) return null; // unknown superblock layout: let h5wasm decide
    if (n < at + 8) return `truncated: ${size} bytes, shorter than the HDF5 superblock`;
    const baseAt = version <= 1 ? 24 + (version === 1 ? 4 : 0) : 12;
    const eof = Number(head.readBigUInt64LE(baseAt)) + Number(head.readBigUInt64LE(at));
    if (size < eof) return `truncated: ${size} of ${eof} bytes`;
    return null;
  } finally {
    fs.closeSync(fd);
  }
}
