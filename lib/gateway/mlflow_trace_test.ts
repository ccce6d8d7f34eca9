/**
 * Calls exported to MLflow's OTLP endpoint as traces: the span's shape (unit) and, against the
 * real MLflow 3.17 of the stack, the traces read back through MLflow's REST API.
 */
import assert from "node:assert/strict";
import {
  exportTracesToMlflow,
  mlflowTraceIdOf,
  otlpTraceIdOf,
  responseSpan,
  responsesToOtlpJson,
  type TracedResponse,
} from "./mlflow_trace.ts";
import { decodeOtlpJson } from "./otlp_json.ts";
import { mapGenAiSpans } from "./otlp_genai.ts";
import { MlflowClient, MlflowError } from "../mlflow/client.ts";
import { INTEGRATION, integrationConfig, uniqueName, waitFor } from "../stack/testing.ts";
import { sampleResponse } from "../events/testing.ts";

function gatewayEvent(overrides: Partial<TracedResponse> = {}): TracedResponse {
  return {
    ...sampleResponse({
      ts_start: 1_760_000_000_000,
      ts_end: 1_760_000_001_250,
      latency_ms: 1_250.5,
      ttft_ms: 180,
      prompt_tokens: 31,
      completion_tokens: 12,
      response: "Kafka is a distributed log.",
      user_id: "ada",
      session_id: "chat-7",
      params: { temperature: 0.2, top_p: 0.9, num_predict: 64, seed: 3 },
      total_duration_ns: 1_200_000_000,
      load_duration_ns: null,
      eval_duration_ns: 900_000_000,
    }),
    source: "gateway",
    tags: { provider: "ollama", operation: "chat", app: "faq" },
    ...overrides,
  };
}

const conversation = [
  { role: "system" as const, content: "Be brief." },
  { role: "user" as const, content: "Hi" },
  { role: "assistant" as const, content: "Hello" },
  { role: "user" as const, content: "What is Kafka?" },
];

