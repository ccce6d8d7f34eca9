/**
 * Wasserstein (earth mover's) distance normed by the reference's standard deviation.
 *
 * @module
 */

import { accurateSum } from "../../_special.ts";
import { checkThreshold, numericSample } from "../../_validate.ts";
import type { StatTestOptions, StatTestResult } from "../../types.ts";

/** Evidently's default threshold for `wasserstein`: drift when distance ≥ 0.1.  *
 * @example
 * ```ts
 * import { WASSERSTEIN_DEFAULT_THRESHOLD } from "./wasserstein.ts";
 * WASSERSTEIN_DEFAULT_THRESHOLD; // 0.1
 * ```
 */
export const WASSERSTEIN_DEFAULT_THRESHOLD = 0.1;

/**
 * First Wasserstein distance between two samples, ∫|F_u - F_v|, as
 * `scipy.stats.wasserstein_distance` (unweighted). Inputs must be sorted Float64Arrays.
 * O(n1 + n2).
 *
 * @example
 * ```ts
 * import { wassersteinSorted } from "./wasserstein.ts";
 * wassersteinSorted(new Float64Array([0, 1]), new Float64Array([1, 2])); // 1
 * ```
 */
export function wassersteinSorted(u: Float64Array, v: Float64Array): number {
  const n1 = u.length;
  const n2 = v.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let comp = 0;
  // walk the merged sorted values; at each step the ECDFs are constant until the next value
  let prev = Number.NaN;
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && u[i] <= v[j]) ? u[i] : v[j];
    if (!Number.isNaN(prev)) {
      const term = Math.abs(i / n1 - j / n2) * (x - prev);
      const t = sum + term;
      if (Math.abs(sum) >= Math.abs(term)) comp += sum - t + term;
      else comp += term - t + sum;
      sum = t;
    }
    while (i < n1 && u[i] <= x) i++;
    while (j < n2 && v[j] <= x) j++;
    prev = x;
  }
  return sum + comp;
}

/** Population standard deviation (numpy's `np.std`, ddof = 0). O(n).  *
 * @example
 * ```ts
 * import { populationStd } from "./wasserstein.ts";
 * populationStd(new Float64Array([1, 3])); // 1
 * ```
 */
export function populationStd(values: Float64Array): number {
  const n = values.length;
  const mean = accurateSum(values) / n;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = (values[i] - mean) ** 2;
  return Math.sqrt(accurateSum(sq) / n);
}

/**
 * Normed Wasserstein distance (Evidently's `wasserstein`): W1(reference, current) divided by
 * max(std(reference), 0.001), the population standard deviation. Drift when the distance is
 * ≥ threshold (default 0.1). `p_value` is null.
 *
 * Missing values (null, NaN, ±Infinity) are dropped; inputs are copied, never modified.
 * O(n log n).
 *
 * @example
 * ```ts
 * import { wasserstein } from "./wasserstein.ts";
 * const r = wasserstein([0, 1, 2, 3], [1, 2, 3, 4]);
 * r.score; // 1 / std([0,1,2,3]) ≈ 0.894
 * ```
 */
export function wasserstein(
  reference: ArrayLike<number | null | undefined>,
  current: ArrayLike<number | null | undefined>,
  options: StatTestOptions = {},
): StatTestResult {
  const threshold = checkThreshold(options.threshold, WASSERSTEIN_DEFAULT_THRESHOLD);
  const ref = numericSample(reference, "reference");
  const cur = numericSample(current, "current");
  const norm = Math.max(populationStd(ref), 0.001);
  ref.sort();
  cur.sort();
  const value = wassersteinSorted(ref, cur) / norm;
  return {
    stattest: "wasserstein",
    statistic: value,
    p_value: null,
    score: value,
    threshold,
    drifted: value >= threshold,
  };
}
