/**
 * The Benjamini–Hochberg procedure: which of m tests to reject so that the expected share of
 * false discoveries among the rejections is at most `level` (independent or positively dependent
 * tests). When every null hypothesis holds, a false discovery is any rejection, so the chance
 * that a report raises any drift alert at all is then at most `level`.
 *
 * @module
 */

/** Result of {@linkcode benjaminiHochberg}. */
export interface BhResult {
  /** Adjusted p-values (q-values), in the input order: reject test i when `adjusted[i] ≤ level`. */
  adjusted: number[];
  /** Whether each test is rejected, in the input order. */
  rejected: boolean[];
  /** The largest raw p-value that is rejected, or null when none is. */
  cutoff: number | null;
}

/**
 * Benjamini–Hochberg at `level`: sort the m p-values, find the largest k with p₍ₖ₎ ≤ k·level/m,
 * reject the k smallest. Adjusted p-values are min over j ≥ i of m·p₍ⱼ₎/j, capped at 1.
 * O(m log m). Throws RangeError on a p-value outside [0, 1] or a level outside (0, 1).
 *
 * @example
 * ```ts
 * import { benjaminiHochberg } from "./fdr.ts";
 * benjaminiHochberg([0.01, 0.04, 0.03, 0.5], 0.05).rejected; // [true, false, false, false]
 * ```
 */
export function benjaminiHochberg(pValues: readonly number[], level: number): BhResult {
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`Expected a level within (0, 1), found ${level}`);
  }
  pValues.forEach((p, i) => {
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RangeError(`Expected p-value ${i} within [0, 1], found ${p}`);
    }
  });
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1];
    running = Math.min(running, (m * pValues[i]) / rank);
    adjusted[i] = running;
  }
  const rejected = adjusted.map((q) => q <= level);
  let cutoff: number | null = null;
  for (let i = 0; i < m; i++) {
    if (rejected[i] && (cutoff === null || pValues[i] > cutoff)) cutoff = pValues[i];
  }
  return { adjusted, rejected, cutoff };
}
