// Binary little-endian PLY: vertices as doubles (the spooled positions are exactly that layout,
// so they are copied as is), faces as `list uchar int` plus an `int marker`, in class order
// ground, walls, roofs. Comments record the CRS, the float64 origin, the buildings and the tiles merged.
import { indexFile, markerFile, positionsFile, totalTriangles, type Spool } from "./spool";
import { CHUNK_BYTES, i32, readChunks, u32, writeAtomically } from "./io";
import { MARKER_CONVENTION, oneLine, type WriteMeta } from "./meta";
import fs from "node:fs";

export function plyHeader(spool: Spool, meta: WriteMeta): string {
  const { crs } = meta;
  return [
    "ply",
    "format binary_little_endian 1.0",
    "comment generator citymesh",
    `comment crs ${oneLine(crs.name)}`,
    `comment proj4 ${oneLine(crs.proj4)}`,
    `comment origin ${crs.origin[0]} ${crs.origin[1]}`,
    `comment source_crs ${oneLine(crs.sourceCrs)}`,
    `comment buildings ${spool.buildings}`,
    ...(meta.tiles !== undefined ? [`comment tiles ${meta.tiles}`] : []),
    `comment markers ${MARKER_CONVENTION}`,
    `element vertex ${spool.vertices}`,
    "property double x",
    "property double y",
    "property double z",
    `element face ${totalTriangles(spool)}`,
    "property list uchar int vertex_indices",
    "property int marker",
    "end_header",
    "",
  ].join("\n");
}

const FACE_RECORD = 17; // 1 (count) + 3*4 (indices) + 4 (marker)

export function writePly(spool: Spool, out: string, meta: WriteMeta): number {
  return writeAtomically(out, (o) => {
    o.write(plyHeader(spool, meta));
    o.copyFrom(positionsFile(spool));
    // Faces: walk each class's index file in chunks, reading the matching markers alongside.
    const facesPerChunk = Math.floor(CHUNK_BYTES / 12);
    const rec = Buffer.alloc(facesPerChunk * FACE_RECORD);
    const mk = new Int32Array(facesPerChunk);
    for (let c = 0; c < 3; c++) {
      if (spool.triangles[c] === 0) continue;
      const mfd = fs.openSync(markerFile(spool, c), "r");
      try {
        const mkBytes = new Uint8Array(mk.buffer);
        readChunks(indexFile(spool, c), facesPerChunk * 12, (chunk, offset) => {
          const idx = u32(chunk);
          const nf = idx.length / 3;
          const want = nf * 4;
          let got = 0;
          while (got < want) {
            const n = fs.readSync(mfd, mkBytes, got, want - got, offset / 3 + got);
            if (n === 0) throw new Error("marker file is shorter than its index file");
            got += n;
          }
          const m = i32(mkBytes);
          let p = 0;
          for (let f = 0; f < nf; f++) {
            rec[p] = 3;
            rec.writeInt32LE(idx[3 * f], p + 1);
            rec.writeInt32LE(idx[3 * f + 1], p + 5);
            rec.writeInt32LE(idx[3 * f + 2], p + 9);
            rec.writeInt32LE(m[f], p + 13);
            p += FACE_RECORD;
          }
          o.write(rec.subarray(0, p));
        });
      } finally {
        fs.closeSync(mfd);
      }
    }
  });
}
