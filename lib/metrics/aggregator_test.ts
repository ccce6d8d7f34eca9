import assert from "node:assert/strict";
import { MetricsAggregator } from "./aggregator.ts";
import { distribution, quantileSorted } from "./quantile.ts";
import { histogram } from "./histogram.ts";
import { RingBuffer } from "./ring_buffer.ts";
import { sampleResponse } from "../events/testing.ts";

Deno.test("totals, success rate, averages and errors by type over every response", () => {
  const metrics = new MetricsAggregator();
  metrics.add(sampleResponse({ latency_ms: 1000, completion_tokens: 10, tokens_per_s: 20 }));
  metrics.add(sampleResponse({ latency_ms: 3000, completion_tokens: 30, tokens_per_s: 10 }));
  metrics.add(sampleResponse({
    status: "error",
    error: { type: "timeout", message: "slow" },
    latency_ms: 2000,
    completion_tokens: 0,
    tokens_per_s: 0,
    model: "other:1b",
  }));
  const s = metrics.snapshot();
  assert.equal(s.total, 3);
  assert.equal(s.succeeded, 2);
  assert.equal(s.failed, 1);
  assert.equal(s.success_rate, 2 / 3);
  assert.equal(s.avg_latency_s, 2);
  assert.equal(s.avg_tokens, 40 / 3);
  assert.equal(s.avg_tokens_per_s, 15);
  assert.deepEqual(s.errors_by_type, { timeout: 1 });
  assert.deepEqual(Object.keys(s.per_model), ["other:1b", "smollm2:135m"]);
  assert.equal(s.per_model["smollm2:135m"].success_rate, 1);
  assert.equal(s.per_model["other:1b"].success_rate, 0);
  assert.equal(s.latency_s.p50, 2);
  assert.deepEqual(s.recent.map((r) => r.latency_s), [2, 3, 1]);
  assert.deepEqual(s.latency_trend.map((t) => t.n), [1, 2, 3]);
});

Deno.test("an empty aggregate has nulls, not zeros that look like data", () => {
  const s = new MetricsAggregator().snapshot();
  assert.equal(s.total, 0);
  assert.equal(s.success_rate, null);
  assert.equal(s.avg_latency_s, null);
  assert.equal(s.latency_s.p99, null);
  assert.deepEqual(s.token_histogram, []);
});

Deno.test("a duplicate delivery of the same request is counted once", () => {
  const metrics = new MetricsAggregator();
  const event = sampleResponse();
  assert.equal(metrics.add(event), true);
  assert.equal(metrics.add(structuredClone(event)), false);
  assert.equal(metrics.snapshot().total, 1);
  assert.equal(metrics.snapshot().duplicates_ignored, 1);
});

Deno.test("memory stays bounded: the window, recent list and dedupe memory have fixed sizes", () => {
  const metrics = new MetricsAggregator({ windowSize: 50, recentSize: 5, dedupeSize: 20 });
  for (let i = 0; i < 1000; i++) metrics.add(sampleResponse({ latency_ms: i }));
  const s = metrics.snapshot();
  assert.equal(s.total, 1000);
  assert.equal(s.window_size, 50);
  assert.equal(s.recent.length, 5);
  assert.equal(s.latency_trend[0].n, 951);
  assert.equal(s.latency_s.max, 0.999);
  assert.equal(s.avg_latency_s, 0.4995);
});

Deno.test("quantiles interpolate linearly like numpy, and distribution leaves its input alone", () => {
  const values = Object.freeze([4, 1, 3, 2]);
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.ok(Math.abs(quantileSorted([1, 2, 3, 4], 0.95) - 3.85) < 1e-12);
  assert.throws(() => quantileSorted([], 0.5), /empty sample/);
  assert.throws(() => quantileSorted([1], 1.5), /found 1.5/);
  const d = distribution(values);
  assert.deepEqual(values, [4, 1, 3, 2]);
  assert.equal(d.avg, 2.5);
  assert.equal(d.max, 4);
});

Deno.test("histogram bins cover every value with nice edges", () => {
  const bins = histogram([0, 1, 2, 2, 9.5, 10], 5);
  assert.equal(bins.reduce((n, b) => n + b.count, 0), 6);
  assert.equal(bins[0].x0, 0);
  assert.ok(bins.at(-1)!.x1 >= 10);
  for (const b of bins) assert.equal(b.x1 - b.x0, 2);
});

Deno.test("ring buffer keeps the newest items and reports what it overwrote", () => {
  const ring = new RingBuffer<number>(3);
  assert.equal(ring.push(1), undefined);
  ring.push(2);
  ring.push(3);
  assert.equal(ring.push(4), 1);
  assert.deepEqual(ring.toArray(), [2, 3, 4]);
  assert.deepEqual(ring.newest(2), [4, 3]);
  assert.throws(() => new RingBuffer(0), /positive integer, found 0/);
});

Deno.test("per-source figures: totals over every response, percentiles over the window, in source order", () => {
  const metrics = new MetricsAggregator({ windowSize: 4 });
  metrics.add(sampleResponse({ source: "otlp", latency_ms: 900, ttft_ms: null }));
  metrics.add(sampleResponse({ source: "gateway", latency_ms: 100, ttft_ms: 10 }));
  metrics.add(sampleResponse({ source: "gateway", latency_ms: 300, ttft_ms: 30 }));
  metrics.add(sampleResponse({
    source: "gateway",
    status: "error",
    error: { type: "connection_refused", message: "down" },
    latency_ms: 200,
    ttft_ms: null,
    completion_tokens: 0,
  }));
  metrics.add(sampleResponse({ source: "test", latency_ms: 500, ttft_ms: 50 }));
  const s = metrics.snapshot();
  assert.deepEqual(Object.keys(s.per_source), ["test", "gateway", "otlp"]);
  const gateway = s.per_source.gateway;
  assert.equal(gateway.total, 3);
  assert.equal(gateway.succeeded, 2);
  assert.equal(gateway.failed, 1);
  assert.equal(gateway.success_rate, 2 / 3);
  assert.ok(Math.abs(gateway.avg_latency_s - 0.2) < 1e-12);
  assert.equal(gateway.latency_p50_s, 0.2);
  assert.ok(Math.abs(gateway.ttft_p50_s! - 0.02) < 1e-12);
  // the otlp response left the window of 4: its totals stay, its percentiles are gone
  assert.equal(s.per_source.otlp.total, 1);
  assert.equal(s.per_source.otlp.latency_p50_s, null);
  assert.equal(s.recent[0].source, "test");
});
