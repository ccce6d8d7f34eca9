/**
 * The gateway's answer streams over a recorded Ollama stream (an in-memory double of Ollama's
 * body): bytes passed through, OpenAI events read by the real OpenAI SDK, and exactly one
 * measurement whether the call ends, fails or the caller leaves.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { drainOllama, meteredPassThrough, ollamaToOpenAiSse } from "./proxy_streams.ts";
import { StreamMeter } from "./ollama_stream.ts";
import { ChatCompletionSse, SSE_HEADERS, TextCompletionSse } from "./openai_response.ts";
import type { CallMeasurement } from "../llm/measured_chat.ts";

const chunks = [
  { model: "m", message: { role: "assistant", content: "Kafka " }, done: false },
  { model: "m", message: { role: "assistant", content: "is a log." }, done: false },
  {
    model: "m",
    message: { role: "assistant", content: "" },
    done: true,
    done_reason: "stop",
    prompt_eval_count: 7,
    eval_count: 4,
    eval_duration: 2e8,
  },
];
const ndjson = (values: unknown[]) =>
  new TextEncoder().encode(values.map((v) => JSON.stringify(v)).join("\n") + "\n");

/** A recorded Ollama body, delivered in small pieces; records whether it was cancelled. */
function recordedBody(bytes: Uint8Array, options: { pieces?: number; failAfter?: number } = {}) {
  const size = Math.max(1, Math.ceil(bytes.length / (options.pieces ?? 5)));
  let offset = 0;
  let sent = 0;
  const state = { cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (options.failAfter !== undefined && sent >= options.failAfter) {
        controller.error(new TypeError("connection reset by peer"));
        return;
      }
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
      sent++;
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function recorder() {
  const calls: CallMeasurement[] = [];
  return { calls, onFinish: (m: CallMeasurement) => calls.push(m) };
}

Deno.test("the pass-through gives the caller Ollama's exact bytes and records one success", async () => {
  const bytes = ndjson(chunks);
  const { stream } = recordedBody(bytes, { pieces: 7 });
  const rec = recorder();
  const out = meteredPassThrough(stream, new StreamMeter(), rec.onFinish);
  assert.deepEqual(new Uint8Array(await new Response(out).arrayBuffer()), bytes);
  assert.equal(rec.calls.length, 1);
  assert.equal(rec.calls[0].status, "success");
  assert.equal(rec.calls[0].response, "Kafka is a log.");
  assert.equal(rec.calls[0].completion_tokens, 4);
});

Deno.test("a caller that leaves mid-stream cancels Ollama and is recorded as aborted, once", async () => {
  const { stream, state } = recordedBody(ndjson(chunks), { pieces: 6 });
  const rec = recorder();
  const out = meteredPassThrough(stream, new StreamMeter(), rec.onFinish);
  const reader = out.getReader();
  await reader.read();
  await reader.cancel("client went away");
  assert.ok(state.cancelled, "Ollama's body is cancelled");
  assert.equal(rec.calls.length, 1);
  assert.equal(rec.calls[0].status, "error");
  assert.equal(rec.calls[0].error?.type, "aborted");
  assert.match(rec.calls[0].error!.message, /caller closed the connection: client went away/);
});

Deno.test("Ollama failing mid-stream errors the caller's stream and records a broken stream", async () => {
  const { stream } = recordedBody(ndjson(chunks), { pieces: 6, failAfter: 2 });
  const rec = recorder();
  const out = meteredPassThrough(stream, new StreamMeter(), rec.onFinish);
  await assert.rejects(new Response(out).arrayBuffer(), /connection reset/);
  assert.equal(rec.calls.length, 1);
  assert.equal(rec.calls[0].error?.type, "broken_stream");
});

function sdkOver(body: ReadableStream<Uint8Array>): OpenAI {
  return new OpenAI({
    apiKey: "k",
    baseURL: "http://gateway.test/v1",
    maxRetries: 0,
    fetch: () => Promise.resolve(new Response(body, { headers: SSE_HEADERS })),
  });
}

const identity = { id: "chatcmpl-1", model: "m", created: 1 };

Deno.test("Ollama's chat stream reaches the OpenAI SDK as chunks with usage", async () => {
  const { stream } = recordedBody(ndjson(chunks), { pieces: 9 });
  const rec = recorder();
  const body = ollamaToOpenAiSse(
    stream,
    new StreamMeter(),
    new ChatCompletionSse(identity, true),
    rec.onFinish,
  );
  const completion = await sdkOver(body).chat.completions.create({
    model: "m",
    messages: [{ role: "user", content: "?" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let usage = null;
  let finish = null;
  for await (const c of completion) {
    text += c.choices[0]?.delta?.content ?? "";
    finish = c.choices[0]?.finish_reason ?? finish;
    usage = c.usage ?? usage;
  }
  assert.equal(text, "Kafka is a log.");
  assert.equal(finish, "stop");
  assert.deepEqual(usage, { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
  assert.equal(rec.calls.length, 1);
  assert.equal(rec.calls[0].status, "success");
});

Deno.test("Ollama's error line mid-stream reaches the OpenAI SDK as an APIError", async () => {
  const { stream } = recordedBody(ndjson([chunks[0], { error: "model runner stopped" }]));
  const rec = recorder();
  const body = ollamaToOpenAiSse(
    stream,
    new StreamMeter(),
    new ChatCompletionSse(identity, false),
    rec.onFinish,
  );
  const completion = await sdkOver(body).chat.completions.create({
    model: "m",
    messages: [{ role: "user", content: "?" }],
    stream: true,
  });
  let text = "";
  await assert.rejects(async () => {
    for await (const c of completion) text += c.choices[0]?.delta?.content ?? "";
  }, (e: unknown) => e instanceof OpenAI.APIError && /model runner stopped/.test(e.message));
  assert.equal(text, "Kafka ");
  assert.equal(rec.calls[0].error?.type, "http_error");
});

Deno.test("a cut stream and a cancelled caller end the SSE stream and record once", async () => {
  const cut = recordedBody(ndjson(chunks.slice(0, 2)));
  const rec = recorder();
  const text = await new Response(
    ollamaToOpenAiSse(
      cut.stream,
      new StreamMeter(),
      new TextCompletionSse(identity, false),
      rec.onFinish,
    ),
  ).text();
  assert.match(text, /"text":"Kafka "/);
  assert.match(
    text,
    /data: \{"error":\{"message":"the stream ended without a final chunk","type":"server_error"/,
  );
  assert.doesNotMatch(text, /\[DONE\]/);
  assert.equal(rec.calls.length, 1);
  assert.equal(rec.calls[0].error?.type, "broken_stream");

  const slow = recordedBody(ndjson(chunks), { pieces: 10 });
  const rec2 = recorder();
  const reader = ollamaToOpenAiSse(
    slow.stream,
    new StreamMeter(),
    new ChatCompletionSse(identity, false),
    rec2.onFinish,
  )
    .getReader();
  await reader.read();
  await reader.cancel();
  assert.ok(slow.state.cancelled);
  assert.equal(rec2.calls.length, 1);
  assert.equal(rec2.calls[0].error?.type, "aborted");
});

Deno.test("drainOllama reads stream:false answers and embed answers to one measurement", async () => {
  const whole = recordedBody(new TextEncoder().encode(JSON.stringify({
    model: "m",
    message: { role: "assistant", content: "All of it" },
    done: true,
    done_reason: "length",
    eval_count: 3,
  })));
  const rec = recorder();
  const meter = new StreamMeter();
  const m = await drainOllama(whole.stream, meter, rec.onFinish);
  assert.equal(m.response, "All of it");
  assert.equal(meter.doneReason, "length");
  assert.equal(rec.calls.length, 1);

  const embed = recordedBody(
    new TextEncoder().encode(
      JSON.stringify({ model: "m", embeddings: [[1, 2]], prompt_eval_count: 2 }),
    ),
  );
  const em = new StreamMeter();
  const e = await drainOllama(embed.stream, em);
  assert.equal(e.status, "success");
  assert.equal(em.embeddings, 1);

  const broken = recordedBody(ndjson(chunks), { failAfter: 1 });
  const b = await drainOllama(broken.stream, new StreamMeter());
  assert.equal(b.error?.type, "broken_stream");
});

Deno.test("the pass-through records the call when Ollama's final chunk passes, before the caller reads the end", async () => {
  const bytes = ndjson(chunks);
  const { stream } = recordedBody(bytes, { pieces: 1 });
  const rec = recorder();
  const reader = meteredPassThrough(stream, new StreamMeter(), rec.onFinish).getReader();
  const first = await reader.read();
  assert.deepEqual(first.value, bytes, "the whole answer in one piece");
  assert.equal(rec.calls.length, 1, "recorded before the stream's end was read");
  assert.equal(rec.calls[0].status, "success");
  assert.equal((await reader.read()).done, true);
  assert.equal(rec.calls.length, 1, "and only once");
});
