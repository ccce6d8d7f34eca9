/**
 * Chart specifications (Observable Plot options) for the product's charts, from the same numbers
 * the API serves. The notebooks render them to SVG; they are free of `Deno.*` and of the DOM, so
 * the browser can use them too.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { HistogramBin, MetricsSnapshot } from "../metrics/mod.ts";

/** Colours of outcomes: green for success, red for errors. */
export const STATUS_COLORS = Object.freeze({ success: "#1a7f37", error: "#cf222e" });

const statusColor = {
  legend: true,
  domain: ["success", "error"],
  range: [STATUS_COLORS.success, STATUS_COLORS.error],
};

/**
 * Latency (s) over request number, as the Real-time Metrics tab shows it.
 *
 * @example
 * ```ts
 * Plot.plot(latencyTrendSpec(snapshot.latency_trend));
 * ```
 */
export function latencyTrendSpec(trend: MetricsSnapshot["latency_trend"]): Plot.PlotOptions {
  return {
    title: "Latency trend",
    x: { label: "Request number" },
    y: { label: "Latency (s)", grid: true, zero: true },
    color: statusColor,
    marks: [
      Plot.lineY(trend, { x: "n", y: "latency_s", stroke: "#57606a" }),
      Plot.dot(trend, { x: "n", y: "latency_s", fill: "status", r: 2.5 }),
    ],
  };
}

/**
 * Success against failure as one 100% bar in green and red.
 *
 * @example
 * ```ts
 * Plot.plot(statusSpec(snapshot.succeeded, snapshot.failed));
 * ```
 */
export function statusSpec(succeeded: number, failed: number): Plot.PlotOptions {
  const data = [
    { status: "success", count: succeeded },
    { status: "error", count: failed },
  ];
  return {
    title: "Success / failure",
    height: 90,
    x: { label: "Share of requests (%)", percent: true },
    color: statusColor,
    marks: [
      Plot.barX(data, Plot.stackX({ x: "count", fill: "status", offset: "normalize" })),
      Plot.ruleX([0]),
    ],
  };
}

/**
 * A histogram from precomputed bins (token counts, response lengths).
 *
 * @example
 * ```ts
 * Plot.plot(histogramSpec(snapshot.token_histogram, "Completion tokens"));
 * ```
 */
export function histogramSpec(bins: HistogramBin[], label: string): Plot.PlotOptions {
  return {
    title: `${label} distribution`,
    x: { label },
    y: { label: "Responses", grid: true },
    marks: [
      Plot.rectY(bins, { x1: "x0", x2: "x1", y: "count", fill: "#0969da", inset: 0.5 }),
      Plot.ruleY([0]),
    ],
  };
}

/** One point of the tokens-against-latency chart. */
export interface TokensLatencyPoint {
  tokens: number;
  latency_s: number;
  status: string;
  response_length: number;
}

/**
 * Tokens against latency, colour = status, size = response length (the MLflow tab's scatter).
 *
 * @example
 * ```ts
 * Plot.plot(tokensVsLatencySpec(points));
 * ```
 */
export function tokensVsLatencySpec(points: TokensLatencyPoint[]): Plot.PlotOptions {
  return {
    title: "Tokens against latency",
    x: { label: "Completion tokens", grid: true },
    y: { label: "Latency (s)", grid: true },
    color: statusColor,
    r: { label: "Response length (chars)", range: [2, 10] },
    marks: [
      Plot.dot(points, {
        x: "tokens",
        y: "latency_s",
        fill: "status",
        r: "response_length",
        fillOpacity: 0.7,
      }),
    ],
  };
}

/**
 * Latency over time (x = timestamp), one line per model.
 *
 * @example
 * ```ts
 * Plot.plot(latencyOverTimeSpec(points));
 * ```
 */
export function latencyOverTimeSpec(
  points: { ts: number; latency_s: number; model?: string }[],
): Plot.PlotOptions {
  const data = points.map((p) => ({ ...p, time: new Date(p.ts), model: p.model ?? "all" }));
  return {
    title: "Latency over time",
    x: { label: "Time", type: "time" },
    y: { label: "Latency (s)", grid: true, zero: true },
    color: { legend: true, type: "categorical" },
    marks: [
      Plot.lineY(data, { x: "time", y: "latency_s", stroke: "model" }),
      Plot.dot(data, { x: "time", y: "latency_s", fill: "model", r: 2 }),
    ],
  };
}

/**
 * A numeric field's distribution per group (for example latency per model), as box plots.
 *
 * @example
 * ```ts
 * Plot.plot(boxByGroupSpec(rows, "model", "latency_s", "Latency (s)"));
 * ```
 */
