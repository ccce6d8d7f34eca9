/**
 * `deno task bench [--quick] [--only name1,name2] [--out path]`: measures what users of the
 * monitoring system care about, each figure against a baseline measured in the same run, and
 * writes a readable table to standard output and the figures as JSON to `bench/results.json`.
 *
 * Benchmarks: ingest, freshness, overhead, drift, mlflow, memory, gateway, otlp, llm. They reuse
 * running services (or start the local stack), work on topics and experiments of their own, and
 * never fail on a number: a benchmark that cannot run records null and the reason.
 *
 * @module
 */

import { createKafka } from "../lib/kafka/mod.ts";
import { loadStackConfig } from "../lib/stack/config.ts";
import { stackUp } from "../lib/stack/stack.ts";
import { parseArgs } from "./_args.ts";
import { type BenchContext } from "./_context.ts";
import { benchResponse, seededRandom } from "./_data.ts";
import { createTopic, deleteOwnGroups, deleteTopics, produceEvents, uniqueName } from "./_kafka.ts";
import {
  type BenchmarkName,
  BENCHMARKS,
  buildResults,
  type Figures,
  machineInfo,
  type Results,
  SECTION_OF,
  writeResults,
} from "./_results.ts";
import { formatTable, tableRows } from "./_table.ts";
import { benchIngest } from "./ingest.ts";
import { benchFreshness } from "./freshness.ts";
import { benchOverhead } from "./overhead.ts";
import { benchDrift } from "./drift.ts";
import { benchMlflow } from "./mlflow.ts";
import { benchMemory } from "./memory.ts";
import { benchGateway } from "./gateway.ts";
import { benchOtlp } from "./otlp.ts";
import { benchLlm } from "./llm.ts";

type Runner = (ctx: BenchContext) => Promise<object>;

const RUNNERS: Record<BenchmarkName, Runner> = {
  ingest: benchIngest,
  freshness: benchFreshness,
  overhead: benchOverhead,
  drift: benchDrift,
  mlflow: benchMlflow,
  memory: benchMemory,
  gateway: benchGateway,
  otlp: benchOtlp,
  llm: benchLlm,
};

/** Runs the selected benchmarks and returns the results document. */
export async function runBenchmarks(args: string[]): Promise<Results> {
  const options = parseArgs(args, new URL("./results.json", import.meta.url).pathname);
  const log = (line: string) => console.error(line);
  const date = new Date();
  const config = loadStackConfig();
  log(`bench: ${options.quick ? "quick" : "full"} run of ${options.only.join(", ")}`);
  const stack = await stackUp(config, { jupyter: false, progress: log });
  const kafka = createKafka(config.kafka.brokers, "bench");
  const tempDir = await Deno.makeTempDir({ prefix: "llmops-bench-" });
  const notes: Record<string, string> = {};
  const topics: string[] = [];
  const eventTopics = new Map<number, Promise<string>>();
  const ctx: BenchContext = {
    config,
    quick: options.quick,
    log,
    tempDir,
    note: (figure, text) => (notes[figure] = text),
    eventsTopic: (n) => {
      let topic = eventTopics.get(n);
      if (!topic) {
        topic = (async () => {
          const name = uniqueName(`events-${n}`);
          await createTopic(kafka, name, 3);
          topics.push(name);
          log(`bench: producing ${n.toLocaleString()} response events to ${name}`);
          const random = seededRandom(42);
          const seconds = await produceEvents(kafka, name, n, (i) => benchResponse(i, random), log);
          log(`bench: produced in ${seconds.toFixed(1)} s`);
          return name;
        })();
        eventTopics.set(n, topic);
      }
      return topic;
    },
  };
  const measured: { [S in keyof Figures]?: Partial<Figures[S]> } = {};
  try {
    for (const name of options.only) {
      const t0 = performance.now();
      log(`\n== ${name}`);
      try {
        const figures = await RUNNERS[name](ctx);
        (measured as Record<string, unknown>)[SECTION_OF[name]] = figures;
      } catch (error) {
        const reason = (error as Error).message ?? String(error);
        log(`${name}: could not run: ${reason}`);
        notes[SECTION_OF[name]] = `not measured: ${reason}`;
      }
      log(`== ${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await deleteTopics(kafka, topics);
    await deleteOwnGroups(kafka);
    await Deno.remove(tempDir, { recursive: true }).catch(() => {});
    await stack.stop();
  }
  const results = buildResults(measured, {
    quick: options.quick,
    machine: machineInfo(date),
    notes,
  });
  await writeResults(options.out, results);
  const m = results.machine;
  console.log(
    `\nBenchmarks (${
      options.quick ? "quick" : "full"
    }), ${m.cores} cores, ${m.memory_gb} GB, ${m.date}`,
  );
  console.log(formatTable(tableRows(results)));
  if (Object.keys(notes).length > 0) {
    console.log("\nNotes:");
    for (const [figure, text] of Object.entries(notes)) console.log(`  ${figure}: ${text}`);
  }
  console.log(`\nWritten to ${options.out}`);
  return results;
}

if (import.meta.main) {
  // help and bad arguments: one line each, no stack trace
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(`usage: deno task bench [--quick] [--only ${BENCHMARKS.join(",")}] [--out path]`);
    Deno.exit(0);
  }
  try {
    parseArgs(Deno.args);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    console.error(`error: ${error.message}`);
    Deno.exit(2);
  }
  await runBenchmarks(Deno.args);
  // kafkajs and fetch keep-alive sockets can hold the event loop open.
  Deno.exit(0);
}
