/**
 * Command line: stream a dataset of prompts through Kafka to the LLM worker (load testing).
 *
 * ```
 * deno task stream --file FILE [--delay S | --rate N] [--concurrency N] [--count N]
 *   [--duration S] [--loop] [--model M] [--temperature T] [--max-tokens N] [--user U]
 *   [--timeout S] [--variants a.json,b.json | --models m1,m2] [--split 50,50] [--seed N] [--json]
 * ```
 *
 * With `--variants` (variant files: model, params, system prompt) or `--models`, each request is
 * assigned a variant at random (seeded by `--seed`, weighted by `--split`) and tagged `variant`;
 * the summary adds each variant's figures and lib/compare's comparison of each variant with the
 * first.
 *
 * Progress goes to stderr (a bar redrawn in place on a terminal, one line every 5 s
 * otherwise); the summary goes to stdout (with `--json`: one JSON object on the last line).
 * Before sending, and every 5 s while it waits, it asks Kafka whether the `llm-worker` group has
 * members; when it has none it says so in one line ("no LLM worker is consuming llm.requests:
 * start `deno task serve` or `deno task worker`"), and when requests then time out the summary
 * carries that reason (`failure_reason`) and the exit code is 1.
 * Ctrl-C stops sending and waits for the responses already sent; a second Ctrl-C stops
 * waiting. Exit codes: 0 finished, 1 runtime failure (e.g. Kafka unreachable, or no worker
 * answered), 2 bad input (one error line on stderr), 130 interrupted.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { WorkerPresence } from "../consumers/worker_presence.ts";
import { LIMITS } from "../events/mod.ts";
import { type Dataset, DatasetError, loadDataset } from "./dataset.ts";
import {
  resolveStreamOptions,
  type StreamClient,
  StreamJob,
  type StreamJobOptions,
} from "./engine.ts";
import { formatSummary, ProgressReporter } from "./progress.ts";
import { loadVariant, type Variant, VariantError, variantsOfModels } from "./variants.ts";
import { type Clock, SCHEDULE_DEFAULTS } from "./schedule.ts";

/** The usage line printed with `--help` and after argument errors. */
export const USAGE =
  "usage: deno task stream --file FILE [--delay S | --rate N] [--concurrency N] " +
  "[--count N] [--duration S] [--loop] [--model M] [--temperature T] [--max-tokens N] " +
  "[--user U] [--timeout S] [--variants a.json,b.json | --models m1,m2] [--split 50,50] " +
  "[--seed N] [--json]";

/** Bad command-line input: printed as one line, exit code 2. */
export class StreamCliError extends Error {
  override name = "StreamCliError";
}

/**
 * A client the CLI can close; one that can say who consumes its requests (as `LlmClient` can)
 * gets the worker check.
 */
export type ClosableStreamClient = StreamClient & {
  close(): Promise<void>;
  workerPresence?(): Promise<WorkerPresence>;
};

/** What {@linkcode runStreamCli} uses from the outside world; every field has a default. */
export interface StreamCliDeps {
  /** Connects the LLM client. Default: `LlmClient.connect({ source: "stream", userId })`. */
  connect?: (options: { userId?: string }) => Promise<ClosableStreamClient>;
  /** Writes to stdout as is. */
  stdout?: (text: string) => void;
  /** Writes to stderr as is. */
  stderr?: (text: string) => void;
  /** Whether stderr is a terminal (live bar) or not (a line every 5 s). */
  terminal?: boolean;
  /** Registers a Ctrl-C handler; returns its removal. Default: SIGINT. */
  onInterrupt?: (handler: () => void) => () => void;
  /** Time source of the job. */
  clock?: Clock;
  /** Period of the plain progress lines. Default 5000 ms. */
  progressIntervalMs?: number;
  /** Who consumes the requests. Default: the client's `workerPresence`, when it has one. */
  workers?: () => Promise<WorkerPresence>;
  /** Period of the worker check while the stream runs. Default 5000 ms. */
  workerCheckIntervalMs?: number;
}

interface NumberSpec {
  key: keyof StreamJobOptions;
  ok: (n: number) => boolean;
  expected: string;
}

