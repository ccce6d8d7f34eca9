/**
 * The OpenAI dialect's answers, read back by the real OpenAI SDK (npm:openai) through an
 * in-memory fetch double, so the shapes are the ones its parser accepts.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import {
  chatCompletion,
  chatCompletionId,
  ChatCompletionSse,
  embeddingsList,
  embeddingToBase64,
  finishReason,
  modelsList,
  SSE_DONE,
  SSE_HEADERS,
  textCompletion,
  TextCompletionSse,
  usageOf,
} from "./openai_response.ts";
import {
  gatewayErrorForFailure,
  ollamaError,
  openAiError,
  openAiErrorEvent,
} from "./openai_errors.ts";
import { GatewayError } from "./errors.ts";

/** An OpenAI client whose fetch answers with `answer(url, body)` (a double of the gateway). */
function clientAnswering(answer: (url: string, body: unknown) => Response): OpenAI {
  return new OpenAI({
    apiKey: "test-key",
    baseURL: "http://gateway.test/v1",
    maxRetries: 0,
    fetch: (url: RequestInfo | URL, init?: RequestInit) =>
      Promise.resolve(
        answer(String(url), init?.body ? JSON.parse(String(init.body)) : undefined),
      ),
  });
}

const identity = {
  id: chatCompletionId("0b9f8c1e-2a3d-4e5f-8a7b-1c2d3e4f5a6b"),
  model: "smollm2:135m",
  created: 1_760_000_000,
};

Deno.test("finish reasons follow Ollama's done_reason", () => {
  assert.equal(finishReason("length"), "length");
  assert.equal(finishReason("stop"), "stop");
  assert.equal(finishReason("unload"), "stop");
  assert.equal(finishReason(null), "stop");
  assert.deepEqual(usageOf({ prompt_tokens: 3, completion_tokens: 4 }), {
    prompt_tokens: 3,
    completion_tokens: 4,
    total_tokens: 7,
  });
});

