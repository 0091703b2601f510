// Tile checksum: sha256 over the four arrays' raw bytes, each preceded by its length, so two
// meshes with the same bytes split differently between arrays never collide. Same mesh, same string.
import { createHash } from "node:crypto";
import type { TileMesh } from "../types";

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function tileChecksum(mesh: TileMesh): string {
  const h = createHash("sha256");
  const lengths = new Float64Array([
    mesh.vertices.length,
    mesh.faces.length,
    mesh.markers.length,
    mesh.seam.length,
  ]);
  h.update(bytesOf(lengths));
  h.update(bytesOf(mesh.vertices));
  h.update(bytesOf(mesh.faces));
  h.update(bytesOf(mesh.markers));
  h.update(bytesOf(mesh.seam));
  return "sha256:" + h.digest("hex");
}
