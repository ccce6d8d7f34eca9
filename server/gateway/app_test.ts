/**
 * The gateway app with `app.request()`, an Ollama double and a publisher double: each dialect's
 * answers, the events each call publishes (validated v2 request and response), and every error
 * in its path's dialect, those of the middlewares included.
 */
import assert from "node:assert/strict";
import { parseRequestEvent, parseResponseEvent } from "../../lib/events/mod.ts";
import { FailureLimiter } from "../auth_failures.ts";
import { createGatewayApp, type GatewayAppOptions } from "./app.ts";
import { chatNdjson, DOUBLE_WORDS, OllamaDouble, PublisherDouble } from "./_doubles.ts";
import { GatewayMetrics } from "./recorder.ts";
import { parsePriceTable, type PriceTable } from "../../lib/llm/prices.ts";
import { chatSpanSpec, sdkJson, sdkProtobuf, sdkSpans } from "../../lib/gateway/_otel_testing.ts";

const TOPICS = { requests: "t.requests", responses: "t.responses" };
const MODEL = "smollm2:135m";
const TOKEN = "gateway-test-token-0123456789";

function setup(options: GatewayAppOptions = {}, prices: PriceTable | null = null) {
  const ollama = new OllamaDouble(MODEL);
  const publisher = new PublisherDouble();
  const metrics = new GatewayMetrics();
  const app = createGatewayApp({
    ollamaHost: "http://ollama.test",
    publisher,
    topics: TOPICS,
    gatewayId: "gateway-test",
    metrics,
    fetch: ollama.fetch,
    prices,
  }, options);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  return { app, ollama, publisher, metrics, post };
}

const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello" },
    { role: "user", content: "What is Kafka?" },
  ],
  ...extra,
});

Deno.test("Ollama's chat stream passes through byte for byte and publishes one valid v2 pair", async () => {
  const { post, publisher, ollama } = setup();
  const response = await post("/api/chat", chatBody({ options: { num_predict: 8 } }), {
    "x-llmops-user": "ada",
    "x-llmops-session": "s-1",
    "x-llmops-tags": "app=faq",
  });
  assert.equal(response.status, 200);
  assert.equal(await response.text(), chatNdjson(MODEL, true));
  const id = response.headers.get("x-request-id")!;
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.deepEqual(JSON.parse(ollama.calls[0].body), chatBody({ options: { num_predict: 8 } }));
  const [request] = publisher.on(TOPICS.requests).map(parseRequestEvent);
  const [event] = publisher.on(TOPICS.responses).map(parseResponseEvent);
  assert.equal(request.schema, "llm.request.v2");
  assert.equal(event.schema, "llm.response.v2");
  assert.equal(event.request_id, id);
  assert.equal(request.request_id, id);
  assert.equal(event.source, "gateway");
  assert.equal(event.response, DOUBLE_WORDS.join(""));
  assert.equal(event.prompt, "What is Kafka?");
  assert.equal(event.messages?.length, 4);
  assert.equal(event.user_id, "ada");
  assert.equal(event.session_id, "s-1");
  assert.deepEqual(event.tags, { app: "faq" });
  assert.equal(event.completion_tokens, 4);
  assert.equal(event.params.num_predict, 8);
  assert.equal(event.worker_id, "gateway-test");
});

