/**
 * `deno task serve` (server/main.ts as a subprocess, with LLMOPS_TOKEN) starts the gateway
 * beside the dashboard and prints both URLs; the gateway asks for the same token (an OpenAI
 * client's API key), answers in its dialects, and the dashboard's `/metrics` is Prometheus text
 * behind the token. No model call is made, so nothing is left on the product's topics.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { PROMETHEUS_CONTENT_TYPE } from "../../lib/gateway/prometheus.ts";
import { INTEGRATION } from "../../lib/stack/testing.ts";
import { startServer } from "../_browser_server.ts";

const TOKEN = "serve-gateway-token-0123456789";

Deno.test({
  name: "serve starts the gateway beside the dashboard, behind the same token",
  ...INTEGRATION,
  fn: async () => {
    const server = await startServer({ env: { LLMOPS_TOKEN: TOKEN, LLMOPS_WORKERS: "0" } });
    try {
      assert.match(server.output(), /^gateway:\s+http:\/\/127\.0\.0\.1:\d+\/ \(for applications/m);
      const gw = server.gatewayOrigin;
      const refused = new OpenAI({ apiKey: "wrong-key", baseURL: `${gw}/v1`, maxRetries: 0 });
      await assert.rejects(
        refused.models.list(),
        (e: unknown) => e instanceof OpenAI.AuthenticationError,
      );
      const client = new OpenAI({ apiKey: TOKEN, baseURL: `${gw}/v1`, maxRetries: 0 });
      assert.ok((await client.models.list()).data.length > 0);
      const ollamaNoToken = await fetch(`${gw}/api/tags`);
      assert.equal(ollamaNoToken.status, 401);
      assert.equal(typeof (await ollamaNoToken.json()).error, "string");
      const health = await fetch(`${gw}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal((await health.json()).publisher.dropped, 0);

      const metricsNoToken = await fetch(`${server.origin}/metrics`);
      assert.equal(metricsNoToken.status, 401);
      await metricsNoToken.body?.cancel();
      const metrics = await fetch(`${server.origin}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(metrics.status, 200);
      assert.equal(metrics.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
      const text = await metrics.text();
      assert.match(text, /^# TYPE gen_ai_client_operation_duration_seconds histogram$/m);
      assert.match(text, /^llmops_gateway_events_dropped_total 0$/m);
      assert.match(text, /^llmops_consumer_lag\{group="mlflow-traces"\} \d+$/m);
    } finally {
      assert.equal(await server.stop(), 143);
    }
  },
});
