/**
 * `deno task baseline`: makes the bundled drift baseline, `datasets/baseline_smollm2.csv`.
 *
 * It streams `datasets/general_knowledge.json` (cycling through it, each prompt's own settings:
 * temperature 0.7, up to 256 tokens) through an LLM worker of its own on private topics, reads
 * the responses back from Kafka as the export command does, and writes the successful ones as
 * the export's CSV columns, without the timing columns (latency, time to first token, tokens per
 * second depend on the machine; see `lib/drift/baseline.ts`). Nothing touches the product's
 * topics; the private ones are deleted at the end.
 *
 * ```
 * deno task baseline [--count 200] [--out datasets/baseline_smollm2.csv]
 *   [--file datasets/general_knowledge.json] [--concurrency 2]
 * ```
 *
 * Kafka and Ollama must answer (`deno task stack up`). The model is `LLMOPS_MODEL` (default
 * smollm2:135m); the default output is refused for another model. Ctrl-C ends the run early and
 * writes the answers so far. Exit codes: 0 written, 1 a service failed, 2 bad arguments.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { LlmClient } from "../client/llm_client.ts";
import { BUNDLED_BASELINE, TIMING_COLUMNS } from "../drift/baseline.ts";
import { llmColumns } from "../drift/llm_columns.ts";
import { comparableColumns, toCsv } from "../drift/llm_report.ts";
import { createKafka, createTopicsServed, EventProducer } from "../kafka/mod.ts";
import { loadStackConfig } from "../stack/config.ts";
import { loadDataset } from "../stream/dataset.ts";
import { StreamJob } from "../stream/engine.ts";
import { ProgressReporter } from "../stream/progress.ts";
import { LlmWorker } from "./llm_worker.ts";
import { readResponses } from "./response_reader.ts";
import { missingService } from "./worker_cli.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEFAULT_OUT = `${ROOT}datasets/${BUNDLED_BASELINE.file}`;

/** The usage line. */
export const USAGE = "usage: deno task baseline [--count N] [--out FILE.csv] " +
  "[--file DATASET.json] [--concurrency N]";

/** Bad arguments: one line, exit code 2. */
export class BaselineArgsError extends Error {
  override name = "BaselineArgsError";
}

/** The parsed command line. */
export interface BaselineArgs {
  help: boolean;
  count: number;
  out: string;
  file: string;
  concurrency: number;
}

/**
 * Parses the arguments.
 *
 * @example
 * ```ts
 * import { parseBaselineArgs } from "./baseline_cli.ts";
 * parseBaselineArgs(["--count", "120"]).count; // 120
 * ```
 */
export function parseBaselineArgs(args: string[]): BaselineArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        count: { type: "string" },
        out: { type: "string" },
        file: { type: "string" },
        concurrency: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BaselineArgsError(`${(error as Error).message}; ${USAGE}`);
  }
  const int = (name: string, fallback: number, max: number) => {
    const text = values[name] as string | undefined;
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < 1 || n > max) {
      throw new BaselineArgsError(`--${name} expects an integer from 1 to ${max}, got "${text}"`);
    }
    return n;
  };
  return {
    help: values.help === true,
    count: int("count", 200, 100_000),
    out: (values.out as string | undefined) ?? DEFAULT_OUT,
    file: (values.file as string | undefined) ?? `${ROOT}datasets/${BUNDLED_BASELINE.dataset}`,
    concurrency: int("concurrency", 2, 16),
  };
}

async function run(args: BaselineArgs): Promise<string> {
  const config = loadStackConfig();
  if (args.out === DEFAULT_OUT && config.ollama.model !== BUNDLED_BASELINE.model) {
    throw new BaselineArgsError(
      `the bundled baseline is made with ${BUNDLED_BASELINE.model}, found LLMOPS_MODEL ` +
        `${config.ollama.model}: name another file with --out`,
    );
  }
  const dataset = await loadDataset(args.file);
  const missing = await missingService(config);
  if (missing) throw new Error(missing);

  const id = `llm-baseline-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 6)}`;
  const topics = { requests: `${id}.requests`, responses: `${id}.responses` };
  const kafka = createKafka(config.kafka.brokers, "llm-baseline");
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsServed(admin, [
    { topic: topics.requests, numPartitions: 1 },
    { topic: topics.responses, numPartitions: 1 },
  ]);
  const producer = new EventProducer(kafka);
  let worker: LlmWorker | null = null;
  let client: LlmClient | null = null;
  try {
    await producer.connect();
    worker = new LlmWorker({
      kafka: createKafka(config.kafka.brokers, `${id}-worker`),
      workerId: `${id}-worker`,
      producer,
      ollamaHost: config.ollama.host,
      concurrency: args.concurrency,
      topics,
      groupId: id,
      timeoutMs: 600_000,
    });
    await worker.start();
    client = await LlmClient.connect({
      config,
      kafka,
      producer,
      source: "stream",
      topics,
      workerGroup: id,
    });
    const job = new StreamJob({
      client,
      entries: dataset.entries,
      file: dataset.path,
      count: args.count,
      loop: true,
      delayS: 0,
      concurrency: args.concurrency * 2,
      timeoutS: 900,
    });
    const reporter = new ProgressReporter({
      status: () => job.status(),
      write: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
      terminal: Deno.stderr.isTerminal(),
      intervalMs: 30_000,
    });
    console.error(
      `baseline: ${args.count} answers of ${config.ollama.model} to ${dataset.path}, ` +
        `${args.concurrency} at a time`,
    );
    // Ctrl-C (or SIGTERM) ends the run early: the answers so far are written, topics deleted
    const stop = () => {
      console.error("\nbaseline: stopping; writing the answers so far");
      job.stop({ abandon: true });
    };
    for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, stop);
    reporter.start();
    const summary = await job.start().finally(() => {
      reporter.stop();
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        Deno.removeSignalListener(signal, stop);
      }
    });
    const { events } = await readResponses(kafka, { topic: topics.responses });
    const answered = events.filter((e) => e.status === "success")
      .sort((a, b) => a.ts_end - b.ts_end);
    if (answered.length === 0) throw new Error("no successful answer to make a baseline from");
    const rows = llmColumns(answered);
    const columns = comparableColumns(rows, rows).filter((c) => !TIMING_COLUMNS.includes(c));
    await Deno.writeTextFile(args.out, toCsv(rows, columns));
    return `baseline: wrote ${rows.length} answers (${summary.failed} failed, left out) of ` +
      `${config.ollama.model} to ${args.out}; columns ${columns.join(", ")}`;
  } finally {
    await client?.close().catch(() => {});
    await worker?.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.deleteTopics({ topics: [topics.requests, topics.responses] }).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

if (import.meta.main) {
  let code = 0;
  try {
    const args = parseBaselineArgs(Deno.args);
    if (args.help) console.log(USAGE);
    else console.error(await run(args));
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    code = error instanceof BaselineArgsError ? 2 : 1;
  }
  Deno.exit(code);
}
