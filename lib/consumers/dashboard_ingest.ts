/**
 * The dashboard's own consumer of `llm.responses`: every valid response, counted once by
 * request id, feeds the live aggregates ({@linkcode MetricsAggregator}) and the newest responses,
 * then `onIngest` (the server turns that into live events for browsers). The server's pipeline
 * and the benchmarks use this one code path.
 *
 * @module
 */

import type { Kafka, KafkaMessage } from "kafkajs";
import { decodeResponse, type ResponseEvent } from "../events/mod.ts";
import { BatchConsumer, type EventProducer } from "../kafka/mod.ts";
import { MetricsAggregator, NewestBuffer } from "../metrics/mod.ts";

/** Options of {@linkcode DashboardIngest}. */
export interface DashboardIngestOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  /** Producer for dead letters (owned by the caller). */
  dlq: EventProducer;
  /** Called when the first message is decoded (the clock of a throughput run starts there). */
  onFirstMessage?: () => void;
  /** Called after each new (not duplicate) response is counted. */
  onIngest?: (event: ResponseEvent) => void;
}

/**
 * The dashboard's consumer feeding the live aggregates.
 *
 * @example
 * ```ts ignore
 * const ingest = new DashboardIngest({
 *   kafka, dlq: producer, topic: "llm.responses", groupId: "dashboard-8000",
 *   onIngest: (event) => console.log(event.request_id),
 * });
 * await ingest.start();
 * ingest.metrics.snapshot().total;
 * ```
 */
export class DashboardIngest {
  readonly metrics = new MetricsAggregator();
  /** The newest 500 responses by end time, so a replay after a restart shows the same ones. */
  readonly recent = new NewestBuffer<ResponseEvent>(500, (e) => e.ts_end);
  readonly #consumer: BatchConsumer<ResponseEvent>;
  readonly #onIngest?: (event: ResponseEvent) => void;
  #first = true;

  constructor(options: DashboardIngestOptions) {
    this.#onIngest = options.onIngest;
    this.#consumer = new BatchConsumer<ResponseEvent>({
      kafka: options.kafka,
      groupId: options.groupId,
      topics: [options.topic],
      dlq: options.dlq,
      // One chunk per fetched batch (kafkajs hands over at most 1 MB per partition, a few
      // thousand events): one offset commit per batch instead of one per 1,000 events. The
      // dashboard re-reads the topic on every start, so its commits only feed the lag figure.
      chunkSize: 10_000,
      decode: (message: KafkaMessage) => {
        if (this.#first) {
          this.#first = false;
          options.onFirstMessage?.();
        }
        return decodeResponse(message.value);
      },
      handle: (items) => {
        for (const { value } of items) this.#ingest(value);
        return Promise.resolve();
      },
    });
  }

  /** Responses handled (duplicates included). */
  get processed(): number {
    return this.#consumer.processedCount;
  }

  /** Messages that failed validation. */
  get deadLettered(): number {
    return this.#consumer.deadLetteredCount;
  }

  /** The consumer group. */
  get groupId(): string {
    return this.#consumer.groupId;
  }

  /** Joins the group and starts consuming. */
  async start(): Promise<void> {
    await this.#consumer.start();
  }

  /** Stops consuming. */
  async stop(): Promise<void> {
    await this.#consumer.stop().catch(() => {});
  }

  #ingest(event: ResponseEvent): void {
    if (!this.metrics.add(event)) return;
    this.recent.push(event);
    this.#onIngest?.(event);
  }
}
