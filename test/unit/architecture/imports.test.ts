// The data flows one way (read → plan → tile → mesh → store → merge → write → view) and the core
// never reaches up: read from the import statements of src/, so a new back-edge fails here.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";

const SRC = new URL("../../../src/", import.meta.url).pathname;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : /\.ts$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

/** Every relative or bare import of a source file (static, type-only and dynamic). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^;'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

/** The unit of the dependency graph: a folder under src/core, or a file at its root. */
const unitOf = (file: string) => {
  const rel = path.relative(path.join(SRC, "core"), file).split(path.sep);
  return rel.length > 1 ? rel[0]! + "/" : rel[0]!.replace(/\.ts$/, "");
};

test("src/core imports nothing from worker, cli, extension or vscode", () => {
  const bad: string[] = [];
  for (const f of files(path.join(SRC, "core"))) {
    for (const spec of importsOf(f)) {
      const target = spec.startsWith(".") ? path.resolve(path.dirname(f), spec) : spec;
      if (spec === "vscode" || /^(worker|cli|extension)(\/|$)/.test(path.relative(SRC, target))) bad.push(`${path.relative(SRC, f)} → ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});

test("the folders of src/core import each other without a cycle", () => {
  const edges = new Map<string, Set<string>>();
  const where = new Map<string, string>();
  for (const f of files(path.join(SRC, "core"))) {
    const from = unitOf(f);
    for (const spec of importsOf(f)) {
      if (!spec.startsWith(".")) continue;
      const target = path.resolve(path.dirname(f), spec);
      const to = unitOf(fs.existsSync(target + ".ts") ? target + ".ts" : path.join(target, "index.ts"));
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
      where.set(`${from}→${to}`, path.relative(SRC, f));
    }
  }
  // Depth-first search for a cycle; report it with one file per edge.
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  let cycle: string[] | undefined;
  const visit = (u: string): void => {
    state.set(u, 1);
    stack.push(u);
    for (const v of edges.get(u) ?? []) {
      if (cycle) return;
      if (state.get(v) === 1) cycle = [...stack.slice(stack.indexOf(v)), v];
      else if (!state.has(v)) visit(v);
    }
    stack.pop();
    state.set(u, 2);
  };
  for (const u of edges.keys()) if (!state.has(u) && !cycle) visit(u);
  assert.equal(cycle, undefined, cycle && `cycle: ${cycle.slice(1).map((v, i) => `${cycle![i]} → ${v} (${where.get(`${cycle![i]}→${v}`)})`).join(", ")}`);
});
