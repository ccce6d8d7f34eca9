/**
 * The drift monitor: a consumer of `llm.responses` (group `drift-monitor`) that keeps a
 * reference window and a sliding current window of LLM columns ({@linkcode DriftWindows}),
 * recomputes the drift report on an interval when new responses arrived, keeps the latest
 * report and raises an alert when dataset drift appears.
 *
 * Windows: the reference is the first N responses the monitor consumes (default 200) or a
 * pinned baseline; the current window is the newest M responses (default 200). A new consumer
 * group starts from the earliest retained offset, so the reference is the first N responses of
 * the topic. The windows live in memory: after a restart the group resumes from its committed
 * offsets, so the reference becomes the first N responses after that point. A team that wants
 * a stable reference, or "the first N since now", pins a baseline file (export it with
 * `export_responses.ts`).
 *
 * Invalid messages go to `llm.dlq` through {@linkcode BatchConsumer}.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import { decodeEvent, parseResponseEvent, type ResponseEvent } from "../events/mod.ts";
import { BatchConsumer } from "../kafka/consumer.ts";
import { EventProducer } from "../kafka/producer.ts";
import { GROUPS, TOPICS } from "../kafka/topics.ts";
import { RecentIds } from "../metrics/recent_ids.ts";
import { checkLlmDriftOptions, driftFromRows, type LlmDriftOptions } from "./llm_report.ts";
import type { LlmColumnsRow } from "./llm_columns.ts";
import type { DriftReport } from "./report.ts";
import type { ColumnKind, StatTestName } from "./types.ts";
import {
  DEFAULT_CURRENT_SIZE,
  DEFAULT_REFERENCE_SIZE,
  DriftWindows,
  type WindowsDescription,
} from "./windows.ts";

/** Default time between recomputations. */
export const DEFAULT_DRIFT_INTERVAL_MS = 5_000;
/** Number of alerts kept. */
export const MAX_ALERTS = 20;

/** Options that can be changed at run time with {@linkcode DriftMonitor.configure}. */
export interface DriftMonitorSettings {
  /** N: reference = the first N responses. Default 200. */
  referenceSize?: number;
  /** M: current = the newest M responses. Default 200. */
  currentSize?: number;
  /**
   * A pinned baseline (LLM rows read from a file) used as reference instead of the first N
   * responses; `null` unpins it.
   */
  baselineRows?: readonly LlmColumnsRow[] | null;
  /** Name of the baseline file, shown in the windows' description. */
  baselineLabel?: string;
  /** Columns to compare (default: every LLM column with values in both windows). */
  columns?: readonly string[] | null;
  /** Test for every column (default: Evidently's choice per column). `null` resets. */
  stattest?: StatTestName | null;
  /** Threshold for every column (default: the test's). `null` resets. */
  threshold?: number | null;
  /** Dataset drift when at least this share of columns drifts. Default 0.5. `null` resets. */
  driftShare?: number | null;
}

