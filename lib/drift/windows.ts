/**
 * The reference and current windows of the drift monitor, with bounded memory.
 *
 * - Reference: the first N responses seen (`first_n`, default 200), or a pinned baseline (rows
 *   that the caller loaded from a file, `baseline`). The first N rows are kept even while a
 *   baseline is pinned, so unpinning goes back to them.
 * - Current: the newest M responses (default 200), in a ring buffer. With a `first_n` reference
 *   the current window holds only responses that came after the reference (the two never
 *   overlap); with a baseline it holds the newest M responses of all.
 *
 * While the windows are not full, {@linkcode DriftWindows.compared} still offers rows to compare
 * once both sides have a minimum ({@linkcode PROVISIONAL_MIN_ROWS}, 30, or the configured size
 * when smaller): the first part of what has arrived as reference and the newest part as current
 * (about half each), or the pinned baseline against the newest rows. Such a comparison is
 * *provisional*; once both windows are full, it is the windows themselves.
 *
 * Memory: at most N + M rows (plus the baseline's rows). Browser-safe: no `Deno.*`.
 *
 * @module
 */

import { RingBuffer } from "../metrics/ring_buffer.ts";
import { llmColumns, type LlmColumnsRow, type LlmResponseLike } from "./llm_columns.ts";

/** Default number of reference rows (the first N responses). */
export const DEFAULT_REFERENCE_SIZE = 200;
/** Default number of current rows (the newest M responses). */
export const DEFAULT_CURRENT_SIZE = 200;

/**
 * Rows on each side before a provisional comparison is offered (a configured window smaller than
 * this needs only its own size).
 */
export const PROVISIONAL_MIN_ROWS = 30;

/** A response event as the windows read it: the LLM fields plus its timestamps (ms). */
export type WindowEvent = LlmResponseLike & { ts_end?: number | null; ts?: number | null };

/** Kind of reference window. */
export type ReferenceKind = "first_n" | "baseline";

/** How to pick the reference, for {@linkcode DriftWindows.setReference}. */
export type ReferenceSpec =
  | { kind: "first_n"; size?: number }
  | {
    kind: "baseline";
    /** The pinned rows (LLM columns, e.g. read from a CSV that `export_responses.ts` wrote). */
    rows: readonly LlmColumnsRow[];
    /** Where the rows came from (a file name), shown by `describe()`. */
    label?: string;
    /** Time range of the baseline's responses (ms since the epoch), when the caller knows it. */
    from?: number | null;
    to?: number | null;
  };

/** Options of {@linkcode DriftWindows}. */
export interface DriftWindowsOptions {
  /** N, the number of first responses used as reference. Default 200. */
  referenceSize?: number;
  /** M, the number of newest responses in the current window. Default 200. */
  currentSize?: number;
}

/** What one window holds. Times are milliseconds since the epoch, null when unknown. */
export interface WindowDescription {
  /** Configured size (for a baseline: its number of rows). */
  size: number;
  /** Rows held now. */
  rows: number;
  /** Timestamp of the oldest row held, or null. */
  from: number | null;
  /** Timestamp of the newest row held, or null. */
  to: number | null;
}

/** What windows are in use, for the dashboard and the monitor's report. */
export interface WindowsDescription {
  reference: WindowDescription & {
    kind: ReferenceKind;
    /** The baseline's label (file name), or null. */
    label: string | null;
    /**
     * False when the reference was enlarged after rows that should now belong to it had already
     * left the current window: it is then the first rows seen plus later ones.
     */
    contiguous: boolean;
  };
  current: WindowDescription & { kind: "newest_m" };
  /** Responses added since the windows were created. */
  responses_seen: number;
  /** Whether both windows are full (see {@linkcode DriftWindows.ready}). */
  ready: boolean;
}

/** The rows a report compares now (see {@linkcode DriftWindows.compared}). */
export interface ComparedRows {
  /** Reference rows, oldest first. */
  reference: LlmColumnsRow[];
  /** Current rows, oldest first. */
  current: LlmColumnsRow[];
  /**
   * True while the configured windows are not full: the rows are a provisional split of what
   * has arrived (or the baseline against the newest rows). False: the configured windows.
   */
  provisional: boolean;
}

