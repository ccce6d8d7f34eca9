import assert from "node:assert/strict";
import { h } from "preact";
import { Card } from "./card.tsx";
import { ChartCard, LookFor } from "./chart_card.tsx";
import { renderHtml } from "./testing.ts";

Deno.test("a card is a section with its heading, its classes, name and test id", () => {
  assert.equal(
    renderHtml(h(Card, { title: "Firing and pending", label: "Active alerts" }, h("p", null, "x"))),
    '<section aria-label="Active alerts" class="card"><h3 class="card-title">Firing and pending</h3>' +
      "<p>x</p></section>",
  );
  assert.equal(
    renderHtml(h(Card, { title: "Alerts", class: "alerts", testId: "drift-alerts" })),
    '<section data-testid="drift-alerts" class="card alerts"><h3 class="card-title">Alerts</h3></section>',
  );
});

Deno.test("a chart card is a card with the chart-card class and its what-to-look-for line", () => {
  assert.equal(
    renderHtml(
      h(ChartCard, { title: "Per model", help: "Costs.", class: "span-2", children: "body" }),
    ),
    '<section class="card chart-card span-2"><h3 class="card-title">Per model</h3>' +
      '<p class="help"><strong>What to look for:</strong> Costs.</p>body</section>',
  );
  assert.match(
    renderHtml(h(ChartCard, { title: "T", children: "body" })),
    // without extra classes the class list is "card chart-card" (the page's markup keeps a space)
    /^<section class="card chart-card ?"><h3 class="card-title">T<\/h3>body<\/section>$/,
  );
});

Deno.test("the help line is text", () => {
  assert.equal(
    renderHtml(h(LookFor, { help: "<i>x</i>" })),
    '<p class="help"><strong>What to look for:</strong> &lt;i&gt;x&lt;/i&gt;</p>',
  );
});
