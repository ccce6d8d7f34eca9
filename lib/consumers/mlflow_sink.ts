/**
 * The MLflow sink: a consumer of `llm.responses` (group `mlflow-sink`) that logs one run per
 * response, concurrently and in chunks, never on the request path; and, beside it, one aggregate
 * run per minute and model ({@linkcode MlflowMinuteRuns}, in the experiment `<experiment>-minutes`).
 *
 * Each run costs three requests (`runs/create` with its tags, one `runs/log-batch` with metrics
 * and params, `runs/update` with status and end time): MLflow has no call that takes more. The
 * partitions are handled side by side and their runs share one bounded pool of requests in
 * flight (default 16), so the tracking server's workers stay busy.
 *
 * Which responses get a run of their own is the policy `LLMOPS_MLFLOW_RUNS` (`all`, default;
 * `sample:<fraction>`, deterministic by request id, errors always included; `errors`): beyond
 * what MLflow can take, sampling keeps the lag bounded while the minute runs keep every count.
 *
 * Replays are safe: before creating runs for a chunk, the sink searches the experiment for runs
 * of the same request ids and skips the responses that have one (completing any run a crash
 * left unfinished). A chunk that fails because MLflow is down is retried with backoff until
 * MLflow is back; a response MLflow refuses for good goes to the DLQ.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import { decodeResponse, type ResponseEvent } from "../events/mod.ts";
import {
  BatchConsumer,
  type ConsumedItem,
  type EventProducer,
  GROUPS,
  type ItemFailure,
  TOPICS,
} from "../kafka/mod.ts";
import {
  formatRunPolicy,
  type MlflowClient,
  MlflowError,
  type MlflowRun,
  parseRunPolicy,
  responseToRun,
  RUN_POLICY_ENV,
  type RunPolicy,
  tagOf,
  wantsRun,
} from "../mlflow/mod.ts";
import { ConcurrencyPool, mapWithConcurrency } from "../util/concurrency.ts";
import type { SinkStatus } from "./health_report.ts";
import { resolveExperiment } from "./mlflow_experiment.ts";
import { MlflowMinuteRuns } from "./mlflow_minute_runs.ts";

/** Options of {@linkcode MlflowSink}. */
export interface MlflowSinkOptions {
  kafka: Kafka;
  /** Producer for dead letters. */
  dlq: EventProducer;
  mlflow: MlflowClient;
  /** Experiment name. */
  experiment: string;
  /** Consumer group. Default `mlflow-sink`. */
  groupId?: string;
  /** Topic. Default `llm.responses`. */
  topic?: string;
  /** Runs written at once, over all partitions. Default 16. */
  concurrency?: number;
  /** Responses per chunk. Default 100. */
  chunkSize?: number;
  /**
   * Which responses get a run of their own: a policy, or its text (`all`, `errors`,
   * `sample:<fraction>`). Default: `LLMOPS_MLFLOW_RUNS`, else `all`.
   */
  runs?: RunPolicy | string;
  /**
   * The aggregate runs per minute and model: false for none, or their experiment (default
   * `<experiment>-minutes`), consumer group (default `<groupId>-minutes`) and grace period
   * (default 60 s).
   */
  minuteRuns?: false | { experiment?: string; groupId?: string; graceMs?: number };
  /** Called on each transient failure. */
  onError?: (error: Error, attempt: number) => void;
  /** Called after a chunk's runs are written, with the responses that got a run now. */
  onLogged?: (logged: ResponseEvent[]) => void;
}

/**
 * Logs every response to MLflow exactly once per request id (or those the policy picks), and
 * one aggregate run per minute and model.
 *
 * @example
 * ```ts
 * const sink = new MlflowSink({ kafka, dlq: producer, mlflow, experiment: "llm-monitoring" });
 * await sink.start();
 * ```
 */
export class MlflowSink {
  readonly #options: MlflowSinkOptions;
  readonly #consumer: BatchConsumer<ResponseEvent>;
  readonly #minutes: MlflowMinuteRuns | null;
  readonly #policy: RunPolicy;
  readonly #pool: ConcurrencyPool;
  #experimentId: string | null = null;
  #created = 0;
  #logged = 0;
  #skipped = 0;
  #sampledOut = 0;
  readonly #rate = new MinuteRate();