interface Entry {
  row: LlmColumnsRow;
  ts: number | null;
}

/**
 * How many of k rows, in arrival order, a provisional comparison uses: the first `reference`
 * rows and the newest `current` rows. The current side takes the newest half (at most M), the
 * reference the rows before it (at most N); the current side then takes what the reference could
 * not. O(1).
 */
function provisionalSplit(
  k: number,
  referenceSize: number,
  currentSize: number,
): { reference: number; current: number } {
  const half = Math.min(currentSize, Math.ceil(k / 2));
  const reference = Math.min(referenceSize, k - half);
  return { reference, current: Math.min(currentSize, k - reference) };
}

function checkSize(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Expected ${name} to be a positive integer, found ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function eventTime(event: WindowEvent): number | null {
  for (const v of [event.ts_end, event.ts]) {
    if (typeof v === "number" && Number.isFinite(v)) return v;
  }
  return null;
}

function timeRange(entries: readonly Entry[]): { from: number | null; to: number | null } {
  let from: number | null = null;
  let to: number | null = null;
  for (const { ts } of entries) {
    if (ts === null) continue;
    if (from === null || ts < from) from = ts;
    if (to === null || ts > to) to = ts;
  }
  return { from, to };
}

/**
 * Reference and current windows of LLM rows with bounded memory. Rows arrive in consumption
 * order; a response is added once (the caller deduplicates redeliveries if it must).
 *
 * @example
 * ```ts
 * import { DriftWindows } from "./windows.ts";
 * const windows = new DriftWindows({ referenceSize: 2, currentSize: 2 });
 * for (const latency_ms of [100, 110, 300, 320, 310]) windows.add({ latency_ms, ts_end: latency_ms });
 * windows.ready(); // true
 * windows.reference().map((r) => r.latency_s); // [0.1, 0.11]
 * windows.current().map((r) => r.latency_s); // [0.32, 0.31]
 * ```
 */
export class DriftWindows {
  #referenceSize: number;
  #first: Entry[] = [];
  #ring: RingBuffer<Entry>;
  /** Rows pushed to the ring since the first-N store filled (to detect evictions). */
  #afterFirst = 0;
  /** How many leading reference rows are really the first responses seen. */
  #contiguousRows = Number.POSITIVE_INFINITY;
  #baseline: {
    rows: LlmColumnsRow[];
    label: string | null;
    from: number | null;
    to: number | null;
  } | null = null;
  #seen = 0;

  constructor(options: DriftWindowsOptions = {}) {
    this.#referenceSize = checkSize(
      options.referenceSize ?? DEFAULT_REFERENCE_SIZE,
      "referenceSize",
    );
    this.#ring = new RingBuffer(
      checkSize(options.currentSize ?? DEFAULT_CURRENT_SIZE, "currentSize"),
    );
  }

  /** N: the configured number of first responses used as reference. */
  get referenceSize(): number {
    return this.#referenceSize;
  }

  /** M: the configured number of newest responses in the current window. */
  get currentSize(): number {
    return this.#ring.capacity;
  }

  /** The kind of reference in use. */
  get referenceKind(): ReferenceKind {
    return this.#baseline ? "baseline" : "first_n";
  }

  /** Responses added so far. */
  get responsesSeen(): number {
    return this.#seen;
  }

  /**
   * Adds one response event (its LLM columns). O(text length).
   */
  add(event: WindowEvent): void {
    const [row] = llmColumns([event]);
    this.addRow(row, eventTime(event));
  }

  /** Adds one row of LLM columns with its timestamp (ms), or null when unknown. O(1). */
  addRow(row: LlmColumnsRow, ts: number | null = null): void {
    if (row === null || typeof row !== "object") {
      throw new TypeError(`Expected a row of LLM columns, found ${JSON.stringify(row)}`);
    }
    this.#seen++;
    const entry = { row, ts };
    if (this.#first.length < this.#referenceSize) {
      this.#first.push(entry);
      return;
    }
    this.#ring.push(entry);
    this.#afterFirst++;
  }

  /**
   * Chooses the reference: the first N responses (optionally changing N), or a pinned baseline.
   * A baseline must have at least one row; it is copied.
   */
  setReference(spec: ReferenceSpec): void {
    if (spec === null || typeof spec !== "object") {
      throw new TypeError(`Expected a reference spec object, found ${JSON.stringify(spec)}`);
    }
    if (spec.kind === "first_n") {
      this.#baseline = null;
      if (spec.size !== undefined) this.setWindowSizes({ reference: spec.size });
      return;
    }
    if (spec.kind !== "baseline") {
      throw new RangeError(
        `Expected reference kind "first_n" or "baseline", found ${
          JSON.stringify((spec as { kind: unknown }).kind)
        }`,
      );
    }
    if (!Array.isArray(spec.rows) || spec.rows.length === 0) {
      throw new RangeError(
        `Expected baseline rows to be a non-empty array, found ${
          Array.isArray(spec.rows) ? "an empty array" : typeof spec.rows
        }`,
      );
    }
    spec.rows.forEach((r, i) => {
      if (r === null || typeof r !== "object" || Array.isArray(r)) {
        throw new TypeError(
          `Expected baseline row ${i} to be an object, found ${JSON.stringify(r)}`,
        );
      }
    });
    this.#baseline = {
      rows: spec.rows.map((r) => ({ ...r })),
      label: spec.label ?? null,
      from: spec.from ?? null,
      to: spec.to ?? null,
    };
  }

  /**
   * Changes N and/or M. Shrinking the reference hands its last rows to the current window
   * (where they are the oldest, so they stay only if there is room); enlarging it takes the
   * oldest rows of the current window. Shrinking the current window drops its oldest rows;
   * enlarging it keeps what it holds. O(N + M).
   */
  setWindowSizes(sizes: { reference?: number; current?: number }): void {
    const reference = sizes.reference === undefined
      ? this.#referenceSize
      : checkSize(sizes.reference, "reference size");
    const current = sizes.current === undefined
      ? this.#ring.capacity
      : checkSize(sizes.current, "current size");
    let after = this.#ring.toArray();
    if (reference < this.#first.length) {
      const moved = this.#first.splice(reference);
      after = [...moved, ...after];
      this.#afterFirst += moved.length;
    } else if (reference > this.#first.length) {
      // rows that left the ring (evicted) came right after the first N: taking later rows
      // leaves a gap
      if (this.#afterFirst > after.length) {
        this.#contiguousRows = Math.min(this.#contiguousRows, this.#first.length);
      } else if (this.#first.length <= this.#contiguousRows) {
        this.#contiguousRows = Number.POSITIVE_INFINITY;
      }
      const take = Math.min(reference - this.#first.length, after.length);
      this.#first.push(...after.splice(0, take));
      this.#afterFirst -= take;
    }
    this.#referenceSize = reference;
    this.#ring = new RingBuffer(current);
    for (const e of after.slice(-current)) this.#ring.push(e);
  }

  /** Rows of the reference window, oldest first (a copy). */
  reference(): LlmColumnsRow[] {
    if (this.#baseline) return [...this.#baseline.rows];
    return this.#first.map((e) => e.row);
  }

  /** Rows of the current window, oldest first (a copy). */
  current(): LlmColumnsRow[] {
    return this.#currentEntries().map((e) => e.row);
  }

  #currentEntries(): Entry[] {
    if (!this.#baseline) return this.#ring.toArray();
    // with a baseline, the newest M responses of all: the first-N store's tail comes before
    return this.#newestEntries();
  }

  #newestEntries(): Entry[] {
    const ring = this.#ring.toArray();
    if (ring.length >= this.#ring.capacity) return ring;
    const missing = this.#ring.capacity - ring.length;
    return [...this.#first.slice(-missing), ...ring];
  }

  /**
   * The newest M rows held, whatever window they are in (oldest first, a copy): what the current
   * window holds once a baseline is pinned. O(N + M).
   */
  newest(): { rows: LlmColumnsRow[]; from: number | null; to: number | null } {
    const entries = this.#newestEntries();
    return { rows: entries.map((e) => e.row), ...timeRange(entries) };
  }

  /** Number of rows still needed before {@linkcode ready} is true. */
  needed(): number {
    const current = this.#ring.capacity - this.#currentEntries().length;
    if (this.#baseline) return current;
    return (this.#referenceSize - this.#first.length) + this.#ring.capacity - this.#ring.size;
  }

  /**
   * True when both windows are full: the reference holds N rows (or a baseline is pinned) and
   * the current window holds M rows.
   */
  ready(): boolean {
    return this.needed() === 0;
  }

  /** Rows each side needs before a provisional comparison: 30, or the configured size if smaller. */
  #minimums(): { reference: number; current: number } {
    return {
      reference: Math.min(PROVISIONAL_MIN_ROWS, this.#referenceSize),
      current: Math.min(PROVISIONAL_MIN_ROWS, this.#ring.capacity),
    };
  }

  /** Whether a provisional split of k held rows meets the minimums (first-N reference). */
  #splitMeets(k: number): boolean {
    const min = this.#minimums();
    const split = provisionalSplit(k, this.#referenceSize, this.#ring.capacity);
    return split.reference >= min.reference && split.current >= min.current;
  }

  /**
   * The rows a report compares now: the configured windows when both are full
   * (`provisional: false`, the same rows as {@linkcode reference} and {@linkcode current});
   * before that, once both sides have their minimum ({@linkcode PROVISIONAL_MIN_ROWS}), a
   * provisional split (`provisional: true`):
   *
   * - first-N reference: of the k rows that have arrived, the newest half (at most M) is the
   *   current side and the rows before it (at most N) the reference, so the two never overlap
   *   and grow into the configured windows as they fill;
   * - pinned baseline: the baseline against the newest rows (fewer than M).
   *
   * Null while there are too few rows. O(N + M).
   *
   * @example
   * ```ts
   * import { DriftWindows } from "./windows.ts";
   * const w = new DriftWindows({ referenceSize: 200, currentSize: 200 });
   * for (let i = 0; i < 60; i++) w.add({ latency_ms: 100 + i });
   * const rows = w.compared()!;
   * [rows.reference.length, rows.current.length, rows.provisional]; // [30, 30, true]
   * ```
   */
  compared(): ComparedRows | null {
    if (this.ready()) {
      return { reference: this.reference(), current: this.current(), provisional: false };
    }
    if (this.#baseline) {
      const current = this.#currentEntries();
      if (current.length < this.#minimums().current) return null;
      return {
        reference: this.reference(),
        current: current.map((e) => e.row),
        provisional: true,
      };
    }
    const held = [...this.#first, ...this.#ring.toArray()];
    const split = provisionalSplit(held.length, this.#referenceSize, this.#ring.capacity);
    if (!this.#splitMeets(held.length)) return null;
    return {
      reference: held.slice(0, split.reference).map((e) => e.row),
      current: held.slice(held.length - split.current).map((e) => e.row),
      provisional: true,
    };
  }

  /**
   * Responses still needed before {@linkcode compared} offers rows (0 when it does now): a
   * first, provisional report. {@linkcode needed} counts to full windows. O(log(N + M)).
   */
  neededForReport(): number {
    if (this.ready()) return 0;
    if (this.#baseline) {
      return Math.max(0, this.#minimums().current - this.#currentEntries().length);
    }
    const held = this.#first.length + this.#ring.size;
    // the split of k rows grows with k on both sides: the first k that meets the minimums is
    // found by bisection; at N + M held rows the windows are full
    let lo = held;
    let hi = held + this.needed();
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.#splitMeets(mid)) hi = mid;
      else lo = mid + 1;
    }
    return lo - held;
  }

  /** What windows are in use: kinds, sizes, rows held and time ranges. O(N + M). */
  describe(): WindowsDescription {
    const currentEntries = this.#currentEntries();
    const reference = this.#baseline
      ? {
        kind: "baseline" as const,
        size: this.#baseline.rows.length,
        rows: this.#baseline.rows.length,
        from: this.#baseline.from,
        to: this.#baseline.to,
        label: this.#baseline.label,
        contiguous: true,
      }
      : {
        kind: "first_n" as const,
        size: this.#referenceSize,
        rows: this.#first.length,
        ...timeRange(this.#first),
        label: null,
        contiguous: this.#first.length <= this.#contiguousRows,
      };
    return {
      reference,
      current: {
        kind: "newest_m",
        size: this.#ring.capacity,
        rows: currentEntries.length,
        ...timeRange(currentEntries),
      },
      responses_seen: this.#seen,
      ready: this.ready(),
    };
  }
}
