/**
 * `deno task worker`: one LLM worker as a process of its own. It joins the `llm-worker` group on
 * `llm.requests`, calls the model and produces every response to `llm.responses`, like the
 * worker inside `deno task serve`. Run several (on one machine or many) and Kafka shares the
 * partitions among them; the dashboard lists every member of the group wherever it runs
 * (`LLMOPS_WORKERS=0` makes `serve` run none of its own).
 *
 * The worker starts no services: Kafka and Ollama must answer (the local stack of
 * `deno task stack up` or `deno task serve`, or `KAFKA_BROKERS` and `OLLAMA_HOST`).
 *
 * Settings: `LLMOPS_WORKER_CONCURRENCY` (calls in flight, default 2), `LLMOPS_WORKER_ID`
 * (default `worker-<random>`), `LLMOPS_PRICES` (the price table that prices every response,
 * default `prices/default.json`, `off` for none). SIGINT/SIGTERM finish the calls in hand, commit, leave the group
 * and exit with 130/143. Exit 1 when Kafka or Ollama does not answer at start.
 *
 * @module
 */

import { createKafka, EventProducer, GROUPS, TOPICS } from "../kafka/mod.ts";
import { loadStackConfig, type StackConfig } from "../stack/config.ts";
import { kafkaAnswers } from "../stack/kafka.ts";
import { ollamaVersion } from "../stack/ollama.ts";
import { loadPriceTable } from "../llm/price_file.ts";
import { LlmWorker, WORKER_CONCURRENCY } from "./llm_worker.ts";

/** Settings of a standalone worker, from the environment. */
export interface WorkerSettings {
  concurrency: number;
  workerId: string;
}

/**
 * Reads and checks the worker's settings.
 *
 * @example
 * ```ts
 * workerSettings({ LLMOPS_WORKER_CONCURRENCY: "4" }).concurrency; // 4
 * ```
 */
export function workerSettings(env: Record<string, string | undefined>): WorkerSettings {
  const text = env.LLMOPS_WORKER_CONCURRENCY?.trim() || String(WORKER_CONCURRENCY);
  const concurrency = Number(text);
  if (!/^\d+$/.test(text) || concurrency < 1 || concurrency > 64) {
    throw new RangeError(
      `LLMOPS_WORKER_CONCURRENCY must be an integer from 1 to 64, found "${text}"`,
    );
  }
  const workerId = env.LLMOPS_WORKER_ID?.trim() || `worker-${crypto.randomUUID().slice(0, 8)}`;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(workerId)) {
    throw new RangeError(
      `LLMOPS_WORKER_ID must be 1 to 64 letters, digits, '.', '_' or '-', found "${workerId}"`,
    );
  }
  return { concurrency, workerId };
}

/** Says which service does not answer, and how to start it; null when both answer. */
export async function missingService(config: StackConfig): Promise<string | null> {
  if (!(await kafkaAnswers(config.kafka.brokers))) {
    return `Kafka does not answer at ${config.kafka.brokers.join(",")}: start the stack with ` +
      "`deno task stack up` (or `deno task serve`), or set KAFKA_BROKERS";
  }
  if ((await ollamaVersion(config.ollama.host)) === null) {
    return `Ollama does not answer at ${config.ollama.host}: start the stack with ` +
      "`deno task stack up` (or `deno task serve`), or set OLLAMA_HOST";
  }
  return null;
}

async function main(): Promise<number> {
  const settings = workerSettings(Deno.env.toObject());
  const prices = await loadPriceTable(Deno.env.toObject());
  const config = loadStackConfig();
  const missing = await missingService(config);
  if (missing) {
    console.error(`worker: ${missing}`);
    return 1;
  }
  const kafka = createKafka(config.kafka.brokers, settings.workerId);
  const producer = new EventProducer(kafka);
  await producer.connect();
  const worker = new LlmWorker({
    kafka,
    producer,
    ollamaHost: config.ollama.host,
    concurrency: settings.concurrency,
    workerId: settings.workerId,
    prices,
  });
  await worker.start();
  console.error(
    `worker ${settings.workerId}: consuming ${TOPICS.requests} in group ${GROUPS.worker}, ` +
      `${settings.concurrency} calls at a time to ${config.ollama.host}, ` +
      (prices ? `prices ${prices.version}` : "no prices"),
  );
  let last = "";
  const report = setInterval(() => {
    const { succeeded, failed, deadLettered } = worker.stats;
    const line = `${succeeded} succeeded, ${failed} failed, ${deadLettered} dead-lettered`;
    if (line !== last) console.error(`worker ${settings.workerId}: ${line}`);
    last = line;
  }, 30_000);
  const stopped = new Promise<number>((resolve) => {
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      Deno.addSignalListener(signal, () => resolve(code));
    }
  });
  const code = await stopped;
  clearInterval(report);
  console.error(`worker ${settings.workerId}: stopping (finishing the calls in hand)`);
  await worker.stop();
  await producer.disconnect();
  return code;
}

if (import.meta.main) {
  main().then((code) => Deno.exit(code)).catch((error) => {
    console.error(`worker: ${(error as Error).message}`);
    Deno.exit(1);
  });
}
