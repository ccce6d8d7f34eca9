/** Gateway calls as request and response events that pass the contract. */
import assert from "node:assert/strict";
import {
  eventParams,
  fitMessages,
  fitText,
  gatewayRequestEvent,
  gatewayResponseEvent,
  isMultiTurn,
  MESSAGES_BUDGET_CHARS,
  PROMPT_NOT_RECORDED,
  UNSET_PARAMS,
  validateGatewayRequest,
  validateGatewayResponse,
} from "./event_fields.ts";
import { promptOf } from "./model_call.ts";
import { parseChatCompletionRequest } from "./openai_request.ts";
import { parseOllamaEmbed } from "./ollama_request.ts";
import { StreamMeter } from "./ollama_stream.ts";
import { EventValidationError, LIMITS } from "../events/mod.ts";

const meta = {
  request_id: "0b9f8c1e-2a3d-4e5f-8a7b-1c2d3e4f5a6b",
  user_id: "ada",
  session_id: "s1",
  tags: { app: "faq" },
};

Deno.test("the prompt is the last user message, the system prompt the system messages", () => {
  assert.deepEqual(
    promptOf([
      { role: "system", content: "A" },
      { role: "user", content: "first" },
      { role: "system", content: "B" },
      { role: "assistant", content: "reply" },
      { role: "user", content: "second" },
      { role: "assistant", content: "trailing" },
    ]),
    { prompt: "second", system: "A\n\nB" },
  );
  assert.deepEqual(promptOf([{ role: "assistant", content: "only" }]), { prompt: "only" });
  assert.deepEqual(promptOf([]), { prompt: "" });
});

Deno.test("text is fitted: control characters replaced, length cut", () => {
  assert.equal(fitText("a\u0000b\tc\n\u007f", 100), "a\uFFFDb\tc\n\uFFFD");
  assert.equal(fitText("abcdef", 3), "abc");
});

Deno.test("parameters left out are defaulted and listed; values outside the contract clamped", () => {
  assert.deepEqual(eventParams({}), {
    params: { ...UNSET_PARAMS },
    defaulted: ["temperature", "top_p", "num_predict"],
    adjusted: [],
  });
  const r = eventParams({ temperature: 0, top_p: 0, max_tokens: 100_000, seed: 5 });
  assert.deepEqual(r.params, {
    temperature: 0,
    top_p: 1e-6,
    num_predict: LIMITS.maxTokens,
    seed: 5,
  });
  assert.deepEqual(r.adjusted, ["top_p", "num_predict"]);
  assert.deepEqual(r.defaulted, []);
  assert.equal(eventParams({ seed: 1.5 }).params.seed, undefined);
});

Deno.test("a multi-turn OpenAI chat becomes a valid request event with its conversation", () => {
  const call = parseChatCompletionRequest({
    model: "smollm2:135m",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "user", content: "What is \u0000Kafka?" },
    ],
    temperature: 0.2,
  });
  const built = gatewayRequestEvent(call, { meta, source: "gateway", ts: 1_760_000_000_000.4 });
  const event = validateGatewayRequest(built.event);
  assert.equal(event.source, "gateway");
  assert.equal(event.prompt, "What is \uFFFDKafka?");
  assert.equal(event.system, "Be brief.");
  assert.equal(event.ts, 1_760_000_000_000);
  assert.equal(event.params.temperature, 0.2);
  assert.deepEqual(built.defaulted, ["top_p", "num_predict"]);
  assert.equal(built.messages.length, 4);
  assert.equal(built.messages[2].role, "assistant");
  assert.deepEqual(event.tags, { app: "faq" });
  assert.equal(event.schema, "llm.request.v2");
  assert.deepEqual(event.messages?.map((m) => m.role), ["system", "user", "assistant", "user"]);
  assert.equal(event.messages?.[3].content, "What is \uFFFDKafka?");
});

Deno.test("only a conversation of more than one turn is multi-turn", () => {
  assert.equal(isMultiTurn([]), false);
  assert.equal(
    isMultiTurn([{ role: "system", content: "s" }, { role: "user", content: "u" }]),
    false,
  );
  assert.equal(
    isMultiTurn([{ role: "user", content: "u" }, { role: "assistant", content: "a" }]),
    true,
  );
});

