/**
 * The dashboard's consumer of `llm.feedback`: every valid feedback is handed to `onFeedback`
 * (the server keeps the last per request and user, and pushes it to browsers). Invalid messages
 * go to the DLQ. Like the dashboard's response ingest, its group is reset to the beginning on
 * every server start, so the feedback KPIs survive a restart.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import {
  decodeEvent,
  FEEDBACK_SCHEMA,
  type FeedbackEvent,
  parseFeedbackEvent,
} from "../events/mod.ts";
import { BatchConsumer, type EventProducer } from "../kafka/mod.ts";

/** Options of {@linkcode FeedbackIngest}. */
export interface FeedbackIngestOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  /** Producer for dead letters (owned by the caller). */
  dlq: EventProducer;
  /** Called with each valid feedback, in topic order per partition. */
  onFeedback: (event: FeedbackEvent) => void;
}

/**
 * Reads feedback for the dashboard.
 *
 * @example
 * ```ts ignore
 * const ingest = new FeedbackIngest({
 *   kafka, dlq: producer, topic: "llm.feedback", groupId: "dashboard-feedback-8000",
 *   onFeedback: (event) => totals.add(event),
 * });
 * await ingest.start();
 * ```
 */
export class FeedbackIngest {
  readonly #consumer: BatchConsumer<FeedbackEvent>;

  constructor(options: FeedbackIngestOptions) {
    this.#consumer = new BatchConsumer<FeedbackEvent>({
      kafka: options.kafka,
      groupId: options.groupId,
      topics: [options.topic],
      dlq: options.dlq,
      chunkSize: 1_000,
      decode: (message) => decodeEvent(message.value, FEEDBACK_SCHEMA, parseFeedbackEvent),
      handle: (items) => {
        for (const { value } of items) options.onFeedback(value);
        return Promise.resolve();
      },
    });
  }

  /** Feedbacks handled so far. */
  get processed(): number {
    return this.#consumer.processedCount;
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
}
