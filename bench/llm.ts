/**
 * Model throughput: calls per second through the LLM worker (`llm.requests` → `LlmWorker` →
 * Ollama → `llm.responses`, topics of the benchmark's own) against direct streamed calls to the
 * same Ollama with the same concurrency, prompts and settings (`throughput_ratio` = worker ÷
 * direct). The direct calls run before and after the worker's; the faster of the two is the
 * baseline. Each side's clock runs from its first call (or request) to its last answer.
 *
 * Ollama is one of the benchmark's own (started with the stack's settings on a free port, from
 * the stack's cache), so other work on a running stack's Ollama does not queue in front of the
 * measured calls; with `OLLAMA_HOST` set, that server is used.
 *
 * `deno run -A bench/llm.ts --sweep [calls]` measures direct calls/s and p95 latency for each
 * Ollama parallelism (`OLLAMA_NUM_PARALLEL` 1, 2, 4) and concurrency (1, 2, 4), in two rounds,
 * to choose the stack's settings.
 *
 * @module
 */

import { Ollama } from "ollama";
import { createKafka, EventProducer } from "../lib/kafka/mod.ts";
import { LlmWorker, WORKER_CONCURRENCY } from "../lib/consumers/mod.ts";
import { createRequestEvent, decodeResponse } from "../lib/events/mod.ts";
import { loadStackConfig, type StackConfig } from "../lib/stack/config.ts";
import {
  OLLAMA_NUM_PARALLEL,
  ollamaPaths,
  ollamaServeEnv,
  ollamaVersion,
} from "../lib/stack/ollama.ts";
import { isAlive, startService, stopService, waitUntil } from "../lib/stack/process.ts";
import { mapWithConcurrency } from "../lib/util/concurrency.ts";
import { type BenchContext } from "./_context.ts";
import { createTopic, deleteTopics, uniqueName } from "./_kafka.ts";
import { type Figures } from "./_results.ts";
import { quantileSorted } from "../lib/metrics/quantile.ts";
import { waitFor } from "./_wait.ts";

/** The prompts, answered with at most this many tokens, greedily, with a fixed seed. */
const PROMPTS = [
  "Explain machine learning in simple terms",
  "What is Apache Kafka used for?",
  "Name three benefits of cloud computing",
  "Why is the sky blue?",
  "Give one tip for writing clean code",
  "What is a neural network?",
  "Define model drift in one sentence",
  "What does a data scientist do?",
];
const PARAMS = { temperature: 0, top_p: 1, num_predict: 32, seed: 7 };

/** p50 and p95 of latencies (ms). */
function percentiles(latencies: number[]): { p50Ms: number; p95Ms: number } {
  const sorted = Float64Array.from(latencies).sort();
  return { p50Ms: quantileSorted(sorted, 0.5), p95Ms: quantileSorted(sorted, 0.95) };
}

/** Calls per second and the latency of each call (ms) of one run. */
export interface RunFigures {
  callsPerS: number;
  p50Ms: number;
  p95Ms: number;
}

/** `n` streamed chat calls straight to Ollama, `concurrency` at once. */
export async function directRun(
  host: string,
  model: string,
  n: number,
  concurrency: number,
): Promise<RunFigures> {
  const client = new Ollama({ host });
  const latencies: number[] = [];
  const t0 = performance.now();
  await mapWithConcurrency(Array.from({ length: n }, (_, i) => i), concurrency, async (i) => {
    const start = performance.now();
    const stream = await client.chat({
      model,
      messages: [{ role: "user", content: PROMPTS[i % PROMPTS.length] }],
      stream: true,
      options: PARAMS,
    });
    for await (const part of stream) {
      if (part.done) break;
    }
    latencies.push(performance.now() - start);
  });
  const seconds = (performance.now() - t0) / 1000;
  return { callsPerS: n / seconds, ...percentiles(latencies) };
}

/** `n` requests through an LLM worker with `concurrency` calls in flight. */
async function workerRun(
  brokers: string[],
  host: string,
  model: string,
  n: number,
  concurrency: number,
): Promise<RunFigures> {
  const kafka = createKafka(brokers, "bench-llm");
  const topics = { requests: uniqueName("llm-requests"), responses: uniqueName("llm-responses") };
  await createTopic(kafka, topics.requests, 3);
  await createTopic(kafka, topics.responses, 3);
  const producer = new EventProducer(kafka);
  await producer.connect();
  const worker = new LlmWorker({
    kafka,
    producer,
    ollamaHost: host,
    concurrency,
    topics,
    groupId: uniqueName("llm-worker"),
  });
  const listener = kafka.consumer({ groupId: uniqueName("llm-listener") });
  const latencies: number[] = [];
  let tLast = 0;
  try {
    await listener.connect();
    await listener.subscribe({ topic: topics.responses, fromBeginning: true });
    await listener.run({
      eachMessage: ({ message }) => {
        const event = decodeResponse(message.value);
        latencies.push(event.latency_ms);
        if (latencies.length === n) tLast = performance.now();
        return Promise.resolve();
      },
    });
    await worker.start();
    const requests = Array.from(
      { length: n },
      (_, i) =>
        createRequestEvent({ prompt: PROMPTS[i % PROMPTS.length], params: PARAMS }, {
          model,
          source: "test",
        }),
    );
    const t0 = performance.now();
    for (const r of requests) await producer.send(topics.requests, r.request_id, r);
    await producer.flush();
    const done = await waitFor(() => tLast !== 0, 900_000, 5);
    if (!done) throw new Error(`the worker answered ${latencies.length} of ${n} in 15 minutes`);
    return { callsPerS: n / ((tLast - t0) / 1000), ...percentiles(latencies) };
  } finally {
    await worker.stop().catch(() => {});
    await listener.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await deleteTopics(kafka, [topics.requests, topics.responses]);
  }
}

