/**
 * Mann–Whitney U test (Wilcoxon rank-sum), two-sided, as `scipy.stats.mannwhitneyu`.
 *
 * @module
 */

import { normalCdf } from "../drift/mod.ts";
import { numberSample } from "./_validate.ts";

/** How the p-value is computed: scipy's `method` argument. */
export type MannWhitneyMethod = "auto" | "exact" | "asymptotic";

/** Options of {@linkcode mannWhitneyU}. */
export interface MannWhitneyOptions {
  /**
   * `"auto"` (default): exact when one sample has at most 8 values and there are no ties,
   * asymptotic otherwise (scipy ≥ 1.11's rule); `"exact"` or `"asymptotic"` to force one.
   */
  method?: MannWhitneyMethod;
  /** Continuity correction of the normal approximation (default true, as scipy). */
  continuity?: boolean;
}

/** Result of {@linkcode mannWhitneyU}. */
export interface MannWhitneyResult {
  /** U of sample a: the number of pairs (a_i, b_j) with a_i > b_j, ties counting one half. */
  statistic: number;
  /** Two-sided p-value; NaN when every value of both samples is the same (as scipy). */
  p_value: number;
  /** The method actually used. */
  method: "exact" | "asymptotic";
  /** Standardized statistic of the normal approximation (asymptotic method only). */
  z?: number;
}

/** The largest sample size at which `"auto"` may choose the exact distribution. */
export const MANN_WHITNEY_EXACT_MAX_N = 8;

interface Ranked {
  /** Sum of the average ranks of sample a. */
  rankSumA: number;
  /** Sizes of the groups of tied values (only groups of two or more). */
  ties: number[];
}

/** Average ranks (1-based) of the pooled sample; O((n1 + n2) log(n1 + n2)). */
function rankPooled(a: Float64Array, b: Float64Array): Ranked {
  const n1 = a.length;
  const n = n1 + b.length;
  const values = new Float64Array(n);
  values.set(a);
  values.set(b, n1);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => values[i] - values[j] || i - j);
  let rankSumA = 0;
  const ties: number[] = [];
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && values[order[j]] === values[order[i]]) j++;
    const rank = (i + 1 + j) / 2; // average of ranks i+1 … j
    for (let k = i; k < j; k++) if (order[k] < n1) rankSumA += rank;
    if (j - i > 1) ties.push(j - i);
    i = j;
  }
  return { rankSumA, ties };
}

/**
 * Counts of the null distribution of U for sizes m ≤ n, for u = 0 … ⌊mn/2⌋ (the lower half;
 * the distribution is symmetric about mn/2), scaled by a common factor, and the total count
 * C(m+n, m) under the same scale.
 *
 * The generating function is the Gaussian binomial ∏_{i=1..m} (1 − q^{n+i}) / (1 − q^i); each
 * factor is applied as a subtraction and a running sum on the truncated polynomial. O(m·mn).
 */
function lowerHalfCounts(m: number, n: number): { counts: Float64Array; total: number } {
  const half = Math.floor((m * n) / 2);
  const c = new Float64Array(half + 1);
  c[0] = 1;
  for (let i = 1; i <= m; i++) {
    const d = n + i;
    for (let k = half; k >= d; k--) c[k] -= c[k - d];
    for (let k = i; k <= half; k++) c[k] += c[k - i];
    let max = 0;
    for (let k = 0; k <= half; k++) if (c[k] > max) max = c[k];
    if (max > 1e200) { for (let k = 0; k <= half; k++) c[k] /= max; }
  }
  let below = 0;
  const even = (m * n) % 2 === 0;
  const last = even ? half - 1 : half;
  for (let k = 0; k <= last; k++) below += c[k];
  return { counts: c, total: 2 * below + (even ? c[half] : 0) };
}

/**
 * Survival function P(U ≥ k) of the exact null distribution of the Mann–Whitney U statistic
 * for sample sizes n1 and n2 (no ties), as scipy's `_MWU.sf`. O(min(n1, n2)² · max(n1, n2)).
 *
 * @example
 * ```ts
 * import { mannWhitneyExactSf } from "./mann_whitney.ts";
 * mannWhitneyExactSf(12, 3, 4); // 1 / 35: only one arrangement reaches U = 12
 * ```
 */
