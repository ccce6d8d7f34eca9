/**
 * Data-quality summary per column.
 *
 * @module
 */

import { detectColumnKind } from "./column_kind.ts";
import { quantileSorted } from "../metrics/quantile.ts";
import { accurateSum, accurateSumOfSquares } from "./_special.ts";
import { isDropped, isMissing } from "./_validate.ts";
import { numericColumnKind } from "./column_drift.ts";
import {
  ColumnarTable,
  ColumnPair,
  type NumericColumn,
  type PairCodes,
  rawCategory,
  type SideCounts,
} from "./columnar.ts";
import type { Category, CellValue, ColumnKind, Row } from "./types.ts";

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
export { quantileSorted } from "../metrics/quantile.ts";

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
 * missing entirely from one dataset is summarized as all missing there. Each dataset is read once
 * into a {@linkcode ColumnarTable}. O(columns · n) with radix sorts.
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
  return qualityOfTables(
    ColumnarTable.fromRows(reference),
    ColumnarTable.fromRows(current),
    columns,
    kinds,
  );
}

/**
 * {@linkcode qualitySummary} of two tables; `pairs` holds column pairs already built (by the
 * drift tests, whose sorted values and counts it reuses) and receives the new ones.
 * O(columns · n) after the sorts.
 *
 * @example
 * ```ts
 * import { qualityOfTables } from "./quality.ts";
 * import { ColumnarTable } from "./columnar.ts";
 * const q = qualityOfTables(ColumnarTable.fromRows([{ m: "a" }]), ColumnarTable.fromRows([{ m: "c" }]));
 * q[0].new_categories; // ["c"]
 * ```
 */
export function qualityOfTables(
  reference: ColumnarTable,
  current: ColumnarTable,
  columns?: readonly string[],
  kinds: Readonly<Record<string, ColumnKind>> = {},
  pairs: Map<string, ColumnPair> = new Map(),
): ColumnQuality[] {
  const names = columns ? [...columns] : [...new Set([...reference.names, ...current.names])];
  return names.map((column) => {
    let pair = pairs.get(column);
    if (!pair) {
      pair = ColumnPair.fromTables(reference, current, column);
      pairs.set(column, pair);
    }
    return columnQualityOfPair(column, pair, kinds[column]);
  });
}

/**
 * Quality of one column of reference and current given as a {@linkcode ColumnPair} (kind
 * detected when not given): what {@linkcode qualitySummary} computes for it. O(n) after the
 * pair's sort.
 *
 * @example
 * ```ts
 * import { columnQualityOfPair } from "./quality.ts";
 * import { ColumnPair, columnOf } from "./columnar.ts";
 * const ref = [1, 2, null];
 * const cur = [2.5, 3];
 * columnQualityOfPair("x", new ColumnPair(columnOf(ref), columnOf(cur), () => [ref, cur])).reference.missing; // 1
 * ```
 */
export function columnQualityOfPair(
  column: string,
  pair: ColumnPair,
  kind?: ColumnKind,
): ColumnQuality {
  if (pair.repr === "numbers") {
    const ref = pair.reference as NumericColumn;
    const cur = pair.current as NumericColumn;
    const k = kind ?? numericColumnKind(ref, cur);
    if (k === "numerical") {
      return {
        column,
        kind: k,
        reference: numericStats(ref),
        current: numericStats(cur),
        new_categories: [],
      };
    }
    if (k === "categorical") return categoricalQuality(column, pair);
  } else if (pair.repr === "codes" && (kind ?? "categorical") === "categorical") {
    return categoricalQuality(column, pair);
  }
  return cellsQuality(column, pair, kind);
}

/** `columnStats` of a numbers column as a numerical column. */
function numericStats(column: NumericColumn): ColumnStats {
  const values = column.values;
  const missing = column.missing();
  let posInf = false;
  let negInf = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === Number.POSITIVE_INFINITY) posInf = true;
    else if (v === Number.NEGATIVE_INFINITY) negInf = true;
  }
  const infinities = (posInf ? 1 : 0) + (negInf ? 1 : 0);
  const stats: ColumnStats = {
    count: values.length,
    missing,
    missing_share: values.length ? missing / values.length : 0,
    distinct: infinities,
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
  const sorted = column.sorted();
  const n = sorted.length;
  if (n > 0) {
    let distinct = 1;
    for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
    stats.distinct = distinct + infinities;
    const mean = accurateSum(sorted) / n;
    stats.min = sorted[0];
    stats.max = sorted[n - 1];
    stats.mean = mean;
    stats.std = n > 1 ? Math.sqrt(accurateSumOfSquares(sorted, mean) / (n - 1)) : null;
    stats.q25 = quantileSorted(sorted, 0.25);
    stats.q50 = quantileSorted(sorted, 0.5);
    stats.q75 = quantileSorted(sorted, 0.75);
    const iqr = stats.q75 - stats.q25;
    const lo = stats.q25 - 1.5 * iqr;
    const hi = stats.q75 + 1.5 * iqr;
    let out = 0;
    for (let i = 0; i < n; i++) if (sorted[i] < lo || sorted[i] > hi) out++;
    stats.outliers = out;
  }
  return stats;
}

/** `columnStats` of one side as a categorical column, from its codes. */
function codeStats(codes: PairCodes, side: SideCounts, count: number): ColumnStats {
  let best: string | number | boolean | null = null;
  let bestCount = 0;
  for (const c of side.order) {
    if (side.counts[c] > bestCount) {
      best = codes.dict[c];
      bestCount = side.counts[c];
    }
  }
  return {
    count,
    missing: side.missing,
    missing_share: count ? side.missing / count : 0,
    distinct: side.order.length,
    min: null,
    max: null,
    mean: null,
    std: null,
    q25: null,
    q50: null,
    q75: null,
    outliers: null,
    most_common: best,
  };
}

/** Quality of a numbers or codes pair as a categorical column. */
function categoricalQuality(column: string, pair: ColumnPair): ColumnQuality {
  const codes = pair.codes();
  const newCategories: (string | number | boolean)[] = [];
  for (const c of codes.current.order) {
    if (codes.reference.counts[c] === 0) {
      newCategories.push(rawCategory(pair.current, codes, codes.current, c) as Category);
    }
  }
  return {
    column,
    kind: "categorical",
    reference: codeStats(codes, codes.reference, pair.reference.length),
    current: codeStats(codes, codes.current, pair.current.length),
    new_categories: newCategories,
  };
}

/** The row path, on raw cells. */
function cellsQuality(column: string, pair: ColumnPair, kinds?: ColumnKind): ColumnQuality {
  const [ref, cur] = pair.cells() as [ArrayLike<CellValue>, ArrayLike<CellValue>];
  const kind = kinds ?? detectColumnKind(ref, cur);
  const refStats = columnStats(ref, kind);
  const curStats = columnStats(cur, kind);
  const newCategories: (string | number | boolean)[] = [];
  if (kind === "categorical") {
    const seen = new Set(Array.prototype.filter.call(ref, (v) => !isMissing(v)));
    const added = new Set<string | number | boolean>();
    for (const v of Array.from(cur)) {
      if (!isMissing(v) && !seen.has(v) && !added.has(v as string)) {
        added.add(v as string);
        newCategories.push(v as string);
      }
    }
  }
  return { column, kind, reference: refStats, current: curStats, new_categories: newCategories };
}
