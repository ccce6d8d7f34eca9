import assert from "node:assert/strict";
import { h } from "preact";
import { KpiCard } from "./kpi_card.tsx";
import { renderHtml } from "./testing.ts";

Deno.test("a KPI shows its value, and its raw number as data-value when given", () => {
  assert.equal(
    renderHtml(h(KpiCard, { label: "Average latency", value: "1.20 s", raw: 1.2, testId: "k" })),
    '<div class="kpi tone-neutral"><div class="kpi-label">Average latency</div>' +
      '<div data-value="1.2" data-testid="k" class="kpi-value">1.20 s</div></div>',
  );
  assert.doesNotMatch(renderHtml(h(KpiCard, { label: "In flight", value: "3" })), /data-value/);
});

Deno.test("a count KPI shows the whole number formatted and exposes it as data-value", () => {
  const html = renderHtml(
    h(KpiCard, { label: "Firing", count: 1234, testId: "alerts-firing-count", tone: "drift" }),
  );
  assert.match(html, /^<div class="kpi tone-drift">/);
  assert.match(
    html,
    /<div data-value="1234" data-testid="alerts-firing-count" class="kpi-value">1,234<\/div>/,
  );
});
