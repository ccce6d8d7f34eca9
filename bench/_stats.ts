/**
 * Summaries of measured samples (percentiles from lib/metrics, as the product computes them),
 * rounding, and a wall clock comparable across processes.
 *
 * @module
 */

import { quantileSorted } from "../lib/metrics/quantile.ts";

/** Summary of a sample. */
export interface Summary {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Count, min, mean, p50, p90, p99 and max of a sample (non-finite values rejected). The input is
 * not modified. O(n log n).
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]).p50; // 2
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError("Expected at least one value, found none");
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError(`Expected finite values, found ${v}`);
  }
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    min: sorted[0],
    mean: sum / sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1],
  };
}

/** The median of a non-empty sample. */
export function median(values: readonly number[]): number {
  return summarize(values).p50;
}

/** Rounds to `digits` significant decimals after the point (null stays null). */
export function round(value: number | null, digits = 3): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Milliseconds, high resolution, on the wall clock (comparable across processes). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
