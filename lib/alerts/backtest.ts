/**
 * Backtesting rules on recorded traffic: the same engine the evaluator runs ({@linkcode AlertEngine}
 * and {@linkcode AlertInputWindow}), driven by a simulated clock that steps through a span of
 * recorded responses (a day, say), so a notebook shows when each rule would have been pending,
 * when it would have fired, and what it would have sent. Pure: no clock, no I/O.
 *
 * @module
 */

import type { AlertEvent, AlertNotificationEvent } from "../events/alert.ts";
import { AlertEngine } from "./engine.ts";
import {
  type DriftInput,
  type FeedbackLike,
  inputHorizonMs,
  type ResponseLike,
} from "./evaluate.ts";
import { AlertInputWindow } from "./input_window.ts";
import type { AlertRule } from "./rules.ts";

/** Options of {@linkcode backtestRules}. */
export interface BacktestOptions {
  /** Start of the span, epoch ms (default: the first response's end). */
  from?: number;
  /** End of the span, epoch ms (default: the last response's end). */
  to?: number;
  /** Time between evaluations (default 60 s; the live evaluator runs every 2 s). */
  stepMs?: number;
  /** Recorded feedback, for `thumbs_up_rate`. */
  feedback?: readonly FeedbackLike[];
  /** The drift report in force at a time, for drift rules (default: none). */
  driftAt?: (ts: number) => DriftInput | null;
  /** At most this many evaluations (default 100,000): a guard against a tiny step. */
  maxSteps?: number;
}

/** A span during which a rule's alert was pending or firing. */
export interface AlertInterval {
  rule_id: string;
  rule_name: string;
  state: "pending" | "firing";
  fingerprint: string;
  /** Start and end, epoch ms. */
  start: number;
  end: number;
  /** Still pending or firing at the end of the span. */
  open: boolean;
  /** The largest value seen during the span (null without data). */
  peak: number | null;
}

/** One rule's value at one evaluation. */
export interface BacktestPoint {
  rule_id: string;
  ts: number;
  value: number | null;
  threshold: number;
  active: boolean;
}

/** What {@linkcode backtestRules} found. */
export interface BacktestResult {
  from: number;
  to: number;
  stepMs: number;
  /** Evaluations made. */
  steps: number;
  /** Responses replayed (each request once). */
  responses: number;
  /** Pending and firing spans, in order of start. */
  intervals: AlertInterval[];
  /** The notifications that would have been sent. */
  notifications: AlertNotificationEvent[];
  /** Every record the engine wrote. */
  records: AlertEvent[];
  /** Each enabled rule's value at each evaluation. */
  series: BacktestPoint[];
}

/**
 * Replays recorded responses through the rules with a simulated clock: every `stepMs` from
 * `from` to `to`, the responses that ended by then join the window and every rule is evaluated,
 * exactly as the live evaluator does. Duplicate responses (same request id) count once.
 * O(steps × (rules + responses in the longest window)).
 *
 * @example
 * ```ts
 * import { backtestRules, parseRule } from "./mod.ts";
 * const rule = parseRule({ id: "r", name: "busy", kind: "metric", metric: "requests", op: ">",
 *   threshold: 0, window_s: 60 });
 * const r = { ts_end: 30_000, latency_ms: 1, ttft_ms: null, status: "success" as const,
 *   model: "m", source: "test" as const, tokens_per_s: 1 };
 * backtestRules([rule], [r], { from: 0, to: 180_000 }).intervals[0].state; // "firing"
 * ```
 */
export function backtestRules(
  rules: readonly AlertRule[],
  responses: readonly ResponseLike[],
  options: BacktestOptions = {},
): BacktestResult {
  const stepMs = options.stepMs ?? 60_000;
  if (!(Number.isFinite(stepMs) && stepMs >= 1)) {
    throw new RangeError(`Expected stepMs ≥ 1, found ${options.stepMs}`);
  }
  const seen = new Set<string>();
  const sorted = responses.filter((r) => {
    if (r.request_id === undefined) return true;
    if (seen.has(r.request_id)) return false;
    seen.add(r.request_id);
    return true;
  }).sort((a, b) => a.ts_end - b.ts_end);
  const feedback = [...(options.feedback ?? [])].sort((a, b) => a.ts - b.ts);
  const from = options.from ?? sorted[0]?.ts_end ?? 0;
  const to = options.to ?? sorted.at(-1)?.ts_end ?? from;
  if (!(to >= from)) throw new RangeError(`Expected to ≥ from, found ${to} < ${from}`);
  const steps = Math.max(1, Math.ceil((to - from) / stepMs));
  const maxSteps = options.maxSteps ?? 100_000;
  if (steps > maxSteps) {
    throw new RangeError(
      `Expected at most ${maxSteps} evaluations, found ${steps} (widen stepMs or shorten the span)`,
    );
  }

  let now = from;
  const engine = new AlertEngine({ now: () => now });
  const window = new AlertInputWindow({ startedAt: from, maxItems: Number.MAX_SAFE_INTEGER });
  const horizon = inputHorizonMs(rules);
  const records: AlertEvent[] = [];
  const series: BacktestPoint[] = [];
  const open = new Map<string, AlertInterval>();
  const intervals: AlertInterval[] = [];
  let r = 0;
  let f = 0;
  // responses before the span still fill the first windows
  while (r < sorted.length && sorted[r].ts_end <= from - horizon) r++;

  const close = (ruleId: string, at: number) => {
    const interval = open.get(ruleId);
    if (!interval) return;
    interval.end = at;
    open.delete(ruleId);
  };
  for (let k = 1; k <= steps; k++) {
    now = Math.min(to, from + k * stepMs);
    while (r < sorted.length && sorted[r].ts_end <= now) window.addResponse(sorted[r++]);
    while (f < feedback.length && feedback[f].ts <= now) window.addFeedback(feedback[f++]);
    window.setDrift(options.driftAt?.(now) ?? null);
    const events = engine.evaluate(rules, window.inputs(now, horizon));
    records.push(...events);
    for (const event of events) {
      if (event.kind !== "state") continue;
      close(event.rule_id, now);
      if (event.state === "pending" || event.state === "firing") {
        const interval: AlertInterval = {
          rule_id: event.rule_id,
          rule_name: event.rule_name,
          state: event.state,
          fingerprint: event.fingerprint,
          start: now,
          end: now,
          open: true,
          peak: event.value,
        };
        open.set(event.rule_id, interval);
        intervals.push(interval);
      }
    }
    for (const reading of engine.snapshot().readings) {
      series.push({
        rule_id: reading.rule_id,
        ts: now,
        value: reading.value,
        threshold: reading.threshold,
        active: reading.active,
      });
      const interval = open.get(reading.rule_id);
      if (interval && reading.value !== null) {
        interval.peak = interval.peak === null
          ? reading.value
          : Math.max(interval.peak, reading.value);
      }
    }
  }
  for (const interval of open.values()) interval.end = to;
  for (const interval of intervals) interval.open = open.get(interval.rule_id) === interval;
  return {
    from,
    to,
    stepMs,
    steps,
    responses: sorted.length,
    intervals,
    notifications: records.filter((e): e is AlertNotificationEvent => e.kind === "notification"),
    records,
    series,
  };
}
