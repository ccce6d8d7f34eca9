/**
 * Overhead: the monitoring cost added to one LLM call.
 *
 * End to end: pairs of calls to the same model with the same prompt (temperature 0, a fixed
 * seed, 8 tokens), one bare (`new Ollama({host}).chat({stream: true})`, stream consumed) and one
 * monitored (`measuredChat` + `toResponseEvent` + `EventProducer.send` enqueued, the ack not
 * awaited), in alternating order; the overhead of a pair is the monitored time minus the bare
 * time. Model timing noise (milliseconds) dominates these differences.
 *
 * In process: the same two paths fed a recorded Ollama stream through a stubbed `fetch`, so no
 * network or model time is left and the difference is the wrapper's own work (its client, abort
 * wiring, clocks, text accumulation and result) plus building the event and handing it to the
 * producer.
 *
 * @module
 */

import { Ollama } from "ollama";
import { createRequestEvent, type RequestEvent } from "../lib/events/mod.ts";
import { createKafka, EventProducer } from "../lib/kafka/mod.ts";
import { measuredChat, toResponseEvent } from "../lib/llm/mod.ts";
import { type BenchContext } from "./_context.ts";
import { createTopic, deleteTopics, uniqueName } from "./_kafka.ts";
import { type Figures } from "./_results.ts";
import { summarize } from "./_stats.ts";

const PROMPT = "What is Apache Kafka? Answer in one sentence.";
const PARAMS = { temperature: 0, top_p: 1, num_predict: 8, seed: 42 };

function request(model: string): RequestEvent {
  return createRequestEvent({ prompt: PROMPT, params: PARAMS }, {
    model,
    user_id: "bench",
    source: "test",
  });
}

async function bareCall(client: Ollama, model: string): Promise<string> {
  const stream = await client.chat({
    model,
    messages: [{ role: "user", content: PROMPT }],
    stream: true,
    options: PARAMS,
  });
  let text = "";
  for await (const chunk of stream) text += chunk.message?.content ?? "";
  return text;
}

async function monitoredCall(
  host: string,
  model: string,
  producer: EventProducer,
  topic: string,
): Promise<{ ms: number; buildMs: number; status: string }> {
  const req = request(model);
  const t0 = performance.now();
  const measurement = await measuredChat(req, { host });
  const t1 = performance.now();
  const event = toResponseEvent(req, measurement, "bench-worker");
  producer.send(topic, event.request_id, event).catch(() => {});
  const t2 = performance.now();
  return { ms: t2 - t0, buildMs: t2 - t1, status: measurement.status };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Runs the overhead benchmark. */
export async function benchOverhead(ctx: BenchContext): Promise<Partial<Figures["overhead_ms"]>> {
  const host = ctx.config.ollama.host;
  const model = ctx.config.ollama.model;
  const pairs = ctx.quick ? 30 : 200;
  const tags = await fetch(`${host}/api/tags`).then((r) => r.json()) as {
    models: { name: string }[];
  };
  if (!tags.models.some((m) => m.name === model || m.name === `${model}:latest`)) {
    throw new Error(`model ${model} is not in Ollama at ${host}`);
  }
  const kafka = createKafka(ctx.config.kafka.brokers, "bench-overhead");
  const topic = uniqueName("overhead");
  await createTopic(kafka, topic, 3);
  const producer = new EventProducer(kafka);
  await producer.connect();
  const realFetch = globalThis.fetch;
  try {
    const client = new Ollama({ host });
    // Ollama serves one call at a time: when others use it, calls queue. A time budget keeps the
    // run bounded; the pairs measured by then (at least 5) are reported.
    const deadline = performance.now() + (ctx.quick ? 40_000 : 600_000);
    // Warm up: model loaded, prompt cached, code paths compiled.
    for (let k = 0; k < (ctx.quick ? 1 : 3); k++) {
      await bareCall(client, model);
      await monitoredCall(host, model, producer, topic);
    }
    ctx.log(`overhead: ${pairs} pairs of calls to ${model}`);
    const diffs: number[] = [];
    const bare: number[] = [];
    const builds: number[] = [];
    for (let k = 0; k < pairs; k++) {
      if (k >= 5 && performance.now() > deadline) {
        ctx.note("overhead_ms.p99", `time budget reached after ${k} of ${pairs} pairs`);
        break;
      }
      let b: number;
      let m: { ms: number; buildMs: number; status: string };
      if (k % 2 === 0) {
        b = await timed(() => bareCall(client, model));
        m = await monitoredCall(host, model, producer, topic);
      } else {
        m = await monitoredCall(host, model, producer, topic);
        b = await timed(() => bareCall(client, model));
      }
      if (m.status !== "success") throw new Error(`a monitored call failed (${m.status})`);
      bare.push(b);
      builds.push(m.buildMs);
      diffs.push(m.ms - b);
    }
    const d = summarize(diffs);
    const bs = summarize(bare);
    const bu = summarize(builds);
    ctx.log(
      `overhead: bare call p50 ${bs.p50.toFixed(1)} ms; monitored − bare p50 ${
        d.p50.toFixed(2)
      } ms, p99 ${d.p99.toFixed(2)} ms; event build + enqueue p99 ${bu.p99.toFixed(3)} ms`,
    );

    // In process: replay one recorded stream through a stubbed fetch.
    const body = JSON.stringify({
      model,
      messages: [{ role: "user", content: PROMPT }],
      stream: true,
      options: PARAMS,
    });
    const recorded = new Uint8Array(
      await (await realFetch(`${host}/api/chat`, { method: "POST", body })).arrayBuffer(),
    );
    const stub = (() =>
      Promise.resolve(
        new Response(recorded, {
          status: 200,
          headers: { "content-type": "application/x-ndjson" },
        }),
      )) as typeof fetch;
    globalThis.fetch = stub;
    const replayClient = new Ollama({ host, fetch: stub });
    const iterations = ctx.quick ? 500 : 2_000;
    for (let k = 0; k < 200; k++) {
      await bareCall(replayClient, model);
      await monitoredCall(host, model, producer, topic);
    }
    const inProcess: number[] = [];
    for (let k = 0; k < iterations; k++) {
      let b: number;
      let m: number;
      if (k % 2 === 0) {
        b = await timed(() => bareCall(replayClient, model));
        m = (await monitoredCall(host, model, producer, topic)).ms;
      } else {
        m = (await monitoredCall(host, model, producer, topic)).ms;
        b = await timed(() => bareCall(replayClient, model));
      }
      inProcess.push(m - b);
    }
    globalThis.fetch = realFetch;
    const ip = summarize(inProcess);
    ctx.log(
      `overhead: in process (recorded stream of ${recorded.length} bytes, ${iterations} pairs): p50 ${
        ip.p50.toFixed(3)
      } ms, p99 ${ip.p99.toFixed(3)} ms`,
    );
    ctx.note(
      "overhead_ms",
      `p50/p99: monitored minus bare call over ${diffs.length} pairs (bare p50 ${
        bs.p50.toFixed(0)
      } ms); in_process_*: the wrapper's own work + event build + producer enqueue, on a recorded stream (no network), ${iterations} pairs`,
    );
    return { p50: d.p50, p99: d.p99, in_process_p50: ip.p50, in_process_p99: ip.p99 };
  } finally {
    globalThis.fetch = realFetch;
    await producer.disconnect().catch(() => {});
    await deleteTopics(kafka, [topic]);
  }
}
