// Binary STL: 80-byte header naming the CRS and origin, uint32 triangle count, then per triangle
// a float32 normal, three float32 vertices (Z up, local metres) and a zero attribute word.
// STL repeats the positions per triangle, so faces look up vertices through a small page cache.
import { indexFile, positionsFile, totalTriangles, type Spool } from "./spool";
import { CHUNK_BYTES, PositionPages, readChunks, u32, writeAtomically } from "./io";
import type { WriteMeta } from "./meta";

const RECORD = 50;

export function stlHeader(meta: WriteMeta): Uint8Array {
  const h = new Uint8Array(80).fill(0x20);
  // Must not start with "solid": some readers then take the file for ASCII STL.
  const text = `citymesh crs=${meta.crs.name} origin=${meta.crs.origin[0]},${meta.crs.origin[1]}`;
  h.set(Buffer.from(text.replace(/[^\x20-\x7e]/g, "?").slice(0, 80), "latin1"));
  return h;
}

export function writeStl(spool: Spool, out: string, meta: WriteMeta): number {
  return writeAtomically(out, (o) => {
    o.write(stlHeader(meta));
    o.write(new Uint32Array([totalTriangles(spool)]));
    if (totalTriangles(spool) === 0) return;
    const pages = new PositionPages(positionsFile(spool));
    try {
      const facesPerChunk = Math.floor(CHUNK_BYTES / 12);
      const buf = new ArrayBuffer(facesPerChunk * RECORD);
      const dv = new DataView(buf);
      const size = pages.pageSize;
      const corner = new Float64Array(9);
      for (let c = 0; c < 3; c++) {
        if (spool.triangles[c] === 0) continue;
        readChunks(indexFile(spool, c), facesPerChunk * 12, (ch) => {
          const idx = u32(ch);
          const nf = idx.length / 3;
          let p = 0;
          for (let f = 0; f < nf; f++) {
            for (let k = 0; k < 3; k++) {
              const v = idx[3 * f + k];
              const page = pages.page(v);
              const at = (v % size) * 3;
              corner[3 * k] = page[at];
              corner[3 * k + 1] = page[at + 1];
              corner[3 * k + 2] = page[at + 2];
            }
            // Normal from the float64 corners, then rounded: more accurate than from float32.
            const ux = corner[3] - corner[0], uy = corner[4] - corner[1], uz = corner[5] - corner[2];
            const vx = corner[6] - corner[0], vy = corner[7] - corner[1], vz = corner[8] - corner[2];
            let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
            const len = Math.hypot(nx, ny, nz);
            if (len > 0) {
              nx /= len;
              ny /= len;
              nz /= len;
            }
            dv.setFloat32(p, nx, true);
            dv.setFloat32(p + 4, ny, true);
            dv.setFloat32(p + 8, nz, true);
            for (let k = 0; k < 9; k++) dv.setFloat32(p + 12 + 4 * k, corner[k], true);
            dv.setUint16(p + 48, 0, true);
            p += RECORD;
          }
          o.write(new Uint8Array(buf, 0, p));
        });
      }
    } finally {
      pages.close();
    }
  });
}
