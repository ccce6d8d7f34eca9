/**
 * Exact null distribution of the two-sample Kolmogorov–Smirnov statistic, ported from scipy's
 * `scipy.stats._stats_py` (`_compute_prob_outside_square`, `_count_paths_outside_method`,
 * `_attempt_exact_2kssamp`) and `_stats_pythran._compute_outer_prob_inside_method`
 * (Hodges 1958; Viehmann 2021 for the 1 - p recursion).
 *
 * @module
 */

import { lgamma, roundHalfEven } from "./_special.ts";

/**
 * Proportion of lattice paths of the n×n square that pass outside the lines x - y = ±h
 * (two-sided, equal sample sizes). O(n).
 *
 * @example
 * ```ts
 * import { computeProbOutsideSquare } from "./_ks_exact.ts";
 * computeProbOutsideSquare(5, 5); // 2 / 252: only the two extreme paths
 * ```
 */
export function computeProbOutsideSquare(n: number, h: number): number {
  let P = 0.0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1.0;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1.0 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths from (0,0) to (m,n) that do not stay strictly inside the two
 * diagonals |x/m - y/n| < h/lcm(m,n): the two-sided exact p-value for m ≠ n.
 * O(max(m,n) · window) where window ≈ 2h/(max/g) + 1 ≤ min(m,n) + 1.
 *
 * @example
 * ```ts
 * import { computeOuterProbInsideMethod } from "./_ks_exact.ts";
 * computeOuterProbInsideMethod(3, 2, 1, 6); // 0.2: 2 of the 10 paths reach |x/3 - y/2| = 1
 * ```
 */
export function computeOuterProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let j = minj; j < Math.min(maxj, lenA); j++) A[j] = 0.0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1.0;
    let val = minj === 0 ? 0.0 : 1.0;
    const shift = minj - lastminj;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + shift] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      const end = Math.min(maxj - minj + (lastlen - curlen), lenA);
      for (let q = maxj - minj; q < end; q++) A[q] = 1;
    }
  }
  return A[maxj - minj - 1];
}

/** Binomial coefficient as scipy.special.binom evaluates it for integer arguments. O(min(k, 20)).  *
 * @example
 * ```ts
 * import { binom } from "./_ks_exact.ts";
 * binom(10, 3); // 120
 * ```
 */
export function binom(n: number, k: number): number {
  let kx = Math.floor(k);
  if (k === kx && (Math.abs(n) > 1e-8 || n === 0)) {
    const nx = Math.floor(n);
    if (nx === n && kx > nx / 2 && nx > 0) kx = nx - kx;
    if (kx >= 0 && kx < 20) {
      let num = 1.0;
      let den = 1.0;
      for (let i = 1; i < 1 + kx; i++) {
        num *= i + n - kx;
        den *= i;
        if (Math.abs(num) > 1e50) {
          num /= den;
          den = 1.0;
        }
      }
      return num / den;
    }
  }
  if (k < 0 || k > n) return 0;
  return Math.exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1));
}

/**
 * Number of lattice paths from (0,0) to (m,n) that reach m*y <= n*x - h*g (one-sided).
 * May overflow to a non-finite value; the caller checks. O(lxj²) with lxj ≤ min(m,n).
 *
 * @example
 * ```ts
 * import { countPathsOutsideMethod } from "./_ks_exact.ts";
 * countPathsOutsideMethod(3, 2, 1, 6); // 1
 * ```
 */
export function countPathsOutsideMethod(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  const lxj = n + Math.floor((mg - h) / mg);
  if (lxj <= 0) return binom(m + n, n);
  const xj = new Float64Array(lxj);
  for (let j = 0; j < lxj; j++) xj[j] = Math.floor((h + mg * j + ng - 1) / ng);
  const B = new Float64Array(lxj);
  B[0] = 1;
  for (let j = 1; j < lxj; j++) {
    let Bj = binom(xj[j] + j, j);
    for (let i = 0; i < j; i++) Bj -= binom(xj[j] - xj[i] + j - i, j - i) * B[i];
    B[j] = Bj;
  }
  let numPaths = 0;
  for (let j = 0; j < lxj; j++) numPaths += B[j] * binom(m - xj[j] + (n - j), n - j);
  return numPaths;
}

/** Outcome of an exact p-value attempt. */
export interface ExactAttempt {
  success: boolean;
  d: number;
  prob: number;
}

/**
 * Attempts the exact two-sample probability as scipy's `_attempt_exact_2kssamp`: the statistic
 * is first snapped to the lattice h/lcm(n1, n2).
 *
 * @example
 * ```ts
 * import { attemptExact2Samp } from "./_ks_exact.ts";
 * attemptExact2Samp(5, 5, 5, 1, "two-sided").prob; // 2 / 252
 * ```
 */
export function attemptExact2Samp(
  n1: number,
  n2: number,
  g: number,
  d0: number,
  alternative: "two-sided" | "less" | "greater",
): ExactAttempt {
  const lcm = Math.floor(n1 / g) * n2;
  const h = roundHalfEven(d0 * lcm);
  const d = (h * 1.0) / lcm;
  if (h === 0) return { success: true, d, prob: 1.0 };
  let prob = NaN;
  if (alternative === "two-sided") {
    prob = n1 === n2 ? computeProbOutsideSquare(n1, h) : computeOuterProbInsideMethod(n1, n2, g, h);
  } else if (n1 === n2) {
    prob = 1;
    for (let j = 0; j < h; j++) prob *= (n1 - j) / (n1 + j + 1.0);
  } else {
    const numPaths = countPathsOutsideMethod(n1, n2, g, h);
    const bin = binom(n1 + n2, n1);
    if (!Number.isFinite(numPaths) || !Number.isFinite(bin) || numPaths > bin) {
      return { success: false, d, prob: NaN };
    }
    prob = numPaths / bin;
  }
  if (!Number.isFinite(prob)) return { success: false, d, prob: NaN };
  if (!(prob >= 0 && prob <= 1)) return { success: false, d, prob };
  return { success: true, d, prob };
}
