// Live preview tiles as the host announces them: fetched a few at a time, parsed, and kept until
// the viewer takes them all at its next frame (one batch per frame, however many arrived). Each
// announced URL is reported done exactly once — when its bytes are read, when its fetch fails, or
// when stop() drops it — so the host knows when it may delete the preview files.
import type { MeshData } from "./meshData";
import { parseCmpv } from "./cmpv";

/** Preview tiles are small local files: a few in flight keep the page fed without flooding the host. */
export const LIVE_FETCHES = 4;

export class LiveFeed {
  /** Announced, not fetching yet (oldest first). */
  private queue: string[] = [];
  /** Fetching: URL → abort handle (a URL announced twice is fetched twice, one at a time). */
  private readonly inFlight: { url: string; abort: AbortController }[] = [];
  /** Parsed, not taken by the viewer yet. */
  private parsed: MeshData[] = [];

  constructor(
    private readonly done: (urls: string[]) => void,
    private readonly arrived: () => void,
    private readonly concurrency = LIVE_FETCHES,
  ) {}

  add(url: string): void {
    this.queue.push(url);
    this.pump();
  }

  /** The tiles parsed since the last call. */
  take(): MeshData[] {
    const p = this.parsed;
    this.parsed = [];
    return p;
  }

  /** Drops everything not yet taken: aborts fetches, forgets the queue; reports the URLs not reported yet. */
  stop(): void {
    const dropped = this.queue.concat(this.inFlight.map((f) => f.url));
    for (const f of this.inFlight.splice(0)) f.abort.abort();
    this.queue = [];
    this.parsed = [];
    if (dropped.length) this.done(dropped);
  }

  private pump(): void {
    while (this.inFlight.length < this.concurrency && this.queue.length) {
      const entry = { url: this.queue.shift()!, abort: new AbortController() };
      this.inFlight.push(entry);
      void this.fetchOne(entry);
    }
  }

  private async fetchOne(entry: { url: string; abort: AbortController }): Promise<void> {
    let bytes: ArrayBuffer | undefined;
    try {
      const res = await fetch(entry.url, { signal: entry.abort.signal });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      bytes = await res.arrayBuffer();
    } catch (e) {
      if (entry.abort.signal.aborted) return; // stop() reported it
      // A preview file the build removed (or never wrote) is skipped: the final mesh will show that part.
      console.debug(`citymesh viewer: preview tile ${entry.url} skipped: ${(e as Error).message}`);
    }
    if (entry.abort.signal.aborted) return;
    this.inFlight.splice(this.inFlight.indexOf(entry), 1);
    this.done([entry.url]); // the file is read (or unreadable): the host may delete it
    if (bytes) {
      try { this.parsed.push(parseCmpv(bytes)); } catch (e) { console.debug(`citymesh viewer: preview tile ${entry.url} unreadable: ${(e as Error).message}`); }
    }
    this.pump();
    this.arrived();
  }
}
