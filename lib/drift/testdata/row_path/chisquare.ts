/**
 * Chi-square goodness-of-fit test of the current categories against the reference proportions.
 *
 * @module
 */

import { chi2Sf } from "../../_special.ts";
import { categoricalSample, checkThreshold, countValues, unionKeys } from "../../_validate.ts";
import type { CellValue, StatTestOptions, StatTestResult } from "../../types.ts";

/** Evidently's default threshold for `chisquare`: drift when p < 0.05.  *
 * @example
 * ```ts
 * import { CHISQUARE_DEFAULT_THRESHOLD } from "./chisquare.ts";
 * CHISQUARE_DEFAULT_THRESHOLD; // 0.05
 * ```
 */
export const CHISQUARE_DEFAULT_THRESHOLD = 0.05;

/**
 * Chi-square test (Evidently's `chisquare`): over the union of the categories of both samples,
 * expected = reference count × (current size / reference size), observed = current count,
 * statistic = Σ (observed - expected)² / expected and p-value = χ²-survival(statistic, k - 1).
 * A category absent from the reference makes the statistic infinite (p = 0), as in scipy.
 * With a single category the p-value is NaN (no degrees of freedom) and nothing drifts.
 * Drift when p < threshold (default 0.05).
 *
 * Missing values are dropped; inputs are never modified. O(n + k).
 *
 * @example
 * ```ts
 * import { chisquare } from "./chisquare.ts";
 * const r = chisquare(["a", "a", "b", "b"], ["a", "b", "b", "b"]);
 * r.p_value; // ≈ 0.3173
 * ```
 */
export function chisquare(
  reference: ArrayLike<CellValue>,
  current: ArrayLike<CellValue>,
  options: StatTestOptions = {},
): StatTestResult {
  const threshold = checkThreshold(options.threshold, CHISQUARE_DEFAULT_THRESHOLD);
  const ref = categoricalSample(reference, "reference");
  const cur = categoricalSample(current, "current");
  const refCounts = countValues(ref);
  const curCounts = countValues(cur);
  const keys = unionKeys(refCounts, curCounts);
  const kNorm = cur.length / ref.length;
  let stat = 0;
  for (const key of keys) {
    const expected = (refCounts.get(key) ?? 0) * kNorm;
    const observed = curCounts.get(key) ?? 0;
    stat += (observed - expected) ** 2 / expected;
  }
  const df = keys.length - 1;
  let p: number;
  if (df <= 0) p = stat > 0 ? 0 : NaN;
  else p = stat === Number.POSITIVE_INFINITY ? 0 : chi2Sf(stat, df);
  return {
    stattest: "chisquare",
    statistic: stat,
    p_value: p,
    score: p,
    threshold,
    drifted: p < threshold,
  };
}
