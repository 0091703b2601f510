// Checks of CityJSON output for tests: the official CityJSON 2.0 schemas (test/fixtures/schemas/
// cityjson-2.0, validated with Ajv) and our own structural checks of what the schemas cannot see
// (cjval, the official validator, is Rust and not available here): every index in range, every
// vertex used and none twice, each Solid's shell closed (every edge used once in each direction)
// and outward (positive signed volume).
import fs from "node:fs";
import path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

const SCHEMAS = path.resolve(__dirname, "../../fixtures/schemas/cityjson-2.0");
const BASE = "https://www.cityjson.org/schemas/2.0.2/";

let validators: { doc: ValidateFunction; feature: ValidateFunction } | undefined;
function schemas() {
  if (validators) return validators;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const f of fs.readdirSync(SCHEMAS).filter((n) => n.endsWith(".schema.json"))) ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS, f), "utf8")));
  validators = { doc: ajv.getSchema(BASE + "cityjson.schema.json")!, feature: ajv.getSchema(BASE + "cityjsonfeature.schema.json")! };
  return validators;
}

const messages = (errs: ErrorObject[] | null | undefined): string[] => (errs ?? []).slice(0, 10).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);

/** Schema errors of a CityJSON document (empty when valid). */
export function schemaErrors(doc: unknown): string[] {
  const v = schemas().doc;
  return v(doc) ? [] : messages(v.errors);
}

/** Schema errors of a CityJSONFeature line (empty when valid). */
export function featureSchemaErrors(feature: unknown): string[] {
  const v = schemas().feature;
  return v(feature) ? [] : messages(v.errors);
}

export interface CityObject {
  type: string;
  attributes?: Record<string, unknown>;
  geometry?: { type: string; lod: string; boundaries: unknown; semantics?: { surfaces: { type: string }[]; values: unknown } }[];
  children?: string[];
  parents?: string[];
}

export interface CityDoc {
  type: string;
  transform: { scale: number[]; translate: number[] };
  metadata?: { referenceSystem?: string; geographicalExtent?: number[]; title?: string };
  CityObjects: Record<string, CityObject>;
  vertices: number[][];
}

export interface StructureReport {
  buildings: number;
  solids: number;
  /** Solids whose shell is not closed, with a reason, or oriented inward. */
  problems: string[];
  /** Index out of range. */
  badIndices: number;
  unusedVertices: number;
  duplicateVertices: number;
  /** Semantic surface types met, by count. */
  semantics: Record<string, number>;
}

/** Signed volume of a closed shell (rings fanned into triangles): positive when outward. */
function signedVolume(shell: number[][][], V: number[][]): number {
  // Relative to one corner of the shell: products of city-wide millimetre coordinates lose precision.
  const o = V[shell[0][0][0]];
  const at = (i: number) => [V[i][0] - o[0], V[i][1] - o[1], V[i][2] - o[2]];
  let vol = 0;
  for (const surface of shell) {
    const ring = surface[0], p = at(ring[0]);
    for (let i = 1; i + 1 < ring.length; i++) {
      const q = at(ring[i]), r = at(ring[i + 1]);
      vol += p[0] * (q[1] * r[2] - q[2] * r[1]) - p[1] * (q[0] * r[2] - q[2] * r[0]) + p[2] * (q[0] * r[1] - q[1] * r[0]);
    }
  }
  return vol / 6;
}

/** Every directed edge once and its reverse once: closed, 2-manifold at edges, consistently oriented. */
function shellProblem(shell: number[][][]): string | undefined {
  const edges = new Map<string, number>();
  for (const surface of shell) {
    if (surface.length !== 1) return "a surface with holes";
    const ring = surface[0];
    if (new Set(ring).size !== ring.length) return `a ring repeats a vertex: ${JSON.stringify(ring)}`;
    for (let i = 0; i < ring.length; i++) {
      const k = `${ring[i]}>${ring[(i + 1) % ring.length]}`;
      edges.set(k, (edges.get(k) ?? 0) + 1);
    }
  }
  for (const [k, n] of edges) {
    const [a, b] = k.split(">");
    if (n !== 1) return `edge ${k} used ${n} times in one direction`;
    if (edges.get(`${b}>${a}`) !== 1) return `edge ${k} has no opposite`;
  }
  return undefined;
}

/** The structural checks on a whole document (or a feature's objects with its own vertices). */
export function checkStructure(objects: Record<string, CityObject>, vertices: number[][]): StructureReport {
  const r: StructureReport = { buildings: 0, solids: 0, problems: [], badIndices: 0, unusedVertices: 0, duplicateVertices: 0, semantics: {} };
  const used = new Uint8Array(vertices.length);
  const visit = (x: unknown): void => {
    if (typeof x === "number") {
      if (!Number.isInteger(x) || x < 0 || x >= vertices.length) r.badIndices++;
      else used[x] = 1;
    } else if (Array.isArray(x)) for (const y of x) visit(y);
  };
  for (const [key, o] of Object.entries(objects)) {
    if (o.type === "Building") r.buildings++;
    for (const g of o.geometry ?? []) {
      visit(g.boundaries);
      if (g.semantics) for (const v of (g.semantics.values as number[][]).flat()) { const t = g.semantics.surfaces[v].type; r.semantics[t] = (r.semantics[t] ?? 0) + 1; }
      if (g.type !== "Solid") continue;
      r.solids++;
      const shell = (g.boundaries as number[][][][])[0];
      const problem = shellProblem(shell);
      if (problem) r.problems.push(`${key}: ${problem}`);
      else if (!(signedVolume(shell, vertices) > 0)) r.problems.push(`${key}: signed volume ${signedVolume(shell, vertices)} ≤ 0 (inward)`);
    }
  }
  r.unusedVertices = used.length - used.reduce((a, b) => a + b, 0);
  r.duplicateVertices = vertices.length - new Set(vertices.map((v) => v.join(","))).size;
  return r;
}

/** A CityJSONSeq file: its first line and its features. */
export function readSeq(file: string): { header: CityDoc; features: { type: string; id: string; CityObjects: Record<string, CityObject>; vertices: number[][] }[] } {
  const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0);
  return { header: JSON.parse(lines[0]), features: lines.slice(1).map((l) => JSON.parse(l)) };
}
