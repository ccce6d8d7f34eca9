/** Prometheus text exposition: format, escaping, histograms, the GenAI metrics and bounds. */
import assert from "node:assert/strict";
import {
  Counter,
  DURATION_BUCKETS_S,
  escapeLabelValue,
  formatValue,
  GenAiMetrics,
  Histogram,
  OVERFLOW_LABEL_VALUE,
  PipelineMetrics,
  PrometheusRegistry,
  TOKEN_BUCKETS,
  TTFT_BUCKETS_S,
} from "./prometheus.ts";
import { sampleResponse } from "../events/testing.ts";

/** Sample lines of a metric (without HELP/TYPE), keyed by the text before the value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1).replace("+Inf", "Infinity")));
  }
  return out;
}

Deno.test("the spec's bucket boundaries are used", () => {
  assert.deepEqual(DURATION_BUCKETS_S, [
    0.01,
    0.02,
    0.04,
    0.08,
    0.16,
    0.32,
    0.64,
    1.28,
    2.56,
    5.12,
    10.24,
    20.48,
    40.96,
    81.92,
  ]);
  assert.equal(TOKEN_BUCKETS.length, 14);
  assert.equal(TOKEN_BUCKETS.at(-1), 67108864);
  assert.equal(TTFT_BUCKETS_S.length, 16);
  assert.equal(TTFT_BUCKETS_S[0], 0.001);
});

Deno.test("label values are escaped and special values spelled as Prometheus reads them", () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assert.equal(formatValue(Infinity), "+Inf");
  assert.equal(formatValue(-Infinity), "-Inf");
  assert.equal(formatValue(NaN), "NaN");
  assert.equal(formatValue(0.25), "0.25");
  const registry = new PrometheusRegistry();
  const c = registry.counter({ name: "calls_total", help: "Calls\nwith \\ newline." });
  c.inc({ model: 'evil"}\nfake_metric 1' });
  const text = registry.render();
  assert.equal(
    text,
    "# HELP calls_total Calls\\nwith \\\\ newline.\n# TYPE calls_total counter\n" +
      'calls_total{model="evil\\"}\\nfake_metric 1"} 1\n',
  );
  assert.equal(text.split("\n").filter((l) => l.startsWith("fake_metric")).length, 0);
});

Deno.test("a histogram renders cumulative buckets ending in +Inf, a sum and a count", () => {
  const h = new Histogram({ name: "latency_seconds", help: "L.", buckets: [0.1, 1, 10] });
  for (const v of [0.05, 0.1, 0.5, 3, 99, NaN]) h.observe({ route: "a" }, v);
  const out: string[] = [];
  h.render(out);
  assert.deepEqual(out, [
    "# HELP latency_seconds L.",
    "# TYPE latency_seconds histogram",
    'latency_seconds_bucket{route="a",le="0.1"} 2',
    'latency_seconds_bucket{route="a",le="1"} 3',
    'latency_seconds_bucket{route="a",le="10"} 4',
    'latency_seconds_bucket{route="a",le="+Inf"} 5',
    'latency_seconds_sum{route="a"} 102.65',
    'latency_seconds_count{route="a"} 5',
  ]);
  assert.equal(h.count({ route: "a" }), 5);
  assert.equal(h.count({ route: "b" }), 0);
  assert.equal(h.size, 1, "reading a count creates no series");
});

Deno.test("names, labels and amounts are checked", () => {
  assert.throws(() => new Counter({ name: "bad-name", help: "" }), TypeError);
  assert.throws(() => new Counter({ name: "ok", help: "", labelNames: ["__x"] }), TypeError);
  const c = new Counter({ name: "c_total", help: "" });
  assert.throws(() => c.inc({}, -1), RangeError);
  assert.throws(() => c.inc({ "bad label": "x" }), TypeError);
  assert.throws(() => new Histogram({ name: "h", help: "", buckets: [1, 1] }), RangeError);
  const h = new Histogram({ name: "h", help: "", buckets: [1] });
  assert.throws(() => h.observe({ le: "1" }, 1), TypeError);
  const registry = new PrometheusRegistry();
  const first = registry.gauge({ name: "g", help: "" });
  assert.equal(registry.gauge({ name: "g", help: "" }), first);
  assert.throws(() => registry.counter({ name: "g", help: "" }), /already registered as a gauge/);
});

Deno.test("label sets past maxSeries are counted under one overflow series", () => {
  const c = new Counter({ name: "c_total", help: "", maxSeries: 3 });
  for (let i = 0; i < 10; i++) c.inc({ model: `m${i}` });
  assert.equal(c.size, 4);
  assert.equal(c.get({ model: OVERFLOW_LABEL_VALUE }), 7);
  c.inc({ model: "m1" });
  assert.equal(c.get({ model: "m1" }), 2);
});

/** The value of the sample with exactly this name and label set (undefined when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const [key, value] of samples(text)) {
    const brace = key.indexOf("{");
    const metric = brace < 0 ? key : key.slice(0, brace);
    if (metric !== name) continue;
    const found: Record<string, string> = {};
    if (brace >= 0) {
      for (const m of key.slice(brace + 1, -1).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        found[m[1]] = m[2];
      }
    }
    const keys = Object.keys(labels);
    if (
      keys.length === Object.keys(found).length && keys.every((k) => found[k] === labels[k])
    ) return value;
  }
  return undefined;
}

Deno.test("response events feed the GenAI histograms and the requests counter", () => {
  const registry = new PrometheusRegistry();
  const genai = new GenAiMetrics(registry);
  const ok = sampleResponse({
    latency_ms: 1500,
    ttft_ms: 120,
    prompt_tokens: 20,
    completion_tokens: 50,
  });
  genai.observe(ok);
  genai.observe({ ...ok, latency_ms: 30, ttft_ms: null });
  genai.observe(sampleResponse({
    status: "error",
    error: { type: "connection_refused", message: "down" },
    latency_ms: 5,
    prompt_tokens: 0,
    completion_tokens: 0,
  }));
  genai.observe({
    ...ok,
    source: "otlp" as never,
    tags: { provider: "openai", operation: "text_completion" },
  });
  const text = registry.render();
  const base = {
    gen_ai_operation_name: "chat",
    gen_ai_provider_name: "ollama",
    gen_ai_request_model: "smollm2:135m",
    source: "test",
  };
  const failed = { ...base, error_type: "connection_refused" };
  const input = { ...base, gen_ai_token_type: "input" };
  const output = { ...base, gen_ai_token_type: "output" };
  const d = "gen_ai_client_operation_duration_seconds";
  assert.equal(sample(text, `${d}_count`, base), 2);
  assert.equal(sample(text, `${d}_bucket`, { ...base, le: "0.04" }), 1);
  assert.equal(sample(text, `${d}_bucket`, { ...base, le: "2.56" }), 2);
  assert.equal(sample(text, `${d}_bucket`, { ...base, le: "+Inf" }), 2);
  assert.equal(sample(text, `${d}_sum`, base), 1.53);
  assert.equal(sample(text, `${d}_count`, failed), 1);
  assert.equal(sample(text, "gen_ai_client_token_usage_sum", input), 40);
  assert.equal(sample(text, "gen_ai_client_token_usage_sum", output), 100);
  assert.equal(sample(text, "gen_ai_client_token_usage_bucket", { ...output, le: "64" }), 2);
  assert.equal(sample(text, "gen_ai_client_token_usage_bucket", { ...output, le: "16" }), 0);
  const t = "gen_ai_server_time_to_first_token_seconds";
  assert.equal(sample(text, `${t}_count`, base), 1);
  assert.equal(sample(text, `${t}_bucket`, { ...base, le: "0.1" }), 0);
  assert.equal(sample(text, `${t}_bucket`, { ...base, le: "0.25" }), 1);
  assert.equal(sample(text, "llmops_llm_requests_total", { ...base, status: "success" }), 2);
  assert.equal(sample(text, "llmops_llm_requests_total", { ...failed, status: "error" }), 1);
  assert.equal(
    sample(text, "llmops_llm_requests_total", {
      ...base,
      gen_ai_operation_name: "text_completion",
      gen_ai_provider_name: "openai",
      source: "otlp",
      status: "success",
    }),
    1,
  );
  assert.equal(
    sample(text, "gen_ai_client_token_usage_count", { ...failed, gen_ai_token_type: "input" }),
    undefined,
    "a failure without tokens records no token usage",
  );
});

Deno.test("the pipeline's gauges and counters are set by their owners", () => {
  const registry = new PrometheusRegistry();
  const pipeline = new PipelineMetrics(registry);
  pipeline.consumerLag.set({ group: "mlflow-sink" }, 12);
  pipeline.consumerLag.set({ group: "drift-monitor" }, 0);
  pipeline.dlqMessages.set({}, 3);
  pipeline.sinkRetrying.set({ sink: "mlflow" }, 1);
  pipeline.gatewayEventsDropped.setTotal({}, 5);
  pipeline.otlpSpans.inc({ outcome: "skipped" }, 4);
  const s = samples(registry.render());
  assert.equal(s.get('llmops_consumer_lag{group="mlflow-sink"}'), 12);
  assert.equal(s.get('llmops_consumer_lag{group="drift-monitor"}'), 0);
  assert.equal(s.get("llmops_dlq_messages"), 3);
  assert.equal(s.get('llmops_sink_retrying{sink="mlflow"}'), 1);
  assert.equal(s.get("llmops_gateway_events_dropped_total"), 5);
  assert.equal(s.get('llmops_otlp_spans_total{outcome="skipped"}'), 4);
  pipeline.consumerLag.reset();
  assert.equal(samples(registry.render()).has('llmops_consumer_lag{group="mlflow-sink"}'), false);
  assert.throws(() => pipeline.gatewayEventsDropped.setTotal({}, -1), RangeError);
});

Deno.test("priced responses add their cost to llmops_cost_usd_total, unpriced ones add nothing", () => {
  const registry = new PrometheusRegistry();
  const genai = new GenAiMetrics(registry);
  genai.observe(sampleResponse({ cost_usd: 0.25 }));
  genai.observe(sampleResponse({ cost_usd: 0.5 }));
  genai.observe(sampleResponse({ model: "other:1b" }));
  const text = registry.render();
  assert.match(text, /# TYPE llmops_cost_usd_total counter/);
  const base = {
    gen_ai_operation_name: "chat",
    gen_ai_provider_name: "ollama",
    gen_ai_request_model: "smollm2:135m",
    source: "test",
  };
  assert.equal(sample(text, "llmops_cost_usd_total", base), 0.75);
  assert.equal(
    sample(text, "llmops_cost_usd_total", { ...base, gen_ai_request_model: "other:1b" }),
    undefined,
  );
});

Deno.test("series found by a caller's key are the label set's series, and reset forgets the keys", () => {
  const registry = new PrometheusRegistry();
  const h = registry.histogram({ name: "h_seconds", help: "H.", buckets: [1, 2] });
  const c = registry.counter({ name: "c_total", help: "C." });
  let built = 0;
  const labels = () => {
    built++;
    return { model: "m" };
  };
  h.observeFast("k", labels, 0.5);
  h.observeFast("k", labels, 1.5);
  h.observe({ model: "m" }, 3);
  c.incFast("k", labels, 2);
  c.inc({ model: "m" });
  assert.equal(built, 2, "labels are built once per metric and key");
  assert.equal(h.count({ model: "m" }), 3);
  assert.equal(c.get({ model: "m" }), 3);
  c.reset();
  c.incFast("k", labels);
  assert.equal(c.get({ model: "m" }), 1);
  assert.equal(built, 3);
});
