/**
 * The stream engine: sends a dataset's prompts through an LLM client on a schedule, counts the
 * outcomes, and summarises latency and throughput. No terminal I/O: the CLI and the dashboard's
 * Auto Streaming tab both drive a {@linkcode StreamJob} and render its status themselves.
 *
 * @module
 */

import {
  LIMITS,
  type RequestInput,
  type RequestParams,
  type ResponseEvent,
} from "../events/mod.ts";
import { distribution } from "../metrics/quantile.ts";
import {
  compareSelections,
  type ComparisonResult,
  comparisonRows,
  verdictText,
} from "../compare/mod.ts";
import { splitWeights, type Variant, VariantAssigner } from "./variants.ts";
import { type Dataset, type DatasetEntry, loadDataset, parseEntry } from "./dataset.ts";
import {
  type Clock,
  plannedSends,
  planSchedule,
  runSchedule,
  type ScheduleOptions,
  type SchedulePlan,
  type SendHandle,
  type StopReason,
  systemClock,
} from "./schedule.ts";

/** What {@linkcode StreamJob} gets back from a submit. */
export interface SubmittedRequest {
  request_id: string;
}

/**
 * The part of `LlmClient` the engine uses. `awaitResponse` must reject, after `timeoutMs`, with
 * an error named `ResponseTimeoutError` when no response came (as `LlmClient` does).
 */
export interface StreamClient {
  submit(input: RequestInput): Promise<SubmittedRequest>;
  awaitResponse(requestId: string, options?: { timeoutMs?: number }): Promise<ResponseEvent>;
}

/** Options of a {@linkcode StreamJob}: the entries, the schedule, and request settings. */
export interface StreamJobOptions extends ScheduleOptions {
  /** Prompts (strings or entry objects); validated like a dataset file. */
  entries: ReadonlyArray<DatasetEntry | string>;
  /** The file the entries came from (shown in the status; its name is the requests' dataset). */
  file?: string;
  /** Model for every request (overrides the entries' model). */
  model?: string;
  /** Temperature for every request (overrides the entries' params). */
  temperature?: number;
  /** `num_predict` for every request (overrides the entries' params). */
  maxTokens?: number;
  /** User id of the entries that name none. */
  userId?: string;
  /** Seconds to wait for each response, counted from its submit. Default 120. */
  timeoutS?: number;
  /** Time source. Default {@linkcode systemClock}. */
  clock?: Clock;
  /** Called on every send, outcome and state change. */
  onProgress?: (status: StreamStatus) => void;
  /** Recorded in the `stream_job` tag of every request. Default: a random id. */
  jobId?: string;
  /**
   * A/B variants (at least two): each request is assigned one at random and carries its name in
   * the tag `variant`. Not with `model`.
   */
  variants?: readonly Variant[];
  /** Weights of the variants (default equal), e.g. [50, 50]. */
  split?: readonly number[];
  /** Seed of the variant assignment. Default: a random one (reported in the summary). */
  seed?: number;
}

/** One variant's figures in a stream summary. */
export interface VariantSummary {
  name: string;
  /** The variant's model, or null when it keeps the entries' (or the default) model. */
  model: string | null;
  /** Its share of the split, in [0, 1]. */
  weight: number;
  sent: number;
  succeeded: number;
  failed: number;
  latency_s: { p50: number | null; p95: number | null };
  ttft_s: { p50: number | null };
  /** Mean completion tokens of its successful responses. */
  completion_tokens_avg: number | null;
  tokens_per_s: { avg: number | null };
  /** USD of its priced responses, and per 1,000 of them; null when none carries a cost. */
  cost_usd: { total: number; per_1k_calls: number } | null;
}

/** One comparison of a variant (B) with the first variant (A). */
export interface VariantComparison {
  a: string;
  b: string;
  /** The columns compared. */
  columns: string[];
  /** lib/compare's result, or null with `reason` when too few responses. */
  result: ComparisonResult | null;
  reason: string | null;
  /** One plain sentence per column (`verdictText`). */
  verdicts: string[];
}

