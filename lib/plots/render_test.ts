import assert from "node:assert/strict";
import { displayPlot, displayTable, renderPlot } from "./render.ts";
import {
  latencyTrendSpec,
  responseLengthHistogramSpec,
  statusSpec,
  tokenHistogramSpec,
} from "./metrics_charts.ts";
import { boxByGroupSpec, latencyOverTimeSpec, tokensVsLatencySpec } from "./runs_charts.ts";
import { correlationHeatmapSpec, distributionSpec, driftScoresSpec } from "./drift_charts.ts";
import { CHART_TITLES } from "./titles.ts";
import { MetricsAggregator } from "../metrics/mod.ts";
import { sampleResponse } from "../events/testing.ts";

const snapshot = (() => {
  const m = new MetricsAggregator();
  for (let i = 0; i < 20; i++) {
    m.add(sampleResponse({ latency_ms: 500 + i * 50, completion_tokens: 5 + i }));
  }
  m.add(sampleResponse({ status: "error", error: { type: "timeout", message: "t" } }));
  return m.snapshot();
})();

Deno.test("every chart spec renders to SVG markup without a browser, with its title", () => {
  const cases: [ReturnType<typeof latencyTrendSpec>, string][] = [
    [latencyTrendSpec(snapshot.latency_trend), CHART_TITLES.latencyTrend],
    [statusSpec(snapshot.succeeded, snapshot.failed), CHART_TITLES.status],
    [tokenHistogramSpec(snapshot.token_histogram), CHART_TITLES.tokens],
    [responseLengthHistogramSpec(snapshot.response_length_histogram), CHART_TITLES.responseLength],
    [
      tokensVsLatencySpec(snapshot.recent.map((p) => ({
        tokens: p.completion_tokens,
        latency_s: p.latency_s,
        status: p.status,
        response_length: p.response_chars,
      }))),
      CHART_TITLES.tokensVsLatency,
    ],
    [
      latencyOverTimeSpec(snapshot.recent.map((p) => ({
        start_time: p.ts_end,
        latency_s: p.latency_s,
        status: p.status,
      }))),
      CHART_TITLES.latencyOverTime,
    ],
    [
      driftScoresSpec([{
        column: "latency_s",
        score: 0.01,
        threshold: 0.05,
        drifted: true,
        stattest: "ks",
      }]),
      CHART_TITLES.driftScores,
    ],
    [distributionSpec("latency_s", "numerical", [1, 2, 3, 4], [3, 4, 5, 6]), "latency_s"],
    [distributionSpec("status", "categorical", ["success", "error"], ["success"]), "status"],
    [
      correlationHeatmapSpec(
        { columns: ["a", "b"], values: [[1, -0.5], [-0.5, 1]] },
        "pearson",
        "reference",
      ),
      "Pearson, reference",
    ],
  ];
  for (const [spec, title] of cases) {
    const markup = renderPlot(spec);
    assert.match(markup, /<svg/);
    assert.ok(markup.includes(`<h2>${title}</h2>`), `the chart titled ${title} shows its title`);
  }
});

Deno.test("the status donut shows both outcomes with counts and the success rate", () => {
  const markup = renderPlot(statusSpec(3, 1));
  assert.match(markup, /data-slice="success"/);
  assert.match(markup, /data-slice="error"/);
  assert.match(markup, /Success: 3 \(75\.0%\)/);
  assert.match(markup, /Failure: 1 \(25\.0%\)/);
  assert.match(markup, />75%</);
  assert.throws(() => statusSpec(-1, 0), RangeError);
});

Deno.test("displayPlot and displayTable produce Jupyter rich output, with text escaped", () => {
  const shown = displayPlot(tokenHistogramSpec(snapshot.token_histogram));
  const bundle = shown[Symbol.for("Jupyter.display")]();
  assert.match(bundle["text/html"] ?? bundle["image/svg+xml"], /<svg/);
  const table = displayTable([{ prompt: "<img src=x onerror=alert(1)>", n: 1.23456 }])
    [Symbol.for("Jupyter.display")]();
  assert.match(table["text/html"], /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(table["text/html"], /1\.235/);
});

Deno.test("charts of empty data render too (a fresh stack has no responses yet)", () => {
  const empty = new MetricsAggregator().snapshot();
  for (
    const spec of [
      latencyTrendSpec(empty.latency_trend),
      statusSpec(0, 0),
      tokenHistogramSpec(empty.token_histogram),
      tokensVsLatencySpec([]),
      latencyOverTimeSpec([]),
      boxByGroupSpec([], "model", "latency_s", "Latency (s)"),
      driftScoresSpec([]),
      distributionSpec("x", "numerical", [], []),
      correlationHeatmapSpec({ columns: [], values: [] }, "spearman", "current"),
    ]
  ) {
    assert.match(renderPlot(spec), /<svg/);
  }
  assert.match(renderPlot(statusSpec(0, 0)), /<circle/);
});