Deno.test("a call becomes one CLIENT span with the GenAI attributes, ids from its request id", () => {
  const event = gatewayEvent();
  const span = responseSpan({ event, messages: conversation });
  const hex = event.request_id.replace(/-/g, "");
  assert.equal(span.traceId, hex);
  assert.equal(span.spanId, hex.slice(16));
  assert.equal(otlpTraceIdOf(event.request_id), hex);
  assert.equal(mlflowTraceIdOf(event.request_id), `tr-${hex}`);
  assert.equal(span.name, "chat smollm2:135m");
  assert.equal(span.kind, 3);
  assert.equal(span.startTimeUnixNano, "1760000000000000000");
  assert.equal(span.endTimeUnixNano, "1760000001250500000");
  assert.deepEqual(span.status, { code: 1 });
  const attrs = Object.fromEntries(span.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
  assert.equal(attrs["gen_ai.operation.name"], "chat");
  assert.equal(attrs["gen_ai.provider.name"], "ollama");
  assert.equal(attrs["gen_ai.request.model"], "smollm2:135m");
  assert.equal(attrs["gen_ai.request.max_tokens"], "64");
  assert.equal(attrs["gen_ai.request.seed"], "3");
  assert.equal(attrs["gen_ai.usage.input_tokens"], "31");
  assert.equal(attrs["gen_ai.response.time_to_first_chunk"], 0.18);
  assert.equal(attrs["user.id"], "ada");
  assert.equal(attrs["session.id"], "chat-7");
  assert.equal(attrs["mlflow.traceTag.app"], "faq");
  assert.equal(attrs["llmops.ollama.total_duration_ns"], "1200000000");
  assert.equal(attrs["llmops.ollama.load_duration_ns"], undefined);
  assert.deepEqual(JSON.parse(attrs["gen_ai.input.messages"] as string)[3], {
    role: "user",
    parts: [{ type: "text", content: "What is Kafka?" }],
  });
  assert.throws(() => otlpTraceIdOf("not-a-uuid"), TypeError);
  assert.throws(() => otlpTraceIdOf("00000000-0000-0000-0000-000000000000"), TypeError);
});

Deno.test("the exported trace maps back to the same call through our own OTLP intake", () => {
  const event = gatewayEvent({
    status: "error",
    error: { type: "timeout", message: "no answer in 30 s" },
  });
  const request = decodeOtlpJson(
    JSON.parse(JSON.stringify(responsesToOtlpJson([{ event, messages: conversation }]))),
  );
  const [mapped] = mapGenAiSpans(request, { workerId: "w" }).mapped;
  assert.equal(mapped.event.model, event.model);
  assert.equal(mapped.event.prompt, "What is Kafka?");
  assert.equal(mapped.event.system, "Be brief.");
  assert.equal(mapped.event.response, event.response);
  assert.equal(mapped.event.prompt_tokens, 31);
  assert.equal(mapped.event.latency_ms, 1_250.5);
  assert.equal(mapped.event.ttft_ms, 180);
  assert.equal(mapped.event.status, "error");
  assert.equal(mapped.event.error?.type, "timeout");
  assert.deepEqual(mapped.event.params, event.params);
});

Deno.test("an unreachable MLflow is a transient MlflowError", async () => {
  await assert.rejects(
    exportTracesToMlflow([{ event: gatewayEvent() }], {
      trackingUri: "http://127.0.0.1:9",
      experimentId: "1",
    }),
    (e: unknown) => e instanceof MlflowError && e.status === 0 && e.transient,
  );
});

interface MlflowTraceInfo {
  trace_id: string;
  state: string;
  trace_metadata: Record<string, string>;
  tags: Record<string, string>;
  request_preview?: string;
  response_preview?: string;
}

async function searchTraces(uri: string, experimentId: string, filter?: string) {
  const response = await fetch(`${uri}/api/3.0/mlflow/traces/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      locations: [{
        type: "MLFLOW_EXPERIMENT",
        mlflow_experiment: { experiment_id: experimentId },
      }],
      ...(filter ? { filter } : {}),
      max_results: 100,
    }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()).traces ?? []) as MlflowTraceInfo[];
}

Deno.test({
  name: "calls posted to the real MLflow's /v1/traces read back as traces with their attributes",
  ...INTEGRATION,
  fn: async () => {
    const { mlflow } = integrationConfig();
    const client = new MlflowClient(mlflow.uri);
    const experimentId = await client.getOrCreateExperiment(uniqueName("gateway-traces"));
    const run = await client.createRun({ experiment_id: experimentId, run_name: "linked" });
    const ok = gatewayEvent();
    const failed = gatewayEvent({
      request_id: crypto.randomUUID(),
      status: "error",
      error: { type: "connection_refused", message: "Ollama is down" },
      response: "",
      completion_tokens: 0,
      ttft_ms: null,
      session_id: undefined,
    });
    await exportTracesToMlflow([{ event: ok, messages: conversation }], {
      trackingUri: mlflow.uri,
      experimentId,
      runId: run.info.run_id,
    });
    await exportTracesToMlflow([{ event: failed }], { trackingUri: mlflow.uri, experimentId });
    // A replay of the same event writes the same trace, not a second one.
    await exportTracesToMlflow([{ event: ok, messages: conversation }], {
      trackingUri: mlflow.uri,
      experimentId,
    });

    let traces: MlflowTraceInfo[] = [];
    await waitFor(
      async () => {
        traces = await searchTraces(mlflow.uri, experimentId);
        return traces.length >= 2;
      },
      "two traces in the fresh experiment",
      30_000,
    );
    assert.equal(traces.length, 2);
    const okTrace = traces.find((t) => t.trace_id === mlflowTraceIdOf(ok.request_id))!;
    const failedTrace = traces.find((t) => t.trace_id === mlflowTraceIdOf(failed.request_id))!;
    assert.ok(okTrace && failedTrace, JSON.stringify(traces.map((t) => t.trace_id)));
    assert.equal(okTrace.state, "OK");
    assert.equal(failedTrace.state, "ERROR");
    assert.equal(okTrace.trace_metadata["mlflow.trace.user"], "ada");
    assert.equal(okTrace.trace_metadata["mlflow.trace.session"], "chat-7");
    assert.deepEqual(JSON.parse(okTrace.trace_metadata["mlflow.trace.tokenUsage"]), {
      input_tokens: 31,
      output_tokens: 12,
      total_tokens: 43,
    });
    assert.equal(okTrace.tags.request_id, ok.request_id);
    assert.equal(okTrace.tags.source, "gateway");
    assert.equal(okTrace.tags.app, "faq");
    assert.equal(okTrace.tags["service.name"], "llmops-workbench");
    assert.match(okTrace.request_preview ?? "", /What is Kafka\?/);
    assert.match(okTrace.response_preview ?? "", /Kafka is a distributed log\./);

    const linked = await searchTraces(
      mlflow.uri,
      experimentId,
      `trace.run_id = '${run.info.run_id}'`,
    );
    assert.deepEqual(linked.map((t) => t.trace_id), [okTrace.trace_id]);

    const full = await fetch(
      `${mlflow.uri}/api/3.0/mlflow/traces/get?trace_id=${encodeURIComponent(okTrace.trace_id)}`,
    );
    assert.equal(full.status, 200);
    const { trace } = await full.json() as {
      trace: {
        spans: { name: string; attributes: { key: string; value: Record<string, unknown> }[] }[];
      };
    };
    assert.equal(trace.spans.length, 1);
    const attrs = Object.fromEntries(
      trace.spans[0].attributes.map((a) => [a.key, Object.values(a.value)[0]]),
    );
    assert.equal(trace.spans[0].name, "chat smollm2:135m");
    assert.equal(attrs["gen_ai.request.model"], "smollm2:135m");
    assert.equal(attrs["gen_ai.provider.name"], "ollama");
    assert.equal(Number(attrs["gen_ai.usage.output_tokens"]), 12);
    assert.equal(attrs["gen_ai.response.time_to_first_chunk"], 0.18);
    assert.equal(attrs["llmops.request_id"], ok.request_id);

    const noExperiment = await fetch(`${mlflow.uri}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(responsesToOtlpJson([{ event: gatewayEvent() }])),
    });
    assert.equal(noExperiment.status, 422, "MLflow requires x-mlflow-experiment-id");
    await noExperiment.body?.cancel();
  },
});
