/**
 * Pooled two-proportion z-test, two-sided.
 *
 * @module
 */

import { zTest } from "../drift/mod.ts";
import { binarySample } from "./_validate.ts";

/** Result of {@linkcode twoProportionZ}. */
export interface TwoProportionResult {
  /** z = (rate_a − rate_b) / √(P(1 − P)(1/n_a + 1/n_b)), P the pooled rate. */
  statistic: number;
  /** Two-sided p-value 2·(1 − Φ(|z|)). */
  p_value: number;
  /** Share of 1s (true) in a. */
  rate_a: number;
  /** Share of 1s (true) in b. */
  rate_b: number;
}

/**
 * Pooled two-proportion z-test of the rates of 1 (or `true`) in two binary samples, two-sided,
 * as statsmodels' `proportions_ztest([x_a, x_b], [n_a, n_b])`: the statistic has the sign of
 * rate_a − rate_b. When both samples hold one and the same value (all 0 or all 1) the pooled
 * variance is 0 and the result is z = 0, p = 1 (statsmodels gives NaN there).
 *
 * It is the drift library's two-proportion test (Evidently's `z`, `zTest` in lib/drift), which
 * on 0/1 data codes 0 as the first category and so tests the same rates; its p-value is
 * 2·(1 − Φ(|z|)), so p-values below about 1e-16 come out as 0.
 *
 * Values must be 0, 1, true or false (TypeError otherwise); each sample needs one value
 * (RangeError). O(n_a + n_b).
 *
 * @example
 * ```ts
 * import { twoProportionZ } from "./two_proportion.ts";
 * const r = twoProportionZ([1, 1, 0, 0], [1, 1, 1, 1]);
 * r.statistic; // ≈ -1.633
 * ```
 */
export function twoProportionZ(
  a: ArrayLike<number | boolean>,
  b: ArrayLike<number | boolean>,
): TwoProportionResult {
  const x = binarySample(a, "a", 1);
  const y = binarySample(b, "b", 1);
  const r = zTest(Array.from(x), Array.from(y));
  return {
    statistic: r.statistic,
    p_value: r.p_value as number,
    rate_a: x.reduce((s, v) => s + v, 0) / x.length,
    rate_b: y.reduce((s, v) => s + v, 0) / y.length,
  };
}
