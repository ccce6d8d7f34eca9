/**
 * The drift charts (dashboard tab 4 and notebook 02): how far each column is from its drift
 * threshold, reference-against-current distributions per column, and correlation heat maps.
 * They read a drift report as `lib/drift` makes it or as the API serves it (non-finite numbers as
 * null).
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { ColumnKind } from "../drift/types.ts";
import { PALETTE, windowColorScale } from "./palette.ts";
import { CHART_TITLES, type CorrelationMethod, correlationTitle } from "./titles.ts";
import {
  columnVerdict,
  DRIFT_RATIO_RANGE,
  driftRatio,
  type Verdict,
  VERDICT_COLORS,
  VERDICT_LABELS,
  type VerdictInput,
} from "./verdict.ts";
import {
  categoryShares,
  DISTRIBUTION_BINS,
  DISTRIBUTION_CATEGORIES,
  sharedHistogram,
} from "./window_shares.ts";

/** One column of a drift report, as the score chart reads it. */
export interface DriftScore extends VerdictInput {
  column: string;
}

/**
 * Each column's distance from its drift threshold on one log scale (threshold ÷ p-value for
 * tests, distance ÷ threshold for distances, see {@linkcode driftRatio}): right of 1 drifts.
 * Bars are coloured by verdict (green no drift, yellow close, red drift); each bar's tip shows the
 * test and its score. Columns without a usable score are left out. O(n).
 *
 * @example
 * ```ts
 * Plot.plot(driftScoresSpec(report.columns));
 * ```
 */
export function driftScoresSpec(columns: readonly DriftScore[]): Plot.PlotOptions {
  const rows = columns.map((c) => ({
    column: c.column,
    stattest: c.stattest,
    score: c.score,
    ratio: driftRatio(c),
    verdict: columnVerdict(c),
  })).filter((r) => r.ratio !== null);
  const verdicts: Verdict[] = ["ok", "close", "drift"];
  return {
    title: CHART_TITLES.driftScores,
    height: 50 + 22 * Math.max(1, rows.length),
    marginLeft: 190,
    x: {
      type: "log",
      domain: [...DRIFT_RATIO_RANGE],
      ticks: [1e-3, 1e-2, 1e-1, 1, 10, 100, 1e3],
      tickFormat: (d: number) => String(d),
      label: "Distance from the threshold (log scale; right of 1 = drift)",
      grid: true,
    },
    y: { label: null, domain: rows.map((r) => r.column) },
    color: {
      domain: verdicts,
      range: verdicts.map((v) => VERDICT_COLORS[v]),
      tickFormat: (v: Verdict) => VERDICT_LABELS[v],
      legend: true,
    },
    marks: [
      Plot.barX(rows, {
        y: "column",
        x1: DRIFT_RATIO_RANGE[0],
        x2: "ratio",
        fill: "verdict",
        tip: true,
        channels: { test: "stattest", score: "score" },
      }),
      Plot.ruleX([1], { stroke: PALETTE.ink, strokeWidth: 1.5, strokeDasharray: "4 3" }),
    ],
  };
}

/** A cell value of a drift window, as the distribution chart reads it. */
export type WindowValue = number | string | boolean | null;

/**
 * Whether a column has anything to draw in {@linkcode distributionSpec}: a finite number (for a
 * numerical column) or a non-missing value in either window. O(n).
 *
 * @example
 * ```ts
 * hasDistribution("numerical", [null], [null]); // false
 * ```
 */
export function hasDistribution(
  kind: ColumnKind,
  reference: readonly WindowValue[],
  current: readonly WindowValue[],
): boolean {
  return numericColumn(kind, reference, current)
    ? sharedHistogram(reference, current, 1).length > 0
    : categoryShares(reference, current, 1).length > 0;
}

function numericColumn(
  kind: ColumnKind,
  reference: readonly WindowValue[],
  current: readonly WindowValue[],
): boolean {
  return kind === "numerical" &&
    reference.every((v) => v === null || typeof v === "number") &&
    current.every((v) => v === null || typeof v === "number");
}

/**
 * Reference against current distribution of one column, reference grey and current blue, as
 * shares of each window: for numbers, overlaid histograms over {@linkcode DISTRIBUTION_BINS}
 * bins shared by both windows ({@linkcode sharedHistogram}); for categories, grouped bars of the
 * {@linkcode DISTRIBUTION_CATEGORIES} most frequent ({@linkcode categoryShares}). The title is
 * the column's name. O(n + k log k).
 *
 * @example
 * ```ts
 * Plot.plot(distributionSpec("latency_s", "numerical", reference, current));
 * ```
 */
