/**
 * The feedback and cost charts of the Real-time Metrics tab (and the notebooks): the share of
 * favourable feedback over time, and what the traffic cost against what it would cost on hosted
 * models.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { PALETTE } from "./palette.ts";
import { CHART_TITLES } from "./titles.ts";

/** One bucket of the feedback trend (a `FeedbackSnapshot`'s `trend`). */
export interface FeedbackTrendPoint {
  /** Start of the bucket, epoch ms. */
  t: number;
  count: number;
  up: number;
  share_up: number;
}

/** Options of {@linkcode feedbackTrendSpec}. */
export interface FeedbackTrendOptions {
  /** Width of a bucket, ms (for the tips). */
  bucketMs?: number;
  /** IANA time zone of the time axis. Default UTC. */
  timeZone?: string;
}

/**
 * The share of favourable feedback (thumbs up, ratings ≥ 0.5) per time bucket: a line with a
 * dot per bucket sized by its number of feedbacks, on a 0–100 % axis, a tip with the counts.
 * O(n).
 *
 * @example
 * ```ts
 * Plot.plot(feedbackTrendSpec(snapshot.feedback.trend, { bucketMs: snapshot.feedback.bucket_ms }));
 * ```
 */
export function feedbackTrendSpec(
  trend: readonly FeedbackTrendPoint[],
  options: FeedbackTrendOptions = {},
): Plot.PlotOptions {
  if (!Array.isArray(trend)) {
    throw new TypeError(`Expected the feedback trend as an array, found ${typeof trend}`);
  }
  const timeZone = options.timeZone ?? "UTC";
  const fmt = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const rows = trend.map((p) => ({ ...p, time: new Date(p.t) }));
  const minutes = options.bucketMs ? Math.round(options.bucketMs / 60_000) : null;
  return {
    title: CHART_TITLES.feedbackTrend,
    height: 220,
    marginLeft: 50,
    x: { type: "time", label: `Time (${timeZone})`, tickFormat: (d: Date) => fmt.format(d) },
    y: { label: "Thumbs up (%)", domain: [0, 100], grid: true },
    r: { range: [3, 9] },
    marks: [
      Plot.ruleY([50], { stroke: PALETTE.reference, strokeDasharray: "4,3" }),
      Plot.lineY(rows, { x: "time", y: (d) => d.share_up * 100, stroke: PALETTE.success }),
      Plot.dot(rows, {
        x: "time",
        y: (d) => d.share_up * 100,
        r: "count",
        fill: PALETTE.success,
        title: (d: FeedbackTrendPoint & { time: Date }) =>
          `${fmt.format(d.time)}${minutes ? ` (${minutes} min)` : ""}: ${d.up} of ${d.count} up (${
            (d.share_up * 100).toFixed(0)
          }%)`,
      }),
    ],
  };
}

/** One bar of the cost comparison. */
export interface CostBar {
  /** "this traffic" or a hosted model's name. */
  name: string;
  total_usd: number;
  /** True for the traffic's actual cost. */
  actual: boolean;
}

/**
 * What the traffic cost (its priced calls) against what its tokens would cost on each hosted
 * model: horizontal bars in USD, the actual cost in blue, hosted models in grey. O(n).
 *
 * @example
 * ```ts
 * Plot.plot(hostedCostSpec(snapshot.cost.total_usd, snapshot.cost.hosted));
 * ```
 */
export function hostedCostSpec(
  actualUsd: number,
  hosted: readonly { name: string; total_usd: number }[],
): Plot.PlotOptions {
  if (typeof actualUsd !== "number" || !Number.isFinite(actualUsd) || actualUsd < 0) {
    throw new RangeError(`Expected the actual cost as a number ≥ 0, found ${actualUsd}`);
  }
  const bars: CostBar[] = [
    { name: "this traffic", total_usd: actualUsd, actual: true },
    ...hosted.map((h) => ({ name: h.name, total_usd: h.total_usd, actual: false })),
  ];
  const usd = (v: number) => v >= 0.01 ? `$${v.toFixed(2)}` : `$${v.toPrecision(2)}`;
  return {
    title: CHART_TITLES.hostedCost,
    height: 40 + 28 * bars.length,
    marginLeft: 130,
    x: { label: "USD", grid: true, zero: true },
    y: { label: null, domain: bars.map((b) => b.name) },
    marks: [
      Plot.barX(bars, {
        x: "total_usd",
        y: "name",
        fill: (d: CostBar) => d.actual ? PALETTE.current : PALETTE.reference,
        title: (d: CostBar) => `${d.name}: ${usd(d.total_usd)}`,
      }),
      Plot.text(bars, {
        x: "total_usd",
        y: "name",
        text: (d: CostBar) => usd(d.total_usd),
        textAnchor: "start",
        dx: 4,
        fill: PALETTE.ink,
      }),
      Plot.ruleX([0]),
    ],
  };
}
