/**
 * Live aggregates over the response stream, with bounded memory whatever the volume: running
 * totals over every response, percentiles and histograms over a sliding window of the newest
 * responses, the newest N for tables, and duplicate deliveries (at-least-once) ignored by
 * request id. The same code serves the dashboard, the notebooks and the benchmarks. Free of
 * `Deno.*`.
 *
 * @module
 */

import type { ResponseEvent } from "../events/mod.ts";
import type { CostSnapshot } from "./cost_totals.ts";
import type { FeedbackSnapshot } from "./feedback_totals.ts";
import { type Distribution, distribution } from "./quantile.ts";
import { histogram, type HistogramBin } from "./histogram.ts";
import { NewestBuffer } from "./newest_buffer.ts";
import { RingBuffer } from "./ring_buffer.ts";
import { RecentIds } from "./recent_ids.ts";

/** The compact form of a response kept in the window (no prompt or response text). */
export interface ResponsePoint {
  request_id: string;
  ts_end: number;
  model: string;
  status: "success" | "error";
  error_type: string | null;
  latency_s: number;
  ttft_s: number | null;
  completion_tokens: number;
  prompt_tokens: number;
  tokens_per_s: number;
  response_chars: number;
  user_id: string;
  /** Where the request came from (test, stream, api, notebook, gateway, otlp). */
  source: string;
}

/** Per-model totals. */
export interface ModelStats {
  total: number;
  succeeded: number;
  success_rate: number;
  avg_latency_s: number;
  avg_tokens: number;
}

/** Per-source figures: totals over every response, percentiles over the window. */
export interface SourceStats {
  total: number;
  succeeded: number;
  failed: number;
  success_rate: number;
  avg_latency_s: number;
  avg_tokens: number;
  /** Latency percentiles over the source's responses in the window (null when none). */
  latency_p50_s: number | null;
  latency_p95_s: number | null;
  /** TTFT median over the window (null when none has one). */
  ttft_p50_s: number | null;
}

/** Everything the Real-time Metrics tab shows, as numbers. */
export interface MetricsSnapshot {
  /** Responses counted (duplicates excluded). */
  total: number;
  succeeded: number;
  failed: number;
  /** succeeded / total, or null before the first response. */
  success_rate: number | null;
  /** Mean latency over every response, seconds. */
  avg_latency_s: number | null;
  /** Mean completion tokens over every response. */
  avg_tokens: number | null;
  /** Mean tokens per second over successful responses. */
  avg_tokens_per_s: number | null;
  errors_by_type: Record<string, number>;
  per_model: Record<string, ModelStats>;
  /** By source (test, stream, api, notebook, gateway, otlp), in that order. */
  per_source: Record<string, SourceStats>;
  /** Responses the window holds (percentiles and histograms are over these). */
  window_size: number;
  latency_s: Distribution;
  ttft_s: Distribution;
  token_histogram: HistogramBin[];
  response_length_histogram: HistogramBin[];
  /**
   * The window's latency in order of completion (`ts_end`; ties in arrival order): request
   * number (1-based over all), latency. The order does not depend on the order of arrival, so a
   * restarted server that replays the topic draws the same trend.
   */
  latency_trend: { n: number; latency_s: number; status: string; ts: number }[];
  /** Newest first by `ts_end`, whatever order the responses arrived in. */
  recent: ResponsePoint[];
  first_ts: number | null;
  last_ts: number | null;
  duplicates_ignored: number;
  /** Cost KPIs, when the server keeps them (see cost_totals.ts). */
  cost?: CostSnapshot;
  /** Feedback KPIs, when the server keeps them (see feedback_totals.ts). */
  feedback?: FeedbackSnapshot;
}

/** Options of {@linkcode MetricsAggregator}. */
export interface MetricsAggregatorOptions {
  /** Responses kept for percentiles and histograms. Default 10,000. */
  windowSize?: number;
  /** Newest responses listed in `recent`. Default 100. */
  recentSize?: number;
  /** Request ids remembered to drop duplicates. Default 100,000. */
  dedupeSize?: number;
}

