// Fetches a file as one ArrayBuffer while reporting bytes received, so a large mesh shows progress
// instead of a frozen "Loading…". Chunks are copied into one buffer sized from the total when it is
// known (no second copy to join them), grown by doubling otherwise.

/** total: Content-Length when the response states it, else the caller's (the host's file size). */
export async function fetchWithProgress(url: string, knownTotal: number | undefined, progress: (loaded: number, total: number | undefined) => void): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  const stated = Number(res.headers.get("content-length") ?? NaN);
  const total = Number.isFinite(stated) && stated > 0 ? stated : knownTotal && knownTotal > 0 ? knownTotal : undefined;
  if (!res.body) { const b = await res.arrayBuffer(); progress(b.byteLength, total); return b; }
  const reader = res.body.getReader();
  let buf = new Uint8Array(total ?? 1 << 20);
  let loaded = 0;
  progress(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > buf.length) {
      const grown = new Uint8Array(Math.max(2 * buf.length, loaded + value.length));
      grown.set(buf.subarray(0, loaded));
      buf = grown;
    }
    buf.set(value, loaded);
    loaded += value.length;
    progress(loaded, total);
  }
  return loaded === buf.length ? buf.buffer : buf.buffer.slice(0, loaded);
}

/** "12.3 / 59.4 MB", or "12.3 MB" when the total is unknown. */
export function progressText(loaded: number, total: number | undefined): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return total ? `${mb(loaded)} / ${mb(total)} MB` : `${mb(loaded)} MB`;
}