const NUMBERS: Record<string, NumberSpec> = {
  delay: { key: "delayS", ok: (n) => n >= 0, expected: "a number of seconds ≥ 0" },
  rate: { key: "rate", ok: (n) => n > 0, expected: "a number of sends per second > 0" },
  concurrency: {
    key: "concurrency",
    ok: (n) => Number.isInteger(n) && n >= 1,
    expected: "an integer ≥ 1",
  },
  count: { key: "count", ok: (n) => Number.isInteger(n) && n >= 1, expected: "an integer ≥ 1" },
  duration: { key: "durationS", ok: (n) => n > 0, expected: "a number of seconds > 0" },
  temperature: { key: "temperature", ok: (n) => n >= 0 && n <= 2, expected: "a number in [0, 2]" },
  "max-tokens": {
    key: "maxTokens",
    ok: (n) => Number.isInteger(n) && n >= 1 && n <= LIMITS.maxTokens,
    expected: `an integer in [1, ${LIMITS.maxTokens}]`,
  },
  timeout: { key: "timeoutS", ok: (n) => n > 0, expected: "a number of seconds > 0" },
};

const STRINGS = ["file", "model", "user", "variants", "models", "split", "seed"] as const;

/** `--delay -1` would be "ambiguous" to parseArgs: join such numeric values to their flag. */
function joinNegativeNumbers(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? args[i].slice(2) : "";
    const next = args[i + 1];
    if (name in NUMBERS && next !== undefined && /^-\d|^-\.\d|^-Infinity$/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else out.push(args[i]);
  }
  return out;
}

/** The parsed command line. */
export interface StreamCliArgs {
  help: boolean;
  json: boolean;
  file: string;
  options: Omit<StreamJobOptions, "entries" | "file">;
  /** Variant files to load (`--variants`). */
  variantFiles?: string[];
}

function list(name: string, raw: string): string[] {
  const items = raw.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) {
    throw new StreamCliError(
      `--${name} expects a comma-separated list without empty items, got ${JSON.stringify(raw)}`,
    );
  }
  return items;
}

/**
 * Parses and checks the arguments (not the file). Throws {@linkcode StreamCliError}.
 *
 * @example
 * ```ts
 * import { parseStreamArgs } from "./cli.ts";
 * parseStreamArgs(["--file", "datasets/quick_test.json", "--rate", "2"]).options.rate; // 2
 * ```
 */
export function parseStreamArgs(args: string[]): StreamCliArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: joinNegativeNumbers(args),
      options: {
        ...Object.fromEntries(
          [...Object.keys(NUMBERS), ...STRINGS].map((name) => [name, { type: "string" as const }]),
        ),
        loop: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new StreamCliError(`${(error as Error).message.replace(/\s*\n\s*/g, " ")}; ${USAGE}`);
  }
  if (values.help) return { help: true, json: false, file: "", options: {} };
  const file = values.file as string | undefined;
  if (file === undefined || file.trim() === "") {
    throw new StreamCliError(`missing --file FILE; ${USAGE}`);
  }
  const options: Record<string, unknown> = { loop: values.loop === true };
  for (const [name, spec] of Object.entries(NUMBERS)) {
    const raw = values[name] as string | undefined;
    if (raw === undefined) continue;
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n) || !spec.ok(n)) {
      throw new StreamCliError(`--${name} expects ${spec.expected}, got ${JSON.stringify(raw)}`);
    }
    options[spec.key] = n;
  }
  if (values.delay !== undefined && values.rate !== undefined) {
    throw new StreamCliError(
      "--delay and --rate cannot be used together: --delay S waits S seconds between sends, " +
        "--rate N sends N per second",
    );
  }
  for (const [name, key] of [["model", "model"], ["user", "userId"]] as const) {
    const raw = values[name] as string | undefined;
    if (raw === undefined) continue;
    if (raw.trim() === "" || raw.length > LIMITS.idChars) {
      throw new StreamCliError(
        `--${name} expects a non-empty name of at most ${LIMITS.idChars} characters`,
      );
    }
    options[key] = raw;
  }
  let variantFiles: string[] | undefined;
  const variants = values.variants as string | undefined;
  const models = values.models as string | undefined;
  if (variants !== undefined && models !== undefined) {
    throw new StreamCliError("use --variants or --models, not both");
  }
  if ((variants !== undefined || models !== undefined) && values.model !== undefined) {
    throw new StreamCliError("--model cannot be combined with --variants or --models");
  }
  if (variants !== undefined) variantFiles = list("variants", variants);
  if (models !== undefined) {
    try {
      options.variants = variantsOfModels(list("models", models));
    } catch (error) {
      if (error instanceof VariantError) throw new StreamCliError(`--models: ${error.message}`);
      throw error;
    }
  }
  const count = variantFiles?.length ?? (options.variants as Variant[] | undefined)?.length;
  if (count !== undefined && count < 2) {
    throw new StreamCliError(`an A/B run needs at least 2 variants, got ${count}`);
  }
  const split = values.split as string | undefined;
  if (split !== undefined) {
    if (count === undefined) throw new StreamCliError("--split needs --variants or --models");
    const weights = list("split", split).map(Number);
    if (weights.some((w) => !Number.isFinite(w) || w <= 0)) {
      throw new StreamCliError(
        `--split expects weights > 0 like 50,50, got ${JSON.stringify(split)}`,
      );
    }
    if (weights.length !== count) {
      throw new StreamCliError(
        `--split needs one weight per variant: ${count} variants, ${weights.length} weights`,
      );
    }
    options.split = weights;
  }
  const seed = values.seed as string | undefined;
  if (seed !== undefined) {
    if (!/^-?\d{1,15}$/.test(seed.trim())) {
      throw new StreamCliError(`--seed expects an integer, got ${JSON.stringify(seed)}`);
    }
    options.seed = Number(seed);
  }
  return { help: false, json: values.json === true, file, options, variantFiles };
}

