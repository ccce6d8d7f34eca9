/**
 * The LLM worker: consumes `llm.requests` in the `llm-worker` group, calls the model with bounded
 * concurrency, and produces one `llm.response.v2` per request to `llm.responses` (success or
 * error alike), priced by the price table it is given (`cost_usd`, `price_version`). Offsets are
 * committed only after the responses are acknowledged; workers in one group share the
 * partitions. Requests from the gateway and OTLP intake (`source` gateway or otlp) record calls
 * already made and answered: the worker skips them.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import { decodeRequest, type RequestEvent, type ResponseEvent } from "../events/mod.ts";
import { BatchConsumer, type EventProducer, GROUPS, TOPICS } from "../kafka/mod.ts";
import { measuredChat, type PriceTable, toResponseEvent, withCost } from "../llm/mod.ts";
import { ConcurrencyPool } from "../util/concurrency.ts";

/**
 * Calls a worker has in flight by default, with Ollama's parallelism (`OLLAMA_NUM_PARALLEL`, see
 * lib/stack/ollama.ts): measured on two cores, more calls at once raise the calls per second
 * little and the latency of each call a lot (bench/llm.ts --sweep).
 */
export const WORKER_CONCURRENCY = 2;

/** Sources whose requests were answered where they were made: recorded, never called again. */
export const OBSERVED_SOURCES: ReadonlySet<string> = new Set(["gateway", "otlp"]);

/** Options of {@linkcode LlmWorker}. */
export interface LlmWorkerOptions {
  kafka: Kafka;
  /** Producer for responses and dead letters. */
  producer: EventProducer;
  /** Ollama's base URL. */
  ollamaHost: string;
  /** Calls in flight at once, over all partitions. Default {@linkcode WORKER_CONCURRENCY}. */
  concurrency?: number;
  /** Per-call timeout. Default 120 s. */
  timeoutMs?: number;
  /** Recorded in every response. Default `worker-<random>`. */
  workerId?: string;
  /** Consumer group. Default `llm-worker`. */
  groupId?: string;
  /** Topics (defaults: `llm.requests` in, `llm.responses` out); tests use their own. */
  topics?: { requests: string; responses: string };
  /**
   * Prices every response (`cost_usd`, `price_version`) where it is made; null or absent: no
   * cost is recorded.
   */
  prices?: PriceTable | null;
  /** Called with each piece of generated text (for live display). */
  onToken?: (requestId: string, text: string) => void;
  /** Called after each response is acknowledged by Kafka. */
  onResponse?: (event: ResponseEvent) => void;
}

/**
 * Runs the worker loop.
 *
 * @example
 * ```ts
 * const worker = new LlmWorker({ kafka, producer, ollamaHost: "http://127.0.0.1:11434" });
 * await worker.start();
 * // ...
 * await worker.stop();
 * ```
 */
export class LlmWorker {
  readonly workerId: string;
  readonly #consumer: BatchConsumer<RequestEvent>;
  readonly #options: LlmWorkerOptions;
  #inFlight = 0;
  #succeeded = 0;
  #failed = 0;
  #observed = 0;

  constructor(options: LlmWorkerOptions) {
    this.#options = options;
    this.workerId = options.workerId ?? `worker-${crypto.randomUUID().slice(0, 8)}`;
    const concurrency = options.concurrency ?? WORKER_CONCURRENCY;
    // The partitions are handled side by side and their calls share one pool, so a chunk's last
    // slow call does not leave the other slots idle until the chunk is committed.
    const pool = new ConcurrencyPool(concurrency);
    this.#consumer = new BatchConsumer<RequestEvent>({
      kafka: options.kafka,
      groupId: options.groupId ?? GROUPS.worker,
      topics: [options.topics?.requests ?? TOPICS.requests],
      dlq: options.producer,
      chunkSize: concurrency * 2,
      partitionsConsumedConcurrently: 8,
      decode: (message) => decodeRequest(message.value),
      handle: async (items) => {
        await Promise.all(items.map((item) => pool.run(() => this.#process(item.value))));
      },
    });
  }

  /** Calls in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Counts of responses produced, by outcome. */
  get stats(): { succeeded: number; failed: number; deadLettered: number; observed: number } {
    return {
      succeeded: this.#succeeded,
      failed: this.#failed,
      deadLettered: this.#consumer.deadLetteredCount,
      observed: this.#observed,
    };
  }

  /** Joins the group and starts processing. */
  async start(): Promise<void> {
    await this.#consumer.start();
  }

  /** Finishes the calls in hand, commits, leaves the group. */
  async stop(): Promise<void> {
    await this.#consumer.stop();
  }

  async #process(request: RequestEvent): Promise<void> {
    if (OBSERVED_SOURCES.has(request.source)) {
      // the gateway (or an instrumented application) already made this call and recorded it
      this.#observed++;
      return;
    }
    this.#inFlight++;
    try {
      const measurement = await measuredChat(request, {
        host: this.#options.ollamaHost,
        timeoutMs: this.#options.timeoutMs,
        onToken: this.#options.onToken
          ? (text) => this.#options.onToken!(request.request_id, text)
          : undefined,
      });
      const event = withCost(
        toResponseEvent(request, measurement, this.workerId),
        this.#options.prices,
      );
      const topic = this.#options.topics?.responses ?? TOPICS.responses;
      await this.#options.producer.send(topic, event.request_id, event);
      if (event.status === "success") this.#succeeded++;
      else this.#failed++;
      this.#options.onResponse?.(event);
    } finally {
      this.#inFlight--;
    }
  }
}