Deno.test("OpenAI chat: one object or SSE ending in [DONE] with the usage chunk, each recorded", async () => {
  const { post, publisher, ollama } = setup();
  const plain = await post("/v1/chat/completions", chatBody({ max_tokens: 16, user: "bob" }));
  assert.equal(plain.status, 200);
  const body = await plain.json();
  assert.equal(body.object, "chat.completion");
  assert.equal(body.choices[0].message.content, DOUBLE_WORDS.join(""));
  assert.deepEqual(body.usage, { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
  assert.equal(body.id, `chatcmpl-${plain.headers.get("x-request-id")}`);
  assert.equal(JSON.parse(ollama.calls[0].body).options.num_predict, 16);

  const streamed = await post(
    "/v1/chat/completions",
    chatBody({ stream: true, stream_options: { include_usage: true } }),
  );
  assert.match(streamed.headers.get("content-type") ?? "", /text\/event-stream/);
  const events = (await streamed.text()).trim().split("\n\n");
  assert.equal(events.at(-1), "data: [DONE]");
  const usage = JSON.parse(events.at(-2)!.slice(6));
  assert.deepEqual(usage.choices, []);
  assert.equal(usage.usage.completion_tokens, 4);
  const responses = publisher.on(TOPICS.responses).map(parseResponseEvent);
  assert.equal(responses.length, 2);
  assert.equal(responses[0].user_id, "bob");
  assert.ok(responses.every((r) => r.status === "success" && r.response === DOUBLE_WORDS.join("")));
});

Deno.test("completions, embeddings and models answer in OpenAI's shapes", async () => {
  const { app, post, publisher } = setup();
  const completion = await (await post("/v1/completions", { model: MODEL, prompt: "Once" })).json();
  assert.equal(completion.object, "text_completion");
  assert.equal(completion.choices[0].text, DOUBLE_WORDS.join(""));
  const embeddings = await (await post("/v1/embeddings", { model: MODEL, input: "hi" })).json();
  assert.deepEqual(embeddings.data[0].embedding, [0.5, -0.25]);
  const b64 = await (await post("/v1/embeddings", {
    model: MODEL,
    input: ["a"],
    encoding_format: "base64",
  })).json();
  assert.equal(typeof b64.data[0].embedding, "string");
  const models = await (await app.request("/v1/models")).json();
  assert.deepEqual(models.data.map((m: { id: string }) => m.id), [MODEL]);
  assert.equal((await app.request(`/v1/models/${MODEL}`)).status, 200);
  const missing = await app.request("/v1/models/none:1b");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, "model_not_found");
  const ops = publisher.on(TOPICS.responses).map((e) =>
    (e.tags as Record<string, string>)?.operation
  );
  assert.deepEqual(ops, ["text_completion", "embeddings", "embeddings"]);
});

Deno.test("Ollama's other endpoints pass through; generate and embed are metered", async () => {
  const { app, post, publisher } = setup();
  assert.deepEqual(await (await app.request("/api/version")).json(), { version: "0.6.5" });
  assert.equal((await (await app.request("/api/tags")).json()).models[0].name, MODEL);
  const generated = await post("/api/generate", { model: MODEL, prompt: "Why?", stream: false });
  assert.equal((await generated.json()).response, DOUBLE_WORDS.join(""));
  const embedded = await post("/api/embed", { model: MODEL, input: ["x"] });
  assert.deepEqual((await embedded.json()).embeddings, [[0.5, -0.25]]);
  const events = publisher.on(TOPICS.responses).map(parseResponseEvent);
  assert.deepEqual(events.map((e) => e.status), ["success", "success"]);
  assert.equal(events[0].response, DOUBLE_WORDS.join(""));
});

Deno.test("malformed JSON, wrong types, unsupported media and oversized bodies: each dialect's 4xx", async () => {
  const { post, publisher } = setup({ maxBodyBytes: 2_048 });
  const bad = await post("/v1/chat/completions", "{not json");
  assert.equal(bad.status, 400);
  const openAi = await bad.json();
  assert.equal(openAi.error.type, "invalid_request_error");
  assert.match(openAi.error.message, /not valid JSON/);
  const ollamaBad = await post("/api/chat", "[1,");
  assert.equal(ollamaBad.status, 400);
  assert.equal(typeof (await ollamaBad.json()).error, "string");

  const wrongType = await (await post("/v1/chat/completions", chatBody({ temperature: "hot" })))
    .json();
  assert.equal(wrongType.error.param, "temperature");
  assert.match(wrongType.error.message, /temperature must be a number from 0 to 2, found string/);
  const noModel = await post("/api/generate", { prompt: "x" });
  assert.deepEqual(await noModel.json(), { error: "model is required" });

  const media = await post("/v1/chat/completions", "x", { "content-type": "multipart/form-data" });
  assert.equal(media.status, 415);
  assert.equal((await media.json()).error.code, "unsupported_media_type");

  const big = JSON.stringify(
    chatBody({ messages: [{ role: "user", content: "x".repeat(5_000) }] }),
  );
  const tooLarge = await post("/v1/chat/completions", big);
  assert.equal(tooLarge.status, 413);
  assert.equal((await tooLarge.json()).error.code, "request_too_large");
  const tooLargeOllama = await post("/api/chat", big);
  assert.equal(tooLargeOllama.status, 413);
  assert.equal(typeof (await tooLargeOllama.json()).error, "string");
  assert.equal(publisher.events.length, 0, "nothing refused is published");
});

Deno.test("an unknown model is 404 and an unreachable Ollama 503, each recorded as an error", async () => {
  const { post, publisher, ollama } = setup();
  const missing = await post("/v1/chat/completions", chatBody({ model: "none:1b" }));
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, "model_not_found");
  assert.ok(missing.headers.get("x-request-id"));
  ollama.down = true;
  const down = await post("/api/chat", chatBody());
  assert.equal(down.status, 503);
  assert.equal(down.headers.get("retry-after"), "1");
  assert.match((await down.json()).error, /unreachable/);
  const downOpenAi = await post("/v1/chat/completions", chatBody({ stream: true }));
  assert.equal(downOpenAi.status, 503);
  assert.equal((await downOpenAi.json()).error.type, "server_error");
  const events = publisher.on(TOPICS.responses).map(parseResponseEvent);
  assert.deepEqual(events.map((e) => [e.status, e.error?.type]), [
    ["error", "model_not_found"],
    ["error", "connection_refused"],
    ["error", "connection_refused"],
  ]);
  assert.equal(publisher.on(TOPICS.requests).length, 3);
});

