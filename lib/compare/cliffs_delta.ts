/**
 * Cliff's delta, a rank effect size of two samples.
 *
 * @module
 */

import { numberSample } from "./_validate.ts";

/** Index of the first value ≥ v in sorted `s` (or > v when `strict`). O(log n). */
function bound(s: Float64Array, v: number, strict: boolean): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? s[mid] <= v : s[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Cliff's delta of sample b against sample a:
 * δ = (#{(i, j): b_j > a_i} − #{(i, j): b_j < a_i}) / (n_a · n_b), in [−1, 1].
 *
 * Sign convention: **positive when B's values tend to be larger than A's** (the same direction
 * as mean_b − mean_a of the bootstrap interval); δ = 1 − 2·U_a / (n_a n_b) with U_a the
 * Mann–Whitney U of sample a. Ties count for neither side. Common reading of |δ| (Romano et
 * al. 2006): < 0.147 negligible, < 0.33 small, < 0.474 medium, otherwise large.
 *
 * Computed by sorting a and two binary searches per value of b: O((n_a + n_b) log n_a), not
 * O(n_a · n_b). NaN or non-numbers throw TypeError, empty samples RangeError.
 *
 * @example
 * ```ts
 * import { cliffsDelta } from "./cliffs_delta.ts";
 * cliffsDelta([1, 2, 3], [4, 5]); // 1: every b is larger
 * cliffsDelta([1, 2], [1, 2]); // 0
 * ```
 */
export function cliffsDelta(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = numberSample(a, "a", 1).sort();
  const y = numberSample(b, "b", 1);
  let greater = 0; // pairs with b_j > a_i
  let less = 0; // pairs with b_j < a_i
  for (let j = 0; j < y.length; j++) {
    const v = y[j];
    greater += bound(x, v, false);
    less += x.length - bound(x, v, true);
  }
  return (greater - less) / (x.length * y.length);
}
