import assert from "node:assert/strict";
import { backtestRules } from "../alerts/backtest.ts";
import { parseRule } from "../alerts/rules.ts";
import {
  ALERT_CHART_TITLES,
  ALERT_STATE_COLORS,
  alertTimelineSpec,
  ruleValueSpec,
} from "./alert_charts.ts";
import { PALETTE } from "./palette.ts";
import { renderPlot } from "./render.ts";

const HOUR = 3_600_000;
const rule = parseRule({
  id: "p95",
  name: "slow p95",
  kind: "metric",
  metric: "latency_p95_s",
  op: ">",
  threshold: 2,
  window_s: 600,
  for_s: 120,
});
const quiet = parseRule({
  id: "err",
  name: "errors",
  kind: "metric",
  metric: "error_rate",
  op: ">",
  threshold: 0.5,
});
const responses = Array.from({ length: 240 }, (_, i) => ({
  request_id: `r${i}`,
  ts_end: i * 60_000 + 1,
  latency_ms: i >= 60 && i < 90 ? 3_000 : 1_000,
  ttft_ms: null,
  status: "success" as const,
  model: "m",
  source: "test" as const,
  tokens_per_s: 10,
}));
const result = backtestRules([rule, quiet], responses, { from: 0, to: 4 * HOUR });

Deno.test("the timeline draws a pending and a firing bar in the palette's colours, a row per rule", () => {
  const markup = renderPlot(alertTimelineSpec(result.intervals, {
    from: result.from,
    to: result.to,
    rules: ["slow p95", "errors"],
  }));
  assert.match(markup, /<svg/);
  assert.ok(markup.includes(ALERT_CHART_TITLES.timeline));
  assert.ok(
    markup.includes(ALERT_STATE_COLORS.firing) && markup.includes(ALERT_STATE_COLORS.pending),
  );
  assert.equal(ALERT_STATE_COLORS.firing, PALETTE.error);
  assert.equal((markup.match(/<rect/g) ?? []).length >= 2, true, "two bars (and the legend)");
  assert.ok(markup.includes(">errors<"), "a rule that never fired keeps its row");
  const empty = renderPlot(alertTimelineSpec([], { from: 0, to: HOUR, rules: ["errors"] }));
  assert.match(empty, /<svg/, "an empty span still draws its axes");
  assert.throws(() => alertTimelineSpec([], { from: 2, to: 1, rules: [] }), RangeError);
});

Deno.test("the value chart draws the rule's line, its active points and the threshold", () => {
  const points = result.series.filter((p) => p.rule_id === "p95");
  const markup = renderPlot(ruleValueSpec(points, "slow p95"));
  assert.ok(markup.includes(`${ALERT_CHART_TITLES.value}: slow p95`));
  assert.ok(markup.includes('stroke-dasharray="4,3"'), "the threshold rule");
  const dots = (markup.match(/<circle/g) ?? []).length;
  assert.equal(
    dots,
    points.filter((p) => p.active).length,
    "one dot per evaluation over the threshold",
  );
  assert.ok(dots > 0);
});
