/**
 * Metering Ollama's chunks and passing its NDJSON bytes through untouched. The chunks are
 * shaped like Ollama 0.6.5's /api/chat and /api/generate streams.
 */
import assert from "node:assert/strict";
import { NdjsonSplitter, ndjsonTap, ndjsonValues } from "./ndjson.ts";
import { networkFailure, StreamMeter, upstreamFailure } from "./ollama_stream.ts";

/** A controllable clock pair (a double of Date.now and performance.now). */
function fakeClocks(startMs = 1_000) {
  let t = 0;
  return {
    now: () => 1_760_000_000_000 + t,
    clock: () => startMs + t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const chatChunks = [
  {
    model: "smollm2:135m",
    created_at: "2025-01-01T00:00:00Z",
    message: { role: "assistant", content: "" },
    done: false,
  },
  { model: "smollm2:135m", message: { role: "assistant", content: "Kafka " }, done: false },
  { model: "smollm2:135m", message: { role: "assistant", content: "is a log. ü" }, done: false },
  {
    model: "smollm2:135m",
    message: { role: "assistant", content: "" },
    done: true,
    done_reason: "length",
    total_duration: 900_000_000,
    load_duration: 1_000_000,
    prompt_eval_count: 12,
    prompt_eval_duration: 100_000_000,
    eval_count: 8,
    eval_duration: 400_000_000,
  },
];

Deno.test("a streamed chat is measured: TTFT at the first text, Ollama's counts and durations", () => {
  const clocks = fakeClocks();
  const meter = new StreamMeter(clocks);
  clocks.advance(50);
  assert.equal(meter.push(chatChunks[0]), "");
  clocks.advance(30);
  assert.equal(meter.push(chatChunks[1]), "Kafka ");
  clocks.advance(200);
  meter.push(chatChunks[2]);
  clocks.advance(20);
  meter.push(chatChunks[3]);
  const m = meter.finish();
  assert.equal(m.status, "success");
  assert.equal(m.response, "Kafka is a log. ü");
  assert.equal(m.response_chars, "Kafka is a log. ü".length);
  assert.equal(m.ttft_ms, 80);
  assert.equal(m.latency_ms, 300);
  assert.equal(m.prompt_tokens, 12);
  assert.equal(m.completion_tokens, 8);
  assert.equal(m.tokens_per_s, 20);
  assert.equal(m.total_duration_ns, 900_000_000);
  assert.equal(m.eval_duration_ns, 400_000_000);
  assert.equal(m.ts_start, 1_760_000_000_000);
  assert.equal(m.ts_end, 1_760_000_000_300);
  assert.equal(meter.doneReason, "length");
  assert.equal(meter.model, "smollm2:135m");
});

Deno.test("a generate stream and a stream:false answer are measured the same way", () => {
  const clocks = fakeClocks();
  const meter = new StreamMeter(clocks);
  clocks.advance(10);
  meter.push({ model: "m", response: "Once", done: false });
  clocks.advance(10);
  meter.push({
    model: "m",
    response: "",
    done: true,
    done_reason: "stop",
    eval_count: 1,
    eval_duration: 0,
  });
  const m = meter.finish();
  assert.equal(m.response, "Once");
  assert.equal(m.ttft_ms, 10);
  assert.equal(m.tokens_per_s, 50, "no eval duration: tokens over the call's latency");

  const whole = new StreamMeter(fakeClocks());
  whole.push({ model: "m", response: "All at once", done: true, eval_count: 3 });
  assert.equal(whole.finish().response, "All at once");
});

Deno.test("an embed answer is final and counts its vectors and prompt tokens", () => {
  const meter = new StreamMeter(fakeClocks());
  meter.push({ model: "m", embeddings: [[0.1], [0.2]], prompt_eval_count: 4, total_duration: 5 });
  const m = meter.finish();
  assert.equal(m.status, "success");
  assert.equal(meter.embeddings, 2);
  assert.equal(m.prompt_tokens, 4);
  assert.equal(m.ttft_ms, null);
});

Deno.test("a stream cut before its final chunk is a broken stream, an empty one says so", () => {
  const cut = new StreamMeter(fakeClocks());
  cut.push(chatChunks[1]);
  const m = cut.finish();
  assert.equal(m.status, "error");
  assert.equal(m.error?.type, "broken_stream");
  assert.equal(m.response, "Kafka ");
  const empty = new StreamMeter(fakeClocks()).finish();
  assert.match(empty.error!.message, /before its first chunk/);
});

Deno.test("Ollama's error line and junk lines fail the call; the first failure wins", () => {
  const meter = new StreamMeter(fakeClocks());
  meter.push(chatChunks[1]);
  meter.push({ error: "model runner has unexpectedly stopped" });
  meter.push("junk");
  const m = meter.finish();
  assert.equal(m.error?.type, "http_error");
  assert.match(m.error!.message, /unexpectedly stopped/);
  const junk = new StreamMeter(fakeClocks());
  junk.push([1, 2]);
  assert.equal(junk.finish().error?.type, "broken_stream");
});

Deno.test("hostile numbers in Ollama's final chunk are not recorded", () => {
  const meter = new StreamMeter(fakeClocks());
  meter.push({
    message: { content: "x" },
    done: true,
    prompt_eval_count: -5,
    eval_count: "7",
    total_duration: Infinity,
    eval_duration: null,
  });
  const m = meter.finish();
  assert.equal(m.prompt_tokens, 0);
  assert.equal(m.completion_tokens, 0);
  assert.equal(m.total_duration_ns, null);
  assert.equal(m.eval_duration_ns, null);
});

Deno.test("upstream and network failures are classified like lib/llm's calls", () => {
  assert.deepEqual(
    upstreamFailure(404, '{"error":"model \\"nope\\" not found, try pulling it first"}'),
    {
      type: "model_not_found",
      message: 'model "nope" not found, try pulling it first',
    },
  );
  assert.equal(upstreamFailure(500, "oops").type, "http_error");
  assert.match(upstreamFailure(500, "oops").message, /HTTP 500: oops/);
  assert.equal(
    networkFailure(new TypeError("error sending request: Connection refused (os error 111)")).type,
    "connection_refused",
  );
});

Deno.test("the splitter handles chunks cut mid-line and mid-character, and skips junk", () => {
  const text = chatChunks.map((c) => JSON.stringify(c)).join("\n") + "\nnot json\n\n";
  const bytes = new TextEncoder().encode(text);
  for (const size of [1, 2, 3, 7, 64, bytes.length]) {
    const splitter = new NdjsonSplitter();
    const values: unknown[] = [];
    for (let i = 0; i < bytes.length; i += size) {
      values.push(...splitter.push(bytes.subarray(i, i + size)));
    }
    values.push(...splitter.end());
    assert.deepEqual(values, chatChunks, `chunk size ${size}`);
    assert.equal(splitter.problems.length, 1);
    assert.match(splitter.problems[0].reason, /not JSON/);
  }
  const last = new NdjsonSplitter();
  assert.deepEqual(last.push(new TextEncoder().encode('{"a":1}')), []);
  assert.deepEqual(last.end(), [{ a: 1 }]);
});

Deno.test("the tap forwards Ollama's exact bytes while the meter sees every chunk", async () => {
  const raw = new TextEncoder().encode(
    chatChunks.map((c) => JSON.stringify(c)).join("\n") + "\n",
  );
  const pieces = [raw.subarray(0, 5), raw.subarray(5, 90), raw.subarray(90)];
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const p of pieces) controller.enqueue(p);
      controller.close();
    },
  });
  const meter = new StreamMeter(fakeClocks());
  let ended = false;
  const passed = source.pipeThrough(ndjsonTap((v) => meter.push(v), () => {
    ended = true;
  }));
  const received = new Uint8Array(await new Response(passed).arrayBuffer());
  assert.deepEqual(received, raw);
  assert.ok(ended);
  assert.equal(meter.finish().response, "Kafka is a log. ü");
});

Deno.test("ndjsonValues yields every parsed line of a byte stream", async () => {
  const body = new Response(chatChunks.map((c) => JSON.stringify(c)).join("\n")).body!;
  const values = [];
  for await (const v of ndjsonValues(body)) values.push(v);
  assert.deepEqual(values, chatChunks);
});
