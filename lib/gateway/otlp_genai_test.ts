/**
 * GenAI spans made by the real OpenTelemetry JS SDK mapped to response events with
 * `source: "otlp"`: current and deprecated attribute names, message shapes, errors, skips and
 * rejections.
 */
import assert from "node:assert/strict";
import type { Attributes } from "@opentelemetry/api";
import { decodeOtlpJson } from "./otlp_json.ts";
import { decodeOtlpProtobuf } from "./otlp_protobuf.ts";
import { errorTypeOf, mapGenAiSpans, spanRequestId } from "./otlp_genai.ts";
import { PROMPT_NOT_RECORDED, UNSET_PARAMS, validateGatewayResponse } from "./event_fields.ts";
import { chatSpanSpec, sdkJson, sdkProtobuf, sdkSpans, type SpanSpec } from "./_otel_testing.ts";

async function mapSpecs(specs: SpanSpec[], encoding: "json" | "protobuf" = "json") {
  const spans = await sdkSpans(specs);
  const request = encoding === "json"
    ? decodeOtlpJson(JSON.parse(sdkJson(spans)))
    : decodeOtlpProtobuf(sdkProtobuf(spans));
  return { spans, result: mapGenAiSpans(request, { workerId: "otlp-test" }) };
}

Deno.test("a v1.41 chat span becomes a valid otlp response event with its conversation", async () => {
  const startMs = 1_760_000_000_000;
  for (const encoding of ["json", "protobuf"] as const) {
    const { spans, result } = await mapSpecs([chatSpanSpec({ startMs })], encoding);
    assert.equal(result.mapped.length, 1);
    assert.equal(result.rejectedCount, 0);
    const { event, messages, provider, operation, defaulted } = result.mapped[0];
    validateGatewayResponse(event);
    const ctx = spans[0].spanContext();
    assert.equal(event.source, "otlp");
    assert.equal(event.request_id, spanRequestId(ctx.traceId, ctx.spanId));
    assert.equal(event.model, "smollm2:135m");
    assert.equal(event.prompt, "What is Kafka?");
    assert.equal(event.system, "Be brief.");
    assert.equal(event.response, "A distributed log.");
    assert.equal(event.response_chars, "A distributed log.".length);
    assert.deepEqual(event.params, { temperature: 0.2, top_p: 0.9, num_predict: 64, seed: 11 });
    assert.equal(event.prompt_tokens, 21);
    assert.equal(event.completion_tokens, 9);
    assert.equal(event.latency_ms, 1500);
    assert.equal(event.ttft_ms, 125);
    assert.equal(event.tokens_per_s, 6);
    assert.equal(event.ts_start, startMs);
    assert.equal(event.ts_end, startMs + 1500);
    assert.equal(event.status, "success");
    assert.equal(event.user_id, "ada");
    assert.equal(event.session_id, "chat-7");
    assert.equal(event.worker_id, "otlp-test");
    assert.equal(event.total_duration_ns, null);
    assert.deepEqual(event.tags, {
      provider: "openai",
      operation: "chat",
      trace_id: ctx.traceId,
      span_id: ctx.spanId,
      service: "sdk-test-app",
      finish_reason: "stop",
      response_model: "smollm2:135m-q4",
    });
    assert.equal(provider, "openai");
    assert.equal(operation, "chat");
    assert.deepEqual(defaulted, []);
    assert.deepEqual(messages.map((m) => `${m.role}:${m.content}`), [
      "system:Be brief.",
      "user:Hi",
      "assistant:Hello",
      "user:What is Kafka?",
      "assistant:A distributed log.",
    ]);
    assert.equal(event.schema, "llm.response.v2");
    assert.deepEqual(event.messages?.map((m) => `${m.role}:${m.content}`), [
      "system:Be brief.",
      "user:Hi",
      "assistant:Hello",
      "user:What is Kafka?",
    ]);
  }
});

