/**
 * Charts: one library for the dashboard and the notebooks. Each chart is a function from the
 * numbers the API serves (or `lib/` computes) to Observable Plot options; the dashboard draws them
 * with `Plot.plot` in the page, notebooks render them to SVG with {@linkcode renderPlot} /
 * {@linkcode displayPlot}. Same bins, colours ({@linkcode PALETTE}), labels and titles
 * ({@linkcode CHART_TITLES}) both ways. Everything but `render.ts` is browser-safe.
 *
 * @example
 * ```ts
 * import { displayPlot, latencyTrendSpec } from "./mod.ts";
 * displayPlot(latencyTrendSpec(snapshot.latency_trend));
 * ```
 *
 * @module
 */

export * from "./palette.ts";
export * from "./titles.ts";
export * from "./verdict.ts";
export * from "./donut.ts";
export * from "./window_shares.ts";
export * from "./metrics_charts.ts";
export * from "./runs_charts.ts";
export * from "./drift_charts.ts";
export * from "./alert_charts.ts";
export * from "./render.ts";
