import assert from "node:assert/strict";
import { llmColumns, textDescriptors } from "./llm_columns.ts";

Deno.test("text descriptors count code points, words, non-letters and non-ASCII characters", () => {
  const d = textDescriptors("Héllo, wörld 42");
  assert.equal(d.chars, 15);
  assert.equal(d.words, 3);
  // non-space characters: 13, of which ",", "4", "2" are not letters
  assert.equal(d.non_letter_share, 3 / 13);
  assert.equal(d.non_ascii_share, 2 / 15);
  assert.deepEqual(textDescriptors(""), {
    chars: 0,
    words: 0,
    non_letter_share: 0,
    non_ascii_share: 0,
  });
});

Deno.test("llm columns convert milliseconds to seconds and keep missing fields as null", () => {
  const events = Object.freeze([
    Object.freeze({
      latency_ms: 1500,
      ttft_ms: 250,
      prompt_tokens: 12,
      completion_tokens: 30,
      tokens_per_s: 20,
      response_chars: 17,
      response: "Paris is lovely.",
      prompt: "Where to go?",
      status: "success" as const,
      model: "smollm2",
    }),
    Object.freeze({ status: "error" as const, model: "smollm2", prompt: "hi" }),
  ]);
  const [a, b] = llmColumns(events);
  assert.equal(a.latency_s, 1.5);
  assert.equal(a.ttft_s, 0.25);
  assert.equal(a.response_chars, 17);
  assert.equal(a.response_words, 3);
  assert.equal(a.prompt_chars, 12);
  assert.equal(a.prompt_words, 3);
  assert.equal(a.status, "success");
  assert.equal(b.latency_s, null);
  assert.equal(b.response_chars, null);
  assert.equal(b.prompt_words, 1);
  assert.equal(b.status, "error");
});

Deno.test("llm columns reject input that is not an array of objects", () => {
  assert.throws(() => llmColumns({} as never), TypeError);
  assert.throws(() => llmColumns([null as never]), /event 0/);
});