Deno.test("the OpenAI SDK reads a non-streamed chat.completion", async () => {
  const usage = usageOf({ prompt_tokens: 9, completion_tokens: 2 });
  const client = clientAnswering(() =>
    Response.json(chatCompletion(identity, { text: "Hello!", finishReason: "length", usage }))
  );
  const answer = await client.chat.completions.create({
    model: "smollm2:135m",
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.equal(answer.id, identity.id);
  assert.equal(answer.object, "chat.completion");
  assert.equal(answer.choices[0].message.content, "Hello!");
  assert.equal(answer.choices[0].message.role, "assistant");
  assert.equal(answer.choices[0].finish_reason, "length");
  assert.deepEqual(answer.usage, usage);
});

Deno.test("the OpenAI SDK streams our chunks: role first, deltas, finish, usage, [DONE]", async () => {
  const pieces = ["Kaf", "ka is ", "a log."];
  const usage = usageOf({ prompt_tokens: 5, completion_tokens: 3 });
  const sse = new ChatCompletionSse(identity, true);
  const text = sse.start() + pieces.map((p) => sse.delta(p)).join("") + sse.delta("") +
    sse.finish({ finishReason: "stop", usage });
  assert.ok(text.endsWith(SSE_DONE));
  const client = clientAnswering(() => new Response(text, { headers: SSE_HEADERS }));
  const stream = await client.chat.completions.create({
    model: "smollm2:135m",
    messages: [{ role: "user", content: "Kafka?" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join(""), pieces.join(""));
  const finish = chunks.find((c) => c.choices[0]?.finish_reason);
  assert.equal(finish?.choices[0].finish_reason, "stop");
  const last = chunks.at(-1)!;
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, usage);
  assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
  assert.ok(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === identity.id));
});

Deno.test("without include_usage the stream has no usage chunk and no usage field", () => {
  const sse = new ChatCompletionSse(identity, false);
  const text = sse.start() + sse.delta("x") +
    sse.finish({
      finishReason: "stop",
      usage: usageOf({ prompt_tokens: 1, completion_tokens: 1 }),
    });
  const events = text.trim().split("\n\n").map((e) => e.slice("data: ".length));
  assert.equal(events.at(-1), "[DONE]");
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  assert.equal(chunks.length, 3);
  assert.ok(chunks.every((c) => !("usage" in c) && c.choices.length === 1));
});

Deno.test("an error after the stream started reaches the SDK as an APIError", async () => {
  const sse = new ChatCompletionSse(identity, false);
  const text = sse.start() + sse.delta("par") +
    openAiErrorEvent(new GatewayError("upstream", "Ollama stopped mid-answer"));
  const client = clientAnswering(() => new Response(text, { headers: SSE_HEADERS }));
  const stream = await client.chat.completions.create({
    model: "m",
    messages: [{ role: "user", content: "x" }],
    stream: true,
  });
  await assert.rejects(async () => {
    for await (const _ of stream) { /* read to the error */ }
  }, (error: unknown) => error instanceof OpenAI.APIError && /Ollama stopped/.test(error.message));
});

Deno.test("the OpenAI SDK reads text_completion answers, streamed and not", async () => {
  const usage = usageOf({ prompt_tokens: 2, completion_tokens: 2 });
  const cmpl = { id: "cmpl-1", model: "m", created: 1 };
  const plain = clientAnswering(() =>
    Response.json(textCompletion(cmpl, { text: " a time", finishReason: "stop", usage }))
  );
  const answer = await plain.completions.create({ model: "m", prompt: "Once upon" });
  assert.equal(answer.choices[0].text, " a time");
  assert.equal(answer.object, "text_completion");

  const sse = new TextCompletionSse(cmpl, true);
  const text = sse.start() + sse.delta(" a") + sse.delta(" time") +
    sse.finish({ finishReason: "length", usage });
  const streaming = clientAnswering(() => new Response(text, { headers: SSE_HEADERS }));
  const stream = await streaming.completions.create({
    model: "m",
    prompt: "Once upon",
    stream: true,
    stream_options: { include_usage: true },
  });
  let joined = "";
  let finish: string | null = null;
  let seenUsage = null;
  for await (const chunk of stream) {
    joined += chunk.choices[0]?.text ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
    if (chunk.usage) seenUsage = chunk.usage;
  }
  assert.equal(joined, " a time");
  assert.equal(finish, "length");
  assert.deepEqual(seenUsage, usage);
});

Deno.test("embeddings in base64 decode to the same floats in the OpenAI SDK", async () => {
  const vectors = [[0.5, -1.25, 3], [1e-3, 2, -0.75]];
  let asked: unknown;
  const client = clientAnswering((_, body) => {
    asked = body;
    const format = (body as { encoding_format?: string }).encoding_format === "base64"
      ? "base64"
      : "float";
    return Response.json(
      embeddingsList("m", { embeddings: vectors, prompt_eval_count: 4 }, format),
    );
  });
  const answer = await client.embeddings.create({ model: "m", input: ["a", "b"] });
  assert.equal((asked as { encoding_format: string }).encoding_format, "base64");
  assert.equal(answer.data.length, 2);
  for (let i = 0; i < vectors.length; i++) {
    const expected = Array.from(new Float32Array(vectors[i]));
    assert.deepEqual(answer.data[i].embedding, expected);
    assert.equal(answer.data[i].index, i);
  }
  assert.deepEqual(answer.usage, { prompt_tokens: 4, total_tokens: 4 });
  assert.equal(embeddingToBase64([1]), "AACAPw==");
  const floats = embeddingsList("m", { embeddings: vectors }, "float");
  assert.deepEqual(floats.data[1].embedding, vectors[1]);
  assert.equal(floats.usage.prompt_tokens, 0);
});

Deno.test("the models list comes from Ollama's tags, with owners and creation times", async () => {
  const tags = {
    models: [
      { name: "smollm2:135m", modified_at: "2025-01-01T00:00:00Z" },
      { name: "team/custom:latest", modified_at: "not a date" },
      { size: 3 },
      "junk",
    ],
  };
  const client = clientAnswering(() => Response.json(modelsList(tags)));
  const page = await client.models.list();
  const models = page.data;
  assert.deepEqual(models.map((m) => m.id), ["smollm2:135m", "team/custom:latest"]);
  assert.equal(models[0].created, 1_735_689_600);
  assert.equal(models[0].owned_by, "library");
  assert.equal(models[1].owned_by, "team");
  assert.equal(models[1].created, 0);
  assert.deepEqual(modelsList({}).data, []);
});

Deno.test("errors take OpenAI's shape and the SDK raises the matching class", async () => {
  const cases: [GatewayError, new (...args: never[]) => Error, number, string][] = [
    [
      new GatewayError("invalid_request", "bad", { param: "x" }),
      OpenAI.BadRequestError,
      400,
      "invalid_request_error",
    ],
    [
      new GatewayError("unauthorized", "no key"),
      OpenAI.AuthenticationError,
      401,
      "invalid_request_error",
    ],
    [
      new GatewayError("not_found", "model 'x' not found"),
      OpenAI.NotFoundError,
      404,
      "invalid_request_error",
    ],
    [new GatewayError("too_large", "too big"), OpenAI.APIError, 413, "invalid_request_error"],
    [
      new GatewayError("rate_limited", "slow down", { retryAfterS: 2 }),
      OpenAI.RateLimitError,
      429,
      "rate_limit_error",
    ],
    [
      new GatewayError("upstream", "Ollama failed"),
      OpenAI.InternalServerError,
      502,
      "server_error",
    ],
    [
      new GatewayError("unavailable", "Ollama down", { retryAfterS: 1 }),
      OpenAI.InternalServerError,
      503,
      "server_error",
    ],
  ];
  for (const [error, cls, status, type] of cases) {
    const answer = openAiError(error);
    assert.equal(answer.status, status);
    assert.equal(answer.body.error.type, type);
    assert.equal(answer.body.error.message, error.message);
    const client = clientAnswering(() =>
      Response.json(answer.body, { status: answer.status, headers: answer.headers })
    );
    await assert.rejects(
      client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }),
      (e: unknown) => e instanceof cls && (e as { status?: number }).status === status,
    );
  }
  assert.equal(
    openAiError(new GatewayError("rate_limited", "x", { retryAfterS: 2.2 })).headers["retry-after"],
    "3",
  );
  assert.equal(
    openAiError(new GatewayError("invalid_request", "x", { param: "temperature" })).body.error
      .param,
    "temperature",
  );
  assert.equal(openAiError(new Error("internal detail")).status, 502);
  assert.doesNotMatch(
    openAiError(new Error("internal detail")).body.error.message,
    /internal detail/,
  );
  assert.deepEqual(ollamaError(new GatewayError("invalid_request", "model is required")), {
    status: 400,
    body: { error: "model is required" },
    headers: {},
  });
});

Deno.test("upstream failures become 404, 503 (retry later) or 502", () => {
  assert.equal(gatewayErrorForFailure({ type: "model_not_found", message: "m" }).status, 404);
  const refused = gatewayErrorForFailure({ type: "connection_refused", message: "refused" }, 2);
  assert.equal(refused.status, 503);
  assert.equal(refused.retryAfterS, 2);
  assert.equal(gatewayErrorForFailure({ type: "timeout", message: "slow" }).status, 502);
  assert.equal(gatewayErrorForFailure({ type: "broken_stream", message: "cut" }).status, 502);
});
