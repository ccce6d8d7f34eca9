/**
 * Quantiles by linear interpolation between closest ranks (numpy's default method), over an
 * ascending array. O(1). Throws on empty input.
 *
 * @example
 * ```ts
 * quantileSorted([1, 2, 3, 4], 0.5); // 2.5
 * ```
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of an empty sample is undefined");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], found ${q}`);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** Summary of a sample: mean and the usual percentiles, or nulls when it is empty. */
export interface Distribution {
  count: number;
  avg: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * Mean, p50, p95, p99 and max of a sample. O(n log n) for the sort; the input is not mutated.
 *
 * @example
 * ```ts
 * distribution([3, 1, 2]).p50; // 2
 * ```
 */
export function distribution(values: ArrayLike<number>): Distribution {
  if (values.length === 0) {
    return { count: 0, avg: null, p50: null, p95: null, p99: null, max: null };
  }
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    avg: sum / sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1],
  };
}
