/**
 * The dashboard's way of reading one topic: a {@linkcode BatchConsumer} from the beginning of the
 * topic, each message decoded and validated (an invalid one goes to the DLQ with the decoder's
 * error as its reason), each valid event handed to `onEvent` in topic order per partition.
 * Stopping never throws. The dashboard's ingests of responses, requests and feedback are this
 * loop with their own topic, decoder and handler.
 *
 * @module
 */

import type { Kafka, KafkaMessage } from "kafkajs";
import { BatchConsumer, type EventProducer } from "../kafka/mod.ts";

/** Where a dashboard ingest reads from and where its dead letters go. */
export interface IngestSource {
  kafka: Kafka;
  topic: string;
  groupId: string;
  /** Producer for dead letters (owned by the caller). */
  dlq: EventProducer;
}

/** Options of {@linkcode TopicIngest}. */
export interface TopicIngestOptions<T> extends IngestSource {
  /** Decodes and validates one message; throwing sends it to the DLQ with the error message. */
  decode: (message: KafkaMessage) => T;
  /** Called with each valid event, in topic order per partition. */
  onEvent: (event: T) => void;
  /** Events per offset commit. Default 1,000. */
  chunkSize?: number;
}

/**
 * Reads one topic into a synchronous handler; the dashboard's ingests extend it with their
 * decoder and handler.
 *
 * @example
 * ```ts ignore
 * const ingest = new TopicIngest<RequestEvent>({
 *   kafka, dlq: producer, topic: "llm.requests", groupId: "dashboard-requests-8000",
 *   decode: (message) => decodeRequest(message.value),
 *   onEvent: (request) => console.log(request.request_id),
 * });
 * await ingest.start();
 * ingest.processed;
 * ```
 */
export class TopicIngest<T> {
  readonly #consumer: BatchConsumer<T>;

  constructor(options: TopicIngestOptions<T>) {
    this.#consumer = new BatchConsumer<T>({
      kafka: options.kafka,
      groupId: options.groupId,
      topics: [options.topic],
      dlq: options.dlq,
      chunkSize: options.chunkSize ?? 1_000,
      decode: (message) => options.decode(message),
      handle: (items) => {
        for (const { value } of items) options.onEvent(value);
        return Promise.resolve();
      },
    });
  }

  /** Events handled so far. */
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
}
