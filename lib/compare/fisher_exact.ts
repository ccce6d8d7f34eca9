/**
 * Fisher's exact test of a 2×2 table, two-sided, as `scipy.stats.fisher_exact`.
 *
 * @module
 */

/** A 2×2 contingency table of counts, row by row: `[[a, b], [c, d]]`. */
export type Table2x2 = readonly [readonly [number, number], readonly [number, number]];

/** Result of {@linkcode fisherExact}. */
export interface FisherExactResult {
  /** Sample odds ratio a·d / (b·c); Infinity when b·c = 0, NaN when a row or column is empty. */
  odds_ratio: number;
  /** Two-sided p-value. */
  p_value: number;
}

/**
 * Relative tolerance under which a table's probability counts as equal to the observed one.
 * scipy uses 1e-14 with boost's hypergeometric pmf; this module's pmf carries rounding of up to
 * about 1e-12 on large tables, so it uses R's `fisher.test` tolerance, 1e-7: both count the same
 * tables unless two probabilities agree to between 7 and 14 digits without being equal.
 */
export const FISHER_RELATIVE_TOLERANCE = 1e-7;

function checkCount(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`Expected table${where} to be a non-negative integer count, found ${v}`);
  }
  return v;
}

/**
 * Fisher's exact test of independence in a 2×2 table `[[a, b], [c, d]]`, two-sided, as
 * `scipy.stats.fisher_exact(table, alternative="two-sided")`.
 *
 * `odds_ratio` is the sample (unconditional) odds ratio a·d / (b·c), as scipy returns it (not
 * R's conditional maximum-likelihood estimate); Infinity when b or c is 0. When a row or a
 * column sums to 0 the result is odds ratio NaN and p = 1, as scipy.
 *
 * The p-value sums the hypergeometric probabilities (margins fixed) of every table at most as
 * likely as the observed one, with a relative tolerance ({@linkcode FISHER_RELATIVE_TOLERANCE})
 * so that tables exactly as likely are counted despite rounding; 1 when the observed table is
 * the most likely one. Probabilities are built in log space from the mode outwards and
 * normalized by their sum, so large tables neither overflow nor underflow.
 *
 * Counts must be non-negative safe integers (RangeError); a table that is not 2×2 throws a
 * TypeError. O(min(a + b, a + c)) time and memory.
 *
 * @example
 * ```ts
 * import { fisherExact } from "./fisher_exact.ts";
 * const r = fisherExact([[8, 2], [1, 5]]);
 * r.odds_ratio; // 20
 * r.p_value; // ≈ 0.0350
 * ```
 */
export function fisherExact(table: Table2x2): FisherExactResult {
  if (
    !Array.isArray(table) || table.length !== 2 ||
    !table.every((r) => Array.isArray(r) && r.length === 2)
  ) {
    throw new TypeError(`Expected a 2×2 table [[a, b], [c, d]], found ${JSON.stringify(table)}`);
  }
  const a = checkCount(table[0][0], "[0][0]");
  const b = checkCount(table[0][1], "[0][1]");
  const c = checkCount(table[1][0], "[1][0]");
  const d = checkCount(table[1][1], "[1][1]");
  if (a + b === 0 || c + d === 0 || a + c === 0 || b + d === 0) {
    return { odds_ratio: NaN, p_value: 1 };
  }
  const oddsRatio = c > 0 && b > 0 ? (a * d) / (c * b) : Number.POSITIVE_INFINITY;
  const n1 = a + b; // first row: the marked population
  const n2 = c + d;
  const n = a + c; // first column: the draws
  const lo = Math.max(0, n - n2);
  const hi = Math.min(n, n1);
  const mode = Math.min(Math.max(Math.floor(((n + 1) * (n1 + 1)) / (n1 + n2 + 2)), lo), hi);
  // log pmf relative to the mode, by the ratio pmf(x + 1) / pmf(x)
  const logW = new Float64Array(hi - lo + 1);
  for (let x = mode + 1; x <= hi; x++) {
    logW[x - lo] = logW[x - 1 - lo] +
      Math.log((n1 - x + 1) * (n - x + 1)) - Math.log(x * (n2 - n + x));
  }
  for (let x = mode - 1; x >= lo; x--) {
    logW[x - lo] = logW[x + 1 - lo] -
      Math.log((n1 - x) * (n - x)) + Math.log((x + 1) * (n2 - n + x + 1));
  }
  const observed = logW[a - lo];
  const limit = observed + Math.log1p(FISHER_RELATIVE_TOLERANCE);
  if (limit >= 0) return { odds_ratio: oddsRatio, p_value: 1 };
  let total = 0;
  let tail = 0;
  // sum from the tails inwards, smallest terms first
  for (let x = lo; x <= mode; x++) {
    const w = Math.exp(logW[x - lo]);
    total += w;
    if (logW[x - lo] <= limit) tail += w;
  }
  for (let x = hi; x > mode; x--) {
    const w = Math.exp(logW[x - lo]);
    total += w;
    if (logW[x - lo] <= limit) tail += w;
  }
  return { odds_ratio: oddsRatio, p_value: Math.min(tail / total, 1) };
}