/** The sources in the order the dashboard lists them. */
export const SOURCE_ORDER: readonly string[] = Object.freeze([
  "test",
  "stream",
  "api",
  "notebook",
  "gateway",
  "otlp",
]);

interface Totals {
  total: number;
  succeeded: number;
  latencySum: number;
  tokensSum: number;
}

/**
 * Aggregates response events. `add` is O(1); `snapshot` is O(w log w) for a window of w.
 *
 * @example
 * ```ts
 * const metrics = new MetricsAggregator();
 * metrics.add(responseEvent);
 * metrics.snapshot().success_rate; // 1
 * ```
 */
export class MetricsAggregator {
  readonly #window: RingBuffer<ResponsePoint>;
  readonly #recent: NewestBuffer<ResponsePoint>;
  readonly #recentSize: number;
  readonly #seen: RecentIds;
  readonly #perModel = new Map<string, Totals>();
  readonly #perSource = new Map<string, Totals>();
  readonly #errors = new Map<string, number>();
  #total = 0;
  #succeeded = 0;
  #latencySum = 0;
  #tokensSum = 0;
  #tpsSum = 0;
  #firstTs: number | null = null;
  #lastTs: number | null = null;
  #duplicates = 0;
  #version = 0;

  constructor(options: MetricsAggregatorOptions = {}) {
    this.#window = new RingBuffer(options.windowSize ?? 10_000);
    this.#recentSize = options.recentSize ?? 100;
    this.#recent = new NewestBuffer(this.#recentSize, (p) => p.ts_end);
    this.#seen = new RecentIds(options.dedupeSize ?? 100_000);
  }

  /** Responses counted so far. */
  get total(): number {
    return this.#total;
  }

  /** Increases with every counted response (cheap change detection). */
  get version(): number {
    return this.#version;
  }

  /** Adds one response; returns false when it is a duplicate delivery. */
  add(event: ResponseEvent): boolean {
    if (!this.#seen.addIfNew(event.request_id)) {
      this.#duplicates++;
      return false;
    }

    const point = toPoint(event);
    const ok = point.status === "success";
    this.#total++;
    this.#version++;
    if (ok) {
      this.#succeeded++;
      this.#tpsSum += point.tokens_per_s;
    } else {
      const type = point.error_type ?? "unknown";
      this.#errors.set(type, (this.#errors.get(type) ?? 0) + 1);
    }
    this.#latencySum += point.latency_s;
    this.#tokensSum += point.completion_tokens;
    const model = this.#perModel.get(point.model) ??
      { total: 0, succeeded: 0, latencySum: 0, tokensSum: 0 };
    model.total++;
    if (ok) model.succeeded++;
    model.latencySum += point.latency_s;
    model.tokensSum += point.completion_tokens;
    this.#perModel.set(point.model, model);
    const source = this.#perSource.get(point.source) ??
      { total: 0, succeeded: 0, latencySum: 0, tokensSum: 0 };
    source.total++;
    if (ok) source.succeeded++;
    source.latencySum += point.latency_s;
    source.tokensSum += point.completion_tokens;
    this.#perSource.set(point.source, source);
    this.#firstTs = this.#firstTs === null ? point.ts_end : Math.min(this.#firstTs, point.ts_end);
    this.#lastTs = this.#lastTs === null ? point.ts_end : Math.max(this.#lastTs, point.ts_end);
    this.#window.push(point);
    this.#recent.push(point);
    return true;
  }

  /** Adds many responses. */
  addAll(events: Iterable<ResponseEvent>): void {
    for (const event of events) this.add(event);
  }

