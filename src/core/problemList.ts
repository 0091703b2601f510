// The list of problems a build reports, as every surface shows it: the CLI, the log, the notification and
// VS Code's Problems panel all get this one list, so they all give the same count.
// - Repairs that change nothing a user must decide (winding, a ring's closing point, repeated points, spikes,
//   extra ordinates, sub-centimetre overlap slivers cut away) become one summary per code and file: how many,
//   and where the first few are. A real city has them by the ten thousand; listed one by one they bury the
//   problems that matter (VS Code shows at most MAX_PROBLEMS entries per file).
// - Everything else is listed one entry each, most serious first: errors, then the warnings that drop a
//   building or part of one, then other warnings (an overlap cut, a height that fell back), then notes.
// - Past MAX_PROBLEMS entries the rest is folded into one last entry naming what was left out.
import type { Diagnostic, Severity } from "./types";

/** VS Code's Problems panel shows at most this many entries per file; the list never holds more. */
export const MAX_PROBLEMS = 1000;

/** Repairs summed up once per code and file (their own entries are not listed). */
export const SUMMARISED_REPAIRS: Readonly<Record<string, string>> = {
  "winding-repaired": "rings rewound to RFC 7946's orientation",
  "unclosed-ring": "rings not closed (the first position is not repeated at the end); closed",
  "duplicate-points": "rings with repeated consecutive positions; the repeats removed",
  "spike": "rings with zero-width spikes; the spike vertices removed",
  "extra-ordinates": "features whose positions have more than two ordinates; only x and y are used",
  "overlap-snapped": "buildings touching a neighbour with a sliver overlap under 0.01 m²; the sliver cut away",
};

/** Warnings that drop a feature, a building or part of one: listed before the other warnings. */
const DROPS = new Set([
  "missing-geometry", "unsupported-geometry", "empty-geometry", "empty-polygon", "hole-outside-shell",
  "overlap-contained", "collapsed", "unresolved-geometry", "ring-collapsed",
]);

/** How many locations a repair summary names. */
const SUMMARY_EXAMPLES = 5;

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

function rank(d: Diagnostic): number {
  const s = SEVERITY_RANK[d.severity] ?? 2;
  return 3 * s + (d.severity === "warning" && DROPS.has(d.code) ? 0 : 1);
}

/** How many problems an entry stands for: a summary's count, else 1. */
export const entryCount = (d: Diagnostic): number => d.count ?? 1;

const where = (d: Diagnostic): string =>
  d.featureIndex >= 0 ? `feature ${d.featureIndex}${d.line !== undefined ? ` (line ${d.line})` : ""}` : d.line !== undefined ? `line ${d.line}` : "";

/**
 * The problem list of a build from the diagnostics of its reader, clean-up and tiles (in any order): repairs
 * summed up per code and file, the rest most serious first (stable: file order within a rank), at most `max`
 * entries. A list it returned (of at most `max` entries) comes back unchanged.
 */
export function problemList(diagnostics: readonly Diagnostic[], max = MAX_PROBLEMS): Diagnostic[] {
  const listed: Diagnostic[] = [];
  const repairs = new Map<string, Diagnostic[]>(); // file + code → its entries
  for (const d of diagnostics) {
    if (!(d.code in SUMMARISED_REPAIRS)) { listed.push(d); continue; }
    const k = `${d.file}\u0000${d.code}`;
    let list = repairs.get(k);
    if (!list) repairs.set(k, (list = []));
    list.push(d);
  }
  const summaries: Diagnostic[] = [];
  for (const list of repairs.values()) summaries.push(list.length === 1 ? list[0] : summarise(list));
  // Array.prototype.sort is stable: entries of one rank stay in the order they came (file order).
  listed.sort((a, b) => rank(a) - rank(b));
  const all = [...listed.filter((d) => d.severity !== "info"), ...summaries, ...listed.filter((d) => d.severity === "info")];
  if (all.length <= max) return all;
  const kept = all.slice(0, max - 1), left = all.slice(max - 1);
  const byCode = new Map<string, number>();
  for (const d of left) byCode.set(d.code, (byCode.get(d.code) ?? 0) + entryCount(d));
  const total = left.reduce((n, d) => n + entryCount(d), 0);
  kept.push({
    file: left[0].file, featureIndex: -1, severity: left[0].severity, code: "more-problems", count: total,
    message: `${total.toLocaleString("en-US")} more problem(s) not listed (at most ${max} entries are): ${[...byCode].map(([c, n]) => `${n.toLocaleString("en-US")} ${c}`).join(", ")}.`,
  });
  return kept;
}

/** One entry for every repair of one code in one file. */
function summarise(list: Diagnostic[]): Diagnostic {
  const first = list[0];
  const count = list.reduce((n, d) => n + entryCount(d), 0);
  const located = list.filter((d) => d.featureIndex >= 0);
  const examples = located.slice(0, SUMMARY_EXAMPLES).map(where).filter(Boolean);
  const more = count - examples.length;
  const at = located[0] ?? first;
  return {
    file: first.file, featureIndex: -1, severity: "info", code: first.code, count, repaired: true,
    ...(at.line !== undefined ? { line: at.line, column: at.column } : {}),
    message: `${count.toLocaleString("en-US")} ${SUMMARISED_REPAIRS[first.code]}${examples.length ? `: ${examples.join(", ")}${more > 0 ? ` and ${more.toLocaleString("en-US")} more` : ""}` : ""}. Repaired; nothing to do.`,
  };
}

/**
 * "197 warnings, 2 notes", "1 error", "no problems": the one count, in the same words everywhere (CLI, log,
 * notification). It counts entries of the list, as the Problems panel shows them; notes alone (repairs) are not
 * called problems, so a clean build does not read as a broken one.
 */
export function problemCountText(list: readonly Diagnostic[]): string {
  if (!list.length) return "no problems";
  const n: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const d of list) n[d.severity]++;
  return [n.error && plural(n.error, "error"), n.warning && plural(n.warning, "warning"), n.info && plural(n.info, "note")].filter(Boolean).join(", ");
}

const plural = (n: number, w: string) => `${n.toLocaleString("en-US")} ${w}${n === 1 ? "" : "s"}`;
