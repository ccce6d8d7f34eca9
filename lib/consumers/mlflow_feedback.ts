/**
 * The MLflow feedback consumer: reads `llm.feedback` (group `mlflow-feedback`) and logs each
 * feedback on its request's MLflow run (the run named after the request id): the metric
 * `feedback_score` at the feedback's time and the tag `feedback` (up, down or rating), see
 * `feedbackToRun`.
 *
 * **Feedback that arrives before its run exists waits, and is not lost.** A feedback whose run
 * is not there yet (the response is still being generated, or the MLflow sink is behind or MLflow
 * is down) goes to a pending set and is looked up again with backoff (0.5 s doubling to 30 s)
 * while the consumer goes on with later feedback. Offsets are committed only up to the oldest
 * feedback not yet logged ({@linkcode PendingOffsets}): after a crash or restart, everything from
 * there is delivered again, pending feedback included, and logging is idempotent (the same metric
 * value at the same time, the same tags). Feedback that arrives hours after its run is logged at
 * once. The wait is bounded: a feedback whose run has not appeared `maxWaitMs` (default 7 days)
 * after it was given goes to `llm.dlq` with the reason, and so does one MLflow refuses for good.
 * At most `maxPending` (default 10,000) feedbacks wait at once; beyond that the consumer stops
 * reading until some are logged (backpressure, visible as lag).
 *
 * @module
 */

import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import {
  decodeEvent,
  FEEDBACK_SCHEMA,
  type FeedbackEvent,
  parseFeedbackEvent,
} from "../events/mod.ts";
import { type EventProducer, GROUPS, sendToDlq, TOPICS } from "../kafka/mod.ts";
import { memberConfig } from "../kafka/member_config.ts";
import { feedbackToRun, type MlflowClient, MlflowError } from "../mlflow/mod.ts";
import { mapWithConcurrency } from "../util/concurrency.ts";
import { resolveExperiment } from "./mlflow_experiment.ts";
import { PendingOffsets } from "./pending_offsets.ts";

/** What the logger needs from MLflow (an `MlflowClient`, or a test double). */
export type MlflowRunsApi = Pick<MlflowClient, "searchRuns" | "logBatch">;

/** One feedback to log, with where it came from. */
export interface FeedbackItem {
  event: FeedbackEvent;
  partition: number;
  offset: string;
  message?: KafkaMessage;
}

/** Options of {@linkcode FeedbackRunLogger}. */
export interface FeedbackRunLoggerOptions {
  mlflow: MlflowRunsApi;
  /** The experiment the runs are in. */
  experimentId: string;
  /** How long after it was given a feedback waits for its run. Default 7 days. */
  maxWaitMs?: number;
  /** First wait before looking a run up again. Default 500 ms (doubling). */
  minRecheckMs?: number;
  /** Longest wait between two lookups of one feedback's run. Default 30 s. */
  maxRecheckMs?: number;
  /** Lookups and writes at once. Default 4. */
  concurrency?: number;
  /** Clock. Default Date.now. */
  now?: () => number;
  /** Called when a feedback is logged on its run(s). */
  onLogged?: (item: FeedbackItem) => void;
  /** Called when a feedback cannot be logged, ever (it goes to the DLQ with `reason`). */
  onFailed?: (item: FeedbackItem, reason: string) => Promise<void> | void;
  /** Called on each transient MLflow failure. */
  onError?: (error: Error) => void;
}

/** Default wait for a run: 7 days. */
export const FEEDBACK_MAX_WAIT_MS = 7 * 86_400_000;

interface Pending {
  item: FeedbackItem;
  attempts: number;
  dueAt: number;
}

/**
 * Logs feedback on runs, keeping the ones whose run is not there yet and trying them again with
 * backoff until the run appears or the wait runs out. No Kafka: {@linkcode MlflowFeedback}
 * feeds it and commits offsets.
 *
 * @example
 * ```ts
 * const logger = new FeedbackRunLogger({ mlflow, experimentId: "3", onLogged: (i) => {} });
 * await logger.attempt([{ event, partition: 0, offset: "0" }]);
 * logger.pendingCount; // 1 when the run does not exist yet
 * await logger.recheck(); // tries the due ones again
 * ```
 */
export class FeedbackRunLogger {
  readonly #o:
    & Required<Omit<FeedbackRunLoggerOptions, "onLogged" | "onFailed" | "onError">>
    & FeedbackRunLoggerOptions;
  readonly #pending = new Map<string, Pending>();
  #logged = 0;
  #failed = 0;
  #retrying = false;
  #lastError: string | null = null;
  #rechecking: Promise<void> | null = null;

