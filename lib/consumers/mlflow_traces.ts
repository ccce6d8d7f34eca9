/**
 * The MLflow traces consumer: reads `llm.responses` in its group (`mlflow-traces`) and sends
 * every response to MLflow's OTLP endpoint (`POST /v1/traces`, MLflow ≥ 3.6) as one trace with
 * the GenAI attributes, so MLflow's Traces view shows every call beside its run.
 *
 * Exactly one trace per request id: the trace id is the request id's 128 bits, so a replay or a
 * duplicate delivery writes the same trace again and MLflow keeps one. Traces are not linked to
 * the runs (`x-mlflow-run-id`): the run is created by the sink, another consumer that may not
 * have reached the same response yet, and looking it up would cost a search per response. Both
 * carry the request id (the run's name and `request_id` tag, the trace's `request_id` tag and
 * `llmops.request_id` attribute), which finds one from the other.
 *
 * MLflow unreachable or answering 429/5xx: the chunk is retried with backoff (the group's lag
 * grows, nothing is skipped). A trace MLflow refuses for good (4xx) goes to the DLQ with the
 * reason; the rest of its chunk is still sent.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import { decodeResponse, type ResponseEvent } from "../events/mod.ts";
import {
  BatchConsumer,
  type ConsumedItem,
  type EventProducer,
  GROUPS,
  type ItemFailure,
  TOPICS,
} from "../kafka/mod.ts";
import { exportTracesToMlflow, type TraceExportItem } from "../gateway/mlflow_trace.ts";
import { type MlflowClient, MlflowError } from "../mlflow/mod.ts";
import { resolveExperiment } from "./mlflow_experiment.ts";

/** Options of {@linkcode MlflowTraces}. */
export interface MlflowTracesOptions {
  kafka: Kafka;
  /** Producer for dead letters. */
  dlq: EventProducer;
  /** For the experiment id (by name, created when missing). */
  mlflow: MlflowClient;
  /** MLflow's base URL (the OTLP endpoint is `<uri>/v1/traces`). */
  trackingUri: string;
  /** Experiment name. */
  experiment: string;
  /** Consumer group. Default `mlflow-traces`. */
  groupId?: string;
  /** Topic. Default `llm.responses`. */
  topic?: string;
  /** Responses per chunk (one POST each). Default 50. */
  chunkSize?: number;
  /** Called on each transient failure. */
  onError?: (error: Error, attempt: number) => void;
  fetch?: typeof fetch;
}

/** The trace export item of a response: its event and its conversation. */
export function traceItemOf(event: ResponseEvent): TraceExportItem {
  return event.messages && event.messages.length > 0
    ? { event, messages: event.messages }
    : { event };
}

/**
 * Sends every response to MLflow as a trace.
 *
 * @example
 * ```ts ignore
 * const traces = new MlflowTraces({
 *   kafka, dlq: producer, mlflow, trackingUri: "http://127.0.0.1:5000",
 *   experiment: "llm-monitoring",
 * });
 * await traces.start();
 * ```
 */
export class MlflowTraces {
  readonly #options: MlflowTracesOptions;
  readonly #consumer: BatchConsumer<ResponseEvent>;
  #experimentId: string | null = null;
  #exported = 0;

  constructor(options: MlflowTracesOptions) {
    this.#options = options;
    this.#consumer = new BatchConsumer<ResponseEvent>({
      kafka: options.kafka,
      groupId: options.groupId ?? GROUPS.mlflowTraces,
      topics: [options.topic ?? TOPICS.responses],
      dlq: options.dlq,
      chunkSize: options.chunkSize ?? 50,
      decode: (message) => decodeResponse(message.value),
      handle: (items) => this.#handle(items),
      onError: options.onError,
    });
  }

  /** Traces sent so far (a redelivered response counts again). */
  get exportedCount(): number {
    return this.#exported;
  }

  /** True while MLflow is failing and the consumer is retrying. */
  get isRetrying(): boolean {
    return this.#consumer.isRetrying;
  }

  /** The last transient error, or null. */
  get lastError(): string | null {
    return this.#consumer.lastError;
  }

  /** The consumer group. */
  get groupId(): string {
    return this.#consumer.groupId;
  }

  /** Resolves the experiment (retrying while MLflow is unreachable) and starts consuming. */
  async start(): Promise<void> {
    this.#experimentId = await resolveExperiment(this.#options.mlflow, this.#options.experiment, {
      onError: this.#options.onError,
    });
    await this.#consumer.start();
  }

  /** Finishes the chunk in hand, commits, leaves the group. */
  async stop(): Promise<void> {
    await this.#consumer.stop();
  }

  async #send(items: TraceExportItem[]): Promise<void> {
    await exportTracesToMlflow(items, {
      trackingUri: this.#options.trackingUri,
      experimentId: this.#experimentId!,
      fetch: this.#options.fetch,
    });
    this.#exported += items.length;
  }

  async #handle(items: ConsumedItem<ResponseEvent>[]): Promise<ItemFailure<ResponseEvent>[]> {
    // One trace per request id: a chunk may hold a duplicate delivery (the last one wins).
    const unique = new Map<string, ConsumedItem<ResponseEvent>>();
    for (const item of items) unique.set(item.value.request_id, item);
    const list = [...unique.values()];
    try {
      await this.#send(list.map((i) => traceItemOf(i.value)));
      return [];
    } catch (error) {
      if (!(error instanceof MlflowError) || error.transient) throw error;
    }
    // MLflow refused the chunk for good: send each alone, dead-lettering the ones it refuses.
    const failures: ItemFailure<ResponseEvent>[] = [];
    for (const item of list) {
      try {
        await this.#send([traceItemOf(item.value)]);
      } catch (error) {
        if (!(error instanceof MlflowError) || error.transient) throw error;
        failures.push({ item, reason: `MLflow refused the trace: ${error.message}` });
      }
    }
    return failures;
  }
}
