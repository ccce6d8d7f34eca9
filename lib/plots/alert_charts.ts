/**
 * The alert charts (notebook 05): when each rule would have been pending (yellow) and firing
 * (red) over a span of recorded traffic, and one rule's value against its threshold over time.
 * They read a `backtestRules` result (lib/alerts) and use the palette's colours.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { AlertInterval, BacktestPoint } from "../alerts/backtest.ts";
import { PALETTE } from "./palette.ts";

/** Titles of the alert charts. */
export const ALERT_CHART_TITLES = Object.freeze({
  timeline: "When each rule would have fired",
  value: "Rule value against its threshold",
});

/** Colours of alert states: pending is attention yellow, firing is error red. */
export const ALERT_STATE_COLORS = Object.freeze({
  pending: PALETTE.attention,
  firing: PALETTE.error,
});

/**
 * One row per rule (every rule named, even one that never fired), a bar for each pending and
 * firing span over the time axis of the span replayed. O(n).
 *
 * @example
 * ```ts
 * Plot.plot(alertTimelineSpec(result.intervals, { from: result.from, to: result.to,
 *   rules: ["slow p95", "errors"] }));
 * ```
 */
export function alertTimelineSpec(
  intervals: readonly AlertInterval[],
  span: { from: number; to: number; rules: readonly string[] },
): Plot.PlotOptions {
  if (!(span.to >= span.from)) {
    throw new RangeError(`Expected to ≥ from, found ${span.to} < ${span.from}`);
  }
  const rules = [...new Set([...span.rules, ...intervals.map((i) => i.rule_name)])];
  const rows = intervals.map((i) => ({
    rule: i.rule_name,
    state: i.state,
    start: new Date(i.start),
    // a span that began and ended at one evaluation still shows as a sliver
    end: new Date(Math.max(i.end, i.start + (span.to - span.from) / 500)),
    tip: `${i.rule_name}: ${i.state} from ${new Date(i.start).toISOString()} to ${
      new Date(i.end).toISOString()
    }${i.open ? " (still at the end)" : ""}${i.peak === null ? "" : `, peak ${i.peak}`}`,
  }));
  return {
    title: ALERT_CHART_TITLES.timeline,
    height: 60 + 34 * Math.max(1, rules.length),
    marginLeft: 170,
    x: { type: "utc", domain: [new Date(span.from), new Date(span.to)], label: "Time (UTC)" },
    y: { domain: rules, label: null },
    color: {
      legend: true,
      domain: ["pending", "firing"],
      range: [ALERT_STATE_COLORS.pending, ALERT_STATE_COLORS.firing],
    },
    marks: [
      Plot.frame({ stroke: PALETTE.empty }),
      Plot.barX(rows, {
        x1: "start",
        x2: "end",
        y: "rule",
        fill: "state",
        title: "tip",
        insetTop: 4,
        insetBottom: 4,
      }),
    ],
  };
}

/**
 * One rule's value at each evaluation (a line; gaps where it had no data) and its threshold as a
 * dashed red rule; evaluations where the condition held are red dots. O(n).
 *
 * @example
 * ```ts
 * Plot.plot(ruleValueSpec(result.series.filter((p) => p.rule_id === "p95"), "slow p95"));
 * ```
 */
export function ruleValueSpec(
  points: readonly BacktestPoint[],
  ruleName: string,
): Plot.PlotOptions {
  const rows = points.map((p) => ({ ts: new Date(p.ts), value: p.value, active: p.active }));
  const threshold = points.find((p) => Number.isFinite(p.threshold))?.threshold ?? null;
  return {
    title: `${ALERT_CHART_TITLES.value}: ${ruleName}`,
    height: 240,
    marginLeft: 55,
    x: { type: "utc", label: "Time (UTC)" },
    y: { label: "Value", grid: true, zero: true },
    marks: [
      Plot.lineY(rows, {
        x: "ts",
        y: (d: { value: number | null }) => d.value ?? NaN,
        stroke: PALETTE.current,
        strokeWidth: 1.5,
      }),
      Plot.dot(rows.filter((r) => r.active), {
        x: "ts",
        y: "value",
        fill: PALETTE.error,
        r: 2.5,
      }),
      ...(threshold === null
        ? []
        : [Plot.ruleY([threshold], { stroke: PALETTE.error, strokeDasharray: "4,3" })]),
    ],
  };
}
