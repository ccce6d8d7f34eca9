/**
 * A batching producer: messages are gathered for a few milliseconds (or until a batch is full)
 * and sent together with `acks: -1` by an idempotent kafkajs producer, one batch in flight at a
 * time so ordering per key holds. Each `send` resolves when its message is acknowledged; a
 * batch that fails is retried with backoff until the delivery timeout, so a broker restart
 * delays messages instead of losing them.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { type Kafka, Partitioners, type Producer } from "kafkajs";

/** Options of {@linkcode EventProducer}. */
export interface EventProducerOptions {
  /** How long a message may wait for others to join its batch. Default 5 ms. */
  lingerMs?: number;
  /** Messages per batch. Default 500. */
  maxBatch?: number;
  /**
   * Bytes per batch (values, keys and headers). Default 900 KB, under the broker's default
   * `max.message.bytes` of 1 MB for one partition's record batch: larger batches would be
   * refused whole.
   */
  maxBatchBytes?: number;
  /** How long a message may take to be acknowledged, retries included. Default 120 s. */
  deliveryTimeoutMs?: number;
}

interface Pending {
  topic: string;
  key: string | null;
  value: string | Uint8Array;
  headers?: Record<string, string>;
  bytes: number;
  enqueuedAt: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Produces events to Kafka in batches.
 *
 * @example
 * ```ts
 * const producer = new EventProducer(createKafka(["127.0.0.1:9092"], "api"));
 * await producer.connect();
 * await producer.send("llm.requests", event.request_id, event);
 * await producer.disconnect();
 * ```
 */
export class EventProducer {
  readonly #producer: Producer;
  readonly #lingerMs: number;
  readonly #maxBatch: number;
  readonly #maxBatchBytes: number;
  readonly #deliveryTimeoutMs: number;
  #queue: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #inFlight: Promise<void> = Promise.resolve();
  #closed = false;
  #sent = 0;

  constructor(kafka: Kafka, options: EventProducerOptions = {}) {
    this.#lingerMs = options.lingerMs ?? 5;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxBatchBytes = options.maxBatchBytes ?? 900_000;
    this.#deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
    this.#producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Connects to the brokers. */
  async connect(): Promise<void> {
    await this.#producer.connect();
  }

  /** Messages acknowledged so far. */
  get sentCount(): number {
    return this.#sent;
  }

  /** Messages waiting to be sent or acknowledged. */
  get pendingCount(): number {
    return this.#queue.length;
  }

  /**
   * Queues one message; resolves when the brokers have acknowledged it. Objects are sent as
   * JSON.
   */
  send(
    topic: string,
    key: string | null,
    value: unknown,
    headers?: Record<string, string>,
  ): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new Error(`producer is closed; cannot send to ${topic}`));
    }
    const payload = typeof value === "string" || value instanceof Uint8Array
      ? value
      : JSON.stringify(value);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({
        topic,
        key,
        value: payload,
        headers,
        bytes: sizeOf(key, payload, headers),
        enqueuedAt: Date.now(),
        resolve,
        reject,
      });
      if (this.#queue.length >= this.#maxBatch) this.#schedule(0);
      else this.#schedule(this.#lingerMs);
    });
  }

  /** Resolves when every message queued so far has been acknowledged (or has failed). */
  async flush(): Promise<void> {
    while (this.#queue.length > 0) {
      this.#schedule(0);
      await this.#inFlight;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await this.#inFlight;
  }

  /** Flushes, then disconnects. */
  async disconnect(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#producer.disconnect();
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== null) {
      if (delayMs > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#inFlight = this.#inFlight.then(() => this.#drain());
    }, delayMs);
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      // As many messages as fit the count and byte limits, and always at least one.
      let count = 0;
      let bytes = 0;
      while (
        count < this.#queue.length && count < this.#maxBatch &&
        (count === 0 || bytes + this.#queue[count].bytes <= this.#maxBatchBytes)
      ) {
        bytes += this.#queue[count].bytes;
        count++;
      }
      await this.#sendWithRetry(this.#queue.splice(0, count));
    }
  }

  async #sendWithRetry(batch: Pending[]): Promise<void> {
    let attempt = 0;
    while (true) {
      try {
        const byTopic = new Map<string, Pending[]>();
        for (const item of batch) {
          const list = byTopic.get(item.topic) ?? [];
          list.push(item);
          byTopic.set(item.topic, list);
        }
        await this.#producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, items]) => ({
            topic,
            messages: items.map((i) => ({
              key: i.key,
              value: i.value as string,
              headers: i.headers,
            })),
          })),
        });
        this.#sent += batch.length;
        for (const item of batch) item.resolve();
        return;
      } catch (error) {
        if (tooLarge(error)) {
          // Retrying cannot help. Alone, the message fails; in a batch, each message is sent on
          // its own so that one oversized message does not take the others down with it.
          if (batch.length > 1) {
            for (const item of batch) await this.#sendWithRetry([item]);
          } else {
            batch[0].reject(
              new Error(
                `message of ${batch[0].bytes} bytes to ${batch[0].topic} refused by the broker: ` +
                  (error as Error).message,
              ),
            );
          }
          return;
        }
        attempt++;
        const oldest = Math.min(...batch.map((i) => i.enqueuedAt));
        if (Date.now() - oldest > this.#deliveryTimeoutMs) {
          const reason = new Error(
            `not acknowledged within ${this.#deliveryTimeoutMs} ms: ${(error as Error).message}`,
          );
          for (const item of batch) item.reject(reason);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** attempt)));
      }
    }
  }
}

/** Approximate bytes of a message on the wire (value, key, headers). */
function sizeOf(
  key: string | null,
  value: string | Uint8Array,
  headers: Record<string, string> | undefined,
): number {
  let bytes = (typeof value === "string" ? Buffer.byteLength(value) : value.length) + 64;
  if (key) bytes += Buffer.byteLength(key);
  for (const [name, text] of Object.entries(headers ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(text);
  }
  return bytes;
}

const TOO_LARGE = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE"]);

/** True when kafkajs reports (possibly as the cause of a wrapper) a batch the broker refuses. */
function tooLarge(error: unknown): boolean {
  for (
    let e = error as { type?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
  ) {
    if (typeof e.type === "string" && TOO_LARGE.has(e.type)) return true;
    e = e.cause as typeof e;
    depth++;
  }
  return false;
}
