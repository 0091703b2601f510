// Time left in a phase whose items differ in cost (a tile of open ground takes milliseconds, a downtown tile
// seconds). Counting items made the tile phase's ETA jump between 40 s and 67 s on New York; this weighs each
// item by its planned cost (shard.ts's tileCost: buildings plus ground) and smooths the result, so a display
// moves steadily towards the truth instead of jumping with every finished tile.

/** Weight of a new raw estimate against the previous estimate advanced by the time since. */
const SMOOTHING = 0.3;

export class EtaEstimator {
  private costDone = 0;
  private last?: { at: number; eta: number };

  constructor(private costLeft: number, private readonly started: number) {}

  /** An item of this cost finished at `now` (ms); returns the smoothed seconds left (undefined before any work). */
  finished(cost: number, now: number): number | undefined {
    this.costDone += cost;
    this.costLeft = Math.max(0, this.costLeft - cost);
    const elapsed = (now - this.started) / 1000;
    if (this.costDone <= 0 || elapsed <= 0) return this.last?.eta;
    const raw = (elapsed / this.costDone) * this.costLeft;
    let eta = raw;
    if (this.last) {
      const expected = Math.max(0, this.last.eta - (now - this.last.at) / 1000);
      eta = expected + SMOOTHING * (raw - expected);
    }
    if (this.costLeft === 0) eta = 0;
    this.last = { at: now, eta };
    return eta;
  }
}
