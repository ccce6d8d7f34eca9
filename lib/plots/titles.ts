/**
 * The titles of the charts. A notebook shows them above each chart (Plot's figure title); the
 * dashboard shows the same words as the heading of the card around the chart.
 *
 * @module
 */

/** Titles of the charts with a fixed title. */
export const CHART_TITLES = Object.freeze({
  latencyTrend: "Latency trend",
  status: "Status distribution",
  tokens: "Token distribution",
  responseLength: "Response length distribution",
  latencyOverTime: "Latency over time",
  tokensVsLatency: "Tokens vs latency",
  driftScores: "Drift score per column",
  distributions: "Distributions: reference vs current",
  correlations: "Correlations",
  feedbackTrend: "Feedback trend",
  hostedCost: "This traffic on hosted models",
  comparisonDifferences: "Difference of B from A",
  comparisonRates: "Rates of A and B",
});

/** A correlation method of the drift report. */
export type CorrelationMethod = "pearson" | "spearman";

/**
 * The title of one correlation heat map: method and window.
 *
 * @example
 * ```ts
 * correlationTitle("spearman", "current"); // "Spearman, current"
 * ```
 */
export function correlationTitle(
  method: CorrelationMethod,
  window: "reference" | "current",
): string {
  if (method !== "pearson" && method !== "spearman") {
    throw new RangeError(
      `Expected method "pearson" or "spearman", found ${JSON.stringify(method)}`,
    );
  }
  return `${method === "pearson" ? "Pearson" : "Spearman"}, ${window}`;
}
