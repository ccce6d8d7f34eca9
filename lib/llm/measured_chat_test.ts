/** Measured calls against the real Ollama, and every failure classified. */
import assert from "node:assert/strict";
import { measuredChat } from "./measured_chat.ts";
import { classifyError } from "./errors.ts";
import { INTEGRATION, integrationConfig } from "../stack/testing.ts";

const params = { temperature: 0, top_p: 1, num_predict: 32 };

Deno.test({
  name: "a real call is measured: text, first token before the end, Ollama's counts and durations",
  ...INTEGRATION,
  fn: async () => {
    const { ollama } = integrationConfig();
    const pieces: string[] = [];
    const m = await measuredChat(
      { prompt: "Say hello in one short sentence.", model: ollama.model, params },
      { host: ollama.host, onToken: (t) => pieces.push(t) },
    );
    assert.equal(m.status, "success", JSON.stringify(m.error));
    assert.ok(m.response.trim().length > 0);
    assert.equal(pieces.join(""), m.response);
    assert.ok(pieces.length > 1, "the answer should arrive in several pieces");
    assert.equal(m.response_chars, m.response.length);
    assert.ok(m.ttft_ms !== null && m.ttft_ms > 0 && m.ttft_ms <= m.latency_ms);
    assert.ok(m.completion_tokens > 0 && m.completion_tokens <= 32);
    assert.ok(m.prompt_tokens > 0);
    assert.ok(m.tokens_per_s > 0);
    assert.ok(m.total_duration_ns! > 0 && m.eval_duration_ns! > 0);
    assert.ok(m.ts_end >= m.ts_start);
  },
});

Deno.test({
  name: "an unknown model is recorded as model_not_found, not thrown",
  ...INTEGRATION,
  fn: async () => {
    const { ollama } = integrationConfig();
    const m = await measuredChat(
      { prompt: "Hi", model: "no-such-model:1b", params },
      { host: ollama.host },
    );
    assert.equal(m.status, "error");
    assert.equal(m.error?.type, "model_not_found");
    assert.match(m.error!.message, /not found/);
    assert.equal(m.completion_tokens, 0);
    assert.equal(m.ttft_ms, null);
  },
});

Deno.test({
  name: "a closed port is recorded as connection_refused",
  ...INTEGRATION,
  fn: async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const m = await measuredChat(
      { prompt: "Hi", model: "smollm2:135m", params },
      { host: `http://127.0.0.1:${port}` },
    );
    assert.equal(m.status, "error");
    assert.equal(m.error?.type, "connection_refused", m.error?.message);
  },
});

Deno.test({
  name: "the per-call timeout aborts a slow call and records a timeout",
  ...INTEGRATION,
  fn: async () => {
    const { ollama } = integrationConfig();
    const m = await measuredChat(
      {
        prompt: "Write a long story about a lighthouse.",
        model: ollama.model,
        params: { ...params, num_predict: 2000 },
      },
      { host: ollama.host, timeoutMs: 300 },
    );
    assert.equal(m.status, "error");
    assert.equal(m.error?.type, "timeout");
    assert.ok(m.latency_ms < 5_000, `took ${m.latency_ms} ms`);
  },
});

Deno.test({
  name: "an abort from the caller is recorded as aborted",
  ...INTEGRATION,
  fn: async () => {
    const { ollama } = integrationConfig();
    const controller = new AbortController();
    setTimeout(() => controller.abort("user pressed stop"), 200);
    const m = await measuredChat(
      {
        prompt: "Count from one to two hundred.",
        model: ollama.model,
        params: { ...params, num_predict: 2000 },
      },
      { host: ollama.host, signal: controller.signal },
    );
    assert.equal(m.error?.type, "aborted");
    assert.match(m.error!.message, /user pressed stop/);
  },
});

Deno.test("classifyError maps HTTP statuses and stream breaks to their types", () => {
  const http = Object.assign(new Error("internal"), { status_code: 500 });
  assert.deepEqual(classifyError(http), { type: "http_error", message: "HTTP 500: internal" });
  const missing = Object.assign(new Error('model "x" not found, try pulling it first'), {
    status_code: 404,
  });
  assert.equal(classifyError(missing).type, "model_not_found");
  assert.equal(
    classifyError(new Error("reset by peer"), { streamStarted: true }).type,
    "broken_stream",
  );
  assert.equal(classifyError(new Error("weird")).type, "unknown");
});
