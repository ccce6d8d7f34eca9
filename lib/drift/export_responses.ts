/**
 * Exports LLM response events from Kafka as a CSV of LLM columns, so that the drift CLI can
 * compare real traffic:
 *
 * ```
 * deno run -A lib/drift/export_responses.ts --out reference.csv --first 200
 * deno run -A lib/drift/export_responses.ts --out current.csv --last 200
 * deno task drift --reference reference.csv --current current.csv
 * ```
 *
 * Options: `--out FILE` (required; `-` writes to stdout), `--last N` (the newest N valid
 * responses) or `--first N` (the oldest N retained), `--topic NAME` (default `llm.responses`),
 * `--brokers host:port,…` (default `KAFKA_BROKERS`, else the local stack). Invalid messages are
 * skipped (the consumers dead-letter them). Columns that have no value in any exported response
 * are left out, so the CLI never meets an empty column. Exit codes: 0 success, 2 bad arguments,
 * 1 failure.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { Kafka } from "kafkajs";
import { decodeEvent, parseResponseEvent, type ResponseEvent } from "../events/mod.ts";
import { createKafka } from "../kafka/client.ts";
import { readTopic } from "../kafka/reader.ts";
import { TOPICS } from "../kafka/topics.ts";
import { loadStackConfig } from "../stack/config.ts";
import { llmColumns, type LlmResponseLike } from "./llm_columns.ts";
import { comparableColumns, LLM_COLUMNS, toCsv } from "./llm_report.ts";

const USAGE =
  "usage: export_responses.ts --out FILE.csv [--last N | --first N] [--topic NAME] [--brokers host:port,...]";

/** A bad argument: printed as one line, exit code 2. */
export class ExportArgsError extends Error {
  override name = "ExportArgsError";
}

/** Options of {@linkcode readResponseEvents}. */
export interface ReadResponseEventsOptions {
  /** Topic. Default `llm.responses`. */
  topic?: string;
  /** Only the newest N valid responses (by `ts_end`). */
  last?: number;
  /** Only the oldest N valid responses (by `ts_end`). */
  first?: number;
  /** Give up reading after this long. Default 60 s. */
  timeoutMs?: number;
}

/** Valid response events of a topic, oldest first, and how many messages were not valid. */
export interface ReadResponseEventsResult {
  events: ResponseEvent[];
  invalid: number;
}

function checkCount(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new RangeError(`Expected ${name} to be a positive integer, found ${value}`);
  }
}

/**
 * Reads the valid response events of a topic (up to its end at call time), ordered by `ts_end`;
 * `last`/`first` keep the newest/oldest N.
 *
 * @example
 * ```ts ignore
 * const { events } = await readResponseEvents(kafka, { last: 200 });
 * ```
 */
export async function readResponseEvents(
  kafka: Kafka,
  options: ReadResponseEventsOptions = {},
): Promise<ReadResponseEventsResult> {
  checkCount(options.last, "last");
  checkCount(options.first, "first");
  if (options.last !== undefined && options.first !== undefined) {
    throw new RangeError("Expected at most one of last and first, found both");
  }
  const messages = await readTopic(kafka, options.topic ?? TOPICS.responses, {
    lastNPerPartition: options.last,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  const events: ResponseEvent[] = [];
  let invalid = 0;
  for (const message of messages) {
    try {
      events.push(decodeEvent(message.value, "llm.response.v1", parseResponseEvent));
    } catch {
      invalid++;
    }
  }
  events.sort((a, b) => a.ts_end - b.ts_end);
  if (options.last !== undefined) return { events: events.slice(-options.last), invalid };
  if (options.first !== undefined) return { events: events.slice(0, options.first), invalid };
  return { events, invalid };
}

/**
 * The CSV of the LLM columns of response events; columns without any value are left out.
 *
 * @example
 * ```ts
 * import { responsesCsv } from "./export_responses.ts";
 * responsesCsv([{ latency_ms: 1200, status: "success" }]).split("\n")[0]; // "latency_s,status"
 * ```
 */
export function responsesCsv(events: readonly LlmResponseLike[]): string {
  const rows = llmColumns(events);
  if (rows.length === 0) return LLM_COLUMNS.join(",") + "\n";
  return toCsv(rows, comparableColumns(rows, rows));
}

/**
 * Runs the exporter with command-line arguments; returns the summary line. Throws
 * ExportArgsError on bad arguments.
 *
 * @example
 * ```ts ignore
 * await runExport(["--out", "current.csv", "--last", "200"]);
 * ```
 */
export async function runExport(
  args: string[],
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<string> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        out: { type: "string" },
        last: { type: "string" },
        first: { type: "string" },
        topic: { type: "string" },
        brokers: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ExportArgsError(`${(err as Error).message}; ${USAGE}`);
  }
  if (values.help) return USAGE;
  if (!values.out) throw new ExportArgsError(`missing --out; ${USAGE}`);
  const count = (name: "last" | "first") => {
    const text = values[name];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < 1) {
      throw new ExportArgsError(
        `--${name} expects a positive integer, got ${JSON.stringify(text)}`,
      );
    }
    return n;
  };
  const last = count("last");
  const first = count("first");
  if (last !== undefined && first !== undefined) {
    throw new ExportArgsError(`use --last or --first, not both; ${USAGE}`);
  }
  const brokers = values.brokers
    ? values.brokers.split(",").map((b) => b.trim()).filter(Boolean)
    : loadStackConfig(env).kafka.brokers;
  if (brokers.length === 0) throw new ExportArgsError("--brokers expects host:port[,host:port]");
  const topic = values.topic ?? TOPICS.responses;
  const kafka = createKafka(brokers, "drift-export");
  const { events, invalid } = await readResponseEvents(kafka, { topic, last, first });
  const csv = responsesCsv(events);
  if (values.out === "-") await Deno.stdout.write(new TextEncoder().encode(csv));
  else await Deno.writeTextFile(values.out, csv);
  return `wrote ${events.length} responses from ${topic} to ${
    values.out === "-" ? "stdout" : values.out
  }${invalid ? ` (skipped ${invalid} invalid messages)` : ""}`;
}

if (import.meta.main) {
  try {
    console.error(await runExport(Deno.args));
  } catch (err) {
    console.error(`error: ${(err as Error)?.message ?? String(err)}`);
    Deno.exit(err instanceof ExportArgsError ? 2 : 1);
  }
}
