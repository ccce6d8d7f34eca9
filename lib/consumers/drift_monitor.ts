/**
 * The drift monitor: a consumer of `llm.responses` (group `drift-monitor`) that feeds a
 * {@linkcode DriftTracker} (lib/drift) and recomputes the drift report on an interval when new
 * responses arrived.
 *
 * A new consumer group starts from the earliest retained offset, so the reference is the first N
 * responses of the topic. The windows live in memory: after a restart the group resumes from its
 * committed offsets (the dashboard resets them to the earliest, so it rebuilds the same windows).
 * Duplicate deliveries are dropped by request id; invalid messages go to `llm.dlq` through
 * {@linkcode BatchConsumer}.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import {
  type DriftAlert,
  type DriftSettings,
  type DriftSnapshot,
  type DriftStatus,
  DriftTracker,
  type WindowsDescription,
} from "../drift/mod.ts";
import { decodeResponse, type ResponseEvent } from "../events/mod.ts";
import { BatchConsumer, type EventProducer, GROUPS, TOPICS } from "../kafka/mod.ts";
import { RecentIds } from "../metrics/mod.ts";

/** Default time between recomputations. */
export const DEFAULT_DRIFT_INTERVAL_MS = 5_000;

/** Options of {@linkcode DriftMonitor}. */
export interface DriftMonitorOptions extends DriftSettings {
  kafka: Kafka;
  /** Producer for dead letters (owned by the caller). */
  dlq: EventProducer;
  /** Topic of response events. Default `llm.responses`. */
  topic?: string;
  /** Consumer group. Default `drift-monitor`. */
  groupId?: string;
  /** Time between recomputations (only when new rows arrived). Default 5 s. */
  intervalMs?: number;
  /** Called with each new report (the dashboard pushes it over SSE). */
  onReport?: (snapshot: DriftSnapshot) => void;
  /** Called when dataset drift flips from false to true. */
  onAlert?: (alert: DriftAlert) => void;
  /** Called when a recomputation or the consumer fails (for logs and health). */
  onError?: (error: Error) => void;
  /** Clock (ms since the epoch), for tests. */
  now?: () => number;
}

function checkInterval(value: unknown): number {
  const v = value ?? DEFAULT_DRIFT_INTERVAL_MS;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 10) {
    throw new RangeError(`Expected intervalMs to be a number ≥ 10, found ${JSON.stringify(value)}`);
  }
  return v;
}

/**
 * Watches `llm.responses` for drift.
 *
 * @example
 * ```ts ignore
 * const monitor = new DriftMonitor({
 *   kafka, dlq: producer,
 *   onReport: (s) => console.log(s.report.dataset_drift),
 *   onAlert: (a) => console.warn("drift in", a.drifted_columns),
 * });
 * await monitor.start();
 * monitor.configure({ referenceSize: 100, currentSize: 100 });
 * await monitor.stop();
 * ```
 */
export class DriftMonitor {
  readonly #kafka: Kafka;
  readonly #dlq: EventProducer;
  readonly #topic: string;
  readonly #groupId: string;
  readonly #intervalMs: number;
  readonly #onError?: (error: Error) => void;
  readonly #tracker: DriftTracker;
  /** Request ids counted, to drop duplicate deliveries (bounded, like the dashboard's). */
  readonly #seen = new RecentIds(100_000);
  #consumer: BatchConsumer<ResponseEvent> | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #dirty = false;

  constructor(options: DriftMonitorOptions) {
    if (!options || typeof options !== "object" || !options.kafka || !options.dlq) {
      throw new TypeError(
        "Expected DriftMonitor options with a kafka client and a dlq producer, found none",
      );
    }
    this.#kafka = options.kafka;
    this.#dlq = options.dlq;
    this.#topic = options.topic ?? TOPICS.responses;
    this.#groupId = options.groupId ?? GROUPS.driftMonitor;
    this.#intervalMs = checkInterval(options.intervalMs);
    this.#onError = options.onError;
    this.#tracker = new DriftTracker(options);
  }

  /** The topic consumed. */
  get topic(): string {
    return this.#topic;
  }

  /** The consumer group. */
  get groupId(): string {
    return this.#groupId;
  }

  /** Messages sent to the DLQ by this monitor. */
  get deadLetteredCount(): number {
    return this.#consumer?.deadLetteredCount ?? 0;
  }

  /** The last recomputation or consumer error, or null. */
  get lastError(): string | null {
    return this.#tracker.lastError ?? this.#consumer?.lastError ?? null;
  }

  /** Joins the group, starts consuming and recomputing. Resolves once running. */
  async start(): Promise<void> {
    if (this.#consumer) throw new Error("DriftMonitor is already started");
    this.#consumer = new BatchConsumer<ResponseEvent>({
      kafka: this.#kafka,
      groupId: this.#groupId,
      topics: [this.#topic],
      fromBeginning: true,
      dlq: this.#dlq,
      chunkSize: 500,
      decode: (message) => decodeResponse(message.value),
      handle: (items) => {
        // within a chunk, in the order the responses finished
        const events = items.map((i) => i.value).sort((a, b) => a.ts_end - b.ts_end);
        // at-least-once delivery repeats some responses: each request counts once
        for (const event of events) {
          if (this.#seen.addIfNew(event.request_id)) this.#tracker.add(event);
        }
        this.#dirty = true;
        return Promise.resolve();
      },
      onError: (error) => this.#onError?.(error),
    });
    this.#timer = setInterval(() => {
      if (this.#dirty) this.recompute();
    }, this.#intervalMs);
    await this.#consumer.start();
  }

  /** Stops recomputing and consuming (the chunk in hand is committed). */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    const consumer = this.#consumer;
    this.#consumer = null;
    await consumer?.stop();
  }

  /** See {@linkcode DriftTracker.configure}. */
  configure(settings: DriftSettings): DriftSnapshot | null {
    return this.#tracker.configure(settings);
  }

  /** See {@linkcode DriftTracker.pinCurrent}: the newest M responses become the baseline. */
  pinCurrent(label?: string): DriftSnapshot | null {
    return this.#tracker.pinCurrent(label);
  }

  /** Recomputes now (see {@linkcode DriftTracker.recompute}). */
  recompute(): DriftSnapshot | null {
    this.#dirty = false;
    return this.#tracker.recompute();
  }

  /** The latest report (provisional while the windows fill), or null before the first one. */
  latest(): DriftSnapshot | null {
    return this.#tracker.latest();
  }

  /** The latest report, or what is missing before the first one. */
  status(): DriftStatus {
    return this.#tracker.status();
  }

  /** The last alerts, oldest first. */
  alerts(): DriftAlert[] {
    return this.#tracker.alerts();
  }

  /** What windows are in use now. */
  windows(): WindowsDescription {
    return this.#tracker.windows();
  }

  /** Responses still needed to fill both windows (a full report). */
  needed(): number {
    return this.#tracker.needed();
  }

  /** Responses still needed before the first report (provisional while the windows fill). */
  neededForReport(): number {
    return this.#tracker.neededForReport();
  }

  /** Valid responses consumed so far. */
  get responsesSeen(): number {
    return this.#tracker.responsesSeen;
  }
}
