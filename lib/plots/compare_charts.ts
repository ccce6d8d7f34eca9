/**
 * The charts of an A/B comparison (the dashboard's Compare tab and notebook 06): the difference
 * of B from A per numeric column with its bootstrap confidence interval, and the rates of the
 * binary columns (success, thumbs up) side by side. They read `compareColumns`'s result, or its
 * JSON form.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { PALETTE } from "./palette.ts";
import { CHART_TITLES } from "./titles.ts";

/** The fields of a numeric column's comparison the charts read. */
export interface NumericColumnLike {
  column: string;
  kind: "numeric";
  mean_a: number;
  mean_b: number;
  difference: number;
  significant: boolean;
  p_adjusted: number | null;
  tests: { bootstrap: { ci_low: number | null; ci_high: number | null; level: number } };
}

/** The fields of a binary column's comparison the charts read. */
export interface BinaryColumnLike {
  column: string;
  kind: "binary";
  rate_a: number;
  rate_b: number;
  n_a: number;
  n_b: number;
  significant: boolean;
  p_adjusted: number | null;
}

/** A compared column, as the charts read it. */
export type ColumnLike = NumericColumnLike | BinaryColumnLike | { kind: string; column: string };

/** One row of the difference chart. */
export interface DifferenceRow {
  column: string;
  /** (mean_b − mean_a) / |mean_a|, in %. */
  percent: number;
  low: number;
  high: number;
  significant: boolean;
  label: string;
}

/** Colours of significant and not significant differences. */
const SIGNIFICANCE = {
  domain: ["significant", "not significant"],
  range: [PALETTE.current, PALETTE.reference],
};

/**
 * The rows of {@linkcode comparisonDifferenceSpec}: each numeric column whose A mean is not 0,
 * its difference and interval relative to A's mean, in %. O(columns).
 *
 * @example
 * ```ts
 * differenceRows(result.columns)[0].percent; // e.g. -42.5: B is 42.5 % lower
 * ```
 */
export function differenceRows(columns: readonly ColumnLike[]): DifferenceRow[] {
  if (!Array.isArray(columns)) {
    throw new TypeError(`Expected the compared columns as an array, found ${typeof columns}`);
  }
  const rows: DifferenceRow[] = [];
  for (const c of columns) {
    if (c.kind !== "numeric") continue;
    const n = c as NumericColumnLike;
    const base = Math.abs(n.mean_a);
    const { ci_low, ci_high, level } = n.tests.bootstrap;
    if (!(base > 0) || ci_low === null || ci_high === null) continue;
    const pct = (v: number) => (v / base) * 100;
    rows.push({
      column: n.column,
      percent: pct(n.difference),
      low: pct(ci_low),
      high: pct(ci_high),
      significant: n.significant,
      label: `${n.column}: ${pct(n.difference) >= 0 ? "+" : ""}${pct(n.difference).toFixed(1)} % [${
        pct(ci_low).toFixed(1)
      }, ${pct(ci_high).toFixed(1)}] (${Math.round(level * 100)} % CI), p ${
        n.p_adjusted === null
          ? "n/a"
          : n.p_adjusted < 0.001
          ? "< 0.001"
          : `= ${n.p_adjusted.toPrecision(2)}`
      }`,
    });
  }
  return rows;
}

/**
 * The difference of B from A per numeric column, relative to A's mean (%), with the bootstrap
 * confidence interval as a bar through the dot: blue when significant, grey when not; a rule at
 * 0 (no difference). O(columns).
 *
 * @example
 * ```ts
 * Plot.plot(comparisonDifferenceSpec(result.columns));
 * ```
 */
export function comparisonDifferenceSpec(columns: readonly ColumnLike[]): Plot.PlotOptions {
  const rows = differenceRows(columns);
  const sig = (d: DifferenceRow) => d.significant ? "significant" : "not significant";
  return {
    title: CHART_TITLES.comparisonDifferences,
    height: 50 + 32 * Math.max(1, rows.length),
    marginLeft: 130,
    x: { label: "B − A, % of A's mean (95 % CI)", grid: true },
    y: { label: null, domain: rows.map((r) => r.column) },
    color: { legend: true, ...SIGNIFICANCE },
    marks: [
      Plot.ruleX([0], { stroke: PALETTE.ink }),
      Plot.link(rows, {
        x1: "low",
        x2: "high",
        y1: "column",
        y2: "column",
        stroke: sig,
        strokeWidth: 3,
      }),
      Plot.dot(rows, {
        x: "percent",
        y: "column",
        fill: sig,
        r: 5,
        title: (d: DifferenceRow) => d.label,
      }),
    ],
  };
}

/** One bar of the rates chart. */
export interface RateBar {
  column: string;
  side: "A" | "B";
  rate: number;
  n: number;
}

/**
 * The rates of the binary columns (success, thumbs up) in A and B as bars, one group per
 * column, A grey and B blue, with the counts in the tips. O(columns).
 *
 * @example
 * ```ts
 * Plot.plot(comparisonRatesSpec(result.columns));
 * ```
 */
export function comparisonRatesSpec(columns: readonly ColumnLike[]): Plot.PlotOptions {
  const bars: RateBar[] = [];
  for (const c of columns) {
    if (c.kind !== "binary") continue;
    const b = c as BinaryColumnLike;
    bars.push({ column: b.column, side: "A", rate: b.rate_a, n: b.n_a });
    bars.push({ column: b.column, side: "B", rate: b.rate_b, n: b.n_b });
  }
  return {
    title: CHART_TITLES.comparisonRates,
    height: 40 + 44 * Math.max(1, bars.length / 2),
    marginLeft: 60,
    x: { label: "Rate (%)", domain: [0, 100], grid: true },
    fy: { label: null },
    y: { label: null, domain: ["A", "B"] },
    color: { legend: true, domain: ["A", "B"], range: [PALETTE.reference, PALETTE.current] },
    marks: [
      Plot.barX(bars, {
        x: (d: RateBar) => d.rate * 100,
        y: "side",
        fy: "column",
        fill: "side",
        title: (d: RateBar) => `${d.column}, ${d.side}: ${(d.rate * 100).toFixed(1)} % of ${d.n}`,
      }),
      Plot.ruleX([0]),
    ],
  };
}
