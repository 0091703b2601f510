// Percentiles of a building's points, as 3dfier and dtcc-core lift footprints: the roof at a high
// percentile of the points on it (robust to chimneys, antennas and stray returns), the base at a
// low one of the ground around it. Linear between order statistics (numpy's default), so a
// check written with numpy or by hand agrees to the last digit.

/** The p-th percentile (0–100) of values[from, to), which is sorted in place. NaN when empty. */
export function percentileOf(values: Float32Array | Float64Array, from: number, to: number, p: number): number {
  const n = to - from;
  if (n <= 0) return NaN;
  const run = values.subarray(from, to);
  run.sort();
  const at = (p / 100) * (n - 1);
  const lo = Math.floor(at), hi = Math.min(n - 1, lo + 1);
  return run[lo] + (run[hi] - run[lo]) * (at - lo);
}
