// The Problems panel: core diagnostics become vscode.Diagnostics on the GeoJSON at the feature's line and column.
import * as vscode from "vscode";
import type { Diagnostic } from "../core/types";
import { groupByFile } from "./diagnosticsMap";

export const DIAGNOSTIC_SOURCE = "citymesh";

export class Problems implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection("citymesh");

  /** Replaces the problems of `input` (and of any other file the diagnostics name) with this build's. */
  publish(input: string, diagnostics: Diagnostic[]): void {
    this.collection.delete(vscode.Uri.file(input));
    for (const [file, specs] of groupByFile(diagnostics)) {
      this.collection.set(vscode.Uri.file(file || input), specs.map((s) => {
        const pos = new vscode.Position(s.line, s.character);
        const d = new vscode.Diagnostic(new vscode.Range(pos, pos.translate(0, 1)), s.message, s.severity as vscode.DiagnosticSeverity);
        d.code = s.code;
        d.source = DIAGNOSTIC_SOURCE;
        return d;
      }));
    }
  }

  clear(input: string): void {
    this.collection.delete(vscode.Uri.file(input));
  }

  dispose(): void {
    this.collection.dispose();
  }
}
