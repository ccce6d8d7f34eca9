/**
 * Live metrics over the response stream: bounded-memory aggregates, percentiles, histograms.
 * Free of `Deno.*`: the browser and notebooks import it too.
 *
 * @example
 * ```ts
 * import { MetricsAggregator } from "./mod.ts";
 * const metrics = new MetricsAggregator();
 * ```
 *
 * @module
 */

export * from "./aggregator.ts";
export * from "./quantile.ts";
export * from "./histogram.ts";
export * from "./ring_buffer.ts";
export * from "./newest_buffer.ts";
export * from "./recent_ids.ts";
export * from "./request_index.ts";
export * from "./feedback_totals.ts";
export * from "./cost_totals.ts";
