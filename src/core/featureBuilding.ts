// Feature index → building of a read, for naming the source of a diagnostic. Readers give the
// buildings in file order, so their feature indices rise: a binary search over the read's own
// array then costs no memory, where a Map of every building had held ~40 bytes per building
// (1,000,000 buildings: ~40 MB beside the footprints while they were cleaned). An input whose
// indices do not rise gets the Map.

/** The building of feature `f` (the last, if a feature gave several), or −1. */
export function featureBuilding(featureIndex: ArrayLike<number>): (f: number) => number {
  const n = featureIndex.length;
  let rising = true;
  for (let b = 1; b < n && rising; b++) rising = featureIndex[b] >= featureIndex[b - 1];
  if (!rising) {
    const map = new Map<number, number>();
    for (let b = 0; b < n; b++) map.set(featureIndex[b], b);
    return (f) => map.get(f) ?? -1;
  }
  return (f) => {
    // The last building whose feature index is ≤ f.
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (featureIndex[mid] <= f) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && featureIndex[lo - 1] === f ? lo - 1 : -1;
  };
}
