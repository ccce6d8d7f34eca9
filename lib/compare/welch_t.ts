/**
 * Welch's unequal-variances t-test, two-sided, as `scipy.stats.ttest_ind(a, b, equal_var=False)`.
 *
 * @module
 */

import { studentTSf } from "./_betainc.ts";
import { mean, numberSample, variance } from "./_validate.ts";

/** Result of {@linkcode welchT}. */
export interface WelchTResult {
  /** t = (mean_a − mean_b) / √(s_a²/n_a + s_b²/n_b); ±Infinity or NaN when both variances are 0. */
  statistic: number;
  /** Welch–Satterthwaite degrees of freedom (1 when both variances are 0, as scipy). */
  df: number;
  /** Two-sided p-value 2·P(T_df > |t|). */
  p_value: number;
}

/**
 * Welch's t-test of the difference of means of `a` and `b` without assuming equal variances,
 * as `scipy.stats.ttest_ind(a, b, equal_var=False)`: the sign of `statistic` is that of
 * mean_a − mean_b; df = (v_a + v_b)² / (v_a²/(n_a − 1) + v_b²/(n_b − 1)) with v = s²/n and
 * sample variances s² (ddof 1); p-value from Student's t distribution with df degrees of
 * freedom (not rounded to an integer). When both samples are constant the statistic is
 * ±Infinity (p = 0) or NaN (equal means, p = NaN) and df is 1, as scipy.
 *
 * Each sample needs at least 2 values (RangeError); NaN or non-numbers throw TypeError.
 * Inputs are never modified. O(n_a + n_b).
 *
 * @example
 * ```ts
 * import { welchT } from "./welch_t.ts";
 * const r = welchT([1, 2, 3, 4], [2, 4, 6, 8, 10]);
 * r.statistic; // ≈ -2.2514
 * r.df; // ≈ 5.5208
 * ```
 */
export function welchT(a: ArrayLike<number>, b: ArrayLike<number>): WelchTResult {
  const x = numberSample(a, "a", 2);
  const y = numberSample(b, "b", 2);
  const n1 = x.length;
  const n2 = y.length;
  const m1 = mean(x);
  const m2 = mean(y);
  const vn1 = variance(x, 1, m1) / n1;
  const vn2 = variance(y, 1, m2) / n2;
  let df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1));
  if (Number.isNaN(df)) df = 1;
  const t = (m1 - m2) / Math.sqrt(vn1 + vn2);
  const p = 2 * studentTSf(Math.abs(t), df);
  return { statistic: t, df, p_value: p };
}
