/**
 * The dashboard's consumer of `llm.requests`: hands each valid request to `onRequest`, so the
 * server knows every request id submitted anywhere (this server, `deno task stream`, notebooks,
 * other servers) before its response exists, with its model and A/B variant. Invalid messages go
 * to the DLQ. Its group is reset to the beginning on every server start.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import { decodeRequest, type RequestEvent } from "../events/mod.ts";
import { BatchConsumer, type EventProducer } from "../kafka/mod.ts";

/** Options of {@linkcode RequestIngest}. */
export interface RequestIngestOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  /** Producer for dead letters (owned by the caller). */
  dlq: EventProducer;
  /** Called with each valid request. */
  onRequest: (event: RequestEvent) => void;
}

/**
 * Reads requests for the dashboard's index of known request ids.
 *
 * @example
 * ```ts ignore
 * const ingest = new RequestIngest({
 *   kafka, dlq: producer, topic: "llm.requests", groupId: "dashboard-requests-8000",
 *   onRequest: (r) => index.add(r.request_id, { model: r.model, variant: r.tags?.variant }),
 * });
 * await ingest.start();
 * ```
 */
export class RequestIngest {
  readonly #consumer: BatchConsumer<RequestEvent>;

  constructor(options: RequestIngestOptions) {
    this.#consumer = new BatchConsumer<RequestEvent>({
      kafka: options.kafka,
      groupId: options.groupId,
      topics: [options.topic],
      dlq: options.dlq,
      chunkSize: 1_000,
      decode: (message) => decodeRequest(message.value),
      handle: (items) => {
        for (const { value } of items) options.onRequest(value);
        return Promise.resolve();
      },
    });
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
