/**
 * Dataset drift: column drift for every column and the share of drifted columns.
 *
 * @module
 */

import { columnDriftOfPair, type ColumnDriftResult } from "./column_drift.ts";
import { ColumnarTable, ColumnPair } from "./columnar.ts";
import { getStatTest } from "./registry.ts";
import { checkThreshold } from "./_validate.ts";
import type { CellValue, ColumnKind, Row, StatTestName } from "./types.ts";

/** Evidently's default share of drifted columns for dataset drift.  *
 * @example
 * ```ts
 * import { DEFAULT_DRIFT_SHARE } from "./dataset_drift.ts";
 * DEFAULT_DRIFT_SHARE; // 0.5
 * ```
 */
export const DEFAULT_DRIFT_SHARE = 0.5;

/** Per-column overrides. */
export interface ColumnOverride {
  /** Test for this column. */
  stattest?: StatTestName;
  /** Threshold for this column. */
  threshold?: number;
  /** Kind of this column. */
  kind?: ColumnKind;
}

/** Options of {@linkcode datasetDrift}. */
export interface DatasetDriftOptions {
  /** Columns to compare; default: every column present in both datasets. */
  columns?: readonly string[];
  /** Test for every column (overridden by `perColumn`). */
  stattest?: StatTestName;
  /** Threshold for every column (overridden by `perColumn`). */
  threshold?: number;
  /** Dataset drift when the share of drifted columns is ≥ this value. Default 0.5. */
  driftShare?: number;
  /** Per-column overrides of test, threshold and kind. */
  perColumn?: Readonly<Record<string, ColumnOverride>>;
}

/** Result of {@linkcode datasetDrift}. */
export interface DatasetDriftResult {
  /** Number of reference rows. */
  reference_rows: number;
  /** Number of current rows. */
  current_rows: number;
  /** Whether the dataset drifts: share_of_drifted_columns ≥ drift_share. */
  dataset_drift: boolean;
  /** The configured share threshold (Evidently's `drift_share`). */
  drift_share: number;
  /** Measured share of drifted columns. */
  share_of_drifted_columns: number;
  /** Number of drifted columns. */
  drifted_columns: number;
  /** Number of columns compared. */
  columns_total: number;
  /** Drift of each column. */
  columns: ColumnDriftResult[];
}

/** Column names of a list of rows, in order of first appearance. O(rows · columns).  *
 * @example
 * ```ts
 * import { columnNames } from "./dataset_drift.ts";
 * columnNames([{ a: 1 }, { b: 2 }]); // ["a", "b"]
 * ```
 */
export function columnNames(rows: readonly Row[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) names.add(k);
  return [...names];
}

/** Values of one column (undefined when absent from a row). O(rows).  *
 * @example
 * ```ts
 * import { columnValues } from "./dataset_drift.ts";
 * columnValues([{ a: 1 }, {}], "a"); // [1, undefined]
 * ```
 */
export function columnValues(rows: readonly Row[], column: string): CellValue[] {
  return rows.map((r) => r[column] as CellValue);
}

/**
 * Throws unless `rows` is a non-empty array of objects (not arrays), naming the dataset and the
 * first bad row. O(rows).
 *
 * @example
 * ```ts
 * import { checkRows } from "./dataset_drift.ts";
 * checkRows([{ a: 1 }], "reference"); // passes; [] or [null] would throw
 * ```
 */
export function checkRows(rows: unknown, name: string): asserts rows is Row[] {
  if (!Array.isArray(rows)) {
    throw new TypeError(`Expected ${name} to be an array of rows, found ${typeof rows}`);
  }
  if (rows.length === 0) {
    throw new RangeError(`Expected ${name} to contain at least one row, found none`);
  }
  rows.forEach((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r)) {
      throw new TypeError(`Expected ${name} row ${i} to be an object, found ${JSON.stringify(r)}`);
    }
  });
}

/**
 * Column drift for every column and dataset drift (share of drifted columns ≥ `driftShare`,
 * default 0.5), with per-column overrides of test and threshold. An unknown column, or a column
 * empty in either dataset, is rejected with an error naming it. Each dataset is read once into a
 * {@linkcode ColumnarTable}. O(columns · n) with radix sorts.
 *
 * @example
 * ```ts
 * import { datasetDrift } from "./dataset_drift.ts";
 * const ref = [{ x: 1.5, m: "a" }, { x: 2.5, m: "b" }, { x: 3.5, m: "a" }];
 * const cur = [{ x: 1.5, m: "a" }, { x: 2.5, m: "b" }, { x: 3.5, m: "b" }];
 * datasetDrift(ref, cur).columns_total; // 2
 * ```
 */
export function datasetDrift(
  reference: readonly Row[],
  current: readonly Row[],
  options: DatasetDriftOptions = {},
): DatasetDriftResult {
  checkRows(reference, "reference");
  checkRows(current, "current");
  return datasetDriftOfTables(
    ColumnarTable.fromRows(reference),
    ColumnarTable.fromRows(current),
    options,
  );
}

/**
 * {@linkcode datasetDrift} of two tables whose rows were checked: each column read once, its
 * sorted values and counts shared by the tests. `pairs` collects the column pairs it used, for
 * the quality summary to reuse. O(columns · n) after the sorts.
 *
 * @example
 * ```ts
 * import { datasetDriftOfTables } from "./dataset_drift.ts";
 * import { ColumnarTable } from "./columnar.ts";
 * const ref = ColumnarTable.fromRows([{ x: 1.5 }, { x: 2.5 }, { x: 3.5 }]);
 * const cur = ColumnarTable.fromRows([{ x: 1.5 }, { x: 2.5 }, { x: 9.5 }]);
 * datasetDriftOfTables(ref, cur).columns_total; // 1
 * ```
 */
export function datasetDriftOfTables(
  reference: ColumnarTable,
  current: ColumnarTable,
  options: DatasetDriftOptions = {},
  pairs: Map<string, ColumnPair> = new Map(),
): DatasetDriftResult {
  const driftShare = checkThreshold(options.driftShare, DEFAULT_DRIFT_SHARE);
  if (options.stattest !== undefined) getStatTest(options.stattest);
  const refNames = reference.names;
  const curNames = new Set(current.names);
  let columns: string[];
  if (options.columns) {
    columns = [...options.columns];
    for (const c of columns) {
      if (!refNames.includes(c)) {
        throw new RangeError(`Unknown column "${c}" in the reference data`);
      }
      if (!curNames.has(c)) throw new RangeError(`Unknown column "${c}" in the current data`);
    }
  } else {
    columns = refNames.filter((c) => curNames.has(c));
  }
  if (columns.length === 0) {
    throw new RangeError(
      "Expected at least one column common to reference and current, found none",
    );
  }
  const results = columns.map((column) => {
    const override = options.perColumn?.[column] ?? {};
    let pair = pairs.get(column);
    if (!pair) {
      pair = ColumnPair.fromTables(reference, current, column);
      pairs.set(column, pair);
    }
    return columnDriftOfPair(column, pair, {
      kind: override.kind,
      stattest: override.stattest ?? options.stattest,
      threshold: override.threshold ?? options.threshold,
    });
  });
  const drifted = results.filter((r) => r.drifted).length;
  const share = drifted / results.length;
  return {
    reference_rows: reference.length,
    current_rows: current.length,
    dataset_drift: share >= driftShare,
    drift_share: driftShare,
    share_of_drifted_columns: share,
    drifted_columns: drifted,
    columns_total: results.length,
    columns: results,
  };
}
