/**
 * Full drift report: dataset drift, data quality and correlations.
 *
 * @module
 */

import { type Correlations, correlationsOfTable } from "./correlation.ts";
import { ColumnarTable, type ColumnPair } from "./columnar.ts";
import {
  checkRows,
  datasetDriftOfTables,
  type DatasetDriftOptions,
  type DatasetDriftResult,
} from "./dataset_drift.ts";
import { type ColumnQuality, qualityOfTables } from "./quality.ts";
import type { ColumnKind, Row } from "./types.ts";

/** A full report. */
export interface DriftReport extends DatasetDriftResult {
  /** Data-quality summary of the compared columns. */
  quality: ColumnQuality[];
  /** Correlation matrices of the numerical columns in reference and current. */
  correlations: { reference: Correlations; current: Correlations };
}

/**
 * Dataset drift, data-quality summary and correlation matrices of the compared columns. Each
 * dataset is read once into a {@linkcode ColumnarTable} (see {@linkcode driftReportOfTables}).
 * O(columns · n + numerical columns² · n) with radix sorts.
 *
 * @example
 * ```ts
 * import { driftReport } from "./report.ts";
 * const ref = [{ x: 1.5 }, { x: 2.5 }, { x: 3.5 }];
 * const cur = [{ x: 1.5 }, { x: 2.5 }, { x: 9.5 }];
 * driftReport(ref, cur).columns[0].stattest; // "chisquare"
 * ```
 */
export function driftReport(
  reference: readonly Row[],
  current: readonly Row[],
  options: DatasetDriftOptions = {},
): DriftReport {
  checkRows(reference, "reference");
  checkRows(current, "current");
  return driftReportOfTables(
    ColumnarTable.fromRows(reference),
    ColumnarTable.fromRows(current),
    options,
  );
}

/**
 * {@linkcode driftReport} of two tables whose rows were checked: every column is read once and
 * sorted at most once; the tests, the quality summary and the correlations share its typed
 * values, sorted values, ranks and category counts. O(columns · n + numerical columns² · n)
 * after the sorts.
 *
 * @example
 * ```ts
 * import { driftReportOfTables } from "./report.ts";
 * import { ColumnarTable } from "./columnar.ts";
 * const ref = ColumnarTable.fromRows([{ x: 1.5 }, { x: 2.5 }, { x: 3.5 }]);
 * const cur = ColumnarTable.fromRows([{ x: 1.5 }, { x: 2.5 }, { x: 9.5 }]);
 * driftReportOfTables(ref, cur).quality[0].kind; // "numerical"
 * ```
 */
export function driftReportOfTables(
  reference: ColumnarTable,
  current: ColumnarTable,
  options: DatasetDriftOptions = {},
): DriftReport {
  const pairs = new Map<string, ColumnPair>();
  const drift = datasetDriftOfTables(reference, current, options, pairs);
  const columns = drift.columns.map((c) => c.column);
  const kinds: Record<string, ColumnKind> = {};
  for (const c of drift.columns) kinds[c.column] = c.kind;
  const numerical = drift.columns.filter((c) => c.kind === "numerical").map((c) => c.column);
  return {
    ...drift,
    quality: qualityOfTables(reference, current, columns, kinds, pairs),
    correlations: {
      reference: correlationsOfTable(reference, numerical),
      current: correlationsOfTable(current, numerical),
    },
  };
}

function fmt(v: number | null): string {
  if (v === null || Number.isNaN(v)) return "-";
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e6 ? v.toFixed(4) : v.toExponential(3);
}

/**
 * Renders a report as an aligned plain-text table. O(columns).
 *
 * @example
 * ```ts
 * import { driftReport, formatReport } from "./report.ts";
 * const text = formatReport(driftReport([{ x: 1 }, { x: 2 }], [{ x: 1 }, { x: 3 }]));
 * text.includes("column"); // true
 * ```
 */
export function formatReport(report: DatasetDriftResult): string {
  const head = [
    "column",
    "kind",
    "stattest",
    "statistic",
    "p_value",
    "score",
    "threshold",
    "drift",
  ];
  const rows = report.columns.map((c) => [
    c.column,
    c.kind,
    c.stattest,
    fmt(c.statistic),
    c.p_value === null ? "-" : fmt(c.p_value),
    fmt(c.score),
    fmt(c.threshold),
    c.drifted ? "DRIFT" : "ok",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i >= 3 && i <= 6 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ").trimEnd();
  const out = [
    `reference rows: ${report.reference_rows}   current rows: ${report.current_rows}`,
    `dataset drift: ${
      report.dataset_drift ? "YES" : "no"
    } (${report.drifted_columns} of ${report.columns_total} columns drifted, share ${
      report.share_of_drifted_columns.toFixed(3)
    }, threshold ${report.drift_share})`,
    "",
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ];
  return out.join("\n");
}

/**
 * The JSON form of a value of type `T`: every number may arrive as `null`, because
 * `JSON.stringify` writes NaN and ±Infinity as `null` (a p-value of a single category is NaN).
 * Arrays and objects are mapped member by member; strings, booleans and null stay as they are.
 * The browser reads the drift API's answers as `JsonSafe<DriftStatus>`.
 *
 * @example
 * ```ts
 * import type { JsonSafe } from "./report.ts";
 * const column: JsonSafe<{ column: string; score: number }> = { column: "x", score: null };
 * ```
 */
export type JsonSafe<T> = T extends number ? number | null
  : T extends string | boolean | null | undefined ? T
  : T extends readonly (infer U)[] ? JsonSafe<U>[]
  : T extends object ? { [K in keyof T]: JsonSafe<T[K]> }
  : T;

/**
 * JSON-safe copy of a value: NaN and ±Infinity become null (JSON has no such numbers).
 *
 * @example
 * ```ts
 * import { toJsonSafe } from "./report.ts";
 * toJsonSafe({ p: NaN }); // { p: null }
 * ```
 */
export function toJsonSafe<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
  );
}
