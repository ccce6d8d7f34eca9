/**
 * Two-proportion z-test for binary columns.
 *
 * @module
 */

import { normalCdf } from "../../_special.ts";
import { categoricalSample, checkThreshold, countValues, sortCategories } from "../../_validate.ts";
import type { CellValue, StatTestOptions, StatTestResult } from "../../types.ts";

/** Evidently's default threshold for `z`: drift when p < 0.05. */
export const Z_DEFAULT_THRESHOLD = 0.05;

/**
 * Two-proportion z-test (Evidently's `z`): the smallest category (in sorted order) is coded 0 and
 * every other category 1; z = (p_ref - p_cur) / √(P(1-P)(1/n_ref + 1/n_cur)) with the pooled
 * proportion P, and the two-sided p-value 2·(1 - Φ(|z|)). When both samples hold one and the same
 * value the p-value is 1 (statistic 0). Drift when p < threshold (default 0.05).
 *
 * Missing values are dropped; inputs are never modified. O(n + k log k).
 *
 * @example
 * ```ts
 * import { zTest } from "./two_proportion_z.ts";
 * const r = zTest(["yes", "no", "yes", "no"], ["yes", "yes", "yes", "yes"]);
 * r.statistic; // ≈ -1.633
 * ```
 */
export function zTest(
  reference: ArrayLike<CellValue>,
  current: ArrayLike<CellValue>,
  options: StatTestOptions = {},
): StatTestResult {
  const threshold = checkThreshold(options.threshold, Z_DEFAULT_THRESHOLD);
  const ref = categoricalSample(reference, "reference");
  const cur = categoricalSample(current, "current");
  const refCounts = countValues(ref);
  const curCounts = countValues(cur);
  let z: number;
  let p: number;
  if (
    refCounts.size === 1 && curCounts.size === 1 &&
    [...refCounts.keys()][0] === [...curCounts.keys()][0]
  ) {
    z = 0;
    p = 1;
  } else {
    const keys = sortCategories([...new Set([...refCounts.keys(), ...curCounts.keys()])]);
    const first = keys[0];
    const n1 = ref.length;
    const n2 = cur.length;
    const p1 = (n1 - (refCounts.get(first) ?? 0)) / n1;
    const p2 = (n2 - (curCounts.get(first) ?? 0)) / n2;
    const P = (p1 * n1 + p2 * n2) / (n1 + n2);
    z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2));
    p = 2 * (1 - normalCdf(Math.abs(z)));
  }
  return { stattest: "z", statistic: z, p_value: p, score: p, threshold, drifted: p < threshold };
}