/** A private `ollama serve` on a free port with the stack's settings (parallelism overridable). */
async function startPrivateOllama(
  base: StackConfig,
  parallel = OLLAMA_NUM_PARALLEL,
): Promise<{ host: string; stop: () => Promise<void> }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const stateDir = await Deno.makeTempDir({ prefix: "llmops-bench-ollama-" });
  const config = loadStackConfig({
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "",
    LLMOPS_STACK_DIR: base.dir,
    LLMOPS_STATE_DIR: stateDir,
    LLMOPS_OLLAMA_PORT: String(port),
    LLMOPS_MODEL: base.ollama.model,
  });
  const service = await startService({
    name: "ollama",
    command: ollamaPaths(config).bin,
    args: ["serve"],
    env: { ...ollamaServeEnv(config), OLLAMA_NUM_PARALLEL: String(parallel) },
    logFile: `${stateDir}/ollama.log`,
    pidFile: `${stateDir}/ollama.pid`,
  });
  const stop = async () => {
    await stopService(service.pid);
    await Deno.remove(stateDir, { recursive: true }).catch(() => {});
  };
  try {
    await waitUntil(async () => (await ollamaVersion(config.ollama.host)) !== null, {
      timeoutMs: 60_000,
      what: `a private ollama on ${config.ollama.host}`,
      stillAlive: () => isAlive(service.pid),
    });
    // load the model before anything is timed
    await directRun(config.ollama.host, base.ollama.model, 2, 1);
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: config.ollama.host, stop };
}

/** Runs the model throughput benchmark. */
export async function benchLlm(ctx: BenchContext): Promise<Partial<Figures["llm"]>> {
  const n = ctx.quick ? 24 : 96;
  const concurrency = WORKER_CONCURRENCY;
  const model = ctx.config.ollama.model;
  const external = ctx.config.ollama.external;
  ctx.log(
    `llm: ${external ? "the external" : "a private"} Ollama, ${n} calls, ${concurrency} at once`,
  );
  const ollama = external
    ? { host: ctx.config.ollama.host, stop: () => Promise.resolve() }
    : await startPrivateOllama(ctx.config);
  try {
    const direct1 = await directRun(ollama.host, model, n, concurrency);
    ctx.log(`llm: direct ${direct1.callsPerS.toFixed(2)} calls/s; through the worker`);
    const worker = await workerRun(ctx.config.kafka.brokers, ollama.host, model, n, concurrency);
    ctx.log(`llm: worker ${worker.callsPerS.toFixed(2)} calls/s; direct again`);
    const direct2 = await directRun(ollama.host, model, n, concurrency);
    ctx.log(`llm: direct ${direct2.callsPerS.toFixed(2)} calls/s`);
    const direct = direct1.callsPerS >= direct2.callsPerS ? direct1 : direct2;
    ctx.note(
      "llm",
      `${n} calls of at most ${PARAMS.num_predict} tokens, ${concurrency} in flight, Ollama ` +
        `parallelism ${external ? "of the external server" : OLLAMA_NUM_PARALLEL}; direct ` +
        `${direct1.callsPerS.toFixed(2)} before and ${direct2.callsPerS.toFixed(2)} after ` +
        `(the faster is the baseline); p95 latency of a call ${worker.p95Ms.toFixed(0)} ms ` +
        `through the worker, ${direct.p95Ms.toFixed(0)} ms direct`,
    );
    return {
      calls_per_s: worker.callsPerS,
      direct_calls_per_s: direct.callsPerS,
      throughput_ratio: worker.callsPerS / direct.callsPerS,
    };
  } finally {
    await ollama.stop();
  }
}

/**
 * The sweep: direct calls/s and p95 latency per Ollama parallelism and concurrency, in two
 * rounds; one private Ollama at a time, so no idle runner competes for the cores.
 */
async function sweep(calls: number): Promise<void> {
  const config = loadStackConfig();
  const parallels = [1, 2, 4];
  const concurrencies = [1, 2, 4];
  const results = new Map<string, RunFigures[]>();
  for (let round = 0; round < 2; round++) {
    for (const p of parallels) {
      const server = await startPrivateOllama(config, p);
      try {
        for (const c of concurrencies) {
          const r = await directRun(server.host, config.ollama.model, calls, c);
          const key = `parallel ${p}, concurrency ${c}`;
          results.set(key, [...(results.get(key) ?? []), r]);
          console.error(
            `round ${round} ${key}: ${r.callsPerS.toFixed(2)} calls/s, p50 ${
              r.p50Ms.toFixed(0)
            } ms, p95 ${r.p95Ms.toFixed(0)} ms, load ${Deno.loadavg()[0].toFixed(1)}`,
          );
        }
      } finally {
        await server.stop();
      }
    }
  }
  console.log("configuration | calls/s (mean of rounds) | p95 ms (mean of rounds)");
  for (const [key, runs] of results) {
    const mean = (f: (r: RunFigures) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
    console.log(
      `${key} | ${mean((r) => r.callsPerS).toFixed(2)} | ${mean((r) => r.p95Ms).toFixed(0)}`,
    );
  }
}

if (import.meta.main && Deno.args[0] === "--sweep") {
  await sweep(Number(Deno.args[1] ?? 24));
  Deno.exit(0);
}
