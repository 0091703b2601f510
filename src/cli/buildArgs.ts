// The build options on the command line, from the option table: parseArgs flags, their values as
// BuildOptions, and the help text. Adding an option to the table adds its flag and its help line.
import { CityMeshError } from "../core/errors";
import { OPTION_NAMES, cliFlag, optionSpec, type OptionName } from "../core/optionTable";
import type { BuildOptions } from "../core/types";

type Flag = { type: "string" | "boolean"; short?: string };

/** Flags of `build` and `plan` that change how the CLI reports, not what is built. */
const REPORT_FLAGS = [
  { flag: "--json", name: "json", parse: { type: "boolean" }, help: "print the result as JSON" },
  { flag: "-q, --quiet", name: "quiet", parse: { type: "boolean", short: "q" }, help: "no progress output" },
] as const;

/** parseArgs flags of every build option, and the report flags. */
export const BUILD_FLAGS: Record<string, Flag> = Object.fromEntries([
  ...OPTION_NAMES.map((n) => {
    const s = optionSpec(n);
    return [cliFlag(n), { type: s.kind === "boolean" ? "boolean" : "string", ...(s.short ? { short: s.short } : {}) }];
  }),
  ...REPORT_FLAGS.map((f) => [f.name, f.parse]),
]);

/** The BuildOptions set by parsed flags (unset flags stay undefined: the table's defaults apply). */
export function buildOptionsFromFlags(values: Record<string, string | boolean | undefined>): Partial<BuildOptions> {
  const out: Record<string, unknown> = {};
  for (const n of OPTION_NAMES) {
    const flag = cliFlag(n), v = values[flag];
    if (v === undefined) continue;
    const kind = optionSpec(n).kind;
    if (kind === "boolean") out[n] = flag.startsWith("no-") ? !v : v;
    else if (kind === "number" || kind === "integer") {
      const x = Number(v);
      if (v === "" || !Number.isFinite(x)) throw new CityMeshError("options", `--${flag} needs a number (got "${String(v)}").`);
      out[n] = x;
    } else if (kind === "string[]") out[n] = String(v).split(",").map((s) => s.trim()).filter(Boolean);
    else out[n] = v;
  }
  return out as Partial<BuildOptions>;
}

/** How an option's default reads in the help (plain) and in the README (`markdown`: code kept as code). */
export function defaultText(n: OptionName, markdown = false): string {
  const s = optionSpec(n);
  if (s.cliDefault !== undefined) return markdown ? s.cliDefault : s.cliDefault.replace(/`/g, "");
  if (s.kind === "boolean") return s.default ? "on" : "off";
  if (Array.isArray(s.default)) return markdown ? "`" + s.default.join(",") + "`" : s.default.join(",");
  return String(s.default);
}

/** `--tile-size M`, `-o, --output FILE`. */
export function flagText(n: OptionName): string {
  const s = optionSpec(n);
  return `${s.short ? `-${s.short}, ` : ""}--${cliFlag(n)}${s.arg ? " " + s.arg : ""}`;
}

/** The build options section of `citymesh --help`: one entry per option, wrapped at 100 columns. */
export function buildOptionsHelp(width = 100): string {
  const col = 2 + Math.max(...OPTION_NAMES.map((n) => flagText(n).length)) + 2;
  const lines: string[] = [];
  const entries = [
    ...OPTION_NAMES.map((n) => { const s = optionSpec(n); return { flag: flagText(n), text: `${s.cliSummary ?? s.summary} (default ${defaultText(n)})` }; }),
    ...REPORT_FLAGS.map((f) => ({ flag: f.flag, text: f.help })),
  ];
  for (const { flag, text } of entries) {
    const words = text.split(" ");
    let line = ("  " + flag).padEnd(col);
    let fresh = true;
    for (const w of words) {
      if (!fresh && line.length + 1 + w.length > width) { lines.push(line); line = " ".repeat(col); fresh = true; }
      line += (fresh ? "" : " ") + w;
      fresh = false;
    }
    lines.push(line);
  }
  return lines.join("\n") + "\n";
}

/** The README's option table (between its `options:begin` and `options:end` markers). */
export function optionsMarkdownTable(): string {
  const cell = (t: string) => t.replace(/\|/g, "\\|");
  const rows = ["| option | setting / task field | default | meaning |", "|---|---|---|---|"];
  for (const n of OPTION_NAMES) {
    const s = optionSpec(n);
    const vscode = s.setting ? `\`citymesh.${n}\` / \`${n}\`` : `task \`${n}\``;
    rows.push(`| \`${cell(flagText(n))}\` | ${vscode} | ${cell(defaultText(n, true))} | ${cell(s.cliSummary ?? s.summary)} |`);
  }
  for (const f of REPORT_FLAGS) rows.push(`| \`${f.flag}\` | | | ${f.help} |`);
  return rows.join("\n") + "\n";
}
