/**
 * A batching producer: messages are gathered for a few milliseconds (or until a batch is full)
 * and sent together with `acks: -1` by an idempotent kafkajs producer, one batch in flight at a
 * time so ordering per key holds. Each `send` resolves when its message is acknowledged; a
 * batch that fails is retried with backoff until the delivery timeout, so a broker restart
 * delays messages instead of losing them.
 *
 * @module
 */

import { type Kafka, Partitioners, type Producer } from "kafkajs";

/** Options of {@linkcode EventProducer}. */
export interface EventProducerOptions {
  /** How long a message may wait for others to join its batch. Default 5 ms. */
  lingerMs?: number;
  /** Messages per batch. Default 500. */
  maxBatch?: number;
  /** How long a message may take to be acknowledged, retries included. Default 120 s. */
  deliveryTimeoutMs?: number;
}

interface Pending {
  topic: string;
  key: string | null;
  value: string | Uint8Array;
  headers?: Record<string, string>;
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
  readonly #deliveryTimeoutMs: number;
  #queue: Pending[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #inFlight: Promise<void> = Promise.resolve();
  #closed = false;
  #sent = 0;

  constructor(kafka: Kafka, options: EventProducerOptions = {}) {
    this.#lingerMs = options.lingerMs ?? 5;
    this.#maxBatch = options.maxBatch ?? 500;
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
      const batch = this.#queue.splice(0, this.#maxBatch);
      await this.#sendWithRetry(batch);
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
