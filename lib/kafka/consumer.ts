/**
 * A batch consumer with at-least-once delivery: messages are decoded and validated, invalid ones
 * go to `llm.dlq` with their reason, valid ones are handed to the handler in chunks, and offsets
 * are committed only after a chunk's work is done. A handler that throws is retried with backoff
 * (the error is transient: MLflow down, Ollama restarting); items it reports as failed for good
 * go to the DLQ. Stopping is graceful: the chunk in hand finishes, its offsets are committed, the
 * consumer leaves its group.
 *
 * @module
 */

import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import { sendToDlq } from "./dlq.ts";
import { memberConfig } from "./member_config.ts";
import type { EventProducer } from "./producer.ts";
import { type RetryStatus, retryWithBackoff } from "./retry_with_backoff.ts";

/** One decoded message and where it came from. */
export interface ConsumedItem<T> {
  value: T;
  topic: string;
  partition: number;
  offset: string;
  message: KafkaMessage;
}

/** An item the handler could not process and never will (it goes to the DLQ). */
export interface ItemFailure<T> {
  item: ConsumedItem<T>;
  reason: string;
}

/** Options of {@linkcode BatchConsumer}. */
export interface BatchConsumerOptions<T> {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** Start from the earliest offset when the group has no committed offset. Default true. */
  fromBeginning?: boolean;
  /** Decodes and validates one message; throwing sends it to the DLQ with the error message. */
  decode: (message: KafkaMessage, topic: string) => T;
  /**
   * Processes a chunk of valid items. Throwing means "try again later"; returned failures go to
   * the DLQ. Must be idempotent: after a crash a chunk may be delivered again.
   */
  handle: (items: ConsumedItem<T>[]) => Promise<ItemFailure<T>[] | void>;
  /** Producer for dead letters. */
  dlq: EventProducer;
  /** Items per handler call. Default 100. */
  chunkSize?: number;
  /** Called on each transient failure (for logs and health). */
  onError?: (error: Error, attempt: number) => void;
  /** Longest wait between retries. Default 10 s. */
  maxBackoffMs?: number;
  /** Kafka's session timeout for this member. Default 30 s. */
  sessionTimeoutMs?: number;
  /** Partitions fetched concurrently. Default 1. */
  partitionsConsumedConcurrently?: number;
}

/**
 * Consumes topics in batches with at-least-once semantics.
 *
 * @example
 * ```ts
 * const consumer = new BatchConsumer({
 *   kafka, groupId: "mlflow-sink", topics: ["llm.responses"], dlq: producer,
 *   decode: (m) => decodeResponse(m.value),
 *   handle: async (items) => { await logRuns(items.map((i) => i.value)); },
 * });
 * await consumer.start();
 * await consumer.stop();
 * ```
 */
export class BatchConsumer<T> {
  readonly #options: BatchConsumerOptions<T>;
  readonly #consumer: Consumer;
  #running = false;
  #processed = 0;
  #deadLettered = 0;
  readonly #status: RetryStatus = { retrying: false, lastError: null };

  constructor(options: BatchConsumerOptions<T>) {
    this.#options = options;
    this.#consumer = options.kafka.consumer(
      memberConfig(options.groupId, { sessionTimeout: options.sessionTimeoutMs ?? 30_000 }),
    );
  }

  /** Items handled successfully so far. */
  get processedCount(): number {
    return this.#processed;
  }

  /** Messages sent to the DLQ so far. */
  get deadLetteredCount(): number {
    return this.#deadLettered;
  }

  /** True while a transient failure is being retried. */
  get isRetrying(): boolean {
    return this.#status.retrying;
  }

  /** The last transient error, or null. */
  get lastError(): string | null {
    return this.#status.lastError;
  }

  /** The consumer group. */
  get groupId(): string {
    return this.#options.groupId;
  }

  /** Joins the group and starts consuming; resolves once running. */
  async start(): Promise<void> {
    await this.#consumer.connect();
    for (const topic of this.#options.topics) {
      await this.#consumer.subscribe({ topic, fromBeginning: this.#options.fromBeginning ?? true });
    }
    this.#running = true;
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.#options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
  }

  /** Finishes the chunk in hand, commits, and leaves the group. */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#consumer.disconnect();
  }

  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const { topic, partition } = batch;
    const chunkSize = this.#options.chunkSize ?? 100;
    const live = () => this.#running && isRunning() && !isStale();
    for (let start = 0; start < batch.messages.length && live(); start += chunkSize) {
      const messages = batch.messages.slice(start, start + chunkSize);
      const valid: ConsumedItem<T>[] = [];
      for (const message of messages) {
        try {
          const value = this.#options.decode(message, topic);
          valid.push({ value, topic, partition, offset: message.offset, message });
        } catch (error) {
          await this.#deadLetter(topic, partition, message, (error as Error).message);
        }
      }
      if (valid.length > 0) {
        const failures = await retryWithBackoff(
          async () => (await this.#options.handle(valid)) ?? [],
          {
            status: this.#status,
            live,
            heartbeat,
            onError: this.#options.onError,
            maxBackoffMs: this.#options.maxBackoffMs,
            // Heartbeats go on while the handler works, so a slow chunk (long model calls) does
            // not make the group think this member died.
            heartbeatEveryMs: 3_000,
          },
        );
        if (failures === null) return; // stopping: leave the chunk uncommitted
        for (const failure of failures) {
          await this.#deadLetter(topic, partition, failure.item.message, failure.reason);
        }
        this.#processed += valid.length - failures.length;
      }
      const last = messages[messages.length - 1].offset;
      resolveOffset(last);
      try {
        await this.#consumer.commitOffsets([
          { topic, partition, offset: (BigInt(last) + 1n).toString() },
        ]);
        await heartbeat();
      } catch (error) {
        // The group rebalanced while the chunk was handled: this member no longer owns the
        // partition, so the chunk will be delivered again to its new owner (at-least-once).
        this.#status.lastError = `commit refused after a rebalance: ${(error as Error).message}`;
        return;
      }
    }
  }

  async #deadLetter(topic: string, partition: number, message: KafkaMessage, reason: string) {
    await sendToDlq(
      this.#options.dlq,
      { topic, partition, message },
      this.#options.groupId,
      reason,
    );
    this.#deadLettered++;
  }
}
