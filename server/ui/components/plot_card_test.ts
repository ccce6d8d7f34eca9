import assert from "node:assert/strict";
import { h } from "preact";
import { PlotCard } from "./plot_card.tsx";
import { renderHtml } from "./testing.ts";

Deno.test("a plot card is a chart card holding the chart's container, then its notes", async () => {
  const html = renderHtml(h(PlotCard<number[]>, {
    title: "Latency trend",
    help: "Spikes.",
    class: "span-2",
    data: [],
    spec: () => null,
    label: "Latency in seconds by request number",
    testId: "chart-latency-trend",
    empty: "No responses yet.",
    children: h("p", { class: "muted small" }, "Showing the newest 500 requests."),
  }));
  // the chart is drawn in an effect, which a test document does not lay out: the empty container
  assert.equal(
    html,
    '<section class="card chart-card span-2"><h3 class="card-title">Latency trend</h3>' +
      '<p class="help"><strong>What to look for:</strong> Spikes.</p>' +
      '<div data-testid="chart-latency-trend" class="plot-figure"><div aria-label="Latency in ' +
      'seconds by request number" role="img" class="plot-canvas"></div></div>' +
      '<p class="muted small">Showing the newest 500 requests.</p></section>',
  );
  // Preact schedules the chart's effect on a timer; let it pass (the tree is unmounted)
  await new Promise((resolve) => setTimeout(resolve, 100));
});
