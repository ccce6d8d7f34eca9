/**
 * Listening to `llm.responses` from "now" on, for a client that awaits the answers to its own
 * requests: a consumer in a group of its own (deleted on close) that starts at the offsets of the
 * moment it connects, so no response produced after that is missed whatever the time the group
 * join takes. Invalid messages are skipped here (the product's consumers dead-letter them).
 *
 * The group's position is committed: first the start offsets (a seek commits), then after every
 * batch. A consumer rejoins its group when the group's coordinator moves (a Kafka node of a
 * cluster dies) or after a crash, and on rejoining it reads from the committed offsets; without
 * them it would start at the newest offset and never see the responses produced in between (their
 * callers would wait until their timeout).
 *
 * @module
 */

import type { Consumer, Kafka } from "kafkajs";
import { decodeResponse, type ResponseEvent } from "../events/mod.ts";
import { retryTransient } from "../kafka/mod.ts";

/**
 * Calls `onResponse` with every valid response produced to `topic` after {@linkcode start}.
 *
 * @example
 * ```ts ignore
 * const listener = new ResponseListener(kafka, "llm.responses", (e) => console.log(e.request_id));
 * await listener.start();
 * await listener.stop();
 * ```
 */
export class ResponseListener {
  readonly #kafka: Kafka;
  readonly #topic: string;
  readonly #onResponse: (event: ResponseEvent) => void;
  readonly #groupId = `llm-client-${crypto.randomUUID()}`;
  readonly #consumer: Consumer;

  constructor(kafka: Kafka, topic: string, onResponse: (event: ResponseEvent) => void) {
    this.#kafka = kafka;
    this.#topic = topic;
    this.#onResponse = onResponse;
    this.#consumer = kafka.consumer({ groupId: this.#groupId, allowAutoTopicCreation: false });
  }

  /** Its consumer group (its own, deleted by {@linkcode stop}). */
  get groupId(): string {
    return this.#groupId;
  }

  /** Joins its own group at the topic's offsets of now; resolves once listening. */
  async start(): Promise<void> {
    const admin = this.#kafka.admin();
    await admin.connect();
    // a node restarting or a topic just created answers "not the leader" for a moment
    const startOffsets = await retryTransient(() =>
      admin.fetchTopicOffsetsByTimestamp(this.#topic, Date.now())
    ).finally(() => admin.disconnect());
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topic: this.#topic, fromBeginning: false });
    const joined = new Promise<void>((resolve) => {
      const remove = this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => {
        remove();
        resolve();
      });
    });
    await this.#consumer.run({
      eachBatch: ({ batch }) => {
        for (const message of batch.messages) {
          let event: ResponseEvent;
          try {
            event = decodeResponse(message.value);
          } catch {
            continue; // invalid responses are the consumers' business (they go to the DLQ)
          }
          this.#onResponse(event);
        }
        return Promise.resolve();
      },
    });
    // With offsets committed (kafkajs' default), a seek also commits: the group's position is
    // the start offsets from its first fetch on.
    for (const { partition, offset } of startOffsets) {
      this.#consumer.seek({ topic: this.#topic, partition, offset });
    }
    await joined;
  }

  /** Leaves and deletes its group. */
  async stop(): Promise<void> {
    await this.#consumer.disconnect();
    const admin = this.#kafka.admin();
    await admin.connect().then(() => admin.deleteGroups([this.#groupId])).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}