Deno.test("unknown paths and methods: 404 and 405 in the path's dialect", async () => {
  const { app } = setup();
  const get = await app.request("/v1/chat/completions");
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  assert.equal((await get.json()).error.code, "method_not_allowed");
  const missing = await app.request("/api/nothing");
  assert.equal(missing.status, 404);
  assert.equal(typeof (await missing.json()).error, "string");
  const otlpGet = await app.request("/v1/traces");
  assert.equal(otlpGet.status, 405);
  assert.equal((await otlpGet.json()).code, 12);
});

Deno.test("the token: 401 in each dialect, failed attempts limited to 429, the right key passes", async () => {
  const failures = new FailureLimiter({ burst: 2, perMinute: 1 });
  const { post, app } = setup({ token: TOKEN, authFailures: failures });
  const openAi = await post("/v1/chat/completions", chatBody(), { authorization: "Bearer wrong" });
  assert.equal(openAi.status, 401);
  const body = await openAi.json();
  assert.equal(body.error.type, "authentication_error");
  assert.equal(body.error.code, "unauthorized");
  const ollama = await post("/api/chat", chatBody());
  assert.equal(ollama.status, 401);
  assert.equal(typeof (await ollama.json()).error, "string");
  const limited = await post("/api/chat", chatBody());
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("retry-after")) > 0);
  assert.equal(typeof (await limited.json()).error, "string");
  const ok = await post("/v1/chat/completions", chatBody(), { authorization: `Bearer ${TOKEN}` });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  const metrics = await app.request("/metrics");
  assert.equal(metrics.status, 429, "/metrics needs the token like every route (still limited)");
  await metrics.body?.cancel();
});

Deno.test("a foreign Host and a cross-site browser request are refused in the dialect", async () => {
  const { post } = setup();
  const host = await post("/v1/chat/completions", chatBody(), { host: "evil.example:11435" });
  assert.equal(host.status, 421);
  assert.equal((await host.json()).error.type, "invalid_request_error");
  const site = await post("/api/chat", chatBody(), { "sec-fetch-site": "cross-site" });
  assert.equal(site.status, 403);
  assert.match((await site.json()).error, /cross-site/);
});