Deno.test("a long conversation keeps its newest messages within the count and character budget", () => {
  const many = Array.from({ length: 250 }, (_, i) => ({
    role: (i % 2 ? "assistant" : "user") as "user" | "assistant",
    content: `turn ${i}`,
  }));
  const kept = fitMessages(many, LIMITS.promptChars);
  assert.equal(kept.length, 200);
  assert.equal(kept[199].content, "turn 249");
  assert.equal(kept[0].content, "turn 50");
  const big = Array.from({ length: 5 }, (_, i) => ({
    role: "user" as const,
    content: String(i).repeat(30_000),
  }));
  const fitted = fitMessages(big, LIMITS.promptChars);
  assert.deepEqual(fitted.map((m) => m.content[0]), ["3", "4"]);
  assert.ok(fitted.reduce((n, m) => n + m.content.length, 0) <= MESSAGES_BUDGET_CHARS);
  const huge = fitMessages([{ role: "user", content: "x".repeat(100_000) }], 200_000, 1_000);
  assert.equal(huge[0].content.length, 1_000);
});

Deno.test("a long prompt is cut to the limit and an embeddings call records its input", () => {
  const long = parseChatCompletionRequest({
    model: "m",
    messages: [{ role: "user", content: "x".repeat(LIMITS.promptChars + 10) }],
  });
  const built = gatewayRequestEvent(long, { meta, source: "gateway", ts: 1 });
  assert.equal(built.event.prompt.length, LIMITS.promptChars);
  validateGatewayRequest(built.event);
  const embed = gatewayRequestEvent(parseOllamaEmbed({ model: "m", input: ["a", "b"] }), {
    meta,
    source: "gateway",
    ts: 1,
  });
  assert.equal(embed.event.prompt, "a\nb");
  const empty = gatewayRequestEvent(parseOllamaEmbed({ model: "m", input: [] }), {
    meta,
    source: "gateway",
    ts: 1,
  });
  assert.equal(empty.event.prompt, PROMPT_NOT_RECORDED);
});

Deno.test("a measured call joins its request as a valid response event, failures included", () => {
  const call = parseChatCompletionRequest({
    model: "m",
    messages: [{ role: "user", content: "Hi" }],
  });
  const request = gatewayRequestEvent(call, { meta, source: "gateway", ts: 1_760_000_000_000 });
  const meter = new StreamMeter();
  meter.push({ message: { content: "Hello" }, done: true, eval_count: 1, prompt_eval_count: 2 });
  const ok = validateGatewayResponse(gatewayResponseEvent(request.event, meter.finish(), "gw-1"));
  assert.equal(ok.status, "success");
  assert.equal(ok.response, "Hello");
  assert.equal(ok.worker_id, "gw-1");
  assert.equal(ok.source, "gateway");
  assert.equal(ok.schema, "llm.response.v2");
  assert.equal(ok.messages, undefined, "a single turn is all in prompt and system");

  const down = new StreamMeter();
  down.fail({ type: "connection_refused", message: "x".repeat(5_000) });
  const failed = validateGatewayResponse(
    gatewayResponseEvent(request.event, down.finish(), "gw-1"),
  );
  assert.equal(failed.status, "error");
  assert.equal(failed.error?.type, "connection_refused");
  assert.equal(failed.error?.message.length, 4_000);
});

Deno.test("validation refuses a wrong source and an event that breaks the contract", () => {
  const call = parseChatCompletionRequest({
    model: "m",
    messages: [{ role: "user", content: "Hi" }],
  });
  const { event } = gatewayRequestEvent(call, { meta, source: "gateway", ts: 1 });
  assert.throws(
    () => validateGatewayRequest({ ...event, source: "test" as "gateway" }),
    /source must be "gateway" or "otlp"/,
  );
  assert.throws(
    () => validateGatewayRequest({ ...event, request_id: "nope" }),
    (e: unknown) => e instanceof EventValidationError && /request_id/.test(e.message),
  );
});
