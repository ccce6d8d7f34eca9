/**
 * Every chart of `lib/plots` drawn both ways from the same data: as a notebook shows it
 * (`renderPlot`, the markup `displayPlot` hands to Jupyter) and as the dashboard shows it
 * (`drawPlot`, what `PlotFigure` puts in the page), both in a linkedom document. The marks, axes
 * and legends must be the same markup; only what each host adds or removes on purpose differs
 * (the notebook's title and inline styles, the dashboard's class name and accessible label).
 */
import assert from "node:assert/strict";
import type * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { driftFromRows, llmColumns } from "../../lib/drift/mod.ts";
import { DriftTracker } from "../../lib/drift/tracker.ts";
import { sampleResponse } from "../../lib/events/testing.ts";
import { MetricsAggregator } from "../../lib/metrics/mod.ts";
import { displayPlot, renderPlot } from "../../lib/plots/render.ts";
import {
  latencyTrendSpec,
  responseLengthHistogramSpec,
  statusSpec,
  tokenHistogramSpec,
  TREND_DOTS,
} from "../../lib/plots/metrics_charts.ts";
import { latencyOverTimeSpec, tokensVsLatencySpec } from "../../lib/plots/runs_charts.ts";
import {
  correlationHeatmapSpec,
  distributionSpec,
  driftScoresSpec,
} from "../../lib/plots/drift_charts.ts";
import { CHART_TITLES, correlationTitle } from "../../lib/plots/titles.ts";
import { feedbackTrendSpec, hostedCostSpec } from "../../lib/plots/usage_charts.ts";
import { comparisonDifferenceSpec, comparisonRatesSpec } from "../../lib/plots/compare_charts.ts";
import { compareSelections, comparisonRows } from "../../lib/compare/mod.ts";
import { FeedbackTotals } from "../../lib/metrics/feedback_totals.ts";
import { PALETTE } from "../../lib/plots/palette.ts";
import { drawPlot, PLOT_CLASS } from "./plot_draw.ts";

const LABEL = "accessible label of the chart";
/** Plot's default width, which the notebooks use. */
const WIDTH = 640;

/** Responses with varied latency, tokens, length and a few failures, one minute apart. */
const responses = Array.from({ length: 80 }, (_, i) =>
  sampleResponse({
    latency_ms: 400 + ((i * 37) % 23) * 90 + (i > 40 ? 900 : 0),
    completion_tokens: 5 + ((i * 11) % 47),
    response_chars: 40 + ((i * 53) % 400),
    ts_end: 1_700_000_000_000 + i * 60_000,
    model: i % 3 ? "smollm2:135m" : "other:1b",
    ...(i % 9 === 4
      ? { status: "error" as const, error: { type: "timeout", message: "timed out" } }
      : {}),
  }));

const snapshot = (() => {
  const m = new MetricsAggregator();
  m.addAll(responses);
  return m.snapshot();
})();

const runs = responses.map((r) => ({
  start_time: r.ts_end,
  latency_s: r.latency_ms / 1000,
  tokens: r.completion_tokens,
  response_length: r.response_chars,
  status: r.status,
  model: r.model,
  run: r.request_id,
}));

// the drift monitor's own snapshot: what GET /api/drift serves and notebook 02 computes
const drift = (() => {
  const tracker = new DriftTracker({ referenceSize: 40, currentSize: 40 });
  for (const r of responses) tracker.add(r);
  const snap = tracker.recompute();
  assert.ok(snap, "the tracker reports once both windows are full");
  return snap;
})();
const numerical = drift.report.columns.find((c) => c.kind === "numerical")!;
const categorical = drift.report.columns.find((c) => c.kind === "categorical")!;

