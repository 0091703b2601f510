// Building heights from feature properties. Sources are tried in order; the first plausible
// value wins. A value that is present but unusable (negative, zero, NaN, absurd, unparsable)
// gives a warning and the next source is tried, so one bad attribute never silently becomes 0 m.
import type { Diagnostic } from "./types";
import { OPTION_TABLE } from "./optionTable";

export interface HeightOptions {
  /** Attributes tried in order. Names ending in "levels", "floors" or "floors_ag" are storey counts × levelHeight. */
  heightAttributes?: string[];
  /** Height when no attribute gives one (default 10 m). */
  defaultHeight?: number;
  /** Storey height for level counts (default 3 m). */
  levelHeight?: number;
}

export const DEFAULT_HEIGHT_ATTRIBUTES: readonly string[] = OPTION_TABLE.heightAttributes.default;

/** Attribute names that count storeys (OSM building:levels, Overture num_floors, CEA floors_ag), not metres. */
const STOREYS = /(levels|floors|floors_ag)$/i;

/** Above this a height is a data error (the tallest building is 828 m); also defaultHeight's limit. */
export const MAX_HEIGHT = OPTION_TABLE.defaultHeight.maximum;

const UNIT: Record<string, number> = {
  "": 1,
  m: 1,
  meter: 1,
  meters: 1,
  metre: 1,
  metres: 1,
  cm: 0.01,
  mm: 0.001,
  ft: 0.3048,
  foot: 0.3048,
  feet: 0.3048,
  "'": 0.3048,
};

/**
 * Parses a length: a number (metres) or a string like "12", "12 m", "12.5m", "40 ft", "40'",
 * "12,5 m" (decimal comma). Returns metres, or NaN when it cannot be read.
 */
export function parseLength(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return NaN;
  const m = /^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[+-]?\d+)?)\s*([a-z']*)\.?\s*$/i.exec(v);
  if (!m) return NaN;
  const unit = UNIT[m[2].toLowerCase()];
  if (unit === undefined) return NaN;
  return Number(m[1].replace(",", ".")) * unit;
}

/** Parses a storey count: a number or a numeric string without unit. */
export function parseLevels(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v !== "string" || !/^\s*[+-]?\d+(?:[.,]\d+)?\s*$/.test(v)) return NaN;
  return Number(v.trim().replace(",", "."));
}

export interface HeightContext {
  file: string;
  featureIndex: number;
  featureId?: string | number | null;
  line?: number;
  column?: number;
}

/** Resolves heights feature by feature and counts which source each came from. */
export class HeightResolver {
  readonly attributes: readonly string[];
  readonly defaultHeight: number;
  readonly levelHeight: number;
  /** Buildings per source: attribute name or "default". */
  readonly counts: Record<string, number> = {};

  constructor(opts: HeightOptions = {}) {
    this.attributes = opts.heightAttributes?.length ? opts.heightAttributes : DEFAULT_HEIGHT_ATTRIBUTES;
    this.defaultHeight = opts.defaultHeight ?? OPTION_TABLE.defaultHeight.default;
    this.levelHeight = opts.levelHeight ?? OPTION_TABLE.levelHeight.default;
  }

  /** Height in metres and where it came from. Problems are pushed to `report`. */
  resolve(properties: Record<string, unknown> | null | undefined, ctx: HeightContext, report: (d: Diagnostic) => void): { height: number; source: string } {
    if (properties) {
      for (const attr of this.attributes) {
        const raw = properties[attr];
        if (raw === undefined || raw === null || raw === "") continue;
        const levels = STOREYS.test(attr);
        const value = levels ? parseLevels(raw) * this.levelHeight : parseLength(raw);
        let why = "";
        if (Number.isNaN(value)) why = levels ? "is not a number of storeys" : "is not a length (expected a number, or e.g. \"12 m\", \"40 ft\")";
        else if (value < 0) why = "is negative";
        else if (value === 0) why = "is zero";
        else if (!Number.isFinite(value) || value > MAX_HEIGHT) why = `is not plausible (over ${MAX_HEIGHT} m)`;
        if (why) {
          report({
            file: ctx.file,
            featureIndex: ctx.featureIndex,
            featureId: ctx.featureId ?? null,
            pointer: `/features/${ctx.featureIndex}/properties/${attr.replace(/~/g, "~0").replace(/\//g, "~1")}`,
            ...(ctx.line !== undefined ? { line: ctx.line, column: ctx.column } : {}),
            severity: "warning",
            code: "invalid-height",
            message: `Feature ${ctx.featureIndex}: "${attr}" = ${JSON.stringify(raw)} ${why}; trying the next height source.`,
          });
          continue;
        }
        this.counts[attr] = (this.counts[attr] ?? 0) + 1;
        return { height: value, source: attr };
      }
    }
    this.counts.default = (this.counts.default ?? 0) + 1;
    return { height: this.defaultHeight, source: "default" };
  }

  /** Undo a count (the building was dropped after its height was resolved). */
  uncount(source: string): void {
    if (this.counts[source] && --this.counts[source] === 0) delete this.counts[source];
  }
}
