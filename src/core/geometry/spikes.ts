// Zero-width spikes: a ring that goes out along a line and comes straight back (a, b, c with
// c on the segment a–b, or c = a). Snapping and polygon differences leave them; they have no
// area but would become a wall of zero thickness. Exact test, in place on a flat xy ring.
import { orient } from "./predicates";

export function removeSpikes(ring: number[]): number {
  let removed = 0;
  let changed = true;
  while (changed && ring.length >= 6) {
    changed = false;
    const n = ring.length / 2;
    for (let k = 0; k < n; k++) {
      const a = (k + n - 1) % n, c = (k + 1) % n;
      const ax = ring[2 * a], ay = ring[2 * a + 1], bx = ring[2 * k], by = ring[2 * k + 1], cx = ring[2 * c], cy = ring[2 * c + 1];
      // b is a spike tip when the path a→b→c reverses direction along one line.
      const back = orient(ax, ay, bx, by, cx, cy) === 0 && (bx - ax) * (cx - bx) + (by - ay) * (cy - by) < 0;
      if (!back) continue;
      ring.splice(2 * k, 2);
      removed++;
      // If c now repeats a, drop it as well.
      const m = ring.length / 2, ia = k === 0 ? m - 1 : k - 1, ic = k % m;
      if (m > 1 && ring[2 * ia] === ring[2 * ic] && ring[2 * ia + 1] === ring[2 * ic + 1]) ring.splice(2 * ic, 2);
      changed = true;
      break;
    }
  }
  return removed;
}