/** The A/B part of a stream summary. */
export interface AbSummary {
  seed: number;
  variants: VariantSummary[];
  /** Every variant after the first compared with the first. */
  comparisons: VariantComparison[];
}

/** Life cycle of a job. */
export type StreamState = "idle" | "running" | "stopping" | "finished";

/** A live view of a job. */
export interface StreamStatus {
  job_id: string;
  state: StreamState;
  file: string | null;
  /** Sends the job will make, or null when that depends on time (duration) or is unbounded. */
  total_planned: number | null;
  sent: number;
  succeeded: number;
  failed: number;
  failed_by_type: Record<string, number>;
  /** Sent and still awaiting a response. */
  in_flight: number;
  /** Sent, then given up by `stop({ abandon: true })`: neither succeeded nor failed. */
  abandoned: number;
  elapsed_s: number;
  /** Sends per second, from the start to the end of the sending (or now). */
  rate_per_s: number;
  /** Completed share of the plan in [0, 1] (of the duration when there is one), or null. */
  progress: number | null;
  /** Why the sending ended, once it has. */
  stop_reason: StopReason | null;
}

/** The outcome of a job. Latencies in seconds; quantiles are null without successes. */
export interface StreamSummary {
  job_id: string;
  file: string | null;
  stop_reason: StopReason | null;
  sent: number;
  succeeded: number;
  failed: number;
  abandoned: number;
  failed_by_type: Record<string, number>;
  /** Successful responses per second of elapsed time. */
  throughput_per_s: number;
  /** The model call's latency as the worker measured it (`latency_ms`). */
  latency_s: { p50: number | null; p95: number | null; p99: number | null };
  /** From submit to response in hand, as the stream saw it (queueing included). */
  end_to_end_s: { p50: number | null; p95: number | null; p99: number | null };
  ttft_s: { p50: number | null; p95: number | null };
  tokens_per_s: { avg: number | null };
  completion_tokens: number;
  elapsed_s: number;
  /** Ids of every request accepted by Kafka, in the order they were accepted. */
  request_ids: string[];
  /** The first failures, with their reasons (at most {@linkcode MAX_FAILURE_SAMPLES}). */
  failures: Array<{ request_id: string | null; type: string; message: string }>;
  /** Per-variant figures and their comparisons, for an A/B run. */
  ab?: AbSummary;
  /**
   * Why requests went unanswered, when the caller knows (the stream CLI: no LLM worker consumes
   * the request topic), else null. The engine itself sets null.
   */
  failure_reason: string | null;
}

/** Failures kept with their reasons in the summary. */
export const MAX_FAILURE_SAMPLES = 20;

/** Default seconds to wait for a response. */
export const DEFAULT_TIMEOUT_S = 120;

/** Validated job settings (the schedule and the per-request overrides). */
export interface ResolvedStreamOptions {
  plan: SchedulePlan;
  entries: DatasetEntry[];
  model?: string;
  temperature?: number;
  maxTokens?: number;
  userId?: string;
  timeoutMs: number;
  /** The variants, their normalised weights and the seed (A/B runs only). */
  ab: { variants: Variant[]; weights: number[]; seed: number } | null;
}

/**
 * Validates a job's options without starting anything; throws a `RangeError`/`TypeError` that
 * names the option, or a `DatasetError` for a bad entry. The CLI calls it before connecting.
 *
 * @example
 * ```ts
 * import { resolveStreamOptions } from "./engine.ts";
 * resolveStreamOptions({ entries: ["Hi"], rate: 2 }).plan.mode; // "rate"
 * ```
 */
