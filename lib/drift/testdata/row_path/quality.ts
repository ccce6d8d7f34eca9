/**
 * Data-quality summary per column.
 *
 * @module
 */

import { detectColumnKind } from "../../column_kind.ts";
import { quantileSorted } from "../../../metrics/quantile.ts";
import { accurateSum } from "../../_special.ts";
import { isDropped, isMissing } from "../../_validate.ts";
import type { CellValue, ColumnKind, Row } from "../../types.ts";

/** Statistics of one column in one dataset. Numeric fields are null for categorical columns. */
export interface ColumnStats {
  /** Number of rows. */
  count: number;
  /** Number of missing values (null, undefined, "", NaN). */
  missing: number;
  /** missing / count (0 for no rows). */
  missing_share: number;
  /** Number of distinct non-missing values. */
  distinct: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (ddof = 1), as pandas. */
  std: number | null;
  q25: number | null;
  q50: number | null;
  q75: number | null;
  /** Values outside [q25 - 1.5·IQR, q75 + 1.5·IQR]. */
  outliers: number | null;
  /** Most frequent value (categorical columns). */
  most_common: string | number | boolean | null;
}

/** Quality of one column in reference and current. */
export interface ColumnQuality {
  column: string;
  kind: ColumnKind;
  reference: ColumnStats;
  current: ColumnStats;
  /** Categories present in current but not in reference (categorical columns). */
  new_categories: (string | number | boolean)[];
}

/** Quantile with linear interpolation between order statistics (numpy's default); shared with the live metrics. */
export { quantileSorted } from "../../../metrics/quantile.ts";

/**
 * Statistics of one column. O(n log n) for numerical columns, O(n) for categorical.
 *
 * @example
 * ```ts
 * import { columnStats } from "./quality.ts";
 * columnStats([1, 2, null, 100], "numerical").missing; // 1
 * ```
 */
export function columnStats(values: ArrayLike<CellValue>, kind: ColumnKind): ColumnStats {
  let missing = 0;
  const counts = new Map<string | number | boolean, number>();
  const nums: number[] = [];
  const infinities = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) {
      missing++;
      continue;
    }
    if (kind === "categorical") {
      counts.set(v as string | number | boolean, (counts.get(v as string) ?? 0) + 1);
    } else {
      if (typeof v !== "number") {
        throw new TypeError(
          `Expected numbers in a numerical column, found ${JSON.stringify(v)} at index ${i}`,
        );
      }
      if (!isDropped(v)) nums.push(v);
      else infinities.add(v);
    }
  }
  const stats: ColumnStats = {
    count: values.length,
    missing,
    missing_share: values.length ? missing / values.length : 0,
    distinct: kind === "categorical" ? counts.size : infinities.size,
    min: null,
    max: null,
    mean: null,
    std: null,
    q25: null,
    q50: null,
    q75: null,
    outliers: null,
    most_common: null,
  };
  if (kind === "numerical" && nums.length > 0) {
    const sorted = Float64Array.from(nums).sort();
    const n = sorted.length;
    let distinct = 1;
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
    stats.distinct = distinct + infinities.size;
    const mean = accurateSum(sorted) / n;
    const sq = sorted.map((x) => (x - mean) ** 2);
    stats.min = sorted[0];
    stats.max = sorted[n - 1];
    stats.mean = mean;
    stats.std = n > 1 ? Math.sqrt(accurateSum(sq) / (n - 1)) : null;
    stats.q25 = quantileSorted(sorted, 0.25);
    stats.q50 = quantileSorted(sorted, 0.5);
    stats.q75 = quantileSorted(sorted, 0.75);
    const iqr = stats.q75 - stats.q25;
    const lo = stats.q25 - 1.5 * iqr;
    const hi = stats.q75 + 1.5 * iqr;
    let out = 0;
    for (const x of sorted) if (x < lo || x > hi) out++;
    stats.outliers = out;
  }
  if (kind === "categorical") {
    let best: string | number | boolean | null = null;
    let bestCount = 0;
    for (const [k, c] of counts) {
      if (c > bestCount) {
        best = k;
        bestCount = c;
      }
    }
    stats.most_common = best;
  }
  return stats;
}

/**
 * Data-quality summary of every column (or of `columns`) in reference and current. A column
 * missing entirely from one dataset is summarized as all missing there. O(columns · n log n).
 *
 * @example
 * ```ts
 * import { qualitySummary } from "./quality.ts";
 * const q = qualitySummary([{ m: "a" }, { m: "b" }], [{ m: "c" }]);
 * q[0].new_categories; // ["c"]
 * ```
 */
export function qualitySummary(
  reference: readonly Row[],
  current: readonly Row[],
  columns?: readonly string[],
  kinds: Readonly<Record<string, ColumnKind>> = {},
): ColumnQuality[] {
  const names = columns ? [...columns] : [
    ...new Set([
      ...reference.flatMap((r) => Object.keys(r)),
      ...current.flatMap((r) => Object.keys(r)),
    ]),
  ];
  return names.map((column) => {
    const ref = reference.map((r) => r[column] as CellValue);
    const cur = current.map((r) => r[column] as CellValue);
    const kind = kinds[column] ?? detectColumnKind(ref, cur);
    const refStats = columnStats(ref, kind);
    const curStats = columnStats(cur, kind);
    const newCategories: (string | number | boolean)[] = [];
    if (kind === "categorical") {
      const seen = new Set(ref.filter((v) => !isMissing(v)));
      const added = new Set<string | number | boolean>();
      for (const v of cur) {
        if (!isMissing(v) && !seen.has(v) && !added.has(v as string)) {
          added.add(v as string);
          newCategories.push(v as string);
        }
      }
    }
    return { column, kind, reference: refStats, current: curStats, new_categories: newCategories };
  });
}
