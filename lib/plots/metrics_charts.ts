/**
 * The Real-time Metrics charts (dashboard tab 1 and notebooks 01 and 04): latency trend,
 * success/failure donut, completion-token and response-length histograms, from a
 * `MetricsSnapshot`.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { HistogramBin, MetricsSnapshot } from "../metrics/mod.ts";
import { donutSegments } from "./donut.ts";
import { PALETTE, statusColorScale } from "./palette.ts";
import { CHART_TITLES } from "./titles.ts";

/** Points of the latency trend drawn: the newest ones. */
export const TREND_POINTS = 1_000;
/** Above this many points the trend is a line with only the failures as dots. */
export const TREND_DOTS = 300;

type TrendPoint = MetricsSnapshot["latency_trend"][number];

/**
 * Latency (s) over request number, one dot per request coloured by status, a tip following the
 * pointer. Only the newest {@linkcode TREND_POINTS} are drawn; above {@linkcode TREND_DOTS}
 * points only failures keep their dot. O(n).
 *
 * @example
 * ```ts
 * Plot.plot(latencyTrendSpec(snapshot.latency_trend));
 * ```
 */
export function latencyTrendSpec(all: readonly TrendPoint[]): Plot.PlotOptions {
  const trend = all.length > TREND_POINTS ? all.slice(-TREND_POINTS) : [...all];
  const dots = trend.length > TREND_DOTS ? trend.filter((d) => d.status !== "success") : trend;
  return {
    title: CHART_TITLES.latencyTrend,
    height: 260,
    marginLeft: 50,
    x: { label: "Request number", tickFormat: "d" },
    y: { label: "Latency (s)", grid: true, zero: true },
    color: statusColorScale(),
    marks: [
      Plot.lineY(trend, { x: "n", y: "latency_s", stroke: PALETTE.current, strokeWidth: 1.5 }),
      Plot.dot(dots, {
        x: "n",
        y: "latency_s",
        fill: "status",
        r: 3,
        title: (d: TrendPoint) => `#${d.n}: ${d.latency_s.toFixed(2)} s (${d.status})`,
      }),
      Plot.tip(trend, Plot.pointerX({ x: "n", y: "latency_s" })),
    ],
  };
}

const SVG = "http://www.w3.org/2000/svg";

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/**
 * Successful against failed requests as a donut in green and red, the success rate in its
 * centre and a legend with counts beside it; a grey ring when there are no requests. (Plot has
 * no pie mark: the donut is a render mark over {@linkcode donutSegments}.)
 *
 * @example
 * ```ts
 * Plot.plot(statusSpec(snapshot.succeeded, snapshot.failed));
 * ```
 */
export function statusSpec(succeeded: number, failed: number): Plot.PlotOptions {
  for (const [name, v] of [["succeeded", succeeded], ["failed", failed]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`Expected ${name} to be a whole number ≥ 0, found ${v}`);
    }
  }
  const slices = [
    { status: "success", label: "Success", count: succeeded, color: PALETTE.success },
    { status: "error", label: "Failure", count: failed, color: PALETTE.error },
  ];
  const total = succeeded + failed;
  const height = 170;
  const outer = 70;
  const inner = 42;
  const donut = (
    _index: number[],
    _scales: Plot.ScaleFunctions,
    _values: Plot.ChannelValues,
    _dimensions: Plot.Dimensions,
    context: Plot.Context,
  ) => {
    const doc = context.document;
    const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
      const node = doc.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
      if (text !== undefined) node.textContent = text;
      return node;
    };
    const g = el("g", { "aria-label": "status donut" });
    const ring = el("g", { transform: `translate(${outer + 10},${height / 2})` });
    g.append(ring);
    if (total === 0) {
      ring.append(el("circle", {
        r: (outer + inner) / 2,
        fill: "none",
        stroke: PALETTE.empty,
        "stroke-width": outer - inner,
      }));
    }
    for (const s of donutSegments(slices, (d) => d.count, outer, inner)) {
      const path = el("path", { d: s.d, fill: s.datum.color, "data-slice": s.datum.status });
      path.append(el("title", {}, `${s.datum.label}: ${s.value} (${percent(s.share)})`));
      ring.append(path);
    }
    ring.append(el("text", {
      "text-anchor": "middle",
      dy: "0.35em",
      "font-size": 20,
      "font-weight": 600,
    }, total ? `${Math.round((succeeded / total) * 100)}%` : "—"));
    slices.forEach((s, i) => {
      const y = height / 2 - 14 + i * 24;
      const x = 2 * outer + 40;
      g.append(el("rect", { x, y: y - 6, width: 12, height: 12, fill: s.color }));
      g.append(el(
        "text",
        { x: x + 18, y, dy: "0.35em", "text-anchor": "start", "font-size": 12 },
        `${s.label}: ${s.count}${total ? ` (${percent(s.count / total)})` : ""}`,
      ));
    });
    return g as unknown as SVGElement;
  };
  return {
    title: CHART_TITLES.status,
    height,
    marks: [donut],
  };
}

/** Options of {@linkcode histogramSpec}. */
export interface HistogramOptions {
  /** What is counted, for the x axis (e.g. "Completion tokens"). */
  label: string;
  /** The chart's title. Default `${label} distribution`. */
  title?: string;
  /** Bar colour. Default the palette's current blue. */
  color?: string;
}

/**
 * A histogram of responses from precomputed bins, each bar with a tip "x0–x1: n responses".
 *
 * @example
 * ```ts
 * Plot.plot(histogramSpec(snapshot.token_histogram, { label: "Completion tokens" }));
 * ```
 */
export function histogramSpec(
  bins: readonly HistogramBin[],
  options: HistogramOptions,
): Plot.PlotOptions {
  if (!options || typeof options.label !== "string") {
    throw new TypeError(
      `Expected histogram options with a label, found ${JSON.stringify(options)}`,
    );
  }
  return {
    title: options.title ?? `${options.label} distribution`,
    height: 220,
    marginLeft: 45,
    x: { label: options.label },
    y: { label: "Responses", grid: true },
    marks: [
      Plot.rectY(bins, {
        x1: "x0",
        x2: "x1",
        y: "count",
        fill: options.color ?? PALETTE.current,
        inset: 0.5,
        tip: true,
        title: (b: HistogramBin) => `${b.x0}–${b.x1}: ${b.count} responses`,
      }),
      Plot.ruleY([0]),
    ],
  };
}

/**
 * Completion tokens per response (the snapshot's `token_histogram`), in purple.
 *
 * @example
 * ```ts
 * Plot.plot(tokenHistogramSpec(snapshot.token_histogram));
 * ```
 */
export function tokenHistogramSpec(bins: readonly HistogramBin[]): Plot.PlotOptions {
  return histogramSpec(bins, {
    label: "Completion tokens",
    title: CHART_TITLES.tokens,
    color: PALETTE.tokens,
  });
}

/**
 * Response length in characters (the snapshot's `response_length_histogram`), in gold.
 *
 * @example
 * ```ts
 * Plot.plot(responseLengthHistogramSpec(snapshot.response_length_histogram));
 * ```
 */
export function responseLengthHistogramSpec(bins: readonly HistogramBin[]): Plot.PlotOptions {
  return histogramSpec(bins, {
    label: "Response length (characters)",
    title: CHART_TITLES.responseLength,
    color: PALETTE.characters,
  });
}