  constructor(options: MlflowSinkOptions) {
    this.#options = options;
    this.#policy = typeof options.runs === "object"
      ? options.runs
      : parseRunPolicy(options.runs ?? Deno.env.get(RUN_POLICY_ENV));
    this.#pool = new ConcurrencyPool(options.concurrency ?? 16);
    const groupId = options.groupId ?? GROUPS.mlflowSink;
    const topic = options.topic ?? TOPICS.responses;
    this.#consumer = new BatchConsumer<ResponseEvent>({
      kafka: options.kafka,
      groupId,
      topics: [topic],
      dlq: options.dlq,
      chunkSize: options.chunkSize ?? 100,
      // each partition's chunk runs beside the others; their runs share the pool
      partitionsConsumedConcurrently: 8,
      decode: (message) => decodeResponse(message.value),
      handle: (items) => this.#handle(items),
      onError: options.onError,
    });
    const minutes = options.minuteRuns ?? {};
    this.#minutes = minutes === false ? null : new MlflowMinuteRuns({
      kafka: options.kafka,
      mlflow: options.mlflow,
      experiment: minutes.experiment ?? `${options.experiment}-minutes`,
      topic,
      groupId: minutes.groupId ?? `${groupId}-minutes`,
      policy: this.#policy,
      graceMs: minutes.graceMs,
      onError: options.onError,
    });
  }

  /** The per-call run policy in force. */
  get policy(): RunPolicy {
    return this.#policy;
  }

  /** Responses the policy gave no run of their own. */
  get sampledOutCount(): number {
    return this.#sampledOut;
  }

  /** The aggregate runs per minute and model (null when off). */
  get minuteRuns(): MlflowMinuteRuns | null {
    return this.#minutes;
  }

  /** The sink's state for the health report. */
  status(): SinkStatus {
    return {
      group: this.#consumer.groupId,
      policy: formatRunPolicy(this.#policy),
      runs_created: this.#created,
      runs_logged: this.#logged,
      runs_skipped: this.#skipped,
      sampled_out: this.#sampledOut,
      runs_per_s: this.#rate.perSecond(),
      retrying: this.isRetrying,
      last_error: this.lastError,
      minute_runs: this.#minutes?.status() ?? null,
    };
  }

  /** Runs created so far. */
  get createdCount(): number {
    return this.#created;
  }

  /** Runs completed (metrics, params, status and end time written) so far. */
  get loggedCount(): number {
    return this.#logged;
  }

  /** Responses that already had a run (replays, redeliveries). */
  get skippedCount(): number {
    return this.#skipped;
  }

  /** True while MLflow is failing and the per-call runs are being retried. */
  get isRetrying(): boolean {
    return this.#consumer.isRetrying;
  }

  /** The last transient error of the per-call runs, or null (the minute runs report their own). */
  get lastError(): string | null {
    return this.#consumer.lastError;
  }

  /** The experiment's id (after start). */
  get experimentId(): string | null {
    return this.#experimentId;
  }

  /** Resolves the experiment (retrying while MLflow is unreachable) and starts consuming. */
  async start(): Promise<void> {
    this.#experimentId = await resolveExperiment(this.#options.mlflow, this.#options.experiment, {
      onError: this.#options.onError,
    });
    await Promise.all([this.#consumer.start(), this.#minutes?.start()]);
  }

  /** Finishes the chunk in hand, commits, leaves the group (the minute runs' too). */
  async stop(): Promise<void> {
    await Promise.all([this.#consumer.stop(), this.#minutes?.stop().catch(() => {})]);
  }

  async #handle(items: ConsumedItem<ResponseEvent>[]): Promise<ItemFailure<ResponseEvent>[]> {
    const experimentId = this.#experimentId!;
    const mlflow = this.#options.mlflow;
    // One item per request id: a chunk may hold a duplicate delivery.
    const unique = new Map<string, ConsumedItem<ResponseEvent>>();
    let sampledOut = 0;
    for (const item of items) {
      if (wantsRun(this.#policy, item.value)) unique.set(item.value.request_id, item);
      else sampledOut++;
    }
    this.#skipped += items.length - sampledOut - unique.size;
    this.#sampledOut += sampledOut;
    if (unique.size === 0) return [];
    const existing = await this.#pool.run(() =>
      this.#existingRuns(experimentId, [...unique.values()])
    );
    const failures: ItemFailure<ResponseEvent>[] = [];
    const logged: ResponseEvent[] = [];
    await Promise.all([...unique.values()].map((item) =>
      this.#pool.run(async () => {
        const record = responseToRun(item.value);
        try {
          let run = existing.get(item.value.request_id);
          if (run && (run.info.status === "FINISHED" || run.info.status === "FAILED")) {
            this.#skipped++;
            return;
          }
          if (!run) {
            run = await mlflow.createRun({
              experiment_id: experimentId,
              run_name: record.run_name,
              start_time: record.start_time,
              tags: record.tags,
            });
            this.#created++;
          }
          await mlflow.logBatch(run.info.run_id, {
            metrics: record.metrics,
            params: record.params,
          });
          await mlflow.updateRun(run.info.run_id, record.status, record.end_time);
          this.#logged++;
          this.#rate.count();
          logged.push(item.value);
        } catch (error) {
          if (error instanceof MlflowError && !error.transient) {
            failures.push({ item, reason: `MLflow refused the run: ${error.message}` });
            return;
          }
          throw error;
        }
      })
    ));
    if (logged.length > 0) {
      try {
        this.#options.onLogged?.(logged);
      } catch {
        // a failing listener must not make the chunk be logged again
      }
    }
    return failures;
  }

  /**
   * Runs that earlier deliveries of the chunk's responses left, by request id. A run is named by
   * its request id (see mapping.ts) and starts at the `ts_start` of the response that created
   * it, which for a call done again (a worker that stopped before committing) is earlier than
   * the new response's `ts_start` but never earlier than the request's `ts`.
   *
   * One search over the chunk's time range serves when the range holds few runs (the usual
   * case). After an outage the range spans every run logged since the oldest request was sent,
   * so when one page of twice the chunk's size does not hold them all, each response's run is
   * looked up by name instead: the cost stays bounded however far behind the sink is.
   */
  async #existingRuns(
    experimentId: string,
    items: ConsumedItem<ResponseEvent>[],
  ): Promise<Map<string, MlflowRun>> {
    const mlflow = this.#options.mlflow;
    const wanted = new Set(items.map((i) => i.value.request_id));
    const found = new Map<string, MlflowRun>();
    const keep = (runs: MlflowRun[]) => {
      for (const run of runs) {
        const id = tagOf(run, "request_id");
        if (id && wanted.has(id)) found.set(id, run);
      }
    };
    let from = Infinity;
    let to = -Infinity;
    for (const { value } of items) {
      from = Math.min(from, value.ts, value.ts_start);
      to = Math.max(to, value.ts_start);
    }
    const page = await mlflow.searchRuns({
      experiment_ids: [experimentId],
      filter: `attributes.start_time >= ${from} AND attributes.start_time <= ${to}`,
      max_results: Math.max(50, 2 * items.length),
    });
    keep(page.runs);
    if (!page.next_page_token) return found;
    found.clear();
    await mapWithConcurrency(items, 4, async ({ value }) => {
      keep(
        await mlflow.searchAllRuns({
          experiment_ids: [experimentId],
          filter: `attributes.run_name = '${value.request_id}' AND ` +
            `attributes.start_time >= ${Math.min(value.ts, value.ts_start)}`,
        }),
      );
    });
    return found;
  }
}

/** Events per second over the last minute (or since the first count, when sooner). */
class MinuteRate {
  readonly #buckets = new Float64Array(60);
  readonly #seconds = new Float64Array(60).fill(-1);
  #since = -1;

  count(now = Date.now()): void {
    const second = Math.floor(now / 1000);
    if (this.#since < 0) this.#since = second;
    const slot = second % 60;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#buckets[slot] = 0;
    }
    this.#buckets[slot]++;
  }

  perSecond(now = Date.now()): number {
    if (this.#since < 0) return 0;
    const second = Math.floor(now / 1000);
    let sum = 0;
    for (let i = 0; i < 60; i++) {
      if (this.#seconds[i] > second - 60) sum += this.#buckets[i];
    }
    return sum / Math.min(60, Math.max(1, second - this.#since + 1));
  }
}