  /** The current aggregates. */
  snapshot(): MetricsSnapshot {
    const points = this.#window.toArray();
    const latencies = points.map((p) => p.latency_s);
    const ttfts = points.filter((p) => p.ttft_s !== null).map((p) => p.ttft_s as number);
    const firstN = this.#total - points.length + 1;
    const total = this.#total;
    const perModel: Record<string, ModelStats> = {};
    for (const [model, t] of [...this.#perModel].sort(([a], [b]) => a.localeCompare(b))) {
      perModel[model] = {
        total: t.total,
        succeeded: t.succeeded,
        success_rate: t.succeeded / t.total,
        avg_latency_s: t.latencySum / t.total,
        avg_tokens: t.tokensSum / t.total,
      };
    }
    const bySource = new Map<string, { latency: number[]; ttft: number[] }>();
    for (const p of points) {
      const lists = bySource.get(p.source) ?? { latency: [], ttft: [] };
      lists.latency.push(p.latency_s);
      if (p.ttft_s !== null) lists.ttft.push(p.ttft_s);
      bySource.set(p.source, lists);
    }
    const perSource: Record<string, SourceStats> = {};
    const order = (s: string) => {
      const i = SOURCE_ORDER.indexOf(s);
      return i < 0 ? SOURCE_ORDER.length : i;
    };
    for (
      const [source, t] of [...this.#perSource].sort(([a], [b]) =>
        order(a) - order(b) || a.localeCompare(b)
      )
    ) {
      const lists = bySource.get(source);
      const latency = lists && lists.latency.length > 0 ? distribution(lists.latency) : null;
      const ttft = lists && lists.ttft.length > 0 ? distribution(lists.ttft) : null;
      perSource[source] = {
        total: t.total,
        succeeded: t.succeeded,
        failed: t.total - t.succeeded,
        success_rate: t.succeeded / t.total,
        avg_latency_s: t.latencySum / t.total,
        avg_tokens: t.tokensSum / t.total,
        latency_p50_s: latency?.p50 ?? null,
        latency_p95_s: latency?.p95 ?? null,
        ttft_p50_s: ttft?.p50 ?? null,
      };
    }
    return {
      total,
      succeeded: this.#succeeded,
      failed: total - this.#succeeded,
      success_rate: total ? this.#succeeded / total : null,
      avg_latency_s: total ? this.#latencySum / total : null,
      avg_tokens: total ? this.#tokensSum / total : null,
      avg_tokens_per_s: this.#succeeded ? this.#tpsSum / this.#succeeded : null,
      errors_by_type: Object.fromEntries([...this.#errors].sort(([a], [b]) => a.localeCompare(b))),
      per_model: perModel,
      per_source: perSource,
      window_size: points.length,
      latency_s: distribution(latencies),
      ttft_s: distribution(ttfts),
      token_histogram: histogram(points.map((p) => p.completion_tokens)),
      response_length_histogram: histogram(points.map((p) => p.response_chars)),
      // a stable sort: ties keep their arrival order
      latency_trend: [...points].sort((a, b) => a.ts_end - b.ts_end).map((p, i) => ({
        n: firstN + i,
        latency_s: p.latency_s,
        status: p.status,
        ts: p.ts_end,
      })),
      recent: this.#recent.newest(this.#recentSize),
      first_ts: this.#firstTs,
      last_ts: this.#lastTs,
      duplicates_ignored: this.#duplicates,
    };
  }
}

/**
 * The compact point of a response event.
 *
 * @example
 * ```ts
 * toPoint(event).latency_s; // event.latency_ms / 1000
 * ```
 */
export function toPoint(event: ResponseEvent): ResponsePoint {
  return {
    request_id: event.request_id,
    ts_end: event.ts_end,
    model: event.model,
    status: event.status,
    error_type: event.error?.type ?? null,
    latency_s: event.latency_ms / 1000,
    ttft_s: event.ttft_ms === null ? null : event.ttft_ms / 1000,
    completion_tokens: event.completion_tokens,
    prompt_tokens: event.prompt_tokens,
    tokens_per_s: event.tokens_per_s,
    response_chars: event.response_chars,
    user_id: event.user_id,
    source: event.source,
  };
}
