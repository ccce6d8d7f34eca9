/**
 * Real clients against a real gateway, with the whole pipeline behind it on the real stack:
 * npm:openai (chat streamed and not, with include_usage; completions; embeddings; models),
 * npm:ollama, LangChain's ChatOpenAI, and the OpenTelemetry JS SDK's OTLP exporters (JSON and
 * protobuf). Each call shows in `/api/responses`, as exactly one MLflow run, as one MLflow
 * trace and in the drift windows; a real Prometheus scrapes the dashboard's `/metrics` and
 * counts the calls; malformed, mistyped, oversized and hostile requests get their dialect's
 * error, the gateway keeps serving and nothing of them reaches `llm.responses`.
 */
import assert from "node:assert/strict";
import { ChatOpenAI } from "@langchain/openai";
import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { decodeResponse, type ResponseEvent } from "../../lib/events/mod.ts";
import { spanRequestId } from "../../lib/gateway/mod.ts";
import { createKafka, readTopic } from "../../lib/kafka/mod.ts";
import { MlflowClient, tagOf } from "../../lib/mlflow/mod.ts";
import { startPrometheus } from "../../lib/stack/prometheus.ts";
import { INTEGRATION, integrationConfig, waitFor } from "../../lib/stack/testing.ts";
import { mlflowTraces, startRealEnv } from "./_real_env.ts";

const SHORT = { temperature: 0, seed: 7 };

