/**
 * Jensen–Shannon distance between the binned distributions of two samples.
 *
 * @module
 */

import { binnedShares } from "./_binning.ts";
import { checkThreshold } from "../../_validate.ts";
import type { BinnedTestOptions, CellValue, StatTestResult } from "../../types.ts";

/** Evidently's default threshold for `jensenshannon`: drift when distance ≥ 0.1.  *
 * @example
 * ```ts
 * import { JENSENSHANNON_DEFAULT_THRESHOLD } from "./jensenshannon.ts";
 * JENSENSHANNON_DEFAULT_THRESHOLD; // 0.1
 * ```
 */
export const JENSENSHANNON_DEFAULT_THRESHOLD = 0.1;

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

/**
 * Jensen–Shannon distance of two discrete distributions (`scipy.spatial.distance.jensenshannon`,
 * natural log): both are normalized to sum 1, m = (p + q) / 2, distance = √((KL(p‖m) + KL(q‖m)) / 2).
 * O(k).
 *
 * @example
 * ```ts
 * import { jensenShannonDistance } from "./jensenshannon.ts";
 * jensenShannonDistance([1, 0], [0, 1]); // √ln 2 ≈ 0.8326
 * ```
 */
export function jensenShannonDistance(p0: ArrayLike<number>, q0: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p0.length; i++) sp += p0[i];
  for (let i = 0; i < q0.length; i++) sq += q0[i];
  let left = 0;
  let right = 0;
  for (let i = 0; i < p0.length; i++) {
    const p = p0[i] / sp;
    const q = q0[i] / sq;
    const m = (p + q) / 2.0;
    left += relEntr(p, m);
    right += relEntr(q, m);
  }
  return Math.sqrt((left + right) / 2.0);
}

/**
 * Jensen–Shannon distance (Evidently's `jensenshannon`) over Evidently's bins (see
 * `binnedShares`: Sturges bins for numerical columns with more than 20 distinct reference values,
 * categories otherwise; zeros are kept). Drift when the distance is ≥ threshold (default 0.1).
 * `p_value` is null. Missing values are dropped; inputs are never modified. O(n log n).
 *
 * @example
 * ```ts
 * import { jensenshannon } from "./jensenshannon.ts";
 * const r = jensenshannon(["a", "b"], ["a", "a"], { kind: "categorical" });
 * r.score; // ≈ 0.4645
 * ```
 */
export function jensenshannon(
  reference: ArrayLike<CellValue>,
  current: ArrayLike<CellValue>,
  options: BinnedTestOptions = {},
): StatTestResult {
  const threshold = checkThreshold(options.threshold, JENSENSHANNON_DEFAULT_THRESHOLD);
  const shares = binnedShares(reference, current, options.kind ?? "categorical", false);
  const value = jensenShannonDistance(shares.reference, shares.current);
  return {
    stattest: "jensenshannon",
    statistic: value,
    p_value: null,
    score: value,
    threshold,
    drifted: value >= threshold,
  };
}
