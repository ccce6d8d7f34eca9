import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { renderPlot } from "./render.ts";
import { feedbackTrendSpec, hostedCostSpec } from "./usage_charts.ts";
import { comparisonDifferenceSpec, comparisonRatesSpec, differenceRows } from "./compare_charts.ts";
import { CHART_TITLES } from "./titles.ts";
import { compareColumns } from "../compare/compare.ts";

const doc = (markup: string) => parseHTML(`<html><body>${markup}</body></html>`).document;

Deno.test("the feedback trend draws one dot per bucket on a 0–100 % axis with the counts in tips", () => {
  const markup = renderPlot(feedbackTrendSpec([
    { t: 1_760_000_000_000, count: 4, up: 3, share_up: 0.75 },
    { t: 1_760_000_060_000, count: 2, up: 0, share_up: 0 },
  ], { bucketMs: 60_000 }));
  assert.ok(markup.includes(CHART_TITLES.feedbackTrend));
  const titles = [...doc(markup).querySelectorAll("circle title")].map((t) => t.textContent);
  assert.equal(titles.length, 2);
  assert.match(titles[0]!, /3 of 4 up \(75%\)/);
  assert.match(titles[1]!, /0 of 2 up \(0%\)/);
  assert.throws(() => feedbackTrendSpec("no" as never), /feedback trend as an array/);
});

Deno.test("the hosted cost chart has a bar for the traffic and one per hosted model", () => {
  const markup = renderPlot(hostedCostSpec(0.5, [{ name: "gpt-x", total_usd: 2 }]));
  const titles = [...doc(markup).querySelectorAll("rect title")].map((t) => t.textContent);
  assert.deepEqual(titles, ["this traffic: $0.50", "gpt-x: $2.00"]);
  assert.throws(() => hostedCostSpec(-1, []), /actual cost as a number ≥ 0/);
});

const a = Array.from(
  { length: 20 },
  (_, i) => ({ latency_s: 1 + (i % 5) * 0.1, ok: i % 10 ? 1 : 0 }),
);
const b = Array.from({ length: 20 }, (_, i) => ({ latency_s: 1.5 + (i % 5) * 0.1, ok: 1 }));
const result = compareColumns(a, b);

Deno.test("the difference chart shows each numeric column relative to A with its interval", () => {
  const rows = differenceRows(result.columns);
  assert.equal(rows.length, 1);
  const latency = result.columns[0];
  assert.equal(latency.kind, "numeric");
  if (latency.kind !== "numeric") return;
  assert.ok(Math.abs(rows[0].percent - (latency.difference / latency.mean_a) * 100) < 1e-9);
  assert.ok(rows[0].low <= rows[0].percent && rows[0].percent <= rows[0].high);
  const markup = renderPlot(comparisonDifferenceSpec(result.columns));
  assert.ok(markup.includes(CHART_TITLES.comparisonDifferences));
  const tips = [...doc(markup).querySelectorAll("circle title")].map((t) => t.textContent);
  assert.match(tips[0]!, /^latency_s: \+\d+\.\d % \[\d+\.\d, \d+\.\d\] \(95 % CI\), p /);
});

Deno.test("the rates chart has an A and a B bar per binary column", () => {
  const markup = renderPlot(comparisonRatesSpec(result.columns));
  const tips = [...doc(markup).querySelectorAll("rect title")].map((t) => t.textContent);
  assert.deepEqual(tips, ["ok, A: 90.0 % of 20", "ok, B: 100.0 % of 20"]);
});
