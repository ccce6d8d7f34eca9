/**
 * Gateway: what a call pays for going through the gateway instead of straight to Ollama.
 *
 * Added cost per call (`added_ms_p50|p99`): one real Ollama chat answer (8 tokens, temperature
 * 0, a fixed seed) is recorded, and a replay server serves those exact bytes as a streamed
 * answer at once. Pairs of the same streamed `/api/chat` call, one straight to the replay server
 * and one through a real gateway in front of it (connection guard, Hono, the dialect's parsing,
 * metering, the two events validated and handed to the publisher, a real Kafka topic behind
 * it), alternate; a pair's difference is the gateway's own cost, with no model time or model
 * noise left in it.
 *
 * Throughput (`throughput_ratio`): calls per second through the gateway divided by calls per
 * second straight to the model, at concurrency 4, in alternating blocks so the machine's other
 * load falls on both alike. The model is the recorded answer replayed at the pace the real model
 * produced it (its own `prompt_eval_duration` before the first chunk, then `eval_duration /
 * eval_count` per token, as Ollama reported them), four calls at a time: the model's time
 * without the queueing behind other work that a shared Ollama adds, which would swamp the
 * ratio.
 *
 * @module
 */

import { createKafka } from "../lib/kafka/mod.ts";
import { gatewaySettings, startGateway } from "../server/gateway/runtime.ts";
import { type BenchContext } from "./_context.ts";
import { createTopic, deleteTopics, uniqueName } from "./_kafka.ts";
import { type Figures } from "./_results.ts";
import { summarize } from "./_stats.ts";

const PARAMS = { temperature: 0, top_p: 1, num_predict: 8, seed: 42 };

function chatBody(model: string, prompt: string): string {
  return JSON.stringify({
    model,
    messages: [{ role: "user", content: prompt }],
    stream: true,
    options: PARAMS,
  });
}

/** One streamed call, read to its end; its time in ms. */
async function timedCall(url: string, body: string): Promise<number> {
  const t0 = performance.now();
  const response = await fetch(`${url}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  for await (const _ of response.body!) { /* read to the end */ }
  return performance.now() - t0;
}

/** The recorded answer's lines and the real model's pace (from Ollama's own durations). */
function paceOf(recorded: Uint8Array): { lines: string[]; firstMs: number; perTokenMs: number } {
  const lines = new TextDecoder().decode(recorded).split("\n").filter((l) => l.trim() !== "");
  const final = JSON.parse(lines.at(-1)!) as {
    prompt_eval_duration?: number;
    eval_duration?: number;
    eval_count?: number;
  };
  const firstMs = (final.prompt_eval_duration ?? 0) / 1e6;
  const perTokenMs = final.eval_count ? (final.eval_duration ?? 0) / final.eval_count / 1e6 : 0;
  return { lines, firstMs, perTokenMs };
}

/** A server answering every chat with the recorded lines, at the model's pace. */
function pacedServer(recorded: Uint8Array) {
  const { lines, firstMs, perTokenMs } = paceOf(recorded);
  const encoder = new TextEncoder();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    await request.arrayBuffer();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (i >= lines.length) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, i === 0 ? firstMs : perTokenMs));
        controller.enqueue(encoder.encode(lines[i++] + "\n"));
      },
    });
    return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
  });
  return { server, url: `http://127.0.0.1:${server.addr.port}`, firstMs, perTokenMs };
}

/** Calls per second of `n` calls made `concurrency` at a time. */
async function rate(url: string, bodies: string[], concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) await timedCall(url, bodies[next++]);
  }));
  return bodies.length / ((performance.now() - t0) / 1000);
}

