/**
 * Exports LLM response events from Kafka as a CSV of LLM columns, so that the drift CLI can
 * compare real traffic:
 *
 * ```
 * deno task export --out reference.csv --first 200
 * deno task export --out current.csv --last 200
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
 * For A/B comparisons, `--compare` writes the comparison rows instead (lib/compare's
 * `comparisonRows`: request_id, ts_end, model, variant, latency_s, ttft_s, completion_tokens,
 * tokens_per_s, response_chars, success, cost_usd, feedback_score, thumbs_up, prompt_tokens),
 * joined with each request's feedback read from `--feedback-topic` (default `llm.feedback`) and
 * ordered by ts_end then request id, the rows the dashboard's comparison compares; `--model M` and
 * `--variant V` keep one side (before `--last`/`--first`):
 *
 * ```
 * deno task export --compare --variant A --out a.csv
 * deno task export --compare --variant B --out b.csv
 * deno task compare --a a.csv --b b.csv --columns latency_s,success
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { responsesCsv } from "../drift/responses_csv.ts";
import { createKafka, readTopic, TOPICS } from "../kafka/mod.ts";
import {
  comparisonRows,
  feedbackByRequest,
  ROW_NUMERIC_COLUMNS,
  sortRows,
} from "../compare/response_rows.ts";
import { toCsv } from "../drift/llm_report.ts";
import {
  decodeEvent,
  FEEDBACK_SCHEMA,
  type FeedbackEvent,
  parseFeedbackEvent,
} from "../events/mod.ts";
import type { Kafka } from "kafkajs";
import { loadStackConfig } from "../stack/config.ts";
import { readResponses } from "./response_reader.ts";

const USAGE =
  "usage: deno task export --out FILE.csv [--last N | --first N] [--topic NAME] [--brokers host:port,...] " +
  "[--compare [--model M] [--variant V] [--feedback-topic NAME]]";

/** The columns of `--compare`, in order. */
export const COMPARE_EXPORT_COLUMNS: readonly string[] = Object.freeze([
  "request_id",
  "ts_end",
  "model",
  "variant",
  ...ROW_NUMERIC_COLUMNS,
]);

/**
 * Every valid feedback of a topic (invalid messages skipped, as the consumers dead-letter them).
 *
 * @example
 * ```ts ignore
 * const feedback = await readFeedback(kafka, "llm.feedback");
 * ```
 */
export async function readFeedback(kafka: Kafka, topic: string): Promise<FeedbackEvent[]> {
  const out: FeedbackEvent[] = [];
  for (const message of await readTopic(kafka, topic, { timeoutMs: 60_000 })) {
    try {
      out.push(decodeEvent(message.value, FEEDBACK_SCHEMA, parseFeedbackEvent));
    } catch {
      // not valid: the feedback consumers dead-letter it
    }
  }
  return out;
}

/** A bad argument: printed as one line, exit code 2. */
export class ExportArgsError extends Error {
  override name = "ExportArgsError";
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
        compare: { type: "boolean", default: false },
        model: { type: "string" },
        variant: { type: "string" },
        "feedback-topic": { type: "string" },
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
  const filtered = values.model !== undefined || values.variant !== undefined;
  if (!values.compare && (filtered || values["feedback-topic"] !== undefined)) {
    throw new ExportArgsError(
      `--model, --variant and --feedback-topic go with --compare; ${USAGE}`,
    );
  }
  const topic = values.topic ?? TOPICS.responses;
  const kafka = createKafka(brokers, "drift-export");
  // with a filter, the newest/oldest N are counted among the matching responses
  const read = await readResponses(kafka, filtered ? { topic } : { topic, last, first });
  const invalid = read.invalid;
  let events = read.events.filter((e) =>
    (values.model === undefined || e.model === values.model) &&
    (values.variant === undefined || e.tags?.variant === values.variant)
  );
  if (filtered && last !== undefined) events = events.slice(-last);
  if (filtered && first !== undefined) events = events.slice(0, first);
  let csv: string;
  if (values.compare) {
    const feedback = await readFeedback(kafka, values["feedback-topic"] ?? TOPICS.feedback);
    const rows = sortRows(comparisonRows(events, feedbackByRequest(feedback)));
    csv = toCsv(rows, COMPARE_EXPORT_COLUMNS);
  } else {
    csv = responsesCsv(events);
  }
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