Deno.test({
  name:
    "OpenAI, Ollama, LangChain and OpenTelemetry clients through the real gateway show on every tab, in MLflow and in Prometheus",
  ...INTEGRATION,
  fn: async () => {
    const shared = integrationConfig();
    const t0 = Date.now();
    const phase = (what: string) =>
      console.error(`[${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}`);
    const env = await startRealEnv(shared);
    const model = env.config.ollama.model;
    const gw = env.gateway.url;
    const prometheus = await startPrometheus(shared, {
      targets: [new URL(env.dashboard).host],
      jobName: "llmops-dashboard",
    });
    /** Request ids of the gateway's calls (model calls, failed ones included). */
    const calls: string[] = [];
    const id = () => {
      const value = crypto.randomUUID();
      calls.push(value);
      return value;
    };
    phase("pipeline, dashboard, gateway and Prometheus up");
    try {
      // --- npm:openai
      const openai = new OpenAI({ apiKey: "any-key", baseURL: `${gw}/v1`, maxRetries: 0 });
      const chatId = id();
      const { data: chat, response: chatHttp } = await openai.chat.completions.create({
        model,
        messages: [
          { role: "system", content: "Answer in one word." },
          { role: "user", content: "Name a color." },
          { role: "assistant", content: "Blue." },
          { role: "user", content: "Another one?" },
        ],
        max_tokens: 8,
        ...SHORT,
        user: "openai-user",
      }, { headers: { "x-request-id": chatId, "x-llmops-tags": "client=openai" } })
        .withResponse();
      assert.equal(chatHttp.headers.get("x-request-id"), chatId);
      const chatText = chat.choices[0].message.content ?? "";
      assert.ok(chatText.length > 0);
      assert.ok(chat.usage!.completion_tokens > 0);

      const streamId = id();
      const stream = await openai.chat.completions.create({
        model,
        messages: [{ role: "user", content: "Name a fruit." }],
        max_completion_tokens: 8,
        ...SHORT,
        stream: true,
        stream_options: { include_usage: true },
      }, { headers: { "x-request-id": streamId, "x-llmops-session": "sess-1" } });
      let streamed = "";
      let usage: OpenAI.CompletionUsage | null = null;
      for await (const chunk of stream) {
        streamed += chunk.choices[0]?.delta?.content ?? "";
        usage = chunk.usage ?? usage;
      }
      assert.ok(streamed.length > 0);
      assert.ok(usage && usage.completion_tokens > 0);

      const completionId = id();
      const completion = await openai.completions.create(
        { model, prompt: "Once upon a time", max_tokens: 6, ...SHORT },
        { headers: { "x-request-id": completionId } },
      );
      assert.ok(completion.choices[0].text.length > 0);

      const embedId = id();
      const embedding = await openai.embeddings.create(
        { model, input: ["Kafka keeps a log."] },
        { headers: { "x-request-id": embedId } },
      );
      assert.ok(embedding.data[0].embedding.length > 10);
      const models = await openai.models.list();
      assert.ok(models.data.some((m) => m.id === model));

      const missingId = id();
      await assert.rejects(
        openai.chat.completions.create(
          { model: "no-such-model:1b", messages: [{ role: "user", content: "x" }] },
          { headers: { "x-request-id": missingId } },
        ),
        (e: unknown) => e instanceof OpenAI.NotFoundError,
      );
      await assert.rejects(
        openai.chat.completions.create({
          model,
          messages: [{ role: "user", content: "x" }],
          temperature: "hot" as unknown as number,
        }),
        (e: unknown) => e instanceof OpenAI.BadRequestError && /temperature/.test(e.message),
      );

      phase("npm:openai calls done");
      // --- npm:ollama
      const ollamaId = id();
      const ollama = new Ollama({
        host: gw,
        headers: { "x-request-id": ollamaId, "x-llmops-user": "ollama-user" },
      });
      let ollamaText = "";
      for await (
        const part of await ollama.chat({
          model,
          messages: [{ role: "user", content: "Name an animal." }],
          stream: true,
          options: { num_predict: 8, ...SHORT },
        })
      ) ollamaText += part.message.content;
      assert.ok(ollamaText.length > 0);
      const generateId = id();
      const generated = await new Ollama({ host: gw, headers: { "x-request-id": generateId } })
        .generate({ model, prompt: "Say hi.", stream: false, options: { num_predict: 6 } });
      assert.ok((generated.response ?? "").length > 0);
      assert.ok((await ollama.list()).models.some((m) => m.name === model));

      // --- LangChain
      const langchainId = id();
      const chatModel = new ChatOpenAI({
        model,
        apiKey: "any-key",
        maxTokens: 8,
        temperature: 0,
        maxRetries: 0,
        configuration: { baseURL: `${gw}/v1`, defaultHeaders: { "x-request-id": langchainId } },
      });
      const lcAnswer = await chatModel.invoke([["user", "Name a planet."]]);
      assert.ok(String(lcAnswer.content).length > 0);

      phase("npm:ollama and LangChain calls done");
      // --- hostile and broken requests: the dialect's error, the gateway keeps serving
      const post = (path: string, body: string, headers: Record<string, string> = {}) =>
        fetch(`${gw}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
      const badJson = await post("/v1/chat/completions", "{");
      assert.equal(badJson.status, 400);
      assert.equal((await badJson.json()).error.type, "invalid_request_error");
      const badOllama = await post("/api/chat", '{"model": 7}');
      assert.equal(badOllama.status, 400);
      assert.match((await badOllama.json()).error, /model must be a string/);
      const huge = await post(
        "/api/chat",
        JSON.stringify({ model, messages: [{ role: "user", content: "x".repeat(5_000_000) }] }),
      );
      assert.equal(huge.status, 413);
      assert.equal(typeof (await huge.json()).error, "string");
      for (const hostile of ["{", '{"resourceSpans":[{"scopeSpans":"x"}]}', "[]"]) {
        const r = await post("/v1/traces", hostile);
        assert.equal(r.status, 400, hostile);
        await r.body?.cancel();
      }

      // --- the OpenTelemetry SDK, JSON and protobuf exporters
      const otlpIds: string[] = [];
      for (const Exporter of [JsonExporter, ProtoExporter]) {
        const provider = new TracerProvider({
          resource: resourceFromAttributes({ "service.name": "otel-test-app" }),
          spanProcessors: [
            new SimpleSpanProcessor({
              exporter: new Exporter({ url: `${gw}/v1/traces` }),
            }),
          ],
        });
        const tracer = provider.getTracer("gateway-real-test");
        const span = tracer.startSpan(`chat ${model}`, {
          kind: 2,
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": model,
            "gen_ai.request.max_tokens": 16,
            "gen_ai.usage.input_tokens": 12,
            "gen_ai.usage.output_tokens": 5,
            "gen_ai.input.messages": JSON.stringify([
              { role: "user", parts: [{ type: "text", content: "What is OTLP?" }] },
            ]),
            "gen_ai.output.messages": JSON.stringify([
              { role: "assistant", parts: [{ type: "text", content: "A protocol." }] },
            ]),
          },
        });
        otlpIds.push(spanRequestId(span.spanContext().traceId, span.spanContext().spanId));
        span.end();
        tracer.startSpan("SELECT users", { attributes: { "db.system": "postgresql" } }).end();
        await provider.forceFlush();
        await provider.shutdown();
      }
      trace.disable();

      phase("hostile requests and OTLP spans sent");
      // --- every call once on llm.responses, every event valid, nothing else
      const kafka = createKafka(env.config.kafka.brokers, "gateway-real-test-reader");
      const expected = new Set([...calls, ...otlpIds]);
      let events: ResponseEvent[] = [];
      await waitFor(
        async () => {
          const messages = await readTopic(kafka, env.topics.responses, { timeoutMs: 30_000 });
          events = messages.map((m) => decodeResponse(m.value));
          return events.length >= expected.size;
        },
        `${expected.size} response events`,
        60_000,
      );
      assert.deepEqual(new Set(events.map((e) => e.request_id)), expected);
      assert.equal(events.length, expected.size, "exactly one event per call");
      const byId = new Map(events.map((e) => [e.request_id, e]));
      assert.equal(byId.get(chatId)!.response, chatText);
      assert.equal(byId.get(chatId)!.messages?.length, 4);
      assert.equal(byId.get(chatId)!.user_id, "openai-user");
      assert.deepEqual(byId.get(chatId)!.tags, { client: "openai" });
      assert.ok(byId.get(chatId)!.eval_duration_ns! > 0, "Ollama's own timings are recorded");
      assert.equal(byId.get(streamId)!.response, streamed);
      assert.equal(byId.get(streamId)!.session_id, "sess-1");
      assert.equal(byId.get(ollamaId)!.response, ollamaText);
      assert.equal(byId.get(ollamaId)!.user_id, "ollama-user");
      assert.equal(byId.get(generateId)!.response, generated.response);
      assert.equal(byId.get(langchainId)!.response, String(lcAnswer.content));
      assert.equal(byId.get(missingId)!.status, "error");
      assert.equal(byId.get(missingId)!.error?.type, "model_not_found");
      assert.ok(otlpIds.every((i) => byId.get(i)!.source === "otlp"));
      assert.ok(calls.every((i) => byId.get(i)!.source === "gateway"));
      assert.equal(env.gateway.stats().dropped, 0);

      phase("every event on llm.responses");
      // --- the dashboard: /api/responses, per-source figures, drift windows
      await waitFor(
        async () => {
          const { responses } = await (await fetch(`${env.dashboard}/api/responses?limit=500`))
            .json() as { responses: ResponseEvent[] };
          return expected.size === new Set(
            responses.map((r) => r.request_id).filter((r) => expected.has(r)),
          ).size;
        },
        "every call in /api/responses",
        30_000,
      );
      const snapshot = await (await fetch(`${env.dashboard}/api/metrics`)).json();
      assert.equal(snapshot.per_source.gateway.total, calls.length);
      assert.equal(snapshot.per_source.otlp.total, otlpIds.length);
      await waitFor(
        () => env.pipeline.drift().windows.responses_seen >= expected.size,
        "the drift windows to see every call",
        30_000,
      );

      phase("dashboard and drift saw every call");
      // --- MLflow: exactly one run and one trace per call
      const mlflow = new MlflowClient(env.config.mlflow.uri);
      const experimentId = await mlflow.getOrCreateExperiment(env.config.mlflow.experiment);
      await waitFor(
        async () => {
          const runs = await mlflow.searchAllRuns({ experiment_ids: [experimentId] });
          return runs.length >= expected.size;
        },
        "a run per call",
        120_000,
      );
      const runs = await mlflow.searchAllRuns({ experiment_ids: [experimentId] });
      phase("a run per call");
      assert.equal(runs.length, expected.size);
      assert.deepEqual(new Set(runs.map((r) => tagOf(r, "request_id"))), expected);
      let traces: Awaited<ReturnType<typeof mlflowTraces>> = [];
      await waitFor(
        async () => {
          traces = await mlflowTraces(env.config.mlflow.uri, experimentId);
          return traces.length >= expected.size;
        },
        "a trace per call",
        120_000,
      );
      assert.equal(traces.length, expected.size);
      assert.deepEqual(
        new Set(traces.map((t) => t.trace_id)),
        new Set([...expected].map((i) => `tr-${i.replace(/-/g, "")}`)),
      );
      assert.equal(
        traces.find((t) => t.trace_id === `tr-${missingId.replace(/-/g, "")}`)?.state,
        "ERROR",
      );

      phase("a trace per call");
      // --- Prometheus scrapes the dashboard's /metrics and counts the gateway's calls
      let counted = NaN;
      await waitFor(
        async () => {
          const result = await prometheus.query(
            'sum(llmops_llm_requests_total{source="gateway"})',
          );
          counted = result[0]?.value ?? NaN;
          return counted === calls.length;
        },
        `Prometheus to count ${calls.length} gateway calls`,
        30_000,
      ).catch((error) => {
        throw new Error(`${error.message}; last value ${counted}`);
      });
      const otlp = await prometheus.query('sum(llmops_llm_requests_total{source="otlp"})');
      assert.equal(otlp[0]?.value, otlpIds.length);
      const dropped = await prometheus.query("llmops_gateway_events_dropped_total");
      assert.equal(dropped[0]?.value, 0);
      const lag = await prometheus.query("count(llmops_consumer_lag)");
      assert.ok((lag[0]?.value ?? 0) >= 4, "lag of every consumer group");

      phase("Prometheus counted the calls");
      // the worker skipped the gateway's request events: it made no call of its own
      await waitFor(
        async () => {
          const health = await env.pipeline.health();
          const worker = health.consumers.find((g) => g.group.startsWith("llm-worker"));
          return worker?.lag === 0;
        },
        "the worker group to consume the gateway's request events",
        30_000,
      );
      const workers = (await env.pipeline.health()).workers.filter((w) => w.local);
      assert.deepEqual(workers.map((w) => [w.succeeded, w.failed]), [[0, 0]]);
      // the gateway still serves after everything above
      const after = await openai.models.list();
      assert.ok(after.data.length > 0);
    } finally {
      await prometheus.stop();
      await env.stop();
    }
  },
});
