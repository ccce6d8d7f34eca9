/**
 * The client API for scripts, notebooks, the load tester and the dashboard: submit a prompt to
 * `llm.requests` and await its response from `llm.responses`, correlated by request id; read
 * recent responses.
 *
 * @module
 */

import type { Consumer, Kafka } from "kafkajs";
import {
  createRequestEvent,
  decodeEvent,
  parseResponseEvent,
  type RequestEvent,
  type RequestInput,
  type RequestSource,
  type ResponseEvent,
} from "../events/mod.ts";
import { createKafka, EventProducer, readTopic, TOPICS } from "../kafka/mod.ts";
import { loadStackConfig, type StackConfig } from "../stack/config.ts";

/** Thrown by {@linkcode LlmClient.awaitResponse} when no response arrives in time. */
export class ResponseTimeoutError extends Error {
  constructor(readonly requestId: string, readonly timeoutMs: number) {
    super(`no response for request ${requestId} within ${timeoutMs} ms`);
    this.name = "ResponseTimeoutError";
  }
}

/** Options of {@linkcode LlmClient.connect}. */
export interface LlmClientOptions {
  /** Stack configuration (default: from the environment). */
  config?: StackConfig;
  /** Recorded as the request source. Default "api". */
  source?: RequestSource;
  /** Default user id of requests. */
  userId?: string;
  /** Kafka client id. */
  clientId?: string;
  /** Use this producer instead of creating one (it is not closed by the client). */
  producer?: EventProducer;
  /** Use this Kafka client. */
  kafka?: Kafka;
  /** Topics (defaults: `llm.requests` and `llm.responses`); tests use their own. */
  topics?: { requests: string; responses: string };
}

interface Waiter {
  resolve: (event: ResponseEvent) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const UNCLAIMED_LIMIT = 10_000;

/**
 * Submits prompts through Kafka and awaits their responses.
 *
 * @example
 * ```ts
 * const client = await LlmClient.connect({ source: "notebook" });
 * const response = await client.ask({ prompt: "What is drift?" }, { timeoutMs: 60_000 });
 * console.log(response.latency_ms, response.response);
 * await client.close();
 * ```
 */
export class LlmClient {
  readonly config: StackConfig;
  readonly #kafka: Kafka;
  readonly #producer: EventProducer;
  readonly #ownsProducer: boolean;
  readonly #consumer: Consumer;
  readonly #groupId: string;
  readonly #source: RequestSource;
  readonly #userId: string | undefined;
  readonly #waiters = new Map<string, Waiter>();
  readonly #unclaimed = new Map<string, ResponseEvent>();
  readonly #listeners = new Set<(event: ResponseEvent) => void>();
  readonly #topics: { requests: string; responses: string };

  private constructor(options: LlmClientOptions, kafka: Kafka, producer: EventProducer) {
    this.config = options.config ?? loadStackConfig();
    this.#kafka = kafka;
    this.#producer = producer;
    this.#ownsProducer = !options.producer;
    this.#source = options.source ?? "api";
    this.#userId = options.userId;
    this.#groupId = `llm-client-${crypto.randomUUID()}`;
    this.#topics = options.topics ?? { requests: TOPICS.requests, responses: TOPICS.responses };
    this.#consumer = kafka.consumer({ groupId: this.#groupId, allowAutoTopicCreation: false });
  }

  /** Connects the producer and starts listening for responses produced from now on. */
  static async connect(options: LlmClientOptions = {}): Promise<LlmClient> {
    const config = options.config ?? loadStackConfig();
    const kafka = options.kafka ??
      createKafka(config.kafka.brokers, options.clientId ?? "llm-client");
    const producer = options.producer ?? new EventProducer(kafka);
    const client = new LlmClient({ ...options, config }, kafka, producer);
    if (!options.producer) await producer.connect();
    await client.#listen();
    return client;
  }

