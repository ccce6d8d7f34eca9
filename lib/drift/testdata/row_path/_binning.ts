/**
 * Evidently's `get_binned_data`: the shares of reference and current values per bin, used by
 * the Jensen–Shannon distance and PSI.
 *
 * @module
 */

import { isDropped } from "../../_validate.ts";
import { categoricalSample, countValues, unionKeys } from "../../_validate.ts";
import type { CellValue, ColumnKind } from "../../types.ts";

/** Binned shares of both samples over the same bins. */
export interface BinnedShares {
  reference: Float64Array;
  current: Float64Array;
}

/** True when the raw sample would be an integer column in pandas (all integers, none missing). */
function isIntegerColumn(values: ArrayLike<CellValue>): boolean {
  if (values instanceof Float64Array) return false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isInteger(v)) return false;
  }
  return true;
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Bin edges of `np.histogram_bin_edges(values, bins="sturges")` for a finite sample:
 * width = ptp / (log2(n) + 1) (at least 1 for integer data), ⌈ptp / width⌉ equal bins.
 * O(n).
 *
 * @example
 * ```ts
 * import { sturgesEdges } from "./_binning.ts";
 * sturgesEdges(new Float64Array([0, 1, 2, 3]), false).length; // 4 (3 bins)
 * ```
 */
export function sturgesEdges(values: Float64Array, integer: boolean): Float64Array {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < first) first = values[i];
    if (values[i] > last) last = values[i];
  }
  const ptp = last - first;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  let width = ptp / (Math.log2(values.length) + 1.0);
  let nBins = 1;
  if (width) {
    if (integer && width < 1) width = 1;
    nBins = Math.ceil((last - first) / width);
  }
  const num = nBins + 1;
  const edges = new Float64Array(num);
  const step = (last - first) / nBins;
  for (let i = 0; i < num; i++) edges[i] = i * step + first;
  edges[num - 1] = last;
  return edges;
}

/** Shares of a sorted sample in each bin of `edges` (np.histogram / n): last bin closed. O(b log n).  *
 * @example
 * ```ts
 * import { histogramShares } from "./_binning.ts";
 * histogramShares(new Float64Array([0, 1, 2, 3]), new Float64Array([0, 1.5, 3])); // [0.5, 0.5]
 * ```
 */
export function histogramShares(sorted: Float64Array, edges: Float64Array): Float64Array {
  const nb = edges.length - 1;
  const out = new Float64Array(nb);
  let prev = lowerBound(sorted, edges[0]);
  for (let b = 0; b < nb; b++) {
    const next = b === nb - 1 ? upperBound(sorted, edges[b + 1]) : lowerBound(sorted, edges[b + 1]);
    out[b] = (next - prev) / sorted.length;
    prev = next;
  }
  return out;
}

function fillZeros(shares: Float64Array): void {
  let minNonZero = Number.POSITIVE_INFINITY;
  for (const s of shares) if (s !== 0 && s < minNonZero) minNonZero = s;
  const fill = minNonZero <= 0.0001 ? minNonZero / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}

/**
 * Evidently's `get_binned_data`. Numerical columns whose reference has more than 20 distinct
 * values: Sturges bins over reference and current together, shares per bin; otherwise the share
 * of each category over the union of categories. With `fillZeros`, zero shares become
 * min(non-zero share)/10⁶ when that minimum is ≤ 0.0001, else 0.0001 (PSI).
 * Missing values are dropped. O(n log n).
 *
 * @example
 * ```ts
 * import { binnedShares } from "./_binning.ts";
 * binnedShares(["a", "b"], ["a", "c"], "categorical", false).current; // [0.5, 0, 0.5]
 * ```
 */
export function binnedShares(
  reference: ArrayLike<CellValue>,
  current: ArrayLike<CellValue>,
  kind: ColumnKind,
  fill: boolean,
): BinnedShares {
  const ref = categoricalSample(reference, "reference");
  const cur = categoricalSample(current, "current");
  const refCounts = countValues(ref);
  let result: BinnedShares;
  if (kind === "numerical" && refCounts.size > 20) {
    const r = new Float64Array(ref.length);
    const c = new Float64Array(cur.length);
    for (let i = 0; i < ref.length; i++) {
      if (typeof ref[i] !== "number") {
        throw new TypeError(
          `Expected reference to contain numbers only, found ${JSON.stringify(ref[i])}`,
        );
      }
      r[i] = ref[i] as number;
    }
    for (let i = 0; i < cur.length; i++) {
      if (typeof cur[i] !== "number") {
        throw new TypeError(
          `Expected current to contain numbers only, found ${JSON.stringify(cur[i])}`,
        );
      }
      c[i] = cur[i] as number;
    }
    const combined = new Float64Array(r.length + c.length);
    combined.set(r);
    combined.set(c, r.length);
    let integer = isIntegerColumn(reference) && isIntegerColumn(current);
    for (let i = 0; integer && i < reference.length; i++) {
      if (isDropped(reference[i])) integer = false;
    }
    const edges = sturgesEdges(combined, integer);
    result = {
      reference: histogramShares(r.sort(), edges),
      current: histogramShares(c.sort(), edges),
    };
  } else {
    const curCounts = countValues(cur);
    const keys = unionKeys(refCounts, curCounts);
    result = {
      reference: Float64Array.from(keys, (k) => (refCounts.get(k) ?? 0) / ref.length),
      current: Float64Array.from(keys, (k) => (curCounts.get(k) ?? 0) / cur.length),
    };
  }
  if (fill) {
    fillZeros(result.reference);
    fillZeros(result.current);
  }
  return result;
}
