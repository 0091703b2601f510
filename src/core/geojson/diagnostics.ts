// Collects diagnostics with a cap per code, so a 2 GB file with a million broken rings
// cannot exhaust memory with messages: past the cap we only count, and `finish()` adds one
// summary line per code saying how many were left out.
import type { Diagnostic } from "../types";

/** What a sink collected, as plain data (a range read on a thread hands it back to the reader's sink). */
export interface SinkPart {
  list: Diagnostic[];
  /** Diagnostics per code, listed or not, in first-seen order. */
  perCode: [string, number][];
  tallies: [string, number][];
}

export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private readonly perCode = new Map<string, number>();
  private finished = false;
  /** Counts of silent repairs (no diagnostic each), summed up once per file by the reader. */
  readonly tallies = new Map<string, number>();

  constructor(
    readonly file: string,
    private readonly maxPerCode = 1000,
  ) {}

  add(d: Omit<Diagnostic, "file"> & { file?: string }): void {
    const n = (this.perCode.get(d.code) ?? 0) + 1;
    this.perCode.set(d.code, n);
    if (n <= this.maxPerCode) this.list.push({ ...d, file: d.file ?? this.file });
  }

  tally(what: string): void {
    this.tallies.set(what, (this.tallies.get(what) ?? 0) + 1);
  }

  /** How many diagnostics with this code were reported (including those over the cap). */
  count(code: string): number {
    return this.perCode.get(code) ?? 0;
  }

  /** This sink's diagnostics, counts and tallies so far (before finish()). */
  part(): SinkPart {
    return { list: this.list, perCode: [...this.perCode], tallies: [...this.tallies] };
  }

  /**
   * Appends what another sink (with the same cap) collected after this one's: the same list,
   * counts and tallies as if its diagnostics had been added here one by one, since each code's
   * first maxPerCode are among the first maxPerCode the other sink kept.
   */
  absorb(p: SinkPart): void {
    const seen = new Map<string, number>();
    for (const d of p.list) {
      const k = (seen.get(d.code) ?? 0) + 1;
      seen.set(d.code, k);
      if ((this.perCode.get(d.code) ?? 0) + k <= this.maxPerCode) this.list.push(d);
    }
    for (const [code, n] of p.perCode) this.perCode.set(code, (this.perCode.get(code) ?? 0) + n);
    for (const [what, n] of p.tallies) this.tallies.set(what, (this.tallies.get(what) ?? 0) + n);
  }

  /** Appends "N more" summaries for capped codes; returns the list. */
  finish(): Diagnostic[] {
    if (this.finished) return this.list;
    this.finished = true;
    for (const [code, n] of this.perCode) {
      if (n > this.maxPerCode) {
        const sample = this.list.find((d) => d.code === code);
        this.list.push({
          file: this.file,
          featureIndex: -1,
          severity: sample?.severity ?? "warning",
          code,
          count: n - this.maxPerCode,
          message: `${n - this.maxPerCode} more "${code}" diagnostics not listed (${n} in total).`,
        });
      }
    }
    return this.list;
  }
}
