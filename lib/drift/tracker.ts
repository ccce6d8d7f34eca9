/**
 * The drift monitor's state, without any transport: the reference and current windows of LLM
 * columns ({@linkcode DriftWindows}), the report options, the latest report and the alerts raised
 * when dataset drift appears. The consumer loop in `lib/consumers/drift_monitor.ts` feeds it from
 * `llm.responses`; notebooks and tests can feed it directly.
 *
 * Windows: the reference is the first N responses added (default 200) or a pinned baseline; the
 * current window is the newest M responses (default 200). Until both are full, a *provisional*
 * report compares what has arrived once each side has 30 rows (see `DriftWindows.compared`): the
 * first minutes of traffic already show a report, marked `provisional` with its row counts.
 *
 * Browser-safe: no `Deno.*`, no Kafka.
 *
 * @module
 */

import { checkLlmDriftOptions, driftFromRows, type LlmDriftOptions } from "./llm_report.ts";
import type { LlmColumnsRow } from "./llm_columns.ts";
import type { DriftReport } from "./report.ts";
import type { ColumnKind, StatTestName } from "./types.ts";
import {
  DEFAULT_CURRENT_SIZE,
  DEFAULT_REFERENCE_SIZE,
  DriftWindows,
  type WindowEvent,
  type WindowsDescription,
} from "./windows.ts";

/** Number of alerts kept. */
export const MAX_ALERTS = 20;

/** Options that can be changed at run time with {@linkcode DriftTracker.configure}. */
export interface DriftSettings {
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

/** Options of {@linkcode DriftTracker}. */
export interface DriftTrackerOptions extends DriftSettings {
  /** Called with each new report. */
  onReport?: (snapshot: DriftSnapshot) => void;
  /** Called when dataset drift flips from false to true. */
  onAlert?: (alert: DriftAlert) => void;
  /** Called when a recomputation fails. */
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
  /** The report, in the JSON shape of `cli.ts --json` (its row counts are the rows compared). */
  report: DriftReport;
  /**
   * True while the configured windows are not full: the report compares the rows that have
   * arrived (the first part as reference, the newest part as current, or a pinned baseline
   * against the newest rows), `report.reference_rows` and `report.current_rows` of them. False:
   * the configured windows.
   */
  provisional: boolean;
  /** Responses still needed to fill the configured windows (0 for a full report). */
  needed: number;
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

/** What there is to show while no report exists yet. */
export interface DriftWaiting {
  report: null;
  /** Why there is no report, in words. */
  reason: string;
  windows: WindowsDescription;
  alerts: DriftAlert[];
}

/** The drift state as the API serves it: the latest report, or why there is none yet. */
export type DriftStatus = DriftSnapshot | DriftWaiting;

/** Raised when dataset drift flips from false to true. */
export interface DriftAlert {
  /** When (ms since the epoch). */
  at: number;
  /** Names of the drifted columns. */
  drifted_columns: string[];
  /** Share of drifted columns. */
  share: number;
  /** True when the report that raised it was provisional (windows not yet full). */
  provisional?: boolean;
}

function checkSize(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < 1)) {
    throw new RangeError(
      `Expected ${name} to be a positive integer, found ${JSON.stringify(value)}`,
    );
  }
}

/**
 * Drift windows, report options, the latest report and alerts.
 *
 * @example
 * ```ts
 * import { DriftTracker } from "./tracker.ts";
 * const tracker = new DriftTracker({ referenceSize: 50, currentSize: 50 });
 * tracker.add({ latency_ms: 1200, status: "success", ts_end: Date.now() });
 * tracker.recompute(); // null until each side has 30 rows (a provisional report)
 * tracker.status().report; // null, with a reason
 * ```
 */
