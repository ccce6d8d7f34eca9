/**
 * The client API for scripts, notebooks, the load tester and the dashboard: submit a prompt to
 * `llm.requests` and await its response from `llm.responses`, correlated by request id; read
 * recent responses.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import {
  createRequestEvent,
  type RequestEvent,
  type RequestInput,
  type RequestSource,
  type ResponseEvent,
} from "../events/mod.ts";
import {
  readResponses,
  ResponseListener,
  type WorkerPresence,
  workerPresence,
} from "../consumers/mod.ts";
import { createKafka, EventProducer, GROUPS, TOPICS } from "../kafka/mod.ts";
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
  /** Consumer group of the LLM workers that answer (default `llm-worker`). */
  workerGroup?: string;
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
  readonly #listener: ResponseListener;
  readonly #source: RequestSource;
  readonly #userId: string | undefined;
  readonly #waiters = new Map<string, Waiter>();
  readonly #unclaimed = new Map<string, ResponseEvent>();
  readonly #listeners = new Set<(event: ResponseEvent) => void>();
  readonly #topics: { requests: string; responses: string };
  readonly #workerGroup: string;

  private constructor(options: LlmClientOptions, kafka: Kafka, producer: EventProducer) {
    this.config = options.config ?? loadStackConfig();
    this.#kafka = kafka;
    this.#producer = producer;
    this.#ownsProducer = !options.producer;
    this.#source = options.source ?? "api";
    this.#userId = options.userId;
    this.#topics = options.topics ?? { requests: TOPICS.requests, responses: TOPICS.responses };
    this.#workerGroup = options.workerGroup ?? GROUPS.worker;
    this.#listener = new ResponseListener(kafka, this.#topics.responses, (e) => this.#deliver(e));
  }

  /** Connects the producer and starts listening for responses produced from now on. */
  static async connect(options: LlmClientOptions = {}): Promise<LlmClient> {
    const config = options.config ?? loadStackConfig();
    const kafka = options.kafka ??
      createKafka(config.kafka.brokers, options.clientId ?? "llm-client");
    const producer = options.producer ?? new EventProducer(kafka);
    const client = new LlmClient({ ...options, config }, kafka, producer);
    if (!options.producer) await producer.connect();
    await client.#listener.start();
    return client;
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
    return (await readResponses(this.#kafka, { last: n, topic: this.#topics.responses })).events;
  }

  /**
   * Who answers this client's requests: the members of the worker group, and the sentence to
   * show when there is none. Rejects when Kafka cannot be asked.
   */
  async workerPresence(): Promise<WorkerPresence> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      return await workerPresence(admin, {
        group: this.#workerGroup,
        topic: this.#topics.requests,
      });
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  /** Stops listening, rejects pending waits, and closes what the client opened. */
  async close(): Promise<void> {
    for (const [id, waiter] of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`client closed while waiting for ${id}`));
    }
    this.#waiters.clear();
    await this.#listener.stop();
    if (this.#ownsProducer) await this.#producer.disconnect();
  }
}
