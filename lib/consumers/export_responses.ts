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
 * @module
 */

import { parseArgs } from "node:util";
import { responsesCsv } from "../drift/responses_csv.ts";
import { createKafka, TOPICS } from "../kafka/mod.ts";
import { loadStackConfig } from "../stack/config.ts";
import { readResponses } from "./response_reader.ts";

const USAGE =
  "usage: deno task export --out FILE.csv [--last N | --first N] [--topic NAME] [--brokers host:port,...]";

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
  const { events, invalid } = await readResponses(kafka, { topic, last, first });
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