// feedback on every third response, and the two models compared as the Compare tab does
const feedback = (() => {
  const totals = new FeedbackTotals();
  responses.forEach((r, i) => {
    if (i % 3 === 0) {
      totals.add({
        schema: "llm.feedback.v1",
        request_id: r.request_id,
        user_id: "u",
        score: i % 2 ? 1 : -1,
        ts: r.ts_end + 5_000,
      });
    }
  });
  return totals.snapshot(() => null);
})();
const comparison = compareSelections(
  comparisonRows(responses),
  { by: "model", value: "smollm2:135m" },
  { by: "model", value: "other:1b" },
).result!;

/** Each chart, with its data, and the title the notebook must show. */
const CHARTS: { name: string; spec: Plot.PlotOptions; title: string }[] = [
  {
    name: "latency trend",
    spec: latencyTrendSpec(snapshot.latency_trend),
    title: CHART_TITLES.latencyTrend,
  },
  {
    name: "status donut",
    spec: statusSpec(snapshot.succeeded, snapshot.failed),
    title: CHART_TITLES.status,
  },
  {
    name: "token histogram",
    spec: tokenHistogramSpec(snapshot.token_histogram),
    title: CHART_TITLES.tokens,
  },
  {
    name: "response length histogram",
    spec: responseLengthHistogramSpec(snapshot.response_length_histogram),
    title: CHART_TITLES.responseLength,
  },
  {
    name: "latency over time",
    spec: latencyOverTimeSpec(runs, { timeZone: "Asia/Kolkata" }),
    title: CHART_TITLES.latencyOverTime,
  },
  {
    name: "tokens vs latency",
    spec: tokensVsLatencySpec(runs),
    title: CHART_TITLES.tokensVsLatency,
  },
  {
    name: "drift scores",
    spec: driftScoresSpec(drift.report.columns),
    title: CHART_TITLES.driftScores,
  },
  ...[numerical, categorical].map((c) => ({
    name: `${c.kind} distribution`,
    spec: distributionSpec(
      c.column,
      c.kind,
      drift.distributions[c.column].reference,
      drift.distributions[c.column].current,
    ),
    title: c.column,
  })),
  {
    name: "feedback trend",
    spec: feedbackTrendSpec(feedback.trend, { bucketMs: feedback.bucket_ms }),
    title: CHART_TITLES.feedbackTrend,
  },
  {
    name: "hosted cost comparison",
    spec: hostedCostSpec(0.42, [{ name: "gpt-x", total_usd: 1.5 }, {
      name: "h-2",
      total_usd: 0.2,
    }]),
    title: CHART_TITLES.hostedCost,
  },
  {
    name: "comparison differences",
    spec: comparisonDifferenceSpec(comparison.columns),
    title: CHART_TITLES.comparisonDifferences,
  },
  {
    name: "comparison rates",
    spec: comparisonRatesSpec(comparison.columns),
    title: CHART_TITLES.comparisonRates,
  },
  {
    name: "correlation heat map",
    spec: correlationHeatmapSpec(drift.report.correlations.current.spearman, "spearman", "current"),
    title: correlationTitle("spearman", "current"),
  },
];

/**
 * The chart markup without what the two hosts differ in on purpose: title and subtitle, inline
 * `<style>`, the namespace attribute, the accessible label and the class-name prefix. A figure
 * left with one child is that child (Plot wraps a chart in a figure only for a title or legend).
 */
function comparable(markup: string, className: string): string {
  const { document } = parseHTML(`<!doctype html><html><body>${markup}</body></html>`);
  let root = document.body.firstElementChild!;
  for (const el of root.querySelectorAll("style")) el.remove();
  if (root.tagName.toLowerCase() === "figure") {
    for (const el of [...root.children]) {
      if (/^h[23]$/i.test(el.tagName)) el.remove();
    }
    if (root.children.length === 1) root = root.firstElementChild!;
  }
  root.removeAttribute("xmlns");
  for (const el of [root, ...root.querySelectorAll("[aria-label]")]) {
    if (el.getAttribute("aria-label") === LABEL) el.removeAttribute("aria-label");
  }
  return root.outerHTML.replaceAll(className, "PLOT");
}

