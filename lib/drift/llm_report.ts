/**
 * Drift reports on LLM responses: the one function that the drift monitor, the notebooks and
 * the dashboard's ad-hoc requests call, so that all of them show the same numbers from the same
 * code. Also the CSV writer of LLM rows that `export_responses.ts` uses. Browser-safe.
 *
 * @module
 */

import { columnNames, type DatasetDriftOptions } from "./dataset_drift.ts";
import { llmColumns, type LlmResponseLike } from "./llm_columns.ts";
import { STATTEST_NAMES } from "./registry.ts";
import { type DriftReport, driftReport, driftReportOfTables, toJsonSafe } from "./report.ts";
import { ColumnarTable } from "./columnar.ts";
import { isDropped } from "./_validate.ts";
import type { Row, StatTestName } from "./types.ts";

/** The LLM columns that {@linkcode llmColumns} derives, in order. */
export const LLM_COLUMNS: readonly string[] = Object.freeze(Object.keys(llmColumns([{}])[0]));

/** Options of {@linkcode driftFromResponses}: those of `datasetDrift`. */
export type LlmDriftOptions = DatasetDriftOptions;

/**
 * Checks drift options the way a form or an HTTP body must be checked: known stattest,
 * non-negative thresholds, a drift share in [0, 1], a non-empty list of distinct column names.
 * Throws a TypeError or RangeError that says what was expected and what was found.
 *
 * @example
 * ```ts
 * import { checkLlmDriftOptions } from "./llm_report.ts";
 * checkLlmDriftOptions({ stattest: "psi", threshold: 0.2 }); // no error
 * ```
 */
