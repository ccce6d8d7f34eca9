/**
 * A real Prometheus, built from its Go module, scrapes a tiny server that exposes the gateway's
 * registry after N response events: PromQL returns N, and promtool accepts the text.
 */
import assert from "node:assert/strict";
import {
  prometheusConfig,
  prometheusReleaseOf,
  promtoolCheckMetrics,
  provisionPrometheus,
  startPrometheus,
} from "./prometheus.ts";
import { INTEGRATION, integrationConfig, waitFor } from "./testing.ts";
import {
  GenAiMetrics,
  PipelineMetrics,
  PROMETHEUS_CONTENT_TYPE,
  PrometheusRegistry,
} from "../gateway/prometheus.ts";
import { sampleResponse } from "../events/testing.ts";

Deno.test("the generated configuration scrapes the targets at the interval", () => {
  const yaml = prometheusConfig({ targets: ["127.0.0.1:8080"], intervalS: 2 });
  assert.match(yaml, /scrape_interval: 2s/);
  assert.match(yaml, /targets: \["127\.0\.0\.1:8080"\]/);
  assert.match(yaml, /metrics_path: "\/metrics"/);
  assert.throws(() => prometheusConfig({ targets: ["http://x/metrics"] }), RangeError);
  assert.throws(() => prometheusConfig({ targets: ["a:1"], intervalS: 0 }), RangeError);
  assert.equal(prometheusReleaseOf("v0.316.0"), "3.16.0");
  assert.equal(prometheusReleaseOf("v0.313.2"), "3.13.2");
  assert.throws(() => prometheusReleaseOf("v3.0.0"), RangeError);
});

/** A registry fed with `n` events, varied in model, outcome and source. */
function fedRegistry(n: number): PrometheusRegistry {
  const registry = new PrometheusRegistry();
  const genai = new GenAiMetrics(registry);
  const pipeline = new PipelineMetrics(registry);
  for (let i = 0; i < n; i++) {
    genai.observe(sampleResponse({
      model: i % 3 === 0 ? "smollm2:135m" : 'odd "model"\\name',
      latency_ms: 40 + i * 37,
      ttft_ms: i % 4 === 0 ? null : 10 + i,
      prompt_tokens: i,
      completion_tokens: 2 * i,
      ...(i % 5 === 0
        ? { status: "error" as const, error: { type: "timeout" as const, message: "slow" } }
        : {}),
    }));
  }
  pipeline.consumerLag.set({ group: "mlflow-sink" }, 4);
  pipeline.dlqMessages.set({}, 1);
  pipeline.sinkRetrying.set({ sink: "mlflow" }, 0);
  pipeline.gatewayEventsDropped.setTotal({}, 2);
  return registry;
}

Deno.test({
  name: "promtool check metrics accepts the exposition text",
  ...INTEGRATION,
  fn: async () => {
    const bin = await provisionPrometheus(integrationConfig(), console.error);
    const check = await promtoolCheckMetrics(bin.promtool, fedRegistry(25).render());
    assert.ok(check.ok, `promtool: ${check.output}`);
    const broken = await promtoolCheckMetrics(bin.promtool, '# TYPE x counter\nx{a="1} 1\n');
    assert.equal(broken.ok, false, "promtool refuses broken text, so the check above can fail");
  },
});

Deno.test({
  name: "a real Prometheus scrapes the registry and counts the calls fed to it",
  ...INTEGRATION,
  fn: async () => {
    const n = 23;
    const text = fedRegistry(n).render();
    let scrapes = 0;
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
      if (new URL(request.url).pathname !== "/metrics") return new Response("no", { status: 404 });
      scrapes++;
      return new Response(text, { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
    });
    const prometheus = await startPrometheus(integrationConfig(), {
      targets: [`127.0.0.1:${server.addr.port}`],
      intervalS: 1,
    }, console.error);
    try {
      let total = NaN;
      await waitFor(
        async () => {
          const result = await prometheus.query(
            "sum(gen_ai_client_operation_duration_seconds_count)",
          );
          total = result[0]?.value ?? NaN;
          return total === n;
        },
        `Prometheus to report ${n} calls (last: ${total})`,
        60_000,
      );
      assert.ok(scrapes >= 1);
      const errors = await prometheus.query(
        'sum(llmops_llm_requests_total{status="error",error_type="timeout"})',
      );
      assert.equal(errors[0].value, Math.ceil(n / 5));
      const odd = await prometheus.query(
        'sum(gen_ai_client_operation_duration_seconds_count{gen_ai_request_model="odd \\"model\\"\\\\name"})',
      );
      assert.equal(odd[0].value, n - Math.ceil(n / 3), "an escaped label value arrives intact");
      const lag = await prometheus.query('llmops_consumer_lag{group="mlflow-sink"}');
      assert.equal(lag[0].value, 4);
      // The median latency is 40 + 11 * 37 = 447 ms, in the (0.32, 0.64] bucket.
      const p50 = await prometheus.query(
        "histogram_quantile(0.5, sum by (le) (gen_ai_client_operation_duration_seconds_bucket))",
      );
      assert.ok(p50[0].value > 0.32 && p50[0].value <= 0.64, `p50 ${p50[0].value}`);
    } finally {
      await prometheus.stop();
      await server.shutdown();
    }
  },
});
