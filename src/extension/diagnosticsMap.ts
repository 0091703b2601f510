// The core's Diagnostic (1-based line/column of a feature) as plain data for a vscode.Diagnostic (0-based range).
// No vscode import: problems.ts turns these specs into vscode objects.
import type { Diagnostic, Severity } from "../core/types";

/** Same numbering as vscode.DiagnosticSeverity: 0 error, 1 warning, 2 information, 3 hint. */
export type SeverityNumber = 0 | 1 | 2 | 3;

export function severityNumber(s: Severity): SeverityNumber {
  return s === "error" ? 0 : s === "warning" ? 1 : 2;
}

export interface DiagnosticSpec {
  file: string;
  /** 0-based. */
  line: number;
  character: number;
  severity: SeverityNumber;
  code: string;
  message: string;
}

/**
 * One spec per core diagnostic. Without a line the problem is pinned to the file's start. Repaired features get their
 * repair noted in the message (they stay in the mesh). Messages that do not name their feature get it prefixed,
 * so each reads on its own in the Problems panel.
 */
export function toDiagnosticSpec(d: Diagnostic): DiagnosticSpec {
  const named = /^feature\b/i.test(d.message);
  const id = named ? "" : d.featureId !== undefined && d.featureId !== null ? `Feature ${JSON.stringify(d.featureId)}: ` : d.featureIndex >= 0 ? `Feature #${d.featureIndex}: ` : "";
  return {
    file: d.file,
    line: Math.max(0, (d.line ?? 1) - 1),
    character: Math.max(0, (d.column ?? 1) - 1),
    severity: severityNumber(d.severity),
    code: d.code,
    message: `${id}${d.message}${d.repaired && d.featureIndex >= 0 ? " (repaired, feature kept)" : ""}`,
  };
}

/** Specs grouped by file, in input order. */
export function groupByFile(ds: Diagnostic[]): Map<string, DiagnosticSpec[]> {
  const m = new Map<string, DiagnosticSpec[]>();
  for (const d of ds) {
    const s = toDiagnosticSpec(d);
    let list = m.get(s.file);
    if (!list) m.set(s.file, (list = []));
    list.push(s);
  }
  return m;
}
