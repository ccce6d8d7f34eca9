/**
 * Two-sample Kolmogorov–Smirnov test, with p-values as `scipy.stats.ks_2samp` computes them.
 *
 * @module
 */

import { attemptExact2Samp } from "./_ks_exact.ts";
import { kstwoSf } from "./_kolmogorov.ts";
import { roundHalfEven } from "./_special.ts";
import { checkThreshold, sortedSample } from "./_validate.ts";
import type { StatTestOptions, StatTestResult } from "./types.ts";

/** Evidently's default threshold for `ks`: drift when p ≤ 0.05.  *
 * @example
 * ```ts
 * import { KS_DEFAULT_THRESHOLD } from "./ks.ts";
 * KS_DEFAULT_THRESHOLD; // 0.05
 * ```
 */
export const KS_DEFAULT_THRESHOLD = 0.05;

/** Sample size per side up to which `method: "auto"` computes the exact p-value (scipy's).  *
 * @example
 * ```ts
 * import { KS_MAX_AUTO_N } from "./ks.ts";
 * KS_MAX_AUTO_N; // 10000
 * ```
 */
export const KS_MAX_AUTO_N = 10000;

/** Options of {@linkcode ks}. */
export interface KsOptions extends StatTestOptions {
  /** Alternative hypothesis, as scipy's `alternative`. Default `"two-sided"`. */
  alternative?: "two-sided" | "less" | "greater";
  /** `"auto"` (exact up to 10,000 values per side), `"exact"` or `"asymp"`. Default `"auto"`. */
  method?: "auto" | "exact" | "asymp";
}

/** Result of {@linkcode ks}: the common contract plus the p-value method actually used. */
export interface KsResult extends StatTestResult {
  /** `"exact"` or `"asymp"`. */
  method: "exact" | "asymp";
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The KS statistics of two sorted samples: max and min of F1 - F2 over the pooled values,
 * with the ECDF differences computed in the same floating-point order as scipy. O(n1 + n2).
 */
function ecdfExtremes(s1: Float64Array, s2: Float64Array): { maxS: number; minS: number } {
  const n1 = s1.length;
  const n2 = s2.length;
  let i = 0;
  let j = 0;
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && s1[i] <= s2[j]) ? s1[i] : s2[j];
    while (i < n1 && s1[i] <= v) i++;
    while (j < n2 && s2[j] <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > max) max = diff;
    if (diff < min) min = diff;
  }
  return { maxS: max, minS: Math.min(Math.max(-min, 0), 1) };
}

/**
 * Two-sample Kolmogorov–Smirnov test (Evidently's `ks`): statistic D = sup |F_ref - F_cur| and
 * its p-value as `scipy.stats.ks_2samp(reference, current)` with `method="auto"`: exact when both
 * samples have at most 10,000 values (ties handled by the ECDFs), otherwise the `kstwo`
 * distribution at n = round(n1·n2/(n1+n2)). Drift when p ≤ threshold (default 0.05).
 *
 * Missing values (null, NaN, ±Infinity) are dropped; inputs are copied, never modified.
 * Complexity: O(n log n) for the statistic; the exact two-sided p-value costs
 * O(max(n1,n2) · min(n1,n2) · D) in the worst case, O(n) when n1 = n2.
 *
 * @example
 * ```ts
 * import { ks } from "./ks.ts";
 * const r = ks([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
 * r.statistic; // 1
 * r.drifted; // true
 * ```
 */
export function ks(
  reference: ArrayLike<number | null | undefined>,
  current: ArrayLike<number | null | undefined>,
  options: KsOptions = {},
): KsResult {
  const checked = checkKsOptions(options);
  const s1 = sortedSample(reference, "reference");
  const s2 = sortedSample(current, "current");
  return ksOfSorted(s1, s2, checked);
}

/** Options of {@linkcode ks} with their defaults, checked. */
export interface CheckedKsOptions {
  threshold: number;
  alternative: "two-sided" | "less" | "greater";
  method: "auto" | "exact" | "asymp";
}

/**
 * Checks the options of {@linkcode ks} and fills in the defaults. Throws a RangeError for a bad
 * threshold, alternative or method.
 *
 * @example
 * ```ts
 * import { checkKsOptions } from "./ks.ts";
 * checkKsOptions({}).method; // "auto"
 * ```
 */
export function checkKsOptions(options: KsOptions): CheckedKsOptions {
  const threshold = checkThreshold(options.threshold, KS_DEFAULT_THRESHOLD);
  const alternative = options.alternative ?? "two-sided";
  if (!["two-sided", "less", "greater"].includes(alternative)) {
    throw new RangeError(
      `Expected alternative to be "two-sided", "less" or "greater", found ${
        JSON.stringify(alternative)
      }`,
    );
  }
  const method = options.method ?? "auto";
  if (!["auto", "exact", "asymp"].includes(method)) {
    throw new RangeError(
      `Expected method to be "auto", "exact" or "asymp", found ${JSON.stringify(method)}`,
    );
  }
  return { threshold, alternative, method };
}

/**
 * The KS test of {@linkcode ks} on two non-empty samples already cleaned (finite values only)
 * and sorted ascending; the arrays are not modified. O(n1 + n2) plus the p-value.
 *
 * @example
 * ```ts
 * import { checkKsOptions, ksOfSorted } from "./ks.ts";
 * ksOfSorted(new Float64Array([1, 2]), new Float64Array([3, 4]), checkKsOptions({})).statistic; // 1
 * ```
 */
export function ksOfSorted(
  s1: Float64Array,
  s2: Float64Array,
  options: CheckedKsOptions,
): KsResult {
  const { threshold, alternative } = options;
  let mode = options.method;
  const n1 = s1.length;
  const n2 = s2.length;
  const { maxS, minS } = ecdfExtremes(s1, s2);
  let d: number;
  if (alternative === "less") d = minS;
  else if (alternative === "greater") d = maxS;
  else d = minS > maxS ? minS : maxS;
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let prob = Number.NEGATIVE_INFINITY;
  if (mode === "auto") mode = Math.max(n1, n2) <= KS_MAX_AUTO_N ? "exact" : "asymp";
  else if (mode === "exact" && n1g >= 2147483647 / n2g) mode = "asymp";
  if (mode === "exact") {
    const attempt = attemptExact2Samp(n1, n2, g, d, alternative);
    d = attempt.d;
    if (attempt.success) prob = attempt.prob;
    else mode = "asymp";
  }
  if (mode === "asymp") {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    if (alternative === "two-sided") {
      prob = kstwoSf(d, roundHalfEven(en));
    } else {
      const z = Math.sqrt(en) * d;
      const expt = -2 * z ** 2 - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3.0;
      prob = Math.exp(expt);
    }
  }
  prob = Math.min(Math.max(prob, 0), 1);
  return {
    stattest: "ks",
    statistic: d,
    p_value: prob,
    score: prob,
    threshold,
    drifted: prob <= threshold,
    method: mode,
  };
}