export function distributionSpec(
  column: string,
  kind: ColumnKind,
  reference: readonly WindowValue[],
  current: readonly WindowValue[],
): Plot.PlotOptions {
  if (kind !== "numerical" && kind !== "categorical") {
    throw new RangeError(
      `Expected kind "numerical" or "categorical", found ${JSON.stringify(kind)}`,
    );
  }
  if (numericColumn(kind, reference, current)) {
    const bins = sharedHistogram(reference, current, DISTRIBUTION_BINS);
    return {
      title: column,
      height: 200,
      marginLeft: 45,
      x: { label: column },
      y: { label: "Share", grid: true, tickFormat: "%" },
      color: windowColorScale(),
      marks: [
        // overlaid, not stacked: explicit y1/y2
        Plot.rect(bins, {
          x1: "x0",
          x2: "x1",
          y1: 0,
          y2: "share",
          fill: "window",
          fillOpacity: 0.5,
          inset: 0.5,
          tip: true,
        }),
        Plot.ruleY([0]),
      ],
    };
  }
  const shares = categoryShares(reference, current, DISTRIBUTION_CATEGORIES);
  const categories = new Set(shares.map((s) => s.category)).size;
  return {
    title: column,
    height: 220,
    marginLeft: 45,
    marginBottom: 50,
    fx: { label: null, tickRotate: categories > 6 ? -30 : 0 },
    x: { axis: null, domain: ["reference", "current"] },
    y: { label: "Share", grid: true, tickFormat: "%" },
    color: windowColorScale(),
    marks: [
      Plot.barY(shares, { fx: "category", x: "window", y: "share", fill: "window", tip: true }),
      Plot.ruleY([0]),
    ],
  };
}

/** A square correlation matrix with its column names (null where undefined). */
export interface CorrelationMatrix {
  columns: readonly string[];
  values: readonly (readonly (number | null)[])[];
}

/** One cell of a correlation heat map. */
export interface CorrelationCell {
  x: string;
  y: string;
  value: number | null;
}

/**
 * Cells of a correlation matrix for a heat map (row-major); non-finite values become null.
 * O(k²).
 *
 * @example
 * ```ts
 * correlationCells({ columns: ["a", "b"], values: [[1, 0.5], [0.5, 1]] }).length; // 4
 * ```
 */
export function correlationCells(matrix: CorrelationMatrix): CorrelationCell[] {
  const cells: CorrelationCell[] = [];
  matrix.columns.forEach((y, i) => {
    matrix.columns.forEach((x, j) => {
      const v = matrix.values[i]?.[j];
      cells.push({ x, y, value: typeof v === "number" && Number.isFinite(v) ? v : null });
    });
  });
  return cells;
}

/** Above this many columns the heat map's cells carry no printed value. */
export const HEATMAP_LABELLED_COLUMNS = 12;

/**
 * A correlation matrix as a heat map in ten bands of 0.2, −1 blue … +1 red, each cell with its
 * value printed (up to {@linkcode HEATMAP_LABELLED_COLUMNS} columns; "n/a" where undefined) and a
 * tip. The title says method and window ({@linkcode correlationTitle}). O(k²).
 *
 * @example
 * ```ts
 * Plot.plot(correlationHeatmapSpec(report.correlations.reference.pearson, "pearson", "reference"));
 * ```
 */
export function correlationHeatmapSpec(
  matrix: CorrelationMatrix,
  method: CorrelationMethod,
  window: "reference" | "current",
): Plot.PlotOptions {
  const cells = correlationCells(matrix);
  const k = matrix.columns.length;
  return {
    title: correlationTitle(method, window),
    height: 140 + 26 * k,
    marginLeft: 170,
    marginBottom: 130,
    x: { label: null, tickRotate: -45, domain: [...matrix.columns] },
    y: { label: null, domain: [...matrix.columns] },
    // ten bands of 0.2: a banded legend draws without a canvas (notebooks render server-side)
    color: {
      type: "quantize",
      n: 10,
      scheme: "RdBu",
      reverse: true,
      domain: [-1, 1],
      legend: true,
      label: "correlation",
    },
    marks: [
      Plot.cell(cells.filter((c) => c.value !== null), {
        x: "x",
        y: "y",
        fill: "value",
        inset: 0.5,
        tip: true,
      }),
      ...(k <= HEATMAP_LABELLED_COLUMNS
        ? [
          Plot.text(cells, {
            x: "x",
            y: "y",
            text: (c: CorrelationCell) => (c.value === null ? "n/a" : c.value.toFixed(2)),
            fill: (c: CorrelationCell) =>
              c.value !== null && Math.abs(c.value) > 0.6 ? "white" : PALETTE.ink,
            fontSize: 9,
          }),
        ]
        : []),
    ],
  };
}