export function resolveStreamOptions(options: StreamJobOptions): ResolvedStreamOptions {
  const plan = planSchedule(options);
  if (!Array.isArray(options.entries) || options.entries.length === 0) {
    throw new RangeError("a stream needs at least one prompt, found none");
  }
  const file = options.file ?? "entries";
  const entries = options.entries.map((e, i) => parseEntry(e, file, i));
  const text = (name: string, v: string | undefined) => {
    if (
      v !== undefined && (typeof v !== "string" || v.trim() === "" || v.length > LIMITS.idChars)
    ) {
      throw new TypeError(
        `${name} must be a non-empty string of at most ${LIMITS.idChars} characters`,
      );
    }
    return v;
  };
  const num = (name: string, v: number | undefined, ok: (n: number) => boolean, want: string) => {
    if (v !== undefined && (typeof v !== "number" || !ok(v))) {
      throw new RangeError(`${name} must be ${want}, found ${v}`);
    }
    return v;
  };
  const temperature = num("temperature", options.temperature, (n) => n >= 0 && n <= 2, "in [0, 2]");
  const maxTokens = num(
    "max-tokens",
    options.maxTokens,
    (n) => Number.isInteger(n) && n >= 1 && n <= LIMITS.maxTokens,
    `an integer in [1, ${LIMITS.maxTokens}]`,
  );
  const timeoutS = num("timeout", options.timeoutS, (n) => Number.isFinite(n) && n > 0, "> 0") ??
    DEFAULT_TIMEOUT_S;
  let ab: ResolvedStreamOptions["ab"] = null;
  if (options.variants !== undefined) {
    if (options.model !== undefined) {
      throw new RangeError("model cannot be combined with variants: each variant names its model");
    }
    const weights = splitWeights(options.variants, options.split);
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, found ${seed}`);
    ab = { variants: options.variants.map((v) => ({ ...v })), weights, seed };
  } else if (options.split !== undefined) {
    throw new RangeError("split needs variants (--variants or --models)");
  }
  return {
    plan,
    entries,
    model: text("model", options.model),
    temperature,
    maxTokens,
    userId: text("user", options.userId),
    timeoutMs: timeoutS * 1000,
    ab,
  };
}

function classify(error: unknown): { type: string; message: string } {
  const e = error as Error | undefined;
  const message = e?.message ?? String(error);
  if (e?.name === "ResponseTimeoutError") return { type: "response_timeout", message };
  return { type: "client_error", message };
}

const noop = () => {};

/**
 * One streaming run of a dataset through an LLM client.
 *
 * @example
 * ```ts ignore
 * import { LlmClient } from "../client/llm_client.ts";
 * import { StreamJob } from "./engine.ts";
 * const client = await LlmClient.connect({ source: "stream" });
 * const job = await StreamJob.fromFile("datasets/quick_test.json", { client, delayS: 3 });
 * job.onProgress((s) => console.log(s.sent, s.succeeded, s.failed));
 * const summary = await job.start();
 * console.log(summary.latency_s.p95);
 * await client.close();
 * ```
 */
export class StreamJob {
  readonly jobId: string;
  readonly file: string | null;
  readonly #client: StreamClient;
  readonly #clock: Clock;
  readonly #options: ResolvedStreamOptions;
  readonly #dataset: string | undefined;
  readonly #listeners = new Set<(status: StreamStatus) => void>();
  readonly #abort = new AbortController();
  readonly #pending = new Set<Promise<unknown>>();
  #state: StreamState = "idle";
  #startedAt: number | null = null;
  #finishedAt: number | null = null;
  #sendingEndedAt: number | null = null;
  #stopReason: StopReason | null = null;
  #sent = 0;
  #succeeded = 0;
  #failed = 0;
  #abandoned = 0;
  #inFlight = 0;
  #booksClosed = false;
  readonly #failedByType: Record<string, number> = {};
  readonly #failures: StreamSummary["failures"] = [];
  readonly #requestIds: string[] = [];
  readonly #latency: number[] = [];
  readonly #endToEnd: number[] = [];
  readonly #ttft: number[] = [];
  readonly #tokensPerS: number[] = [];
  #completionTokens = 0;
  readonly #assigner: VariantAssigner | null;
  /** Per variant: sends, failures without a response, and the responses received. */
  readonly #perVariant: { sent: number; lost: number; responses: ResponseEvent[] }[];
  #done: Promise<StreamSummary> | null = null;
  #releaseAbandoned: () => void = noop;

  /** Validates the options (throws like {@linkcode resolveStreamOptions}); sends nothing yet. */
  constructor(options: StreamJobOptions & { client: StreamClient }) {
    this.#options = resolveStreamOptions(options);
    this.#client = options.client;
    this.#clock = options.clock ?? systemClock;
    this.jobId = options.jobId ?? crypto.randomUUID();
    this.file = options.file ?? null;
    const name = this.file?.split(/[\\/]/).pop()?.replace(/\.json$/i, "").slice(0, LIMITS.idChars);
    this.#dataset = name ? name : undefined;
    if (options.onProgress) this.#listeners.add(options.onProgress);
    const ab = this.#options.ab;
    this.#assigner = ab ? new VariantAssigner(ab.weights, ab.seed) : null;
    this.#perVariant = (ab?.variants ?? []).map(() => ({ sent: 0, lost: 0, responses: [] }));
  }

  /**
   * Loads and validates a dataset file (throws `DatasetError`), then builds a job over it.
   */
  static async fromFile(
    path: string,
    options: Omit<StreamJobOptions, "entries" | "file"> & { client: StreamClient },
  ): Promise<StreamJob> {
    const dataset: Dataset = await loadDataset(path);
    return new StreamJob({ ...options, entries: dataset.entries, file: path });
  }

  /** Calls `listener` on every send, outcome and state change. Returns an unsubscribe. */
  onProgress(listener: (status: StreamStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Starts sending. Resolves with the summary when the job has finished: the schedule ended and
   * every response came in or timed out (or was abandoned). Throws if started twice.
   */
  start(): Promise<StreamSummary> {
    if (this.#done) throw new Error(`stream job ${this.jobId} was already started`);
    this.#done = this.#run();
    return this.#done;
  }

  /**
   * Stops sending. Resolves with the summary once the requests already sent have their
   * responses (or time out); with `abandon: true`, at once: those are counted as abandoned.
   * Calling it again with `abandon: true` abandons a stop that is waiting.
   */
  stop(options: { abandon?: boolean } = {}): Promise<StreamSummary> {
    if (!this.#done) {
      this.#state = "finished";
      this.#stopReason = "stopped";
      this.#done = Promise.resolve(this.summary());
      this.#emit();
      return this.#done;
    }
    if (this.#state === "running") this.#state = "stopping";
    this.#abort.abort();
    if (options.abandon) this.#releaseAbandoned();
    this.#emit();
    return this.#done;
  }

  /** Resolves with the summary when the job has finished (after `start`). */
  finished(): Promise<StreamSummary> {
    if (!this.#done) return Promise.reject(new Error("the stream job has not been started"));
    return this.#done;
  }

  async #run(): Promise<StreamSummary> {
    this.#state = "running";
    this.#startedAt = this.#clock.now();
    this.#emit();
    const abandoned = new Promise<void>((resolve) => this.#releaseAbandoned = resolve);
    const { reason } = await runSchedule(this.#options.plan, {
      clock: this.#clock,
      entries: this.#options.entries.length,
      signal: this.#abort.signal,
      send: (seq, entry) => this.#send(seq, entry),
    });
    this.#stopReason = this.#abort.signal.aborted ? "stopped" : reason;
    this.#sendingEndedAt = this.#clock.now();
    this.#emit();
    await Promise.race([Promise.allSettled([...this.#pending]), abandoned]);
    if (this.#inFlight > 0) {
      this.#abandoned = this.#inFlight;
      this.#inFlight = 0;
    }
    this.#booksClosed = true;
    this.#finishedAt = this.#clock.now();
    this.#state = "finished";
    this.#emit();
    return this.summary();
  }

  #input(entryIndex: number, variant: Variant | null): RequestInput {
    const entry = this.#options.entries[entryIndex];
    // entry < variant < the job's overrides
    const params: Partial<RequestParams> = { ...entry.params, ...variant?.params };
    if (this.#options.temperature !== undefined) params.temperature = this.#options.temperature;
    if (this.#options.maxTokens !== undefined) params.num_predict = this.#options.maxTokens;
    const tags: Record<string, string> = {
      ...entry.tags,
      stream_job: this.jobId,
      dataset_index: String(entryIndex),
    };
    if (variant) tags.variant = variant.name;
    return {
      prompt: entry.prompt,
      system: variant?.system ?? entry.system,
      model: variant?.model ?? this.#options.model ?? entry.model,
      params,
      user_id: entry.user_id ?? this.#options.userId,
      source: "stream",
      dataset: this.#dataset,
      tags,
    };
  }

  #send(_seq: number, entryIndex: number): SendHandle {
    this.#sent++;
    this.#inFlight++;
    const sentAt = this.#clock.now();
    const variantIndex = this.#assigner?.next() ?? -1;
    const variant = variantIndex >= 0 ? this.#options.ab!.variants[variantIndex] : null;
    const arm = variantIndex >= 0 ? this.#perVariant[variantIndex] : null;
    if (arm) arm.sent++;
    let submitted: Promise<SubmittedRequest>;
    try {
      submitted = this.#client.submit(this.#input(entryIndex, variant));
    } catch (error) {
      submitted = Promise.reject(error);
    }
    const done = submitted.then(
      async ({ request_id }) => {
        if (!this.#booksClosed) this.#requestIds.push(request_id);
        this.#emit();
        try {
          const response = await this.#client.awaitResponse(request_id, {
            timeoutMs: this.#options.timeoutMs,
          });
          if (arm && !this.#booksClosed) arm.responses.push(response);
          this.#record(response, (this.#clock.now() - sentAt) / 1000);
        } catch (error) {
          const { type, message } = classify(error);
          if (arm && !this.#booksClosed) arm.lost++;
          this.#fail(request_id, type, message);
        }
      },
      (error) => {
        if (arm && !this.#booksClosed) arm.lost++;
        this.#fail(null, "submit_error", (error as Error)?.message ?? String(error));
      },
    ).finally(() => {
      this.#pending.delete(done);
      if (this.#booksClosed) return;
      this.#inFlight--;
      this.#emit();
    });
    this.#pending.add(done);
    this.#emit();
    return { submitted, done };
  }

  #record(response: ResponseEvent, endToEndS: number): void {
    if (this.#booksClosed) return;
    if (response.status !== "success") {
      this.#fail(
        response.request_id,
        response.error?.type ?? "unknown",
        response.error?.message ?? "error response without a message",
      );
      return;
    }
    this.#succeeded++;
    this.#latency.push(response.latency_ms / 1000);
    this.#endToEnd.push(endToEndS);
    if (response.ttft_ms !== null) this.#ttft.push(response.ttft_ms / 1000);
    this.#tokensPerS.push(response.tokens_per_s);
    this.#completionTokens += response.completion_tokens;
  }

  #fail(requestId: string | null, type: string, message: string): void {
    if (this.#booksClosed) return;
    this.#failed++;
    this.#failedByType[type] = (this.#failedByType[type] ?? 0) + 1;
    if (this.#failures.length < MAX_FAILURE_SAMPLES) {
      this.#failures.push({ request_id: requestId, type, message });
    }
  }

  #emit(): void {
    if (this.#listeners.size === 0) return;
    const status = this.status();
    for (const listener of this.#listeners) {
      try {
        listener(status);
      } catch {
        // a broken listener must not stop the stream
      }
    }
  }

  #elapsedS(): number {
    if (this.#startedAt === null) return 0;
    return ((this.#finishedAt ?? this.#clock.now()) - this.#startedAt) / 1000;
  }

  /** The live counters. O(1) apart from copying the failure types. */
  status(): StreamStatus {
    const planned = plannedSends(this.#options.plan, this.#options.entries.length);
    const elapsed = this.#elapsedS();
    const sendingS = this.#startedAt === null
      ? 0
      : ((this.#sendingEndedAt ?? this.#clock.now()) - this.#startedAt) / 1000;
    const completed = this.#succeeded + this.#failed + this.#abandoned;
    let progress: number | null = null;
    if (planned !== null) progress = Math.min(1, completed / planned);
    else if (this.#options.plan.durationMs !== null) {
      progress = this.#state === "finished" && this.#stopReason !== "stopped"
        ? 1
        : Math.min(1, (elapsed * 1000) / this.#options.plan.durationMs);
    }
    return {
      job_id: this.jobId,
      state: this.#state,
      file: this.file,
      total_planned: planned,
      sent: this.#sent,
      succeeded: this.#succeeded,
      failed: this.#failed,
      failed_by_type: { ...this.#failedByType },
      in_flight: this.#inFlight,
      abandoned: this.#abandoned,
      elapsed_s: elapsed,
      rate_per_s: sendingS > 0 ? this.#sent / sendingS : 0,
      progress,
      stop_reason: this.#stopReason,
    };
  }

  /** Counts, throughput and latency percentiles so far (final once the job has finished). */
  summary(): StreamSummary {
    const elapsed = this.#elapsedS();
    const latency = distribution(this.#latency);
    const endToEnd = distribution(this.#endToEnd);
    const ttft = distribution(this.#ttft);
    return {
      job_id: this.jobId,
      file: this.file,
      stop_reason: this.#stopReason,
      sent: this.#sent,
      succeeded: this.#succeeded,
      failed: this.#failed,
      abandoned: this.#abandoned,
      failed_by_type: { ...this.#failedByType },
      throughput_per_s: elapsed > 0 ? this.#succeeded / elapsed : 0,
      latency_s: { p50: latency.p50, p95: latency.p95, p99: latency.p99 },
      end_to_end_s: { p50: endToEnd.p50, p95: endToEnd.p95, p99: endToEnd.p99 },
      ttft_s: { p50: ttft.p50, p95: ttft.p95 },
      tokens_per_s: { avg: distribution(this.#tokensPerS).avg },
      completion_tokens: this.#completionTokens,
      elapsed_s: elapsed,
      request_ids: [...this.#requestIds],
      failures: this.#failures.map((f) => ({ ...f })),
      ...(this.#options.ab ? { ab: this.#abSummary() } : {}),
      failure_reason: null,
    };
  }

  /** Each variant's figures, and each variant compared with the first by lib/compare. */
  #abSummary(): AbSummary {
    const ab = this.#options.ab!;
    const variants = ab.variants.map((v, i): VariantSummary => {
      const arm = this.#perVariant[i];
      const ok = arm.responses.filter((r) => r.status === "success");
      const latency = distribution(ok.map((r) => r.latency_ms / 1000));
      const ttft = distribution(ok.flatMap((r) => r.ttft_ms === null ? [] : [r.ttft_ms / 1000]));
      const priced = arm.responses.filter((r) => typeof r.cost_usd === "number");
      const cost = priced.reduce((sum, r) => sum + r.cost_usd!, 0);
      return {
        name: v.name,
        model: v.model ?? null,
        weight: ab.weights[i],
        sent: arm.sent,
        succeeded: ok.length,
        failed: arm.responses.length - ok.length + arm.lost,
        latency_s: { p50: latency.p50, p95: latency.p95 },
        ttft_s: { p50: ttft.p50 },
        completion_tokens_avg: distribution(ok.map((r) => r.completion_tokens)).avg,
        tokens_per_s: { avg: distribution(ok.map((r) => r.tokens_per_s)).avg },
        cost_usd: priced.length
          ? { total: cost, per_1k_calls: (cost / priced.length) * 1000 }
          : null,
      };
    });
    const rows = comparisonRows(this.#perVariant.flatMap((arm) => arm.responses));
    const first = ab.variants[0].name;
    const comparisons = ab.variants.slice(1).map((v): VariantComparison => {
      const c = compareSelections(
        rows,
        { by: "variant", value: first },
        { by: "variant", value: v.name },
      );
      return {
        a: first,
        b: v.name,
        columns: c.columns,
        result: c.result,
        reason: c.reason,
        verdicts: c.result?.columns.map(verdictText) ?? [],
      };
    });
    return { seed: ab.seed, variants, comparisons };
  }
}
