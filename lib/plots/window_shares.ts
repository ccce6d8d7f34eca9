/**
 * The data behind the reference-against-current distribution charts: histograms of both drift
 * windows over the same bins, and the share of each category in each window. Shares, not
 * counts, so windows of different sizes compare.
 *
 * @module
 */

/** Which drift window a value comes from. */
export type DriftWindow = "reference" | "current";

/** One bar of an overlaid histogram: the share of the window's values in [x0, x1). */
export interface ShareBin {
  window: DriftWindow;
  x0: number;
  x1: number;
  share: number;
  count: number;
}

/** Bins of {@linkcode sharedHistogram} unless told otherwise. */
export const DISTRIBUTION_BINS = 20;

/** Categories of {@linkcode categoryShares} unless told otherwise (the rest is "other"). */
export const DISTRIBUTION_CATEGORIES = 10;

function finiteNumbers(values: readonly unknown[]): number[] {
  return values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
}

/**
 * Histograms of reference and current over the same equal-width bins spanning both, as shares of
 * each window (so windows of different sizes compare). The last bin includes its upper edge. A
 * constant sample gets one bin of width 1 centred on it. Values other than finite numbers are
 * left out. O(n).
 *
 * @example
 * ```ts
 * sharedHistogram([1, 2], [2, 3], 2).filter((b) => b.window === "current").map((b) => b.share);
 * // [0, 1]
 * ```
 */
export function sharedHistogram(
  reference: readonly unknown[],
  current: readonly unknown[],
  bins: number = DISTRIBUTION_BINS,
): ShareBin[] {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`Expected a positive whole number of bins, found ${bins}`);
  }
  const ref = finiteNumbers(reference);
  const cur = finiteNumbers(current);
  const all = ref.concat(cur);
  if (all.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of all) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
    bins = 1;
  }
  const width = (hi - lo) / bins;
  const out: ShareBin[] = [];
  for (const [window, values] of [["reference", ref], ["current", cur]] as const) {
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    for (let i = 0; i < bins; i++) {
      out.push({
        window,
        x0: lo + i * width,
        x1: i === bins - 1 ? hi : lo + (i + 1) * width,
        share: values.length ? counts[i] / values.length : 0,
        count: counts[i],
      });
    }
  }
  return out;
}

/** The share of one category in one window. */
export interface CategoryShare {
  window: DriftWindow;
  category: string;
  share: number;
  count: number;
}

/**
 * Shares of each category in reference and current, categories ordered by their total count
 * (most frequent first, ties by name), at most `maxCategories` (the rest summed as "other").
 * Missing values (null, undefined, "", NaN) are left out. O(n + k log k).
 *
 * @example
 * ```ts
 * categoryShares(["a", "a", "b"], ["b"]).find((s) => s.window === "current" && s.category === "b")
 *   ?.share; // 1
 * ```
 */
export function categoryShares(
  reference: readonly unknown[],
  current: readonly unknown[],
  maxCategories: number = DISTRIBUTION_CATEGORIES,
): CategoryShare[] {
  if (!Number.isInteger(maxCategories) || maxCategories < 1) {
    throw new RangeError(
      `Expected a positive whole number of categories, found ${maxCategories}`,
    );
  }
  const count = (values: readonly unknown[]) => {
    const m = new Map<string, number>();
    let n = 0;
    for (const v of values) {
      if (v === null || v === undefined || v === "" || Number.isNaN(v)) continue;
      const k = String(v);
      m.set(k, (m.get(k) ?? 0) + 1);
      n++;
    }
    return { m, n };
  };
  const r = count(reference);
  const c = count(current);
  const totals = new Map<string, number>();
  for (const { m } of [r, c]) for (const [k, v] of m) totals.set(k, (totals.get(k) ?? 0) + v);
  const ordered = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k]) => k);
  const kept = ordered.length > maxCategories ? ordered.slice(0, maxCategories - 1) : ordered;
  const keptSet = new Set(kept);
  const hasOther = kept.length < ordered.length;
  const out: CategoryShare[] = [];
  for (const [window, { m, n }] of [["reference", r], ["current", c]] as const) {
    for (const k of kept) {
      const cnt = m.get(k) ?? 0;
      out.push({ window, category: k, count: cnt, share: n ? cnt / n : 0 });
    }
    if (hasOther) {
      let cnt = 0;
      for (const [k, v] of m) if (!keptSet.has(k)) cnt += v;
      out.push({ window, category: "other", count: cnt, share: n ? cnt / n : 0 });
    }
  }
  return out;
}