function describePlan(job: StreamJob, dataset: Dataset, options: StreamCliArgs["options"]): string {
  const pace = options.rate !== undefined
    ? `${options.rate} sends/s`
    : `${options.delayS ?? SCHEDULE_DEFAULTS.delayS} s between sends`;
  const planned = job.status().total_planned;
  const extent = [
    options.durationS !== undefined
      ? `for ${options.durationS} s${
        options.count !== undefined ? `, at most ${options.count} requests` : ""
      }`
      : planned === null
      ? "until stopped"
      : `${planned} requests`,
    options.loop ? "looping" : "",
  ].filter(Boolean).join(", ");
  const ab = options.variants
    ? `; variants ${options.variants.map((v) => v.name).join(" / ")} split ${
      (options.split ?? options.variants.map(() => 1)).join("/")
    }, seed ${options.seed}`
    : "";
  return `streaming ${dataset.path} (${dataset.entries.length} prompts): ${pace}, ` +
    `concurrency ${options.concurrency ?? SCHEDULE_DEFAULTS.concurrency}, ${extent}${ab}`;
}

const encoder = new TextEncoder();
function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
}

/**
 * Runs the CLI and returns its exit code. Bad input throws nothing: it is reported on stderr
 * with exit code 2.
 *
 * @example
 * ```ts ignore
 * import { runStreamCli } from "./cli.ts";
 * const code = await runStreamCli(["--file", "datasets/quick_test.json", "--delay", "0.5", "--json"]);
 * ```
 */