/** Options of {@linkcode DriftMonitor}. */
export interface DriftMonitorOptions extends DriftMonitorSettings {
  kafka: Kafka;
  /** Producer for dead letters; when omitted the monitor creates, connects and closes one. */
  dlq?: EventProducer;
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

/** One column's values in both windows, for the distribution plots. */
export interface ColumnDistribution {
  kind: ColumnKind;
  reference: (number | string | null)[];
  current: (number | string | null)[];
}

/** The monitor's latest report. */
export interface DriftSnapshot {
  /** The report, in the JSON shape of `cli.ts --json`. */
  report: DriftReport;
  /** The windows the report compares. */
  windows: WindowsDescription;
  /** Each compared column's values in both windows. */
  distributions: Record<string, ColumnDistribution>;
  /** When the report was computed (ms since the epoch). */
  computed_at: number;
  /** Valid responses consumed so far. */
  responses_seen: number;
  /** The last alerts, oldest first. */
  alerts: DriftAlert[];
}

/** Raised when dataset drift flips from false to true. */
export interface DriftAlert {
  /** When (ms since the epoch). */
  at: number;
  /** Names of the drifted columns. */
  drifted_columns: string[];
  /** Share of drifted columns. */
  share: number;
}

function checkSize(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < 1)) {
    throw new RangeError(
      `Expected ${name} to be a positive integer, found ${JSON.stringify(value)}`,
    );
  }
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
 * import { createKafka } from "../kafka/mod.ts";
 * import { DriftMonitor } from "./monitor.ts";
 * const monitor = new DriftMonitor({
 *   kafka: createKafka(["127.0.0.1:9092"], "drift-monitor"),
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
  readonly #ownsDlq: boolean;
  readonly #topic: string;
  readonly #groupId: string;
  readonly #intervalMs: number;
  readonly #onReport?: (snapshot: DriftSnapshot) => void;
  readonly #onAlert?: (alert: DriftAlert) => void;
  readonly #onError?: (error: Error) => void;
  readonly #now: () => number;
  readonly #windows: DriftWindows;
  /** Request ids counted, to drop duplicate deliveries (bounded, like the dashboard's). */
  readonly #seen = new RecentIds(100_000);
  #options: LlmDriftOptions = {};
  #consumer: BatchConsumer<ResponseEvent> | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #dirty = false;
  #latest: DriftSnapshot | null = null;
  #lastDrift = false;
  #alerts: DriftAlert[] = [];
  #lastError: string | null = null;

  constructor(options: DriftMonitorOptions) {
    if (!options || typeof options !== "object" || !options.kafka) {
      throw new TypeError("Expected DriftMonitor options with a kafka client, found none");
    }
    checkSize(options.referenceSize, "referenceSize");
    checkSize(options.currentSize, "currentSize");
    this.#kafka = options.kafka;
    this.#ownsDlq = !options.dlq;
    this.#dlq = options.dlq ?? new EventProducer(options.kafka);
    this.#topic = options.topic ?? TOPICS.responses;
    this.#groupId = options.groupId ?? GROUPS.driftMonitor;
    this.#intervalMs = checkInterval(options.intervalMs);
    this.#onReport = options.onReport;
    this.#onAlert = options.onAlert;
    this.#onError = options.onError;
    this.#now = options.now ?? Date.now;
    this.#windows = new DriftWindows({
      referenceSize: options.referenceSize ?? DEFAULT_REFERENCE_SIZE,
      currentSize: options.currentSize ?? DEFAULT_CURRENT_SIZE,
    });
    this.#applySettings(options);
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
    return this.#lastError ?? this.#consumer?.lastError ?? null;
  }

  /** Joins the group, starts consuming and recomputing. Resolves once running. */
  async start(): Promise<void> {
    if (this.#consumer) throw new Error("DriftMonitor is already started");
    if (this.#ownsDlq) await this.#dlq.connect();
    this.#consumer = new BatchConsumer<ResponseEvent>({
      kafka: this.#kafka,
      groupId: this.#groupId,
      topics: [this.#topic],
      fromBeginning: true,
      dlq: this.#dlq,
      chunkSize: 500,
      decode: (message) => decodeEvent(message.value, "llm.response.v1", parseResponseEvent),
      handle: (items) => {
        // within a chunk, in the order the responses finished
        const events = items.map((i) => i.value).sort((a, b) => a.ts_end - b.ts_end);
        // at-least-once delivery repeats some responses: each request counts once
        for (const event of events) {
          if (this.#seen.addIfNew(event.request_id)) this.#windows.add(event);
        }
        this.#dirty = true;
        return Promise.resolve();
      },
      onError: (error) => this.#fail(error),
    });
    this.#timer = setInterval(() => {
      if (this.#dirty) this.recompute();
    }, this.#intervalMs);
    await this.#consumer.start();
  }

  /** Stops recomputing and consuming (the chunk in hand is committed) and closes its producer. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    const consumer = this.#consumer;
    this.#consumer = null;
    await consumer?.stop();
    if (this.#ownsDlq) await this.#dlq.disconnect();
  }

  /**
   * Changes windows and report options at run time and recomputes at once. Options are checked
   * first (a TypeError or RangeError, and nothing changes). When the report cannot be computed
   * with the new report options (a chosen column has no values in a window), the previous report
   * options are restored and a RangeError says why. Returns the new report, or null while the
   * windows are not full.
   */
  configure(settings: DriftMonitorSettings): DriftSnapshot | null {
    if (settings === null || typeof settings !== "object") {
      throw new TypeError(
        `Expected drift settings to be an object, found ${JSON.stringify(settings)}`,
      );
    }
    checkSize(settings.referenceSize, "referenceSize");
    checkSize(settings.currentSize, "currentSize");
    const next = this.#mergeOptions(settings);
    checkLlmDriftOptions(next);
    if (settings.baselineRows !== undefined && settings.baselineRows !== null) {
      // validates the rows before anything changes
      new DriftWindows({ referenceSize: 1, currentSize: 1 }).setReference({
        kind: "baseline",
        rows: settings.baselineRows,
      });
    }
    const previous = this.#options;
    this.#applySettings(settings);
    const snapshot = this.recompute();
    if (snapshot === null && this.#windows.ready()) {
      // the new report options do not fit the data (e.g. a column without values): keep the
      // previous ones and say why
      const reason = this.#lastError ?? "the drift report failed";
      this.#options = previous;
      this.recompute();
      throw new RangeError(reason);
    }
    return snapshot;
  }

  #mergeOptions(s: DriftMonitorSettings): LlmDriftOptions {
    const next: LlmDriftOptions = { ...this.#options };
    const set = <K extends keyof LlmDriftOptions>(key: K, value: unknown) => {
      if (value === undefined) return;
      if (value === null) delete next[key];
      else next[key] = value as LlmDriftOptions[K];
    };
    set("columns", s.columns === undefined || s.columns === null ? s.columns : [...s.columns]);
    set("stattest", s.stattest);
    set("threshold", s.threshold);
    set("driftShare", s.driftShare);
    return next;
  }

  #applySettings(s: DriftMonitorSettings): void {
    const next = this.#mergeOptions(s);
    checkLlmDriftOptions(next);
    if (s.referenceSize !== undefined || s.currentSize !== undefined) {
      this.#windows.setWindowSizes({ reference: s.referenceSize, current: s.currentSize });
    }
    if (s.baselineRows === null) this.#windows.setReference({ kind: "first_n" });
    else if (s.baselineRows !== undefined) {
      this.#windows.setReference({
        kind: "baseline",
        rows: s.baselineRows,
        label: s.baselineLabel,
      });
    }
    this.#options = next;
  }

  /**
   * Recomputes the report now when both windows are full; returns it (and calls `onReport`),
   * or null when the windows are not full yet or the computation failed (see `lastError`).
   */
  recompute(): DriftSnapshot | null {
    this.#dirty = false;
    if (!this.#windows.ready()) return null;
    const reference = this.#windows.reference();
    const current = this.#windows.current();
    let report: DriftReport;
    try {
      report = driftFromRows(reference, current, this.#options);
    } catch (error) {
      this.#fail(error as Error);
      return null;
    }
    this.#lastError = null;
    const at = this.#now();
    if (report.dataset_drift && !this.#lastDrift) {
      const alert: DriftAlert = {
        at,
        drifted_columns: report.columns.filter((c) => c.drifted).map((c) => c.column),
        share: report.share_of_drifted_columns,
      };
      this.#alerts.push(alert);
      if (this.#alerts.length > MAX_ALERTS) {
        this.#alerts.splice(0, this.#alerts.length - MAX_ALERTS);
      }
      this.#call(() => this.#onAlert?.(alert));
    }
    this.#lastDrift = report.dataset_drift;
    const distributions: Record<string, ColumnDistribution> = {};
    for (const c of report.columns) {
      const values = (rows: LlmColumnsRow[]) => rows.map((r) => r[c.column] ?? null);
      distributions[c.column] = {
        kind: c.kind,
        reference: values(reference),
        current: values(current),
      };
    }
    this.#latest = {
      report,
      windows: this.#windows.describe(),
      distributions,
      computed_at: at,
      responses_seen: this.#windows.responsesSeen,
      alerts: this.alerts(),
    };
    const snapshot = this.#latest;
    this.#call(() => this.#onReport?.(snapshot));
    return snapshot;
  }

  /** The latest report, or null before the windows were first full. */
  latest(): DriftSnapshot | null {
    return this.#latest;
  }

  /** The last 20 alerts, oldest first. */
  alerts(): DriftAlert[] {
    return this.#alerts.map((a) => ({ ...a, drifted_columns: [...a.drifted_columns] }));
  }

  /** What windows are in use now. */
  windows(): WindowsDescription {
    return this.#windows.describe();
  }

  /** Responses still needed before the first report. */
  needed(): number {
    return this.#windows.needed();
  }

  /** Valid responses consumed so far. */
  get responsesSeen(): number {
    return this.#windows.responsesSeen;
  }

  #fail(error: Error): void {
    this.#lastError = error.message;
    this.#call(() => this.#onError?.(error));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      // a failing listener must not stop the monitor
      this.#lastError = `listener failed: ${(error as Error)?.message ?? String(error)}`;
    }
  }
}
