/**
 * Full drift report: dataset drift, data quality and correlations.
 *
 * @module
 */

import { correlationMatrices, type Correlations } from "./correlation.ts";
import {
  datasetDrift,
  type DatasetDriftOptions,
  type DatasetDriftResult,
} from "./dataset_drift.ts";
import { type ColumnQuality, qualitySummary } from "./quality.ts";
import type { ColumnKind, Row } from "../../types.ts";

/** A full report. */
export interface DriftReport extends DatasetDriftResult {
  /** Data-quality summary of the compared columns. */
  quality: ColumnQuality[];
  /** Correlation matrices of the numerical columns in reference and current. */
  correlations: { reference: Correlations; current: Correlations };
}

/**
 * Dataset drift, data-quality summary and correlation matrices of the compared columns.
 * O(columns · n log n + numerical columns² · n log n).
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
  const drift = datasetDrift(reference, current, options);
  const columns = drift.columns.map((c) => c.column);
  const kinds: Record<string, ColumnKind> = {};
  for (const c of drift.columns) kinds[c.column] = c.kind;
  const numerical = drift.columns.filter((c) => c.kind === "numerical").map((c) => c.column);
  return {
    ...drift,
    quality: qualitySummary(reference, current, columns, kinds),
    correlations: {
      reference: correlationMatrices(reference, numerical),
      current: correlationMatrices(current, numerical),
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