/** Plot's own class name, as notebooks render with it. */
function notebookClass(markup: string): string {
  const found = /class="(plot-[0-9a-f]+)/.exec(markup)?.[1];
  assert.ok(found, "Plot's class name in the notebook markup");
  return found;
}

for (const chart of CHARTS) {
  Deno.test(`the ${chart.name} draws the same marks in a notebook and on the dashboard`, () => {
    const notebook = renderPlot(chart.spec);
    const { document } = parseHTML("<!doctype html><html><body></body></html>");
    const dashboard = drawPlot(chart.spec, { width: WIDTH, label: LABEL, document });
    assert.equal(
      comparable(dashboard.outerHTML, PLOT_CLASS),
      comparable(notebook, notebookClass(notebook)),
    );
    // the same chart, really drawn: marks beyond the axes
    assert.ok(dashboard.querySelectorAll("g[aria-label]").length > 0, "marks are drawn");
    // the notebook shows the title; the dashboard leaves it to its card, which shows the same words
    assert.ok(notebook.includes(`<h2>${chart.title}</h2>`), `the notebook shows "${chart.title}"`);
    assert.ok(!dashboard.outerHTML.includes(`<h2>`), "the dashboard chart has no title of its own");
    assert.equal(dashboard.querySelectorAll("style").length, 0, "no inline style (CSP)");
    // the markup Jupyter receives is renderPlot's
    const bundle = displayPlot(chart.spec)[Symbol.for("Jupyter.display")]();
    assert.equal(bundle["text/html"] ?? bundle["image/svg+xml"], notebook);
  });
}

Deno.test("the comparison tells different charts apart", () => {
  // guards the test above: normalising must not erase what the data draws
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const fewer = drawPlot(tokensVsLatencySpec(runs.slice(1)), {
    width: WIDTH,
    label: LABEL,
    document,
  });
  const notebook = renderPlot(tokensVsLatencySpec(runs));
  assert.notEqual(
    comparable(fewer.outerHTML, PLOT_CLASS),
    comparable(notebook, notebookClass(notebook)),
  );
});

Deno.test("the charts use the palette: status green and red, windows grey and blue", () => {
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const draw = (spec: Plot.PlotOptions) =>
    drawPlot(spec, { width: WIDTH, label: LABEL, document }).outerHTML;
  const trend = draw(latencyTrendSpec(snapshot.latency_trend));
  assert.ok(trend.includes(`fill="${PALETTE.error}"`), "a failed request is red");
  assert.ok(trend.includes(`fill="${PALETTE.success}"`), "a successful request is green");
  const numeric = draw(CHARTS.find((c) => c.name === "numerical distribution")!.spec);
  assert.ok(numeric.includes(`fill="${PALETTE.reference}"`), "the reference window is grey");
  assert.ok(numeric.includes(`fill="${PALETTE.current}"`), "the current window is blue");
  const donut = draw(statusSpec(3, 1));
  assert.ok(
    donut.includes(`fill="${PALETTE.success}"`) && donut.includes(`fill="${PALETTE.error}"`),
  );
});

Deno.test("a long latency trend keeps dots for failures only, in both hosts", () => {
  const long = Array.from({ length: TREND_DOTS + 50 }, (_, i) => ({
    n: i + 1,
    latency_s: 1 + (i % 5) / 10,
    status: i % 40 === 0 ? "error" : "success",
    ts: i,
  }));
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const chart = drawPlot(latencyTrendSpec(long), { width: WIDTH, label: LABEL, document });
  const dots = chart.querySelectorAll('g[aria-label="dot"] circle');
  assert.equal(dots.length, long.filter((d) => d.status === "error").length);
});

Deno.test("the drift report that notebook 02 computes draws like the monitor's", () => {
  // notebook 02 computes its own report from the same rows: the same score chart follows
  const rows = llmColumns(responses);
  const report = driftFromRows(rows.slice(0, 40), rows.slice(40));
  const mine = renderPlot(driftScoresSpec(report.columns));
  const monitor = renderPlot(driftScoresSpec(drift.report.columns));
  assert.equal(mine, monitor);
});