Deno.test("the same span sent twice gets the same request id, another span another one", async () => {
  const spans = await sdkSpans([chatSpanSpec(), chatSpanSpec()]);
  const request = decodeOtlpJson(JSON.parse(sdkJson(spans)));
  const first = mapGenAiSpans(request, { workerId: "w" });
  const again = mapGenAiSpans(decodeOtlpJson(JSON.parse(sdkJson(spans))), { workerId: "w" });
  assert.deepEqual(
    first.mapped.map((m) => m.event.request_id),
    again.mapped.map((m) => m.event.request_id),
  );
  assert.notEqual(first.mapped[0].event.request_id, first.mapped[1].event.request_id);
  assert.match(
    first.mapped[0].event.request_id,
    /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.equal(
    spanRequestId("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"),
    "5b8efff7-9803-8103-bc88-2d4d42fe7778",
  );
});

Deno.test("deprecated names (gen_ai.system, prompt/completion tokens) and OpenLLMetry prompts map too", async () => {
  const { result } = await mapSpecs([{
    name: "openai.chat",
    attributes: {
      "gen_ai.system": "ollama",
      "llm.request.type": "chat",
      "gen_ai.request.model": "llama3",
      "gen_ai.usage.prompt_tokens": 5,
      "gen_ai.usage.completion_tokens": "3",
      "gen_ai.prompt.0.role": "system",
      "gen_ai.prompt.0.content": "Sys",
      "gen_ai.prompt.1.role": "user",
      "gen_ai.prompt.1.content": "Question?",
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.content": "Answer.",
    },
  }]);
  const { event, provider, defaulted } = result.mapped[0];
  assert.equal(provider, "ollama");
  assert.equal(event.prompt, "Question?");
  assert.equal(event.system, "Sys");
  assert.equal(event.response, "Answer.");
  assert.equal(event.prompt_tokens, 5);
  assert.equal(event.completion_tokens, 3);
  assert.deepEqual(event.params, { ...UNSET_PARAMS });
  assert.deepEqual(defaulted, ["temperature", "top_p", "num_predict"]);
  assert.equal(event.ttft_ms, null);
});

Deno.test("older message events and structured message attributes are read", async () => {
  const structured: Attributes = {
    "gen_ai.operation.name": "text_completion",
    "gen_ai.request.model": "m",
    "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "Rules." }]),
    "gen_ai.input.messages": JSON.stringify([{ role: "user", content: "plain content" }]),
  };
  const { result } = await mapSpecs([
    {
      name: "chat m",
      attributes: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "m" },
      events: [
        { name: "gen_ai.system.message", attributes: { content: "S" } },
        { name: "gen_ai.user.message", attributes: { content: "U" } },
        { name: "gen_ai.choice", attributes: { index: 0, content: "C" } },
      ],
    },
    { name: "text_completion m", attributes: structured },
  ]);
  const [fromEvents, fromContent] = result.mapped.map((m) => m.event);
  assert.equal(fromEvents.prompt, "U");
  assert.equal(fromEvents.system, "S");
  assert.equal(fromEvents.response, "C");
  assert.equal(fromContent.prompt, "plain content");
  assert.equal(fromContent.system, "Rules.");
  assert.equal(fromContent.response, "");
  assert.equal(fromContent.tags?.operation, "text_completion");
});

Deno.test("a span without recorded content still counts, with the prompt marked as not recorded", async () => {
  const { result } = await mapSpecs([{
    name: "chat m",
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "m",
      "gen_ai.usage.output_tokens": 4,
    },
  }]);
  const event = result.mapped[0].event;
  assert.equal(event.prompt, PROMPT_NOT_RECORDED);
  assert.equal(event.response, "");
  assert.equal(event.user_id, "anonymous");
  assert.equal(event.completion_tokens, 4);
});

Deno.test("error spans are error events with a classified type", async () => {
  const { result } = await mapSpecs([
    chatSpanSpec({ error: "Request timed out.", attributes: { "error.type": "timeout" } }),
    chatSpanSpec({ attributes: { "error.type": "404" } }),
    chatSpanSpec({ error: "boom" }),
  ]);
  const [timeout, missing, plain] = result.mapped.map((m) => m.event);
  assert.equal(timeout.status, "error");
  assert.equal(timeout.error?.type, "timeout");
  assert.equal(timeout.error?.message, "timeout: Request timed out.");
  assert.equal(missing.error?.type, "model_not_found");
  assert.equal(plain.error?.type, "unknown");
  assert.equal(plain.error?.message, "boom");
  assert.equal(errorTypeOf("APIConnectionError", ""), "connection_refused");
  assert.equal(errorTypeOf("500", ""), "http_error");
  assert.equal(errorTypeOf("CancelledError", ""), "aborted");
});