  constructor(options: FeedbackRunLoggerOptions) {
    this.#o = {
      ...options,
      // options left undefined take the defaults
      maxWaitMs: options.maxWaitMs ?? FEEDBACK_MAX_WAIT_MS,
      minRecheckMs: options.minRecheckMs ?? 500,
      maxRecheckMs: options.maxRecheckMs ?? 30_000,
      concurrency: options.concurrency ?? 4,
      now: options.now ?? Date.now,
    };
  }

  /** Feedbacks waiting for their run. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Feedbacks logged so far. */
  get loggedCount(): number {
    return this.#logged;
  }

  /** Feedbacks given up (dead-lettered) so far. */
  get failedCount(): number {
    return this.#failed;
  }

  /** True while MLflow is failing. */
  get isRetrying(): boolean {
    return this.#retrying;
  }

  /** The last transient error, or null. */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Forgets the pending feedback (a rebalance: they will be delivered again). */
  clear(): void {
    this.#pending.clear();
  }

  /** Tries to log each item now; those whose run is missing (or MLflow down) wait. */
  async attempt(items: readonly FeedbackItem[]): Promise<void> {
    await mapWithConcurrency([...items], this.#o.concurrency, (item) => this.#try(item, 0));
  }

  /** Tries the waiting feedbacks that are due again (one pass at a time). */
  recheck(): Promise<void> {
    this.#rechecking ??= (async () => {
      try {
        const now = this.#o.now();
        const due = [...this.#pending.values()].filter((p) => p.dueAt <= now);
        await mapWithConcurrency(due, this.#o.concurrency, async (p) => {
          this.#pending.delete(keyOf(p.item));
          await this.#try(p.item, p.attempts);
        });
      } finally {
        this.#rechecking = null;
      }
    })();
    return this.#rechecking;
  }

  async #try(item: FeedbackItem, attempts: number): Promise<void> {
    const { event } = item;
    try {
      const { runs } = await this.#o.mlflow.searchRuns({
        experiment_ids: [this.#o.experimentId],
        // request ids are UUIDs (the contract checks), so the filter needs no escaping
        filter: `attributes.run_name = '${event.request_id}'`,
        max_results: 10,
      });
      this.#retrying = false;
      if (runs.length === 0) {
        if (this.#o.now() - event.ts > this.#o.maxWaitMs) {
          await this.#fail(
            item,
            `no MLflow run for request ${event.request_id} within ${
              spell(this.#o.maxWaitMs)
            } of the feedback`,
          );
          return;
        }
        this.#wait(item, attempts);
        return;
      }
      const data = feedbackToRun(event);
      for (const run of runs) await this.#o.mlflow.logBatch(run.info.run_id, data);
      this.#logged++;
      this.#o.onLogged?.(item);
    } catch (error) {
      if (error instanceof MlflowError && !error.transient) {
        await this.#fail(item, `MLflow refused the feedback: ${error.message}`);
        return;
      }
      this.#retrying = true;
      this.#lastError = (error as Error).message;
      this.#o.onError?.(error as Error);
      this.#wait(item, attempts);
    }
  }

  #wait(item: FeedbackItem, attempts: number): void {
    const delay = Math.min(
      this.#o.maxRecheckMs,
      this.#o.minRecheckMs * 2 ** Math.min(attempts, 20),
    );
    this.#pending.set(keyOf(item), { item, attempts: attempts + 1, dueAt: this.#o.now() + delay });
  }

  async #fail(item: FeedbackItem, reason: string): Promise<void> {
    this.#failed++;
    await this.#o.onFailed?.(item, reason);
  }
}

/** A wait in words: "7 d", "2 h", "90 s". */
function spell(ms: number): string {
  if (ms >= 86_400_000 && ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms >= 3_600_000) return `${Math.round(ms / 360_000) / 10} h`;
  return `${Math.round(ms / 1000)} s`;
}

const keyOf = (item: FeedbackItem) => `${item.partition}:${item.offset}`;

/** Options of {@linkcode MlflowFeedback}. */
export interface MlflowFeedbackOptions {
  kafka: Kafka;
  /** Producer for dead letters. */
  dlq: EventProducer;
  mlflow: MlflowClient;
  /** Experiment name (the MLflow sink's). */
  experiment: string;
  /** Consumer group. Default `mlflow-feedback`. */
  groupId?: string;
  /** Topic. Default `llm.feedback`. */
  topic?: string;
  /** Most feedbacks waiting for their run at once. Default 10,000. */
  maxPending?: number;
  /** See {@linkcode FeedbackRunLoggerOptions}. */
  maxWaitMs?: number;
  minRecheckMs?: number;
  maxRecheckMs?: number;
  /** Called after each feedback is logged. */
  onLogged?: (event: FeedbackEvent) => void;
  /** Called on each transient failure. */
  onError?: (error: Error) => void;
}

/**
 * Logs every feedback on its request's MLflow run, waiting for runs that do not exist yet.
 *
 * @example
 * ```ts
 * const feedback = new MlflowFeedback({ kafka, dlq: producer, mlflow, experiment: "llm-monitoring" });
 * await feedback.start();
 * // ...
 * await feedback.stop();
 * ```
 */
export class MlflowFeedback {
  readonly #options: MlflowFeedbackOptions;
  readonly #consumer: Consumer;
  readonly #offsets = new PendingOffsets();
  readonly #committed = new Map<number, string>();
  #logger: FeedbackRunLogger | null = null;
  #experimentId: string | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #running = false;
  #deadLettered = 0;
  #generation = 0;
  #commitChain: Promise<void> = Promise.resolve();

