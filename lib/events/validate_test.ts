import assert from "node:assert/strict";
import { createRequestEvent, DEFAULT_PARAMS } from "./build.ts";
import { LIMITS } from "./schemas.ts";
import { sampleRequest, sampleResponse } from "./testing.ts";
import {
  decodeEvent,
  decodeRequest,
  decodeResponse,
  EventValidationError,
  parseRequestEvent,
  parseResponseEvent,
} from "./validate.ts";

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

Deno.test("a valid request and response pass validation unchanged", () => {
  const request = sampleRequest({ tags: { suite: "unit" }, dataset: "quick_test" });
  assert.deepEqual(parseRequestEvent(structuredClone(request)), request);
  const response = sampleResponse();
  assert.deepEqual(parseResponseEvent(structuredClone(response)), response);
});

Deno.test("each invalid field is named with what was expected", () => {
  const bad = {
    ...sampleRequest(),
    prompt: "",
    params: { temperature: "hot", top_p: 0.9, num_predict: 0 },
  };
  assert.throws(() => parseRequestEvent(bad), (error: unknown) => {
    assert.ok(error instanceof EventValidationError);
    assert.equal(error.schema, "llm.request.v2");
    const paths = error.issues.map((i) => i.path).sort();
    assert.deepEqual(paths, ["params.num_predict", "params.temperature", "prompt"]);
    assert.match(error.message, /params\.temperature: .*expected number/);
    return true;
  });
});

Deno.test("a request id must be a UUID and the source one of the known ones", () => {
  assert.throws(() => parseRequestEvent({ ...sampleRequest(), request_id: "42" }), /request_id/);
  assert.throws(() => parseRequestEvent({ ...sampleRequest(), source: "email" }), /source/);
});

Deno.test("prompts over the cap and prompts with control characters are rejected", () => {
  const long = "x".repeat(LIMITS.promptChars + 1);
  assert.throws(() => parseRequestEvent({ ...sampleRequest(), prompt: long }), /prompt/);
  assert.throws(
    () => parseRequestEvent({ ...sampleRequest(), prompt: "hi\u0000there" }),
    /prompt: must not contain control characters/,
  );
  assert.equal(
    parseRequestEvent({ ...sampleRequest(), prompt: "line\n\ttab" }).prompt,
    "line\n\ttab",
  );
});

Deno.test("an error response must say what went wrong, and time must not run backwards", () => {
  assert.throws(
    () => parseResponseEvent(sampleResponse({ status: "error", response: "" })),
    /error: an error response needs an error/,
  );
  const ok = parseResponseEvent(
    sampleResponse({ status: "error", response: "", error: { type: "timeout", message: "30 s" } }),
  );
  assert.equal(ok.error?.type, "timeout");
  assert.throws(() => parseResponseEvent(sampleResponse({ ts_start: 10, ts_end: 5 })), /ts_end/);
});

Deno.test("decodeEvent rejects empty, oversized, non-UTF-8, non-JSON and wrong-version bytes", () => {
  const parse = (bytes: Uint8Array | null) => decodeRequest(bytes);
  assert.throws(() => parse(null), /empty message/);
  assert.throws(
    () => parse(new Uint8Array(LIMITS.messageBytes + 1)),
    /exceeds the 1000000-byte limit/,
  );
  assert.throws(() => parse(new Uint8Array([0xff, 0xfe, 0x7b])), /not valid UTF-8/);
  assert.throws(() => parse(new TextEncoder().encode("{not json")), /invalid JSON/);
  assert.throws(() => parse(encode([1, 2])), /expected a JSON object, found an array/);
  assert.throws(
    () => parse(new TextEncoder().encode("null")),
    /expected a JSON object, found null/,
  );
  assert.throws(
    () => parse(encode({ ...sampleRequest(), schema: "llm.request.v3" })),
    /schema: expected "llm.request.v2" or "llm.request.v1", found "llm.request.v3"/,
  );
  assert.throws(
    () => decodeEvent(encode(sampleRequest()), "llm.dlq.v1", parseRequestEvent),
    /schema: expected "llm.dlq.v1", found "llm.request.v2"/,
  );
  const request = sampleRequest();
  assert.deepEqual(parse(encode(request)), request);
});

Deno.test("both versions are read: v1 as it was, v2 with a conversation, the gateway's sources and a cost", () => {
  const v1 = { ...sampleRequest(), schema: "llm.request.v1" as const };
  assert.deepEqual(decodeRequest(encode(v1)), v1);
  assert.throws(
    () => parseRequestEvent({ ...v1, source: "gateway" }),
    /source: .*expected one of "test"\|"stream"\|"api"\|"notebook"/,
  );
  const chat = sampleRequest({
    source: "gateway",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "user", content: "What is Kafka?" },
    ],
    prompt: "What is Kafka?",
  });
  assert.deepEqual(decodeRequest(encode(chat)).messages?.length, 4);
  const v1Response = { ...sampleResponse(), schema: "llm.response.v1" as const };
  assert.deepEqual(decodeResponse(encode(v1Response)), v1Response);
  const priced = sampleResponse({ source: "otlp", cost_usd: 0.00042, price_version: "2026-12" });
  assert.equal(decodeResponse(encode(priced)).cost_usd, 0.00042);
  assert.throws(() => parseResponseEvent({ ...priced, cost_usd: -1 }), /cost_usd/);
  assert.throws(
    () => parseRequestEvent({ ...chat, messages: [{ role: "user", content: "a\u0000b" }] }),
    /messages\.0\.content: must not contain control characters/,
  );
});

Deno.test("createRequestEvent fills id, time and default parameters, keeping what is given", () => {
  const event = createRequestEvent(
    { prompt: "Hello", params: { temperature: 0.1 } },
    { model: "smollm2:135m", now: () => 1234 },
  );
  assert.match(event.request_id, /^[0-9a-f-]{36}$/);
  assert.equal(event.ts, 1234);
  assert.equal(event.model, "smollm2:135m");
  assert.deepEqual(event.params, { ...DEFAULT_PARAMS, temperature: 0.1 });
  assert.equal(event.user_id, "anonymous");
  assert.equal(event.source, "api");
  assert.throws(() => createRequestEvent({ prompt: "" }, { model: "m" }), EventValidationError);
});