export function boxByGroupSpec<T extends Record<string, unknown>>(
  rows: T[],
  group: keyof T & string,
  value: keyof T & string,
  label: string,
): Plot.PlotOptions {
  return {
    title: `${label} by ${group}`,
    marginLeft: 110,
    x: { label, grid: true },
    y: { label: null },
    marks: [Plot.boxX(rows, { x: value, y: group })],
  };
}

/** One column's drift score against its threshold. */
export interface DriftScore {
  column: string;
  score: number | null;
  threshold: number;
  drifted: boolean;
  stattest: string;
}

/**
 * Drift score per column as bars, red where the column drifted.
 *
 * @example
 * ```ts
 * Plot.plot(driftScoresSpec(report.columns));
 * ```
 */
export function driftScoresSpec(columns: DriftScore[]): Plot.PlotOptions {
  const data = columns.map((c) => ({ ...c, verdict: c.drifted ? "drift" : "no drift" }));
  return {
    title: "Drift score per column (p-value for tests, distance for distances)",
    marginLeft: 170,
    x: { label: "Score", grid: true },
    y: { label: null },
    color: {
      legend: true,
      domain: ["no drift", "drift"],
      range: [STATUS_COLORS.success, STATUS_COLORS.error],
    },
    marks: [
      Plot.barX(data, {
        x: "score",
        y: "column",
        fill: "verdict",
        sort: { y: "x", reverse: true },
      }),
      Plot.tickX(data, { x: "threshold", y: "column", stroke: "#24292f", strokeWidth: 2 }),
    ],
  };
}

/**
 * Reference against current distribution of one column: overlaid histograms for numbers,
 * grouped bars of shares for categories.
 *
 * @example
 * ```ts
 * Plot.plot(distributionSpec("latency_s", "numerical", ref, cur));
 * ```
 */
export function distributionSpec(
  column: string,
  kind: "numerical" | "categorical",
  reference: (number | string | null)[],
  current: (number | string | null)[],
): Plot.PlotOptions {
  const rows = [
    ...reference.filter((v) => v !== null).map((value) => ({ value, window: "reference" })),
    ...current.filter((v) => v !== null).map((value) => ({ value, window: "current" })),
  ];
  const color = { legend: true, domain: ["reference", "current"], range: ["#8c959f", "#0969da"] };
  if (kind === "numerical") {
    return {
      title: `${column}: reference against current`,
      x: { label: column },
      y: { label: "Share", grid: true, percent: true },
      color,
      marks: [
        Plot.rectY(
          rows,
          Plot.binX(
            { y: "proportion-facet" },
            {
              x: "value",
              fill: "window",
              mixBlendMode: "multiply",
              fillOpacity: 0.6,
              z: "window",
            } as Plot.BinXInputs<Plot.RectYOptions>,
          ),
        ),
        Plot.ruleY([0]),
      ],
    };
  }
  const shares = new Map<string, { value: string; window: string; share: number }>();
  for (const [window, values] of [["reference", reference], ["current", current]] as const) {
    const present = values.filter((v) => v !== null);
    for (const v of present) {
      const key = `${window}\u0000${v}`;
      const entry = shares.get(key) ?? { value: String(v), window, share: 0 };
      entry.share += 1 / present.length;
      shares.set(key, entry);
    }
  }
  return {
    title: `${column}: reference against current`,
    fx: { label: column },
    x: { axis: null },
    y: { label: "Share", grid: true, percent: true },
    color,
    marks: [
      Plot.barY([...shares.values()], { fx: "value", x: "window", y: "share", fill: "window" }),
      Plot.ruleY([0]),
    ],
  };
}

/** A square correlation matrix with its column names. */
export interface CorrelationMatrix {
  columns: string[];
  values: (number | null)[][];
}

/**
 * A correlation matrix as a heat map (−1 blue … +1 red).
 *
 * @example
 * ```ts
 * Plot.plot(correlationHeatmapSpec({ columns, values }, "Pearson, reference"));
 * ```
 */
export function correlationHeatmapSpec(matrix: CorrelationMatrix, title: string): Plot.PlotOptions {
  const cells = matrix.columns.flatMap((row, i) =>
    matrix.columns.map((column, j) => ({ row, column, value: matrix.values[i][j] }))
  );
  return {
    title,
    marginLeft: 150,
    marginBottom: 110,
    x: { label: null, domain: matrix.columns, tickRotate: -45 },
    y: { label: null, domain: matrix.columns },
    color: {
      type: "linear",
      domain: [-1, 1],
      scheme: "rdbu",
      reverse: true,
      label: "correlation",
    },
    marks: [
      Plot.cell(cells, { x: "column", y: "row", fill: "value" }),
      Plot.text(cells, {
        x: "column",
        y: "row",
        text: (d: { value: number | null }) => d.value === null ? "–" : d.value.toFixed(2),
        fontSize: 9,
      }),
    ],
  };
}