  constructor(options: MlflowFeedbackOptions) {
    this.#options = options;
    this.#consumer = options.kafka.consumer(memberConfig(this.groupId));
  }

  /** The consumer group. */
  get groupId(): string {
    return this.#options.groupId ?? GROUPS.mlflowFeedback;
  }

  /** Feedbacks waiting for their run. */
  get pendingCount(): number {
    return this.#logger?.pendingCount ?? 0;
  }

  /** Feedbacks logged on runs so far. */
  get loggedCount(): number {
    return this.#logger?.loggedCount ?? 0;
  }

  /** Messages sent to the DLQ so far (invalid, refused, or waited too long). */
  get deadLetteredCount(): number {
    return this.#deadLettered;
  }

  /** True while MLflow is failing. */
  get isRetrying(): boolean {
    return this.#logger?.isRetrying ?? false;
  }

  /** The last transient error, or null. */
  get lastError(): string | null {
    return this.#logger?.lastError ?? null;
  }

  /** Resolves the experiment (retrying while MLflow is unreachable) and starts consuming. */
  async start(): Promise<void> {
    const o = this.#options;
    this.#experimentId = await resolveExperiment(o.mlflow, o.experiment, {
      // this listener is told the error alone (no attempt number)
      onError: (error) => o.onError?.(error),
    });
    this.#logger = new FeedbackRunLogger({
      mlflow: o.mlflow,
      experimentId: this.#experimentId!,
      maxWaitMs: o.maxWaitMs,
      minRecheckMs: o.minRecheckMs,
      maxRecheckMs: o.maxRecheckMs,
      onError: o.onError,
      onLogged: (item) => {
        this.#finish(item);
        try {
          o.onLogged?.(item.event);
        } catch {
          // a failing listener must not undo the logging
        }
      },
      onFailed: async (item, reason) => {
        if (item.message) {
          await sendToDlq(
            o.dlq,
            { topic: this.#topic, partition: item.partition, message: item.message },
            this.groupId,
            reason,
          );
          this.#deadLettered++;
        }
        this.#finish(item);
      },
    });
    await this.#consumer.connect();
    // after a rebalance the committed offsets are the truth: what was pending is delivered again
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => {
      this.#generation++;
      this.#offsets.clear();
      this.#committed.clear();
      this.#logger?.clear();
    });
    await this.#consumer.subscribe({ topic: this.#topic, fromBeginning: true });
    this.#running = true;
    this.#timer = setInterval(() => {
      this.#logger?.recheck().then(() => this.#commit()).catch(() => {});
    }, 250);
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
  }

  /** Stops reading and leaves the group; feedback still pending is delivered again later. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearInterval(this.#timer);
    await this.#commit().catch(() => {});
    await this.#consumer.disconnect();
  }

  get #topic(): string {
    return this.#options.topic ?? TOPICS.feedback;
  }

  #finish(item: FeedbackItem & { generation?: number }): void {
    if (item.generation !== undefined && item.generation !== this.#generation) return;
    this.#offsets.done(item.partition, item.offset);
  }

  /** Commits, per partition, up to the oldest feedback not yet logged. */
  #commit(): Promise<void> {
    this.#commitChain = this.#commitChain.then(async () => {
      const offsets = [];
      for (const partition of this.#offsets.partitions()) {
        const point = this.#offsets.commitPoint(partition);
        if (point !== null && point !== this.#committed.get(partition)) {
          offsets.push({ topic: this.#topic, partition, offset: point });
        }
      }
      if (offsets.length === 0) return;
      try {
        await this.#consumer.commitOffsets(offsets);
        for (const o of offsets) this.#committed.set(o.partition, o.offset);
      } catch {
        // a rebalance moved the partition: its new owner starts from the last commit
      }
    }).catch(() => {});
    return this.#commitChain;
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const live = () => this.#running && isRunning() && !isStale();
    const logger = this.#logger!;
    const maxPending = this.#options.maxPending ?? 10_000;
    const generation = this.#generation;
    const valid: (FeedbackItem & { generation: number })[] = [];
    let lastTracked: string | null = null;
    for (const message of batch.messages) {
      if (!live()) break;
      this.#offsets.track(batch.partition, message.offset);
      lastTracked = message.offset;
      let event: FeedbackEvent;
      try {
        event = decodeEvent(message.value, FEEDBACK_SCHEMA, parseFeedbackEvent);
      } catch (error) {
        await sendToDlq(
          this.#options.dlq,
          { topic: batch.topic, partition: batch.partition, message },
          this.groupId,
          (error as Error).message,
        );
        this.#deadLettered++;
        this.#offsets.done(batch.partition, message.offset);
        continue;
      }
      valid.push({
        event,
        partition: batch.partition,
        offset: message.offset,
        message,
        generation,
      });
    }
    await logger.attempt(valid);
    if (lastTracked !== null) resolveOffset(lastTracked);
    await this.#commit();
    await heartbeat().catch(() => {});
    // backpressure: too many feedbacks wait for their runs, so read no further for now
    while (live() && logger.pendingCount >= maxPending) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await heartbeat().catch(() => {});
    }
  }
}