/** Runs the gateway benchmark. */
export async function benchGateway(ctx: BenchContext): Promise<Partial<Figures["gateway"]>> {
  const { host, model } = ctx.config.ollama;
  const kafka = createKafka(ctx.config.kafka.brokers, "bench-gateway");
  const topics = { requests: uniqueName("gw-requests"), responses: uniqueName("gw-responses") };
  await createTopic(kafka, topics.requests, 3);
  await createTopic(kafka, topics.responses, 3);
  const body = chatBody(model, "What is Apache Kafka? Answer in one sentence.");
  const recorded = new Uint8Array(
    await (await fetch(`${host}/api/chat`, { method: "POST", body })).arrayBuffer(),
  );
  const replay = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    await request.arrayBuffer();
    if (new URL(request.url).pathname === "/api/tags") {
      return Response.json({ models: [{ name: model }] });
    }
    return new Response(recorded, { headers: { "content-type": "application/x-ndjson" } });
  });
  const replayUrl = `http://127.0.0.1:${replay.addr.port}`;
  const settings = { ...gatewaySettings({}), port: 0 };
  const overReplay = await startGateway({
    config: { ...ctx.config, ollama: { ...ctx.config.ollama, host: replayUrl } },
    settings,
    topics,
  });
  const paced = pacedServer(recorded);
  const overPaced = await startGateway({
    config: { ...ctx.config, ollama: { ...ctx.config.ollama, host: paced.url } },
    settings,
    topics,
  });
  try {
    // added cost: replayed answer, alternating pairs
    const pairs = ctx.quick ? 300 : 2_000;
    for (let k = 0; k < 100; k++) {
      await timedCall(replayUrl, body);
      await timedCall(overReplay.url, body);
    }
    const diffs: number[] = [];
    const direct: number[] = [];
    for (let k = 0; k < pairs; k++) {
      let d: number;
      let g: number;
      if (k % 2 === 0) {
        d = await timedCall(replayUrl, body);
        g = await timedCall(overReplay.url, body);
      } else {
        g = await timedCall(overReplay.url, body);
        d = await timedCall(replayUrl, body);
      }
      direct.push(d);
      diffs.push(g - d);
    }
    const added = summarize(diffs);
    const base = summarize(direct);
    ctx.log(
      `gateway: ${pairs} pairs on a replayed answer of ${recorded.length} bytes: direct p50 ${
        base.p50.toFixed(3)
      } ms; added p50 ${added.p50.toFixed(3)} ms, p99 ${added.p99.toFixed(3)} ms`,
    );
    const stats = overReplay.stats();
    ctx.log(`gateway: published ${stats.published} events, dropped ${stats.dropped}`);

    // throughput at the real model's pace: alternating blocks at concurrency 4
    const perBlock = ctx.quick ? 40 : 200;
    const blocks = ctx.quick ? 4 : 6;
    const bodies = Array.from({ length: perBlock }, () => body);
    await rate(paced.url, bodies.slice(0, 8), 4);
    await rate(overPaced.url, bodies.slice(0, 8), 4);
    const directRates: number[] = [];
    const gatewayRates: number[] = [];
    for (let b = 0; b < blocks; b++) {
      if (b % 2 === 0) {
        directRates.push(await rate(paced.url, bodies, 4));
        gatewayRates.push(await rate(overPaced.url, bodies, 4));
      } else {
        gatewayRates.push(await rate(overPaced.url, bodies, 4));
        directRates.push(await rate(paced.url, bodies, 4));
      }
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const ratio = sum(gatewayRates) / sum(directRates);
    ctx.log(
      `gateway: model pace ${paced.firstMs.toFixed(1)} ms to the first chunk, ${
        paced.perTokenMs.toFixed(1)
      } ms per token; ${blocks} blocks of ${perBlock} calls at concurrency 4: direct ${
        (sum(directRates) / blocks).toFixed(2)
      } calls/s, through the gateway ${(sum(gatewayRates) / blocks).toFixed(2)} calls/s`,
    );
    ctx.note(
      "gateway",
      `added_ms_*: gateway minus direct over ${pairs} alternating pairs of a streamed /api/chat ` +
        `call on a replayed real answer (${recorded.length} bytes, direct p50 ${
          base.p50.toFixed(2)
        } ms), events published to Kafka; throughput_ratio: ${blocks} alternating blocks of ` +
        `${perBlock} calls at concurrency 4 to the recorded answer replayed at the real model's ` +
        `pace (${paced.firstMs.toFixed(0)} ms + ${paced.perTokenMs.toFixed(1)} ms/token)`,
    );
    return { added_ms_p50: added.p50, added_ms_p99: added.p99, throughput_ratio: ratio };
  } finally {
    await overReplay.stop(10_000);
    await overPaced.stop(10_000);
    await replay.shutdown();
    await paced.server.shutdown();
    await deleteTopics(kafka, [topics.requests, topics.responses]);
  }
}