Deno.test("OTLP: GenAI spans become otlp events, others are counted; JSON and protobuf", async () => {
  const { app, publisher, metrics } = setup();
  const spans = await sdkSpans([
    chatSpanSpec(),
    { name: "db query", attributes: { "db.system": "postgresql" } },
  ]);
  const json = await app.request("/v1/traces", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: sdkJson(spans),
  });
  assert.equal(json.status, 200);
  assert.match((await json.json()).partialSuccess.errorMessage, /1 span skipped/);
  const proto = await app.request("/v1/traces", {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: sdkProtobuf(spans) as BodyInit,
  });
  assert.equal(proto.status, 200);
  assert.equal(proto.headers.get("content-type"), "application/x-protobuf");
  const events = publisher.on(TOPICS.responses).map(parseResponseEvent);
  assert.equal(events.length, 2);
  assert.ok(events.every((e) => e.source === "otlp" && e.schema === "llm.response.v2"));
  assert.equal(publisher.on(TOPICS.requests).length, 0);
  const text = await (await app.request("/metrics")).text();
  assert.match(text, /llmops_otlp_spans_total\{outcome="accepted"\} 2/);
  assert.match(text, /llmops_otlp_spans_total\{outcome="skipped"\} 2/);
  assert.equal(
    metrics.genai.requests.get({
      gen_ai_operation_name: "chat",
      gen_ai_provider_name: "openai",
      gen_ai_request_model: MODEL,
      source: "otlp",
      status: "success",
    }),
    2,
  );
});

Deno.test("OTLP: a full buffer answers 503 (Kafka down) or 429 with Retry-After; hostile bodies 400", async () => {
  const { app, publisher } = setup();
  const spans = sdkJson(await sdkSpans([chatSpanSpec()]));
  const send = (body: string, type = "application/json") =>
    app.request("/v1/traces", { method: "POST", headers: { "content-type": type }, body });
  publisher.full = true;
  publisher.kafkaDown = true;
  const down = await send(spans);
  assert.equal(down.status, 503);
  assert.equal(down.headers.get("retry-after"), "5");
  assert.equal((await down.json()).code, 14);
  publisher.kafkaDown = false;
  const busy = await send(spans);
  assert.equal(busy.status, 429);
  assert.equal(busy.headers.get("retry-after"), "5");
  await busy.body?.cancel();
  publisher.full = false;
  for (const hostile of ["{", "[]", '{"resourceSpans":"x"}', "null", "\u0000"]) {
    const r = await send(hostile);
    assert.equal(r.status, 400, hostile);
    assert.equal(typeof (await r.json()).message, "string");
  }
  const media = await send(spans, "text/html");
  assert.equal(media.status, 415);
  await media.body?.cancel();
  assert.equal(publisher.events.length, 0);
});

Deno.test("/health and /metrics show the publisher's buffered and dropped counts", async () => {
  const { app, publisher } = setup();
  publisher.full = true;
  publisher.publish([{ topic: "x", key: null, value: 1 }]);
  const health = await (await app.request("/health")).json();
  assert.equal(health.publisher.dropped, 1);
  assert.equal(health.publisher.buffered, 10);
  const text = await (await app.request("/metrics")).text();
  assert.match(text, /^llmops_gateway_events_dropped_total 1$/m);
  assert.match(text, /^llmops_gateway_events_buffered 10$/m);
});

Deno.test("calls through the gateway and OTLP spans are priced where their response is made", async () => {
  const prices = parsePriceTable({
    version: "test-1",
    models: { [MODEL]: { input_per_1m: 1_000_000, output_per_1m: 2_000_000 } },
  });
  const { post, app, publisher } = setup({}, prices);
  const chat = await post("/api/chat", chatBody({ options: { num_predict: 8 } }));
  await chat.text();
  const [event] = publisher.on(TOPICS.responses).map(parseResponseEvent);
  assert.equal(event.price_version, "test-1");
  assert.equal(event.cost_usd, event.prompt_tokens * 1 + event.completion_tokens * 2);
  const spans = await app.request("/v1/traces", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: sdkJson(await sdkSpans([chatSpanSpec()])),
  });
  assert.equal(spans.status, 200);
  const otlp = publisher.on(TOPICS.responses).map(parseResponseEvent).find((e) =>
    e.source === "otlp"
  )!;
  assert.equal(otlp.price_version, "test-1");
  assert.equal(otlp.cost_usd, otlp.prompt_tokens * 1 + otlp.completion_tokens * 2);
});