export function mannWhitneyExactSf(k: number, n1: number, n2: number): number {
  for (const [v, name] of [[n1, "n1"], [n2, "n2"]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Expected ${name} to be a positive integer, found ${v}`);
    }
  }
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  k = Math.trunc(k);
  if (k <= 0) return 1;
  if (k > m * n) return 0;
  const kc = m * n - k;
  const { counts, total } = lowerHalfCounts(m, n);
  const cdf = (upTo: number): number => {
    let s = 0;
    for (let u = 0; u <= upTo; u++) s += counts[u];
    return s / total;
  };
  if (k < kc) return 1 - cdf(k) + counts[k] / total;
  return cdf(kc);
}

/**
 * Two-sided Mann–Whitney U test of samples `a` and `b`, as
 * `scipy.stats.mannwhitneyu(a, b, alternative="two-sided", method="auto")` (scipy ≥ 1.11).
 *
 * `statistic` is U of sample a: R_a − n_a(n_a + 1)/2 with average ranks for ties. With
 * `method: "auto"` the p-value comes from the exact null distribution when one sample has at
 * most 8 values and no value is tied, else from the normal approximation with the tie
 * correction of the variance and the continuity correction (0.5 towards the mean), as scipy.
 * The p-value is 2·P(U ≥ max(U_a, U_b)), capped at 1. When every value is the same the normal
 * approximation is 0/0 and the p-value is NaN, as in scipy.
 *
 * NaN or non-numbers throw TypeError, an empty sample throws RangeError; ±Infinity ranks as
 * the largest or smallest value. Inputs are never modified.
 * O(N log N) for the asymptotic method (N = n_a + n_b), O(m²·n) for the exact one (m ≤ n).
 *
 * @example
 * ```ts
 * import { mannWhitneyU } from "./mann_whitney.ts";
 * const r = mannWhitneyU([1, 2, 3], [4, 5, 6, 7]);
 * r.statistic; // 0
 * r.p_value; // 2/35 ≈ 0.0571 (exact)
 * ```
 */
export function mannWhitneyU(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: MannWhitneyOptions = {},
): MannWhitneyResult {
  const x = numberSample(a, "a", 1);
  const y = numberSample(b, "b", 1);
  const requested = options.method ?? "auto";
  if (!["auto", "exact", "asymptotic"].includes(requested)) {
    throw new RangeError(
      `Expected method "auto", "exact" or "asymptotic", found ${JSON.stringify(requested)}`,
    );
  }
  const continuity = options.continuity ?? true;
  const n1 = x.length;
  const n2 = y.length;
  const { rankSumA, ties } = rankPooled(x, y);
  const u1 = rankSumA - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = Math.max(u1, u2);
  let method: "exact" | "asymptotic";
  if (requested === "auto") {
    const small = n1 <= MANN_WHITNEY_EXACT_MAX_N || n2 <= MANN_WHITNEY_EXACT_MAX_N;
    method = small && ties.length === 0 ? "exact" : "asymptotic";
  } else {
    method = requested;
  }
  if (method === "exact") {
    const p = 2 * mannWhitneyExactSf(u, n1, n2);
    return { statistic: u1, p_value: Math.min(Math.max(p, 0), 1), method };
  }
  const n = n1 + n2;
  let tieTerm = 0;
  for (const t of ties) tieTerm += t ** 3 - t;
  const s = Math.sqrt(((n1 * n2) / 12) * ((n + 1) - tieTerm / (n * (n - 1))));
  let numerator = u1 - (n1 * n2) / 2;
  if (continuity) numerator -= 0.5 * Math.sign(numerator);
  const z = numerator / s;
  const p = 2 * normalCdf(-Math.abs(z));
  return { statistic: u1, p_value: Number.isNaN(p) ? p : Math.min(Math.max(p, 0), 1), method, z };
}