export async function runStreamCli(args: string[], deps: StreamCliDeps = {}): Promise<number> {
  const stdout = deps.stdout ?? ((text: string) => writeAll(Deno.stdout, text));
  const stderr = deps.stderr ?? ((text: string) => writeAll(Deno.stderr, text));

  let parsed: StreamCliArgs;
  let dataset: Dataset;
  try {
    parsed = parseStreamArgs(args);
    if (parsed.help) {
      stdout(`${USAGE}\n`);
      return 0;
    }
    dataset = await loadDataset(parsed.file);
    if (parsed.variantFiles) {
      parsed.options.variants = await Promise.all(parsed.variantFiles.map(loadVariant));
    }
    // the seed is drawn once here, so the plan and the summary report the same one
    if (parsed.options.variants && parsed.options.seed === undefined) {
      parsed.options.seed = Math.floor(Math.random() * 2 ** 31);
    }
    resolveStreamOptions({ ...parsed.options, entries: dataset.entries, file: dataset.path });
  } catch (error) {
    if (
      error instanceof StreamCliError || error instanceof DatasetError ||
      error instanceof VariantError || error instanceof RangeError || error instanceof TypeError
    ) {
      stderr(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  let client: ClosableStreamClient;
  try {
    client = deps.connect
      ? await deps.connect({ userId: parsed.options.userId })
      : await (await import("../client/llm_client.ts")).LlmClient.connect({
        source: "stream",
        userId: parsed.options.userId,
        clientId: "llm-stream",
      });
  } catch (error) {
    stderr(`error: cannot connect to Kafka: ${(error as Error)?.message ?? error}\n`);
    return 1;
  }

  const terminal = deps.terminal ?? Deno.stderr.isTerminal();
  const job = new StreamJob({
    ...parsed.options,
    entries: dataset.entries,
    file: dataset.path,
    client,
    clock: deps.clock,
  });
  const reporter = new ProgressReporter({
    status: () => job.status(),
    write: stderr,
    terminal,
    intervalMs: deps.progressIntervalMs,
  });
  let interrupts = 0;
  const onInterrupt = deps.onInterrupt ?? ((handler: () => void) => {
    Deno.addSignalListener("SIGINT", handler);
    return () => Deno.removeSignalListener("SIGINT", handler);
  });
  const removeInterrupt = onInterrupt(() => {
    interrupts++;
    const eol = terminal ? "\n" : "";
    if (interrupts === 1) {
      stderr(
        `${eol}interrupted: stopped sending; waiting for ${job.status().in_flight} responses ` +
          `(Ctrl-C again to stop waiting)\n`,
      );
      job.stop();
    } else {
      stderr(`${eol}interrupted again: no longer waiting for responses\n`);
      job.stop({ abandon: true });
    }
  });

  const workers = new WorkerWatch(
    deps.workers ?? (client.workerPresence ? () => client.workerPresence!() : null),
    (line) => stderr(`${terminal && reporter.running ? "\n" : ""}${line}\n`),
  );
  await workers.check(); // before sending: say at once when nobody will answer
  stderr(`${describePlan(job, dataset, parsed.options)}\n`);
  reporter.start();
  workers.watch(deps.workerCheckIntervalMs ?? 5_000);
  let summary;
  try {
    summary = await job.start();
  } finally {
    reporter.stop();
    removeInterrupt();
    workers.stop();
  }
  let code = interrupts > 0 ? 130 : 0;
  const timedOut = summary.failed_by_type.response_timeout ?? 0;
  if (timedOut > 0) {
    await workers.check();
    if (workers.absent) {
      summary = { ...summary, failure_reason: workers.absent };
      stderr(`error: ${timedOut} requests got no response: ${workers.absent}\n`);
      if (code === 0) code = 1;
    }
  }
  await client.close().catch(() => {});
  stdout(parsed.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
  return code;
}

/**
 * Watches whether the worker group has members: one line when it has none, one when a worker
 * joins. A failed check changes nothing (Kafka problems show elsewhere).
 */
class WorkerWatch {
  readonly #ask: (() => Promise<WorkerPresence>) | null;
  readonly #say: (line: string) => void;
  #timer: ReturnType<typeof setInterval> | null = null;
  /** The check in progress (a second caller waits for it rather than asking again). */
  #pending: Promise<void> | null = null;
  /** The reason of the last check that found no worker; null when one was found (or unknown). */
  absent: string | null = null;

  constructor(ask: (() => Promise<WorkerPresence>) | null, say: (line: string) => void) {
    this.#ask = ask;
    this.#say = say;
  }

  check(): Promise<void> {
    if (!this.#ask) return Promise.resolve();
    this.#pending ??= this.#checkOnce(this.#ask).finally(() => this.#pending = null);
    return this.#pending;
  }

  async #checkOnce(ask: () => Promise<WorkerPresence>): Promise<void> {
    try {
      const presence = await ask();
      if (presence.reason && presence.reason !== this.absent) this.#say(presence.reason);
      else if (!presence.reason && this.absent) {
        this.#say(`an LLM worker joined: ${presence.members.join(", ")}`);
      }
      this.absent = presence.reason;
    } catch {
      // unknown: keep what was known
    }
  }

  watch(intervalMs: number): void {
    if (!this.#ask) return;
    this.#timer = setInterval(() => this.check(), intervalMs);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await runStreamCli(Deno.args);
  } catch (error) {
    console.error(`error: ${(error as Error)?.message ?? String(error)}`);
    code = 1;
  }
  Deno.exit(code);
}
