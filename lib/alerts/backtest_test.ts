import assert from "node:assert/strict";
import { backtestRules } from "./backtest.ts";
import type { ResponseLike } from "./evaluate.ts";
import { parseRule } from "./rules.ts";

const HOUR = 3_600_000;
const DAY0 = Date.UTC(2026, 0, 1);

/** A day of traffic, one response a minute: 1 s answers, 3 s ones from 10:00 to 11:00. */
function day(): ResponseLike[] {
  const out: ResponseLike[] = [];
  for (let minute = 0; minute < 24 * 60; minute++) {
    const ts = DAY0 + minute * 60_000 + 30_000;
    const slow = ts >= DAY0 + 10 * HOUR && ts < DAY0 + 11 * HOUR;
    out.push({
      request_id: `r${minute}`,
      ts_end: ts,
      latency_ms: slow ? 3_000 : 1_000,
      ttft_ms: 100,
      status: "success",
      model: "m",
      source: "test",
      tokens_per_s: 20,
    });
  }
  return out;
}

const p95 = parseRule({
  id: "p95",
  name: "slow p95",
  kind: "metric",
  metric: "latency_p95_s",
  op: ">",
  threshold: 2,
  window_s: 600,
  for_s: 300,
  channels: ["oncall"],
});

Deno.test("a day of traffic: the rule is pending, fires during the slow hour and resolves after it", () => {
  const result = backtestRules([p95], day(), { from: DAY0, to: DAY0 + 24 * HOUR });
  assert.equal(result.steps, 24 * 60);
  assert.equal(result.responses, 24 * 60);
  assert.deepEqual(result.intervals.map((i) => i.state), ["pending", "firing"]);
  const [pending, firing] = result.intervals;
  // the first slow answer (10:00:30) makes p95 > 2 at the 10:01 evaluation (1 slow of 10 is the
  // 95th percentile's upper neighbour); pending for 5 min, then firing
  assert.equal(pending.start, DAY0 + 10 * HOUR + 60_000);
  assert.equal(pending.end, firing.start);
  assert.equal(firing.start - pending.start, 300_000, "for_s of pending");
  // the last slow answer (10:59:30) leaves the 10-min window after 11:09:30
  assert.equal(firing.end, DAY0 + 11 * HOUR + 10 * 60_000);
  assert.equal(firing.open, false);
  assert.equal(firing.peak, 3);
  assert.deepEqual(result.notifications.map((n) => n.state), ["firing", "resolved"]);
  assert.deepEqual(result.notifications[0].channels, ["oncall"]);
  const at = (ts: number) => result.series.find((p) => p.ts === ts)!;
  assert.equal(at(DAY0 + 9 * HOUR).value, 1);
  assert.equal(at(DAY0 + 10 * HOUR + 30 * 60_000).value, 3);
});

Deno.test("an alert still firing at the end of the span is open; duplicates count once", () => {
  const responses = day().filter((r) => r.ts_end < DAY0 + 10 * HOUR + 20 * 60_000);
  const twice = [...responses, ...responses];
  const result = backtestRules([p95], twice, {
    from: DAY0 + 9 * HOUR,
    to: DAY0 + 10 * HOUR + 20 * 60_000,
  });
  assert.equal(result.responses, responses.length);
  const firing = result.intervals.find((i) => i.state === "firing")!;
  assert.equal(firing.open, true);
  assert.equal(firing.end, result.to);
  assert.deepEqual(result.notifications.map((n) => n.state), ["firing"]);
});

Deno.test("a coarser step evaluates less often and the span must fit the step guard", () => {
  const result = backtestRules([p95], day(), {
    from: DAY0,
    to: DAY0 + 24 * HOUR,
    stepMs: 5 * 60_000,
  });
  assert.equal(result.steps, 24 * 12);
  assert.ok(result.intervals.some((i) => i.state === "firing"));
  assert.throws(
    () =>
      backtestRules([p95], day(), { from: DAY0, to: DAY0 + 24 * HOUR, stepMs: 1, maxSteps: 10 }),
    /Expected at most 10 evaluations, found 86400000/,
  );
  assert.throws(() => backtestRules([p95], [], { stepMs: 0 }), RangeError);
});
