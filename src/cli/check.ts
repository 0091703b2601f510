// `citymesh check <mesh.glb|.ply|.obj|.stl> [--json] [--max-examples N] [--volume-tolerance R]`:
// reads a mesh as our writers make it, derives the domain (the ground's outer rectangle) and N,
// runs the mesh checker and prints a summary (or the report as JSON).
// Exit 0 clean, 1 when an error is found or the file cannot be read, 2 for bad usage.
import { parseArgs } from "util";
import { CityMeshError } from "../core/errors";
import { checkMesh, type MeshReport, type Point3 } from "../core/mesh/check";
import { meshBuildings, meshDomain, readMeshFile } from "../core/readers";

export const CHECK_USAGE = "  citymesh check <mesh.glb|.ply|.obj|.stl> [--json] [--max-examples N] [--volume-tolerance R]\n";

export function checkCommand(args: string[], out: NodeJS.WritableStream = process.stdout): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { json: { type: "boolean" }, "max-examples": { type: "string" }, "volume-tolerance": { type: "string" } } });
  if (positionals.length !== 1) throw new CityMeshError("options", `check takes one mesh file (got ${positionals.length}).`);
  const maxExamples = values["max-examples"] === undefined ? 5 : Number(values["max-examples"]);
  if (!(Number.isInteger(maxExamples) && maxExamples >= 0)) throw new CityMeshError("options", `--max-examples needs a whole number ≥ 0 (got "${values["max-examples"]}").`);
  const volumeTolerance = values["volume-tolerance"] === undefined ? undefined : Number(values["volume-tolerance"]);
  if (volumeTolerance !== undefined && !(volumeTolerance >= 0)) throw new CityMeshError("options", `--volume-tolerance needs a number ≥ 0 (got "${values["volume-tolerance"]}").`);
  const file = positionals[0];
  const t0 = performance.now();
  const mesh = readMeshFile(file);
  const t1 = performance.now();
  const domain = meshDomain(mesh), N = meshBuildings(mesh);
  let report: MeshReport;
  try {
    report = checkMesh(mesh, domain, N, { maxExamples, volumeTolerance });
  } catch (e) {
    if (e instanceof RangeError) throw new CityMeshError("input", `Cannot check ${file}: ${e.message}`, { file });
    throw e;
  }
  const t2 = performance.now();
  const what = mesh.markers ? "face markers" : mesh.classes ? "face classes only (no markers: no per-building checks)" : "geometry only (no classes: no overlap or volume checks)";
  if (values.json) {
    out.write(JSON.stringify({ file, format: mesh.format, crs: mesh.crs, origin: mesh.origin, has: what, readSeconds: (t1 - t0) / 1000, checkSeconds: (t2 - t1) / 1000, ...report }, null, 1) + "\n");
  } else {
    out.write(summary(file, mesh.format, what, report, (t1 - t0) / 1000, (t2 - t1) / 1000, !!(mesh.markers || mesh.classes)));
  }
  return report.ok ? 0 : 1;
}

const fmt = (p: Point3) => `(${p.map((v) => +v.toFixed(4)).join(", ")})`;

function summary(file: string, format: string, what: string, r: MeshReport, readS: number, checkS: number, classes: boolean): string {
  const L: string[] = [];
  L.push(`${file}: ${format.toUpperCase()}, ${r.triangles} triangles, ${r.vertices} distinct vertices, ${r.edges} edges, ${r.buildingVolume ? `${r.buildings} buildings` : "buildings unknown"}; ${what}`);
  L.push(`domain (ground's outer rectangle) x ${r.domain[0]} … ${r.domain[2]}, y ${r.domain[1]} … ${r.domain[3]}; read ${readS.toFixed(1)} s, checked ${checkS.toFixed(1)} s`);
  const row = (label: string, n: number, lines: string[]) => {
    L.push(`  ${label.padEnd(44)} ${n}`);
    for (const l of lines) L.push(`      ${l}`);
  };
  const edge = (e: MeshReport["details"]["openEdges"][number]) => `${fmt(e.from)} – ${fmt(e.to)}: ${e.uses} use(s) (${e.forward}/${e.backward}), markers ${e.markers.join(", ")}`;
  row("open edges inside the domain", r.openEdges, r.details.openEdges.map(edge));
  row("over-used edges (not corner touches)", r.overusedEdges, r.details.overusedEdges.map(edge));
  row("pinch edges (corner touches, correct)", r.pinchEdges, []);
  row("inconsistent winding (edge twice one way)", r.flippedEdges, r.details.flippedEdges.map(edge));
  row("degenerate triangles", r.degenerate, r.details.degenerate.map((d) => `triangle ${d.triangle} marker ${d.marker}: ${d.reason} ${d.corners.map(fmt).join(" ")}`));
  const ov = (o: MeshReport["details"]["groundOverlaps"][number]) => `triangles ${o.triangles[0]} / ${o.triangles[1]} (markers ${o.markers[0]}, ${o.markers[1]}): ${o.corners[0].map(fmt).join(" ")} / ${o.corners[1].map(fmt).join(" ")}`;
  if (classes) {
    row("overlapping ground triangle pairs (plan)", r.groundOverlaps, r.details.groundOverlaps.map(ov));
    row(r.buildingVolume ? "overlapping roof triangle pairs (plan)" : "overlapping roof triangle pairs (plan, all roofs)", r.roofOverlaps, r.details.roofOverlaps.map(ov));
  } else L.push("  overlaps in plan: not checked (no face classes)");
  if (r.buildingVolume) {
    const v = r.buildingVolume;
    row(`buildings off volume by > ${v.tolerance}`, v.overTolerance, r.details.volume.map((x) => `building ${x.building}: ${x.reason}; volume ${x.volume.toFixed(3)} vs ${x.footprintArea.toFixed(3)} m² × ${x.height.toFixed(3)} m = ${x.expected.toFixed(3)} (error ${x.relativeError.toExponential(2)})`));
    L.push(`  worst relative volume error ${v.worstRelativeError.toExponential(2)}${v.worstBuilding >= 0 ? ` (building ${v.worstBuilding})` : ""} over ${v.checked} buildings${v.withoutWalls ? `; ${v.withoutWalls} without walls of their own (enclosed by neighbours as tall or taller) not checked` : ""}`);
  }
  const t = r.timings;
  L.push(`  (phases: weld ${(t.weld / 1000).toFixed(1)} s, triangles and edges ${((t.triangles + t.edges) / 1000).toFixed(1)} s, overlaps ${(t.overlaps / 1000).toFixed(1)} s, volumes ${(t.volume / 1000).toFixed(1)} s)`);
  L.push(r.ok ? "OK: no errors" : `ERRORS: ${r.errors.join("; ")}`);
  return L.join("\n") + "\n";
}
