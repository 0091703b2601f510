// Wavefront OBJ: `# crs`/`# origin` comments, `v` lines (shortest round-trip decimal of each
// float64, so values are exact), then `g ground`/`g walls`/`g roofs` with 1-based `f` lines.
// OBJ has no per-face attributes: markers are only in GLB and PLY.
import { FACE_CLASSES, indexFile, positionsFile, totalTriangles, type Spool } from "./spool";
import { CHUNK_BYTES, f64, readChunks, u32, writeAtomically } from "./io";
import { oneLine, type WriteMeta } from "./meta";

export function writeObj(spool: Spool, out: string, meta: WriteMeta): number {
  const { crs } = meta;
  return writeAtomically(out, (o) => {
    o.write(
      `# citymesh\n# crs ${oneLine(crs.name)}\n# proj4 ${oneLine(crs.proj4)}\n# origin ${crs.origin[0]} ${crs.origin[1]}\n` +
        `# source_crs ${oneLine(crs.sourceCrs)}\n# vertices ${spool.vertices} triangles ${totalTriangles(spool)}\n`,
    );
    // Text is built per chunk (~87k vertices or ~58k faces) so strings stay small.
    const vChunk = Math.floor(CHUNK_BYTES / 24) * 24;
    readChunks(positionsFile(spool), vChunk, (c) => {
      const p = f64(c);
      const lines: string[] = new Array(p.length / 3);
      for (let i = 0, j = 0; i < p.length; i += 3, j++) lines[j] = `v ${p[i]} ${p[i + 1]} ${p[i + 2]}\n`;
      o.write(lines.join(""));
    });
    const fChunk = Math.floor(CHUNK_BYTES / 12) * 12;
    for (let c = 0; c < 3; c++) {
      if (spool.triangles[c] === 0) continue;
      o.write(`g ${FACE_CLASSES[c]}\n`);
      readChunks(indexFile(spool, c), fChunk, (ch) => {
        const idx = u32(ch);
        const lines: string[] = new Array(idx.length / 3);
        for (let i = 0, j = 0; i < idx.length; i += 3, j++) lines[j] = `f ${idx[i] + 1} ${idx[i + 1] + 1} ${idx[i + 2] + 1}\n`;
        o.write(lines.join(""));
      });
    }
  });
}