export function checkLlmDriftOptions(options: LlmDriftOptions): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Expected drift options to be an object, found ${JSON.stringify(options)}`);
  }
  const { columns, stattest, threshold, driftShare } = options;
  if (columns !== undefined) {
    if (!Array.isArray(columns) || columns.length === 0) {
      throw new RangeError(
        `Expected columns to be a non-empty array of column names, found ${
          JSON.stringify(columns)
        }`,
      );
    }
    for (const c of columns) {
      if (typeof c !== "string" || c === "") {
        throw new TypeError(
          `Expected column names to be non-empty strings, found ${JSON.stringify(c)}`,
        );
      }
    }
    if (new Set(columns).size !== columns.length) {
      throw new RangeError(`Expected distinct column names, found ${JSON.stringify(columns)}`);
    }
  }
  if (stattest !== undefined && !STATTEST_NAMES.includes(stattest as StatTestName)) {
    throw new RangeError(
      `Expected stattest to be one of ${STATTEST_NAMES.join(", ")}, found ${
        JSON.stringify(stattest)
      }`,
    );
  }
  if (
    threshold !== undefined &&
    (typeof threshold !== "number" || !Number.isFinite(threshold) || threshold < 0)
  ) {
    throw new RangeError(
      `Expected threshold to be a non-negative number, found ${JSON.stringify(threshold)}`,
    );
  }
  if (
    driftShare !== undefined &&
    (typeof driftShare !== "number" || !(driftShare >= 0 && driftShare <= 1))
  ) {
    throw new RangeError(
      `Expected driftShare to be a number in [0, 1], found ${JSON.stringify(driftShare)}`,
    );
  }
}

/**
 * Columns that a report can compare: present in both datasets with at least one non-missing
 * value in each (a response window where TTFT was never measured has no `ttft_s` to compare).
 * O(rows · columns).
 *
 * @example
 * ```ts
 * import { comparableColumns } from "./llm_report.ts";
 * comparableColumns([{ a: 1, b: null }], [{ a: 2, b: 3 }]); // ["a"]
 * ```
 */
export function comparableColumns(reference: readonly Row[], current: readonly Row[]): string[] {
  const has = (rows: readonly Row[], c: string) => rows.some((r) => !isDropped(r[c]));
  const inCurrent = new Set(columnNames(current));
  return columnNames(reference).filter((c) =>
    inCurrent.has(c) && has(reference, c) && has(current, c)
  );
}

/**
 * Drift report between two sets of rows (LLM columns, or a baseline read from a file), in the
 * JSON shape of `cli.ts --json` (non-finite numbers are null). Without `options.columns`, the
 * columns of {@linkcode comparableColumns} are compared. Each dataset is read once into a
 * columnar table shared by the tests, the quality summary and the correlations.
 * O(columns² · n).
 *
 * @example
 * ```ts
 * import { driftFromRows } from "./llm_report.ts";
 * const ref = [{ x: 1.5 }, { x: 2.5 }, { x: 3.5 }];
 * driftFromRows(ref, ref).dataset_drift; // false
 * ```
 */
export function driftFromRows(
  reference: readonly Row[],
  current: readonly Row[],
  options: LlmDriftOptions = {},
): DriftReport {
  checkLlmDriftOptions(options);
  let columns = options.columns;
  if (columns === undefined) {
    if (!Array.isArray(reference) || !Array.isArray(current)) {
      throw new TypeError("Expected reference and current to be arrays of rows");
    }
    if (!rowsAreObjects(reference) || !rowsAreObjects(current)) {
      // bad rows: the row path finds what it can, and the report says what is wrong
      columns = comparableColumns(reference, current);
    } else if (reference.length > 0 && current.length > 0) {
      // read each table once: the comparable columns and the report come from the same columns
      const ref = ColumnarTable.fromRows(reference);
      const cur = ColumnarTable.fromRows(current);
      columns = comparableColumnsOfTables(ref, cur);
      if (columns.length === 0) {
        throw new RangeError(
          "Expected at least one column with values in both reference and current, found none",
        );
      }
      return toJsonSafe(driftReportOfTables(ref, cur, { ...options, columns }));
    } else {
      columns = [];
    }
    if (columns.length === 0 && reference.length > 0 && current.length > 0) {
      throw new RangeError(
        "Expected at least one column with values in both reference and current, found none",
      );
    }
  }
  return toJsonSafe(
    driftReport(reference, current, { ...options, columns: columns.length ? columns : undefined }),
  );
}

function rowsAreObjects(rows: readonly unknown[]): boolean {
  for (const r of rows) if (r === null || typeof r !== "object" || Array.isArray(r)) return false;
  return true;
}

/** `comparableColumns` of two tables: a column with a kept value in each. */
function comparableColumnsOfTables(reference: ColumnarTable, current: ColumnarTable): string[] {
  const has = (t: ColumnarTable, name: string): boolean => {
    const column = t.column(name);
    if (!column) return false;
    if (column.repr === "numbers") return column.finite().length > 0;
    if (column.repr === "codes") {
      for (const c of column.codes) {
        if (c >= 0 && !isDropped(column.dict[c])) return true;
      }
      return false;
    }
    return column.cells.some((v) => !isDropped(v));
  };
  const inCurrent = new Set(current.names);
  return reference.names.filter((c) => inCurrent.has(c) && has(reference, c) && has(current, c));
}

/**
 * Drift report between two sets of LLM response events: their LLM columns (latency and TTFT in
 * seconds, token counts and rate, prompt/response length, words and text descriptors, status,
 * model) compared with Evidently's default tests, plus the quality summary and correlations.
 * The same JSON shape as `cli.ts --json`. O(text length + columns² · n).
 *
 * @example
 * ```ts
 * import { driftFromResponses } from "./llm_report.ts";
 * const events = [800, 950, 1100, 1020, 870].map((latency_ms) => ({ latency_ms, status: "success" }));
 * const report = driftFromResponses(events, events);
 * report.dataset_drift; // false
 * ```
 */
export function driftFromResponses(
  referenceEvents: readonly LlmResponseLike[],
  currentEvents: readonly LlmResponseLike[],
  options: LlmDriftOptions = {},
): DriftReport {
  return driftFromRows(llmColumns(referenceEvents), llmColumns(currentEvents), options);
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "";
    if (v === Number.POSITIVE_INFINITY) return "inf";
    if (v === Number.NEGATIVE_INFINITY) return "-inf";
    return String(v); // shortest text that reads back as the same number
  }
  const text = typeof v === "string" ? v : typeof v === "boolean" ? String(v) : JSON.stringify(v);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Writes rows as CSV (RFC 4180 quoting: fields with a comma, quote, line break or surrounding
 * whitespace are quoted, quotes doubled). Missing values are empty cells; numbers are written
 * so that they read back exactly. Columns default to those of the rows in order of first
 * appearance. O(cells).
 *
 * @example
 * ```ts
 * import { toCsv } from "./llm_report.ts";
 * toCsv([{ a: 1.5, b: 'say "hi", bye' }, { a: null, b: "x" }]);
 * // 'a,b\n1.5,"say ""hi"", bye"\n,x\n'
 * ```
 */
export function toCsv(
  rows: readonly Row[],
  columns: readonly string[] = columnNames(rows),
): string {
  if (!Array.isArray(rows)) throw new TypeError(`Expected an array of rows, found ${typeof rows}`);
  if (columns.length === 0) throw new RangeError("Expected at least one CSV column, found none");
  const lines = [columns.map(csvCell).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(","));
  return lines.join("\n") + "\n";
}
