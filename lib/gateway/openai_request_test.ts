/** The OpenAI dialect's request validation and its mapping to Ollama's bodies. */
import assert from "node:assert/strict";
import {
  OPENAI_LIMITS,
  parseChatCompletionRequest,
  parseCompletionRequest,
  parseEmbeddingsRequest,
  toOllamaChat,
  toOllamaEmbed,
  toOllamaGenerate,
} from "./openai_request.ts";
import { GatewayError } from "./errors.ts";

function refused(fn: () => unknown, param: string | null, text: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${error}`);
    assert.equal(error.status, 400);
    assert.equal(error.param, param);
    assert.match(error.message, text);
    return true;
  });
}

const user = (content: unknown) => ({ role: "user", content });

Deno.test("a full chat request keeps every field OpenAI clients send", () => {
  const r = parseChatCompletionRequest({
    model: "smollm2:135m",
    messages: [
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [{ type: "text", text: "Hello " }, { type: "text", text: "there" }],
      },
      { role: "assistant", content: "Hi!" },
      { role: "user", content: "What is Kafka?" },
    ],
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: 40,
    temperature: 0.3,
    top_p: 0.8,
    seed: 7,
    stop: "\n\n",
    user: "ada",
    metadata: { app: "faq" },
    logit_bias: { "1": 2 },
    some_future_field: { anything: true },
  });
  assert.equal(r.model, "smollm2:135m");
  assert.deepEqual(r.messages.map((m) => m.content), [
    "Be brief.",
    "Hello there",
    "Hi!",
    "What is Kafka?",
  ]);
  assert.deepEqual(r.params, {
    temperature: 0.3,
    top_p: 0.8,
    max_tokens: 40,
    seed: 7,
    stop: ["\n\n"],
  });
  assert.equal(r.stream, true);
  assert.equal(r.includeUsage, true);
  assert.equal(r.user, "ada");
  assert.deepEqual(r.metadata, { app: "faq" });
});

Deno.test("max_completion_tokens wins over max_tokens, and nulls count as absent", () => {
  const r = parseChatCompletionRequest({
    model: "m",
    messages: [user("x")],
    max_tokens: 10,
    max_completion_tokens: 20,
    temperature: null,
    stop: null,
    stream_options: null,
  });
  assert.equal(r.params.max_tokens, 20);
  assert.equal(r.params.temperature, undefined);
  assert.equal(r.params.stop, undefined);
  assert.equal(r.stream, false);
});

Deno.test("include_usage only counts for a streamed call", () => {
  const r = parseChatCompletionRequest({
    model: "m",
    messages: [user("x")],
    stream_options: { include_usage: true },
  });
  assert.equal(r.includeUsage, false);
});

Deno.test("developer messages are system messages and assistant content may be null", () => {
  const r = parseChatCompletionRequest({
    model: "m",
    messages: [
      { role: "developer", content: "rules" },
      { role: "assistant", content: null },
      user(
        "q",
      ),
      { role: "tool", content: "42", tool_call_id: "c1" },
    ],
  });
  assert.deepEqual(r.messages.map((m) => m.role), ["system", "assistant", "user", "tool"]);
  assert.equal(r.messages[1].content, "");
});

Deno.test("wrong types and values are refused with the field and what was found", () => {
  const ok = { model: "m", messages: [user("hi")] };
  refused(() => parseChatCompletionRequest(null), null, /JSON object, found null/);
  refused(() => parseChatCompletionRequest([ok]), null, /found array/);
  refused(() => parseChatCompletionRequest({ messages: ok.messages }), "model", /required/);
  refused(() => parseChatCompletionRequest({ ...ok, model: 5 }), "model", /string, found number/);
  refused(() => parseChatCompletionRequest({ ...ok, model: "a\u0000b" }), "model", /control/);
  refused(
    () => parseChatCompletionRequest({ ...ok, model: "m".repeat(201) }),
    "model",
    /at most 200/,
  );
  refused(() => parseChatCompletionRequest({ model: "m" }), "messages", /required/);
  refused(() => parseChatCompletionRequest({ model: "m", messages: [] }), "messages", /non-empty/);
  refused(
    () => parseChatCompletionRequest({ model: "m", messages: "hi" }),
    "messages",
    /found string/,
  );
  refused(
    () => parseChatCompletionRequest({ model: "m", messages: [{ role: "wizard", content: "x" }] }),
    "messages.0.role",
    /one of/,
  );
  refused(
    () =>
      parseChatCompletionRequest({ model: "m", messages: [{ role: "__proto__", content: "x" }] }),
    "messages.0.role",
    /one of/,
  );
  refused(
    () => parseChatCompletionRequest({ model: "m", messages: [user(42)] }),
    "messages.0.content",
    /found number/,
  );
  refused(
    () =>
      parseChatCompletionRequest({
        model: "m",
        messages: [user([{ type: "image_url", image_url: { url: "x" } }])],
      }),
    "messages.0.content.0.type",
    /only text parts/,
  );
  refused(
    () => parseChatCompletionRequest({ ...ok, temperature: "hot" }),
    "temperature",
    /from 0 to 2, found string/,
  );
  refused(() => parseChatCompletionRequest({ ...ok, temperature: 3 }), "temperature", /found 3/);
  refused(() => parseChatCompletionRequest({ ...ok, top_p: 1.5 }), "top_p", /found 1.5/);
  refused(() => parseChatCompletionRequest({ ...ok, max_tokens: 0 }), "max_tokens", /at least 1/);
  refused(() => parseChatCompletionRequest({ ...ok, max_tokens: 2.5 }), "max_tokens", /integer/);
  refused(() => parseChatCompletionRequest({ ...ok, seed: 1e300 }), "seed", /safe integer/);
  refused(() => parseChatCompletionRequest({ ...ok, stream: "yes" }), "stream", /boolean/);
  refused(
    () => parseChatCompletionRequest({ ...ok, stream: true, stream_options: { include_usage: 1 } }),
    "stream_options.include_usage",
    /boolean/,
  );
  refused(
    () => parseChatCompletionRequest({ ...ok, stop: ["a", "b", "c", "d", "e"] }),
    "stop",
    /at most 4/,
  );
  refused(() => parseChatCompletionRequest({ ...ok, stop: [1] }), "stop", /strings/);
  refused(() => parseChatCompletionRequest({ ...ok, n: 2 }), "n", /must be 1/);
  refused(() => parseChatCompletionRequest({ ...ok, user: 7 }), "user", /string/);
  refused(
    () => parseChatCompletionRequest({ ...ok, metadata: { a: 1 } }),
    "metadata.a",
    /a string/,
  );
  refused(
    () => parseChatCompletionRequest({ ...ok, response_format: { type: "xml" } }),
    "response_format.type",
    /json_object/,
  );
});

Deno.test("a conversation past the message limit is refused", () => {
  const messages = Array.from({ length: OPENAI_LIMITS.messages + 1 }, () => user("x"));
  refused(() => parseChatCompletionRequest({ model: "m", messages }), "messages", /at most/);
});

Deno.test("a chat maps to a streamed Ollama /api/chat body with only the options asked for", () => {
  const body = toOllamaChat(parseChatCompletionRequest({
    model: "smollm2:135m",
    messages: [{ role: "system", content: "S" }, user("Q")],
    max_tokens: 12,
    temperature: 0,
    seed: 3,
    stop: ["END"],
    frequency_penalty: 0.5,
    response_format: { type: "json_object" },
  }));
  assert.deepEqual(body, {
    model: "smollm2:135m",
    messages: [{ role: "system", content: "S" }, { role: "user", content: "Q" }],
    stream: true,
    options: { num_predict: 12, temperature: 0, seed: 3, stop: ["END"], frequency_penalty: 0.5 },
    format: "json",
  });
  const bare = toOllamaChat(parseChatCompletionRequest({ model: "m", messages: [user("Q")] }));
  assert.equal("options" in bare, false);
  const schema = { type: "object", properties: { a: { type: "number" } } };
  const structured = toOllamaChat(parseChatCompletionRequest({
    model: "m",
    messages: [user("Q")],
    response_format: { type: "json_schema", json_schema: { name: "x", schema } },
  }));
  assert.deepEqual(structured.format, schema);
});

Deno.test("completions take a string prompt (or one in an array) and map to /api/generate", () => {
  const r = parseCompletionRequest({
    model: "m",
    prompt: ["Once upon"],
    max_tokens: 5,
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(r.prompt, "Once upon");
  assert.equal(r.includeUsage, true);
  assert.deepEqual(r.messages, [{ role: "user", content: "Once upon" }]);
  assert.deepEqual(toOllamaGenerate(r), {
    model: "m",
    prompt: "Once upon",
    stream: true,
    options: { num_predict: 5 },
  });
  refused(() => parseCompletionRequest({ model: "m" }), "prompt", /required/);
  refused(() => parseCompletionRequest({ model: "m", prompt: ["a", "b"] }), "prompt", /one string/);
  refused(() => parseCompletionRequest({ model: "m", prompt: [1, 2] }), "prompt", /found array/);
});

Deno.test("embeddings take a string or strings, float or base64, and map to /api/embed", () => {
  const one = parseEmbeddingsRequest({ model: "m", input: "hello" });
  assert.equal(one.single, true);
  assert.equal(one.encodingFormat, "float");
  assert.deepEqual(toOllamaEmbed(one), { model: "m", input: ["hello"] });
  const many = parseEmbeddingsRequest({ model: "m", input: ["a", "b"], encoding_format: "base64" });
  assert.deepEqual(many.input, ["a", "b"]);
  assert.equal(many.encodingFormat, "base64");
  refused(() => parseEmbeddingsRequest({ model: "m" }), "input", /required/);
  refused(() => parseEmbeddingsRequest({ model: "m", input: [] }), "input", /non-empty/);
  refused(() => parseEmbeddingsRequest({ model: "m", input: [[1, 2]] }), "input", /strings/);
  refused(
    () => parseEmbeddingsRequest({ model: "m", input: "x", encoding_format: "int8" }),
    "encoding_format",
    /float or base64/,
  );
});
