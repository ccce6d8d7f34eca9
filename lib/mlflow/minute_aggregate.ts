/**
 * One aggregate run per minute and model: the responses whose call ended in that minute (by
 * `ts_end`, UTC), counted once per request id, summed up as the metrics of one MLflow run. These
 * runs keep MLflow complete in aggregate when per-call runs are sampled (`run_policy.ts`).
 *
 * Metrics of a window: `requests`, `succeeded`, `failed`, `success_rate`, `latency_avg_s`,
 * `latency_p50_s`, `latency_p95_s`, `latency_p99_s`, `latency_max_s`, `ttft_p50_s`, `ttft_p95_s`,
 * `ttft_p99_s` (when a call measured one), `prompt_tokens` and `completion_tokens` (sums),
 * `cost_usd` (sum, when a response carries a cost) and `per_call_runs` (how many of the window's
 * responses the policy gives a run of their own). Percentiles interpolate linearly between
 * closest ranks, as the dashboard's do.
 *
 * @module
 */

import type { ResponseEvent } from "../events/mod.ts";
import { quantileSorted } from "../metrics/quantile.ts";
import type { MlflowKeyValue, MlflowMetric } from "./client.ts";
import type { RunRecord } from "./mapping.ts";
import { formatRunPolicy, type RunPolicy, wantsRun } from "./run_policy.ts";

/** Length of a window. */
export const MINUTE_MS = 60_000;

/**
 * The start of the UTC minute that holds `ts` (epoch ms).
 *
 * @example
 * ```ts
 * minuteStart(1_800_000_059_999); // 1_800_000_000_000
 * ```
 */
export function minuteStart(ts: number): number {
  return ts - (((ts % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

/**
 * The name of a window's run: the model and the minute, e.g. `smollm2:135m 2027-01-15T08:00Z`.
 *
 * @example
 * ```ts
 * minuteRunName("smollm2:135m", 1_800_000_000_000); // "smollm2:135m 2027-01-15T08:00Z"
 * ```
 */
export function minuteRunName(model: string, start: number): string {
  return `${model} ${new Date(start).toISOString().slice(0, 16)}Z`;
}

/** A key that names one window: its model and minute. */
export function windowKey(model: string, start: number): string {
  return `${start}\u0000${model}`;
}

/**
 * The responses of one model whose calls ended in one minute.
 *
 * @example
 * ```ts
 * const w = new MinuteWindow("smollm2:135m", minuteStart(event.ts_end));
 * w.add(event, { kind: "all" }); // true (false for a request id it already has)
 * w.toRun({ kind: "all" }).metrics.find((m) => m.key === "requests")?.value; // 1
 * ```
 */
export class MinuteWindow {
  readonly model: string;
  /** Start of the minute (epoch ms, UTC). */
  readonly start: number;
  #ids = new Set<string>();
  #succeeded = 0;
  #perCallRuns = 0;
  #promptTokens = 0;
  #completionTokens = 0;
  #cost = 0;
  #costed = 0;
  #latencies: number[] = [];
  #ttfts: number[] = [];

  constructor(model: string, start: number) {
    if (start !== minuteStart(start)) {
      throw new RangeError(`expected the start of a minute, found ${start}`);
    }
    this.model = model;
    this.start = start;
  }

  /** Responses counted (distinct request ids). */
  get size(): number {
    return this.#ids.size;
  }

  /**
   * Counts a response of this model and minute; false (and nothing counted) when its request id
   * is already in the window. Throws a RangeError for a response of another model or minute.
   */
  add(event: ResponseEvent, policy: RunPolicy): boolean {
    if (event.model !== this.model || minuteStart(event.ts_end) !== this.start) {
      throw new RangeError(
        `expected a response of ${minuteRunName(this.model, this.start)}, found one of ` +
          minuteRunName(event.model, minuteStart(event.ts_end)),
      );
    }
    if (this.#ids.has(event.request_id)) return false;
    this.#ids.add(event.request_id);
    if (event.status === "success") this.#succeeded++;
    if (wantsRun(policy, event)) this.#perCallRuns++;
    this.#promptTokens += event.prompt_tokens;
    this.#completionTokens += event.completion_tokens;
    if (event.cost_usd !== undefined) {
      this.#cost += event.cost_usd;
      this.#costed++;
    }
    this.#latencies.push(event.latency_ms / 1000);
    if (event.ttft_ms !== null) this.#ttfts.push(event.ttft_ms / 1000);
    return true;
  }

  /** The window's run: named by model and minute, FINISHED, spanning the minute. */
  toRun(policy: RunPolicy): RunRecord {
    const end = this.start + MINUTE_MS;
    const metric = (key: string, value: number): MlflowMetric => ({
      key,
      value,
      timestamp: end,
      step: 0,
    });
    const requests = this.#ids.size;
    const metrics: MlflowMetric[] = [
      metric("requests", requests),
      metric("succeeded", this.#succeeded),
      metric("failed", requests - this.#succeeded),
      metric("success_rate", requests === 0 ? 0 : this.#succeeded / requests),
      metric("prompt_tokens", this.#promptTokens),
      metric("completion_tokens", this.#completionTokens),
      metric("per_call_runs", this.#perCallRuns),
    ];
    const percentiles = (values: number[], prefix: string, withMeanMax: boolean) => {
      if (values.length === 0) return;
      const sorted = Float64Array.from(values).sort();
      if (withMeanMax) {
        let sum = 0;
        for (const v of sorted) sum += v;
        metrics.push(metric(`${prefix}_avg_s`, sum / sorted.length));
      }
      metrics.push(metric(`${prefix}_p50_s`, quantileSorted(sorted, 0.5)));
      metrics.push(metric(`${prefix}_p95_s`, quantileSorted(sorted, 0.95)));
      metrics.push(metric(`${prefix}_p99_s`, quantileSorted(sorted, 0.99)));
      if (withMeanMax) metrics.push(metric(`${prefix}_max_s`, sorted[sorted.length - 1]));
    };
    percentiles(this.#latencies, "latency", true);
    percentiles(this.#ttfts, "ttft", false);
    if (this.#costed > 0) metrics.push(metric("cost_usd", this.#cost));
    const iso = (t: number) => new Date(t).toISOString();
    const tags: MlflowKeyValue[] = [
      { key: "aggregate", value: "minute" },
      { key: "model", value: this.model },
      { key: "window_start", value: iso(this.start) },
      { key: "window_end", value: iso(end) },
      { key: "run_policy", value: formatRunPolicy(policy) },
    ];
    return {
      run_name: minuteRunName(this.model, this.start),
      start_time: this.start,
      end_time: end,
      status: "FINISHED",
      tags,
      params: [{ key: "window_s", value: String(MINUTE_MS / 1000) }],
      metrics,
    };
  }
}
