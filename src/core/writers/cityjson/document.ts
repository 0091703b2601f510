// CityJSON 2.0, one document, streamed: the header, the buildings (batches, building order), the
// terrain as one TINRelief (CompositeSurface of the ground triangles), then "vertices" last
// (members may come in any order), so every index is known before the vertex list is written.
// The vertex list is the spool's vertices that some geometry uses, in spool order (the spool
// welds them), followed by the base vertices of prisms that no wall of their building has.
import { CityMeshError } from "../../errors";
import { CHUNK_BYTES, f64, readChunks, type OutFile } from "../io";
import { positionsFile, type Spool } from "../spool";
import type { WriteMeta } from "../meta";
import type { BuildingRecords } from "./attributes";
import { forEachBatch, forEachFace, hasSolid, prismsOf, quantize, scanBuildings, SCALE, type QuantizedPositions } from "./buildings";
import { TERRAIN_KEY, buildingObjects, cityJsonHeader, member, writeCityJsonFile } from "./common";

export function writeCityJson(spool: Spool, out: string, meta: WriteMeta): number {
  return writeCityJsonFile(spool, out, meta, (o, pos, records) => writeDocument(o, spool, meta, pos, records));
}

function writeDocument(o: OutFile, spool: Spool, meta: WriteMeta, pos: QuantizedPositions, records: BuildingRecords): void {
  const N = spool.buildings, V = spool.vertices;
  const scan = scanBuildings(spool, pos);
  // Which spool vertices the document uses: the ground's, the roofs' and the walls' base vertices
  // the prisms reuse. Unused ones (wall splits, walls' tops on lower neighbours) are left out.
  const used = new Uint8Array(V);
  forEachFace(spool, 0, (a, b, c) => { used[a] = used[b] = used[c] = 1; });
  forEachFace(spool, 2, (a, b, c, m) => { if (m >= N && m < 2 * N && hasSolid(scan, m - N)) used[a] = used[b] = used[c] = 1; });
  forEachFace(spool, 1, (a, b, c, m) => {
    if (m < 0 || m >= N || !hasSolid(scan, m)) return;
    const z = scan.baseQ[m];
    if (pos.q(a, 2) === z) used[a] = 1;
    if (pos.q(b, 2) === z) used[b] = 1;
    if (pos.q(c, 2) === z) used[c] = 1;
  });
  const remap = new Uint32Array(V);
  let kept = 0;
  for (let v = 0; v < V; v++) if (used[v]) remap[v] = kept++;
  const extraIndex = new Map<string, number>();
  const extra: number[] = [];

  const head = JSON.stringify(cityJsonHeader(spool, meta));
  o.write(head.slice(0, -1) + ',"CityObjects":{');
  let first = true;
  const put = (text: string) => { o.write(first ? text : "," + text); first = false; };
  forEachBatch(spool, scan, pos, (batch) => {
    const parts: string[] = [];
    for (let b = batch.b0; b < batch.b1; b++) {
      const set = prismsOf(batch, b, scan, pos);
      const { key, attributes } = records.next(b, set ? set.heightQ * SCALE : undefined);
      const resolve = (r: number): number => {
        if (r >= 0) return remap[r];
        const k = -1 - r, x = set!.extra[3 * k], y = set!.extra[3 * k + 1], z = set!.extra[3 * k + 2];
        const id = `${x},${y},${z}`;
        let i = extraIndex.get(id);
        if (i === undefined) { i = kept + extra.length / 3; extraIndex.set(id, i); extra.push(x, y, z); }
        return i;
      };
      for (const entry of buildingObjects(key, attributes, set, resolve)) parts.push(member(entry));
      if (parts.length >= 1024) { put(parts.join(",")); parts.length = 0; }
    }
    if (parts.length) put(parts.join(","));
  });
  if (spool.triangles[0] > 0) {
    put(`${JSON.stringify(TERRAIN_KEY)}:{"type":"TINRelief","geometry":[{"type":"CompositeSurface","lod":"1","boundaries":[`);
    let n = 0;
    let lines: string[] = [];
    forEachFace(spool, 0, (a, b, c) => {
      lines.push(`[[${remap[a]},${remap[b]},${remap[c]}]]`);
      if (lines.length === 65536) { o.write((n > 0 ? "," : "") + lines.join(",")); n += lines.length; lines = []; }
    });
    if (lines.length) o.write((n > 0 ? "," : "") + lines.join(","));
    o.write("]}]}");
  }
  o.write('},"vertices":[');
  let written = 0;
  const vChunk = Math.floor(CHUNK_BYTES / 24) * 24;
  readChunks(positionsFile(spool), vChunk, (chunk, offset) => {
    const p = f64(chunk), v0 = offset / 24, lines: string[] = [];
    for (let i = 0; i < p.length / 3; i++) {
      if (!used[v0 + i]) continue;
      lines.push(`[${quantize(p[3 * i])},${quantize(p[3 * i + 1])},${quantize(p[3 * i + 2])}]`);
    }
    if (lines.length) { o.write((written > 0 ? "," : "") + lines.join(",")); written += lines.length; }
  });
  if (written !== kept) throw new CityMeshError("output", `positions.f64 holds ${written} of the ${kept} vertices used (merge files changed?)`);
  for (let i = 0; i < extra.length; i += 3) {
    o.write(`${written > 0 || i > 0 ? "," : ""}[${extra[i]},${extra[i + 1]},${extra[i + 2]}]`);
  }
  o.write("]}");
}
