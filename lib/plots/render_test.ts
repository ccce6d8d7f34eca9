import assert from "node:assert/strict";
import { displayPlot, displayTable, renderPlot } from "./render.ts";
import {
  boxByGroupSpec,
  correlationHeatmapSpec,
  distributionSpec,
  driftScoresSpec,
  histogramSpec,
  latencyOverTimeSpec,
  latencyTrendSpec,
  statusSpec,
  tokensVsLatencySpec,
} from "./specs.ts";
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

Deno.test("every chart spec renders to SVG markup without a browser", () => {
  const specs = [
    latencyTrendSpec(snapshot.latency_trend),
    statusSpec(snapshot.succeeded, snapshot.failed),
    histogramSpec(snapshot.token_histogram, "Completion tokens"),
    tokensVsLatencySpec(
      snapshot.recent.map((p) => ({
        tokens: p.completion_tokens,
        latency_s: p.latency_s,
        status: p.status,
        response_length: p.response_chars,
      })),
    ),
    driftScoresSpec([{
      column: "latency_s",
      score: 0.01,
      threshold: 0.05,
      drifted: true,
      stattest: "ks",
    }]),
    distributionSpec("latency_s", "numerical", [1, 2, 3, 4], [3, 4, 5, 6]),
    distributionSpec("status", "categorical", ["success", "error", "success"], [
      "success",
      "success",
    ]),
    correlationHeatmapSpec({ columns: ["a", "b"], values: [[1, -0.5], [-0.5, 1]] }, "Pearson"),
  ];
  for (const spec of specs) {
    const markup = renderPlot(spec);
    assert.match(markup, /<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"|<svg/);
    assert.ok(markup.length > 200);
  }
  assert.match(renderPlot(latencyTrendSpec(snapshot.latency_trend)), /Latency trend/);
});

Deno.test("displayPlot and displayTable produce Jupyter rich output, with text escaped", () => {
  const shown = displayPlot(histogramSpec(snapshot.token_histogram, "Tokens"));
  const bundle = shown[Symbol.for("Jupyter.display")]();
  assert.ok(bundle["text/html"] ?? bundle["image/svg+xml"]);
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
      histogramSpec(empty.token_histogram, "Tokens"),
      tokensVsLatencySpec([]),
      latencyOverTimeSpec([]),
      boxByGroupSpec([], "model", "latency_s", "Latency (s)"),
      driftScoresSpec([]),
    ]
  ) {
    assert.match(renderPlot(spec), /<svg/);
  }
});
