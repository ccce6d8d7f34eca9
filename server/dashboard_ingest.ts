/**
 * The dashboard's own consumer of `llm.responses`: every valid response feeds the live
 * aggregates and the ring of recent responses, and is fanned out to browsers as `response`,
 * `runs` and (at most every 200 ms, computed once for all clients) `metrics` live events.
 * Other parts of the server publish their live events on the same fan-out.
 *
 * The server's pipeline and the benchmarks use this one code path.
 *
 * @module
 */

import type { Kafka, KafkaMessage } from "kafkajs";
import { decodeEvent, parseResponseEvent, type ResponseEvent } from "../lib/events/mod.ts";
import { BatchConsumer, EventProducer } from "../lib/kafka/mod.ts";
import { MetricsAggregator, NewestBuffer } from "../lib/metrics/mod.ts";
import type { LiveEvent } from "./deps.ts";

/** Options of {@linkcode DashboardIngest}. */
export interface DashboardIngestOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  /** Producer for dead letters; when omitted the ingest creates and closes its own. */
  dlq?: EventProducer;
  /** Called when the first message is decoded (the clock of a throughput run starts there). */
  onFirstMessage?: () => void;
  /** Called after each new (not duplicate) response is counted. */
  onIngest?: (event: ResponseEvent) => void;
}

/**
 * The dashboard's consumer feeding the live aggregates, and the live-event fan-out.
 *
 * @example
 * ```ts
 * const ingest = new DashboardIngest({ kafka, topic: "llm.responses", groupId: "dashboard-8000" });
 * ingest.subscribe((event) => console.log(event.type));
 * await ingest.start();
 * ```
 */
export class DashboardIngest {
  readonly metrics = new MetricsAggregator();
  /** The newest 500 responses by end time, so a replay after a restart shows the same ones. */
  readonly recent = new NewestBuffer<ResponseEvent>(500, (e) => e.ts_end);
  readonly #listeners = new Set<(event: LiveEvent) => void>();
  readonly #dlq: EventProducer;
  readonly #ownsDlq: boolean;
  readonly #consumer: BatchConsumer<ResponseEvent>;
  readonly #onIngest?: (event: ResponseEvent) => void;
  #metricsTimer: ReturnType<typeof setTimeout> | null = null;
  #first = true;

  constructor(options: DashboardIngestOptions) {
    this.#ownsDlq = !options.dlq;
    this.#dlq = options.dlq ?? new EventProducer(options.kafka);
    this.#onIngest = options.onIngest;
    this.#consumer = new BatchConsumer<ResponseEvent>({
      kafka: options.kafka,
      groupId: options.groupId,
      topics: [options.topic],
      dlq: this.#dlq,
      chunkSize: 1_000,
      decode: (message: KafkaMessage) => {
        if (this.#first) {
          this.#first = false;
          options.onFirstMessage?.();
        }
        return decodeEvent(message.value, "llm.response.v1", parseResponseEvent);
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

  /** Listeners subscribed now. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Connects its own DLQ producer (if any), joins the group and starts consuming. */
  async start(): Promise<void> {
    if (this.#ownsDlq) await this.#dlq.connect();
    await this.#consumer.start();
  }

  /** Stops consuming and disconnects what it owns. */
  async stop(): Promise<void> {
    if (this.#metricsTimer) clearTimeout(this.#metricsTimer);
    await this.#consumer.stop().catch(() => {});
    if (this.#ownsDlq) await this.#dlq.disconnect().catch(() => {});
  }

  /** Subscribes to live events; returns the unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends a live event to every subscriber. */
  emit(event: LiveEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #ingest(event: ResponseEvent): void {
    if (!this.metrics.add(event)) return;
    this.recent.push(event);
    this.#onIngest?.(event);
    this.emit({ type: "response", data: event });
    this.emit({ type: "runs", data: { changed: true } });
    this.#metricsTimer ??= setTimeout(() => {
      this.#metricsTimer = null;
      this.emit({ type: "metrics", data: this.metrics.snapshot() });
    }, 200);
  }
}