export class DriftTracker {
  readonly #onReport?: (snapshot: DriftSnapshot) => void;
  readonly #onAlert?: (alert: DriftAlert) => void;
  readonly #onError?: (error: Error) => void;
  readonly #now: () => number;
  readonly #windows: DriftWindows;
  #options: LlmDriftOptions = {};
  #latest: DriftSnapshot | null = null;
  #lastDrift = false;
  #alerts: DriftAlert[] = [];
  #lastError: string | null = null;

  constructor(options: DriftTrackerOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(`Expected drift tracker options, found ${JSON.stringify(options)}`);
    }
    checkSize(options.referenceSize, "referenceSize");
    checkSize(options.currentSize, "currentSize");
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

  /** The last recomputation error (or failing listener), or null. */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Adds one response (its LLM columns) to the windows. The caller drops duplicates. */
  add(event: WindowEvent): void {
    this.#windows.add(event);
  }

  /**
   * Changes windows and report options at run time and recomputes at once. Options are checked
   * first (a TypeError or RangeError, and nothing changes). When the report cannot be computed
   * with the new report options (a chosen column has no values in a window), the previous report
   * options are restored and a RangeError says why. Returns the new report (provisional while
   * the windows are not full), or null while there are too few rows for any report.
   */
  configure(settings: DriftSettings): DriftSnapshot | null {
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
    // a report of the old windows no longer describes the new ones: say what is missing instead
    if (snapshot === null && this.#windows.compared() === null) this.#latest = null;
    if (snapshot === null && this.#windows.compared() !== null) {
      // the new report options do not fit the data (e.g. a column without values): keep the
      // previous ones and say why
      const reason = this.#lastError ?? "the drift report failed";
      this.#options = previous;
      this.recompute();
      throw new RangeError(reason);
    }
    return snapshot;
  }

  #mergeOptions(s: DriftSettings): LlmDriftOptions {
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

  #applySettings(s: DriftSettings): void {
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
   * Pins the newest M responses (M: the current window's size) as the baseline (reference) from
   * now on, e.g. after a period of known-good traffic, and recomputes; the current window is then
   * the newest M responses, so the first report shows no drift. The label names it (default:
   * "newest M responses at <ISO time>"). Throws a RangeError when no response has arrived.
   */
  pinCurrent(label?: string): DriftSnapshot | null {
    const { rows, from, to } = this.#windows.newest();
    if (rows.length === 0) {
      throw new RangeError("Expected responses to pin as baseline, found none");
    }
    this.#windows.setReference({
      kind: "baseline",
      rows,
      label: label ??
        `newest ${rows.length} responses at ${new Date(this.#now()).toISOString()}`,
      from,
      to,
    });
    const snapshot = this.recompute();
    if (snapshot === null && this.#windows.compared() === null) this.#latest = null;
    return snapshot;
  }

  /**
   * Recomputes the report now: on the full windows, or provisionally while they fill (see
   * `DriftWindows.compared`); returns it (and calls `onReport`), or null when there are too few
   * rows yet or the computation failed (see `lastError`).
   */
  recompute(): DriftSnapshot | null {
    const compared = this.#windows.compared();
    if (compared === null) return null;
    const { reference, current, provisional } = compared;
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
        ...(provisional ? { provisional: true } : {}),
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
      provisional,
      needed: this.#windows.needed(),
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

  /** The latest report (provisional or full), or null before the first one. */
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

  /** The latest report, or what is missing before the first one. */
  status(): DriftStatus {
    if (this.#latest) return this.#latest;
    const forReport = this.neededForReport();
    const full = this.needed();
    return {
      report: null,
      reason: forReport < full
        ? `waiting for responses: the drift monitor needs ${forReport} more for a first, ` +
          `provisional report (${full} more to fill the windows)`
        : `waiting for responses: the drift monitor needs ${full} more`,
      windows: this.windows(),
      alerts: this.alerts(),
    };
  }

  /** Responses still needed to fill both windows (a full report). */
  needed(): number {
    return this.#windows.needed();
  }

  /** Responses still needed before the first report (provisional while the windows fill). */
  neededForReport(): number {
    return this.#windows.neededForReport();
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
