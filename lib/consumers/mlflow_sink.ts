/**
 * The MLflow sink: a consumer of `llm.responses` (group `mlflow-sink`) that logs one run per
 * response, concurrently and in chunks, never on the request path.
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
  type MlflowClient,
  MlflowError,
  type MlflowRun,
  responseToRun,
  tagOf,
} from "../mlflow/mod.ts";
import { mapWithConcurrency } from "../util/concurrency.ts";

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
  /** Runs written at once. Default 8. */
  concurrency?: number;
  /** Responses per chunk. Default 100. */
  chunkSize?: number;
  /** Called on each transient failure. */
  onError?: (error: Error, attempt: number) => void;
  /** Called after a chunk's runs are written, with the responses that got a run now. */
  onLogged?: (logged: ResponseEvent[]) => void;
}

/**
 * Logs every response to MLflow exactly once per request id.
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
  #experimentId: string | null = null;
  #created = 0;
  #logged = 0;
  #skipped = 0;

  constructor(options: MlflowSinkOptions) {
    this.#options = options;
    this.#consumer = new BatchConsumer<ResponseEvent>({
      kafka: options.kafka,
      groupId: options.groupId ?? GROUPS.mlflowSink,
      topics: [options.topic ?? TOPICS.responses],
      dlq: options.dlq,
      chunkSize: options.chunkSize ?? 100,
      decode: (message) => decodeResponse(message.value),
      handle: (items) => this.#handle(items),
      onError: options.onError,
    });
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

  /** True while MLflow is failing and the sink is retrying. */
  get isRetrying(): boolean {
    return this.#consumer.isRetrying;
  }

  /** The last transient error, or null. */
  get lastError(): string | null {
    return this.#consumer.lastError;
  }

  /** The experiment's id (after start). */
  get experimentId(): string | null {
    return this.#experimentId;
  }

  /** Resolves the experiment (retrying while MLflow is unreachable) and starts consuming. */
  async start(): Promise<void> {
    for (let attempt = 1;; attempt++) {
      try {
        this.#experimentId = await this.#options.mlflow.getOrCreateExperiment(
          this.#options.experiment,
        );
        break;
      } catch (error) {
        if (!(error instanceof MlflowError && error.transient) || attempt >= 30) throw error;
        this.#options.onError?.(error, attempt);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    await this.#consumer.start();
  }

  /** Finishes the chunk in hand, commits, leaves the group. */
  async stop(): Promise<void> {
    await this.#consumer.stop();
  }

  async #handle(items: ConsumedItem<ResponseEvent>[]): Promise<ItemFailure<ResponseEvent>[]> {
    const experimentId = this.#experimentId!;
    const mlflow = this.#options.mlflow;
    // One item per request id: a chunk may hold a duplicate delivery.
    const unique = new Map<string, ConsumedItem<ResponseEvent>>();
    for (const item of items) unique.set(item.value.request_id, item);
    this.#skipped += items.length - unique.size;
    const existing = await this.#existingRuns(experimentId, [...unique.values()]);
    const failures: ItemFailure<ResponseEvent>[] = [];
    const logged: ResponseEvent[] = [];
    await mapWithConcurrency([...unique.values()], this.#options.concurrency ?? 8, async (item) => {
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
        await mlflow.logBatch(run.info.run_id, { metrics: record.metrics, params: record.params });
        await mlflow.updateRun(run.info.run_id, record.status, record.end_time);
        this.#logged++;
        logged.push(item.value);
      } catch (error) {
        if (error instanceof MlflowError && !error.transient) {
          failures.push({ item, reason: `MLflow refused the run: ${error.message}` });
          return;
        }
        throw error;
      }
    });
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
    await mapWithConcurrency(items, this.#options.concurrency ?? 8, async ({ value }) => {
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
