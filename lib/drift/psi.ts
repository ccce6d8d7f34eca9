/**
 * Population Stability Index.
 *
 * @module
 */

import { type BinnedShares, binnedShares } from "./_binning.ts";
import { checkThreshold } from "./_validate.ts";
import type { BinnedTestOptions, CellValue, StatTestResult } from "./types.ts";

/** Evidently's default threshold for `psi`: drift when PSI ≥ 0.1.  *
 * @example
 * ```ts
 * import { PSI_DEFAULT_THRESHOLD } from "./psi.ts";
 * PSI_DEFAULT_THRESHOLD; // 0.1
 * ```
 */
export const PSI_DEFAULT_THRESHOLD = 0.1;

/**
 * Population Stability Index (Evidently's `psi`): Σ (ref - cur) · ln(ref / cur) over Evidently's
 * bins (Sturges bins for numerical columns with more than 20 distinct reference values,
 * categories otherwise), zero shares replaced by 0.0001 (or min share / 10⁶ when the smallest
 * share is ≤ 0.0001). Drift when PSI ≥ threshold (default 0.1). `p_value` is null.
 * Missing values are dropped; inputs are never modified. O(n log n).
 *
 * @example
 * ```ts
 * import { psi } from "./psi.ts";
 * const r = psi(["a", "a", "b", "b"], ["a", "b", "b", "b"], { kind: "categorical" });
 * r.score; // ≈ 0.2747
 * ```
 */
export function psi(
  reference: ArrayLike<CellValue>,
  current: ArrayLike<CellValue>,
  options: BinnedTestOptions = {},
): StatTestResult {
  const threshold = checkThreshold(options.threshold, PSI_DEFAULT_THRESHOLD);
  const shares = binnedShares(reference, current, options.kind ?? "categorical", true);
  return psiOfShares(shares, threshold);
}

/**
 * The result of {@linkcode psi} from the binned shares of both samples, zeros already filled.
 * O(k).
 *
 * @example
 * ```ts
 * import { psiOfShares } from "./psi.ts";
 * const shares = { reference: new Float64Array([0.5, 0.5]), current: new Float64Array([0.25, 0.75]) };
 * psiOfShares(shares, 0.1).score; // ≈ 0.2747
 * ```
 */
export function psiOfShares(shares: BinnedShares, threshold: number): StatTestResult {
  let value = 0;
  for (let i = 0; i < shares.reference.length; i++) {
    const r = shares.reference[i];
    const c = shares.current[i];
    value += (r - c) * Math.log(r / c);
  }
  return {
    stattest: "psi",
    statistic: value,
    p_value: null,
    score: value,
    threshold,
    drifted: value >= threshold,
  };
}
