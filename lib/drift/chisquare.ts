/**
 * Chi-square goodness-of-fit test of the current categories against the reference proportions.
 *
 * @module
 */

import { chi2Sf } from "./_special.ts";
import { categoricalSample, checkThreshold, countValues, unionKeys } from "./_validate.ts";
import type { CellValue, StatTestOptions, StatTestResult } from "./types.ts";

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
  return chisquareOfCounts(
    keys.map((k) => refCounts.get(k) ?? 0),
    keys.map((k) => curCounts.get(k) ?? 0),
    ref.length,
    cur.length,
    threshold,
  );
}

/**
 * The result of {@linkcode chisquare} from the counts of each category in reference and
 * current, aligned over the union of categories (reference's in order of first appearance,
 * then those only in current), and the sizes of both samples. O(k).
 *
 * @example
 * ```ts
 * import { chisquareOfCounts } from "./chisquare.ts";
 * chisquareOfCounts([2, 2], [1, 3], 4, 4, 0.05).p_value; // ≈ 0.3173
 * ```
 */
export function chisquareOfCounts(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
  referenceSize: number,
  currentSize: number,
  threshold: number,
): StatTestResult {
  const kNorm = currentSize / referenceSize;
  let stat = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const expected = referenceCounts[i] * kNorm;
    const observed = currentCounts[i];
    stat += (observed - expected) ** 2 / expected;
  }
  const df = referenceCounts.length - 1;
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
