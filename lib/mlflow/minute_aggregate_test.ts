import assert from "node:assert/strict";
import { sampleResponse } from "../events/testing.ts";
import type { ResponseEvent } from "../events/mod.ts";
import {
  MINUTE_MS,
  minuteRunName,
  minuteStart,
  MinuteWindow,
  windowKey,
} from "./minute_aggregate.ts";
import { parseRunPolicy, requestIdUnit } from "./run_policy.ts";

const T0 = 1_800_000_000_000; // 2027-01-15T08:00:00Z, the start of a minute

Deno.test("minuteStart floors to the UTC minute, minuteRunName names model and minute", () => {
  assert.equal(minuteStart(T0), T0);
  assert.equal(minuteStart(T0 + 59_999), T0);
  assert.equal(minuteStart(T0 + 60_000), T0 + MINUTE_MS);
  assert.equal(minuteStart(T0 - 1), T0 - MINUTE_MS);
  assert.equal(minuteRunName("smollm2:135m", T0), "smollm2:135m 2027-01-15T08:00Z");
  assert.notEqual(windowKey("a", T0), windowKey("a", T0 + MINUTE_MS));
  assert.notEqual(windowKey("a", T0), windowKey("b", T0));
});

/** The nearest-rank-interpolated quantile, computed the plain way for the check. */
function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)]);
}

Deno.test("a window's run carries its counts, percentiles, token sums, cost and per-call run count", () => {
  const events: ResponseEvent[] = Array.from({ length: 37 }, (_, i) =>
    sampleResponse({
      ts_start: T0 + i * 1_000,
      ts_end: T0 + i * 1_500,
      latency_ms: 100 + ((i * 37) % 101) * 13,
      ttft_ms: i % 4 === 0 ? null : 20 + i,
      prompt_tokens: 10 + i,
      completion_tokens: i % 7,
      ...(i % 6 === 5
        ? {
          status: "error" as const,
          error: { type: "timeout" as const, message: "slow" },
          completion_tokens: 0,
        }
        : {}),
      ...(i % 3 === 0 ? { cost_usd: 0.001 * i } : {}),
    }));
  const policy = parseRunPolicy("sample:0.3");
  const window = new MinuteWindow("smollm2:135m", T0);
  for (const e of events) assert.equal(window.add(e, policy), true);
  assert.equal(window.add(events[3], policy), false, "the same request id counts once");
  assert.equal(window.size, events.length);

  const run = window.toRun(policy);
  assert.equal(run.run_name, "smollm2:135m 2027-01-15T08:00Z");
  assert.equal(run.start_time, T0);
  assert.equal(run.end_time, T0 + MINUTE_MS);
  assert.equal(run.status, "FINISHED");
  const tags = Object.fromEntries(run.tags.map((t) => [t.key, t.value]));
  assert.deepEqual(tags, {
    aggregate: "minute",
    model: "smollm2:135m",
    window_start: "2027-01-15T08:00:00.000Z",
    window_end: "2027-01-15T08:01:00.000Z",
    run_policy: "sample:0.3",
  });
  const m = Object.fromEntries(run.metrics.map((x) => [x.key, x.value]));
  assert.ok(run.metrics.every((x) => x.timestamp === T0 + MINUTE_MS && x.step === 0));
  const errors = events.filter((e) => e.status === "error");
  const latencies = events.map((e) => e.latency_ms / 1000);
  const ttfts = events.filter((e) => e.ttft_ms !== null).map((e) => e.ttft_ms! / 1000);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const close = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  assert.equal(m.requests, 37);
  assert.equal(m.failed, errors.length);
  assert.equal(m.succeeded, 37 - errors.length);
  close(m.success_rate, (37 - errors.length) / 37, "success_rate");
  assert.equal(m.prompt_tokens, sum(events.map((e) => e.prompt_tokens)));
  assert.equal(m.completion_tokens, sum(events.map((e) => e.completion_tokens)));
  close(m.cost_usd, sum(events.map((e) => e.cost_usd ?? 0)), "cost_usd");
  close(m.latency_avg_s, sum(latencies) / latencies.length, "latency_avg_s");
  for (const [q, key] of [[0.5, "p50"], [0.95, "p95"], [0.99, "p99"]] as const) {
    close(m[`latency_${key}_s`], quantile(latencies, q), `latency_${key}_s`);
    close(m[`ttft_${key}_s`], quantile(ttfts, q), `ttft_${key}_s`);
  }
  assert.equal(m.latency_max_s, Math.max(...latencies));
  const perCall = events.filter((e) => e.status === "error" || requestIdUnit(e.request_id) < 0.3);
  assert.equal(m.per_call_runs, perCall.length);
});

Deno.test("a window without costs or first-token times leaves those metrics out", () => {
  const window = new MinuteWindow("m", T0);
  window.add(sampleResponse({ model: "m", ts_end: T0 + 10, ts_start: T0, ttft_ms: null }), {
    kind: "all",
  });
  const keys = window.toRun({ kind: "all" }).metrics.map((x) => x.key);
  assert.ok(!keys.includes("cost_usd"));
  assert.ok(!keys.some((k) => k.startsWith("ttft_")));
  assert.ok(keys.includes("latency_p99_s"));
});

Deno.test("a window refuses a response of another model or minute, and a start within a minute", () => {
  const window = new MinuteWindow("m", T0);
  assert.throws(
    () =>
      window.add(sampleResponse({ model: "other", ts_start: T0, ts_end: T0 + 5 }), { kind: "all" }),
    RangeError,
  );
  assert.throws(
    () =>
      window.add(sampleResponse({ model: "m", ts_start: T0, ts_end: T0 + MINUTE_MS }), {
        kind: "all",
      }),
    RangeError,
  );
  assert.throws(() => new MinuteWindow("m", T0 + 1), RangeError);
});
