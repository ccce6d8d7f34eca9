/** The Ollama dialect's request checks: enough to know model, conversation and options. */
import assert from "node:assert/strict";
import { parseOllamaChat, parseOllamaEmbed, parseOllamaGenerate } from "./ollama_request.ts";
import { GatewayError } from "./errors.ts";
import { ollamaError } from "./openai_errors.ts";

function refusedWith(fn: () => unknown, text: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof GatewayError);
    const answer = ollamaError(error);
    assert.equal(answer.status, 400);
    assert.equal(typeof answer.body.error, "string");
    assert.match(answer.body.error, text);
    return true;
  });
}

Deno.test("an Ollama chat keeps model, messages and options, and streams unless told not to", () => {
  const call = parseOllamaChat({
    model: "smollm2:135m",
    messages: [
      { role: "system", content: "S" },
      { role: "user", content: "Q", images: [] },
      { role: "assistant", content: "A" },
      { role: "user", content: "Q2" },
    ],
    options: { temperature: 0, top_p: 0.5, num_predict: 30, seed: 1, stop: ["x"], num_ctx: 2048 },
    keep_alive: "5m",
  });
  assert.equal(call.endpoint, "/api/chat");
  assert.equal(call.stream, true);
  assert.equal(call.messages.length, 4);
  assert.deepEqual(call.params, {
    temperature: 0,
    top_p: 0.5,
    max_tokens: 30,
    seed: 1,
    stop: ["x"],
  });
  assert.equal(parseOllamaChat({ model: "m", messages: [], stream: false }).stream, false);
  assert.deepEqual(parseOllamaChat({ model: "m" }).messages, []);
  assert.equal(
    parseOllamaChat({ model: "m", options: { num_predict: -1 } }).params.max_tokens,
    undefined,
  );
});

Deno.test("malformed Ollama chats get Ollama's error shape naming the field", () => {
  refusedWith(() => parseOllamaChat("x"), /JSON object, found string/);
  refusedWith(() => parseOllamaChat({ messages: [] }), /model is required/);
  refusedWith(() => parseOllamaChat({ model: "" }), /model must not be empty/);
  refusedWith(() => parseOllamaChat({ model: "m", messages: {} }), /messages must be an array/);
  refusedWith(
    () => parseOllamaChat({ model: "m", messages: [{ role: "king", content: "x" }] }),
    /messages.0.role/,
  );
  refusedWith(
    () => parseOllamaChat({ model: "m", messages: [{ role: "user", content: ["x"] }] }),
    /messages.0.content must be a string, found array/,
  );
  refusedWith(() => parseOllamaChat({ model: "m", messages: [{ role: "user" }] }), /content/);
  refusedWith(() => parseOllamaChat({ model: "m", stream: "no" }), /stream must be a boolean/);
  refusedWith(() => parseOllamaChat({ model: "m", options: [] }), /options must be an object/);
  refusedWith(
    () => parseOllamaChat({ model: "m", options: { temperature: "hot" } }),
    /options.temperature must be a number, found string/,
  );
  refusedWith(
    () => parseOllamaChat({ model: "m", options: { num_predict: 1.5 } }),
    /options.num_predict must be an integer/,
  );
  refusedWith(() => parseOllamaChat({ model: "m", options: { stop: "x" } }), /options.stop/);
});

Deno.test("an Ollama generate keeps prompt and system as a conversation", () => {
  const call = parseOllamaGenerate({
    model: "m",
    prompt: "Why?",
    system: "Be brief",
    stream: false,
  });
  assert.equal(call.endpoint, "/api/generate");
  assert.equal(call.operation, "text_completion");
  assert.equal(call.stream, false);
  assert.deepEqual(call.messages, [
    { role: "system", content: "Be brief" },
    { role: "user", content: "Why?" },
  ]);
  assert.deepEqual(parseOllamaGenerate({ model: "m" }).messages, []);
  refusedWith(() => parseOllamaGenerate({ model: "m", prompt: 3 }), /prompt must be a string/);
  refusedWith(() => parseOllamaGenerate({ model: "m", system: {} }), /system must be a string/);
});

Deno.test("an Ollama embed takes a string or strings", () => {
  assert.deepEqual(parseOllamaEmbed({ model: "m", input: "a" }).input, ["a"]);
  assert.deepEqual(parseOllamaEmbed({ model: "m", input: ["a", "b"] }).input, ["a", "b"]);
  assert.equal(parseOllamaEmbed({ model: "m", input: [] }).stream, false);
  refusedWith(() => parseOllamaEmbed({ model: "m" }), /input is required/);
  refusedWith(() => parseOllamaEmbed({ model: "m", input: [1] }), /input must be a string/);
});