  async #listen(): Promise<void> {
    // Start at the offsets of "now" so that no response produced after connect is missed,
    // whatever the time the group join takes.
    const admin = this.#kafka.admin();
    await admin.connect();
    const startOffsets = await admin.fetchTopicOffsetsByTimestamp(
      this.#topics.responses,
      Date.now(),
    )
      .finally(() => admin.disconnect());
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topic: this.#topics.responses, fromBeginning: false });
    const joined = new Promise<void>((resolve) => {
      const remove = this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => {
        remove();
        resolve();
      });
    });
    await this.#consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        for (const message of batch.messages) {
          let event: ResponseEvent;
          try {
            event = decodeEvent(message.value, "llm.response.v1", parseResponseEvent);
          } catch {
            continue; // invalid responses are the consumers' business (they go to the DLQ)
          }
          this.#deliver(event);
        }
        return Promise.resolve();
      },
    });
    for (const { partition, offset } of startOffsets) {
      this.#consumer.seek({ topic: this.#topics.responses, partition, offset });
    }
    await joined;
  }

  #deliver(event: ResponseEvent): void {
    for (const listener of this.#listeners) listener(event);
    const waiter = this.#waiters.get(event.request_id);
    if (waiter) {
      clearTimeout(waiter.timer);
      this.#waiters.delete(event.request_id);
      waiter.resolve(event);
      return;
    }
    this.#unclaimed.set(event.request_id, event);
    if (this.#unclaimed.size > UNCLAIMED_LIMIT) {
      this.#unclaimed.delete(this.#unclaimed.keys().next().value!);
    }
  }

  /**
   * Builds, validates and produces a request; resolves with the event once Kafka has it.
   */
  async submit(input: RequestInput): Promise<RequestEvent> {
    const event = createRequestEvent(input, {
      model: this.config.ollama.model,
      source: this.#source,
      user_id: this.#userId,
    });
    await this.#producer.send(this.#topics.requests, event.request_id, event);
    return event;
  }

  /** Resolves with the response of a request, or rejects with ResponseTimeoutError. */
  awaitResponse(requestId: string, options: { timeoutMs?: number } = {}): Promise<ResponseEvent> {
    const ready = this.#unclaimed.get(requestId);
    if (ready) {
      this.#unclaimed.delete(requestId);
      return Promise.resolve(ready);
    }
    const timeoutMs = options.timeoutMs ?? 120_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(requestId);
        reject(new ResponseTimeoutError(requestId, timeoutMs));
      }, timeoutMs);
      this.#waiters.set(requestId, { resolve, reject, timer });
    });
  }

  /** Submits a prompt and awaits its response. */
  async ask(input: RequestInput, options: { timeoutMs?: number } = {}): Promise<ResponseEvent> {
    const request = await this.submit(input);
    return await this.awaitResponse(request.request_id, options);
  }

  /** Calls `listener` with every response that arrives from now on. Returns an unsubscribe. */
  onResponse(listener: (event: ResponseEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The most recent valid responses on the topic (up to `n`), oldest first. */
  async recentResponses(n = 100): Promise<ResponseEvent[]> {
    return await readResponses(this.#kafka, {
      lastNPerPartition: n,
      limit: n,
      topic: this.#topics.responses,
    });
  }

  /** Stops listening, rejects pending waits, and closes what the client opened. */
  async close(): Promise<void> {
    for (const [id, waiter] of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`client closed while waiting for ${id}`));
    }
    this.#waiters.clear();
    await this.#consumer.disconnect();
    const admin = this.#kafka.admin();
    await admin.connect().then(() => admin.deleteGroups([this.#groupId])).catch(() => {});
    await admin.disconnect().catch(() => {});
    if (this.#ownsProducer) await this.#producer.disconnect();
  }
}

/**
 * Reads valid response events from `llm.responses` (invalid ones are skipped), oldest first.
 *
 * @example
 * ```ts
 * const all = await readResponses(kafka);
 * ```
 */
export async function readResponses(
  kafka: Kafka,
  options: { lastNPerPartition?: number; limit?: number; topic?: string } = {},
): Promise<ResponseEvent[]> {
  const messages = await readTopic(kafka, options.topic ?? TOPICS.responses, {
    lastNPerPartition: options.lastNPerPartition,
  });
  const events: ResponseEvent[] = [];
  for (const message of messages) {
    try {
      events.push(decodeEvent(message.value, "llm.response.v1", parseResponseEvent));
    } catch {
      // not a valid response: skipped here, dead-lettered by the consumers
    }
  }
  events.sort((a, b) => a.ts_end - b.ts_end);
  return options.limit === undefined ? events : events.slice(-options.limit);
}