Deno.test("non-GenAI spans and agent/tool spans are skipped and counted by reason", async () => {
  const { result } = await mapSpecs([
    { name: "GET /", attributes: { "http.request.method": "GET" } },
    { name: "db", attributes: {} },
    {
      name: "execute_tool search",
      attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search" },
    },
    { name: "invoke_agent a", attributes: { "gen_ai.operation.name": "invoke_agent" } },
    chatSpanSpec(),
  ]);
  assert.equal(result.mapped.length, 1);
  assert.equal(result.skippedCount, 4);
  assert.deepEqual(result.skipped, {
    "not a GenAI span": 2,
    "operation execute_tool": 1,
    "operation invoke_agent": 1,
  });
  assert.equal(result.rejectedCount, 0);
});

Deno.test("hostile GenAI spans are rejected with a reason, the rest of the request kept", async () => {
  const bad = (attributes: Attributes, extra: Partial<SpanSpec> = {}) =>
    chatSpanSpec({ ...extra, attributes });
  const { result } = await mapSpecs([
    bad({ "gen_ai.request.model": "", "gen_ai.response.model": "" }),
    bad({ "gen_ai.request.model": "m".repeat(500) }),
    bad({ "gen_ai.request.model": "a\u0000b" }),
    bad({ "gen_ai.usage.input_tokens": -3 }),
    bad({ "gen_ai.usage.output_tokens": "many" }),
    bad({ "gen_ai.usage.input_tokens": 1.5 }),
    bad({ "gen_ai.request.temperature": "warm" }),
    bad({ "gen_ai.input.messages": "{not json" }),
    bad({ "gen_ai.output.messages": JSON.stringify({ role: "assistant" }) }),
    bad({ "gen_ai.response.time_to_first_chunk": -1 }),
    bad({ "gen_ai.request.model": ["m"] as unknown as string }),
    chatSpanSpec(),
  ]);
  assert.equal(result.mapped.length, 1);
  assert.equal(result.rejectedCount, 11);
  assert.equal(result.rejectedReasons.length, 5);
  assert.match(result.rejectedReasons[0], /needs gen_ai.request.model/);
  assert.match(result.rejectedReasons[1], /at most 200/);
  assert.match(result.rejectedReasons[2], /control characters/);
  assert.match(result.rejectedReasons[3], /non-negative integer, found -3/);
  assert.match(result.rejectedReasons[4], /finite number, found string/);
});

Deno.test("spans with bad ids or times are rejected; oversized text and hostile ids are fitted", () => {
  const base = {
    attributes: [
      { key: "gen_ai.request.model", value: { stringValue: "m" } },
      { key: "user.id", value: { stringValue: `x\u0001${"u".repeat(300)}` } },
      {
        key: "gen_ai.output.messages",
        value: {
          stringValue: JSON.stringify([{ role: "assistant", content: "r".repeat(300_000) }]),
        },
      },
      {
        key: "gen_ai.input.messages",
        value: {
          stringValue: JSON.stringify([{ role: "user", content: "p\u0000".repeat(20_000) }]),
        },
      },
    ],
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    startTimeUnixNano: "1700000000000000000",
    endTimeUnixNano: "1700000000500000000",
  };
  const doc = (spans: unknown[]) => ({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
  const result = mapGenAiSpans(
    decodeOtlpJson(doc([
      base,
      { ...base, traceId: "" },
      { ...base, startTimeUnixNano: "0" },
      { ...base, endTimeUnixNano: "1600000000000000000" },
    ])),
    { workerId: "w" },
  );
  assert.equal(result.mapped.length, 1);
  const event = result.mapped[0].event;
  assert.equal(event.user_id.length, 200);
  assert.ok(event.user_id.startsWith("x\uFFFD"));
  assert.equal(event.response.length, 200_000);
  assert.equal(event.prompt.length, 32_000);
  assert.ok(!event.prompt.includes("\u0000"));
  assert.deepEqual(result.rejectedReasons.map((r) => r.replace(/^span \w+: /, "")), [
    "a span needs a 16-byte trace id and an 8-byte span id",
    "a span needs a start time",
    "a span must not end before it starts",
  ]);
});

Deno.test("operations to map can be chosen (embeddings on request)", async () => {
  const spans = await sdkSpans([{
    name: "embeddings m",
    attributes: {
      "gen_ai.operation.name": "embeddings",
      "gen_ai.request.model": "m",
      "gen_ai.usage.input_tokens": 3,
    },
  }]);
  const request = decodeOtlpJson(JSON.parse(sdkJson(spans)));
  assert.equal(mapGenAiSpans(request, { workerId: "w" }).mapped.length, 0);
  const withEmbeddings = mapGenAiSpans(request, {
    workerId: "w",
    operations: new Set(["embeddings"]),
  });
  assert.equal(withEmbeddings.mapped[0].event.prompt_tokens, 3);
});
