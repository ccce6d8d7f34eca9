/**
 * Pure evaluation of rules: a rule and what the evaluator has seen (a window of response events,
 * feedback, the latest drift report, health readings) give one sample: the rule's value, whether
 * its condition holds, and a sentence for people. No clock, no I/O: `now` is an argument.
 *
 * @module
 */

import type { ResponseEvent } from "../events/mod.ts";
import { quantileSorted } from "../metrics/quantile.ts";
import { benjaminiHochberg } from "./fdr.ts";
import {
  type AlertRule,
  compare,
  DEFAULT_DLQ_WINDOW_S,
  type DriftRule,
  type HealthRule,
  type MetricRule,
  ruleThreshold,
} from "./rules.ts";

/** The fields of a response event that rules read (`cost_usd` when the event carries it). */
export type ResponseLike =
  & Pick<
    ResponseEvent,
    "ts_end" | "latency_ms" | "ttft_ms" | "status" | "model" | "source" | "tokens_per_s"
  >
  & { request_id?: string; cost_usd?: number | null };

/** One piece of feedback (`llm.feedback.v1`): 1 / −1, or a score within [0, 1]. */
export interface FeedbackLike {
  ts: number;
  score: number;
  request_id?: string;
  model?: string;
  source?: string;
}

/** One column of a drift report, as lib/drift reports it. */
export interface DriftColumnLike {
  column: string;
  stattest: string;
  p_value: number | null;
  score: number;
  threshold: number;
  drifted: boolean;
}

/** A drift report (lib/drift `DriftReport` fits) and when it was computed. */
export interface DriftInput {
  report: { columns: readonly DriftColumnLike[] };
  /** When the report was computed, epoch ms. */
  ts: number;
}

/** Health readings the evaluator gathers. */
export interface HealthInput {
  /** Whether each service answers, by name (kafka, mlflow, ollama …). */
  services?: Readonly<Record<string, boolean>>;
  /** Lag in messages of each consumer group. */
  consumer_lag?: Readonly<Record<string, number>>;
  /** Times (epoch ms) of recent dead letters; at least the largest `dlq_rate` window. */
  dlq_ts?: readonly number[];
  /** Time of the newest response ever seen (epoch ms), or null when none was. */
  last_response_ts?: number | null;
  /** Since when the evaluator has been watching (epoch ms): `no_data` counts from here at first. */
  watching_since?: number;
}

/** Everything rules are evaluated on. */
export interface AlertInputs {
  /** Response events; at least those of the largest metric window (older ones are ignored). */
  responses?: readonly ResponseLike[];
  /** Feedback events, for `thumbs_up_rate`. */
  feedback?: readonly FeedbackLike[];
  /** The drift monitor's latest report. */
  drift?: DriftInput | null;
  health?: HealthInput;
}

/** The result of evaluating one rule at one time. */
export interface RuleSample {
  /** The rule's value, or null when there is no data (then `active` is false). */
  value: number | null;
  /** Whether the rule's condition holds. */
  active: boolean;
  /** The value it is compared with. */
  threshold: number;
  /** A sentence for people (for example which columns drifted, after correction). */
  detail: string;
}

/**
 * Evaluates one rule at `now`. O(n log n) in the events of the rule's window.
 *
 * @example
 * ```ts
 * import { evaluateRule, parseRule } from "./mod.ts";
 * const rule = parseRule({ id: "r", name: "errors", kind: "metric", metric: "error_rate",
 *   op: ">", threshold: 0.2, window_s: 60 });
 * const ok = { ts_end: 1_000, latency_ms: 50, ttft_ms: 10, status: "success" as const,
 *   model: "m", source: "test" as const, tokens_per_s: 20 };
 * evaluateRule(rule, { responses: [ok, { ...ok, status: "error" as const }] }, 2_000).value; // 0.5
 * ```
 */
export function evaluateRule(rule: AlertRule, inputs: AlertInputs, now: number): RuleSample {
  switch (rule.kind) {
    case "metric":
      return evaluateMetric(rule, inputs, now);
    case "drift":
      return evaluateDrift(rule, inputs.drift ?? null);
    case "health":
      return evaluateHealth(rule, inputs, now);
  }
}

/**
 * How far back the evaluator must keep response events, feedback and dead-letter times for these
 * rules: the longest metric window and `dlq_rate` window, in ms (0 when no rule needs history).
 * Older entries can be dropped before each evaluation.
 *
 * @example
 * ```ts
 * import { inputHorizonMs, parseRule } from "./mod.ts";
 * inputHorizonMs([parseRule({ id: "r", name: "n", kind: "metric", metric: "requests", op: ">",
 *   threshold: 0, window_s: 600 })]); // 600000
 * ```
 */
export function inputHorizonMs(rules: readonly AlertRule[]): number {
  let longest = 0;
  for (const rule of rules) {
    if (rule.kind === "metric") longest = Math.max(longest, rule.window_s);
    if (rule.kind === "health" && rule.check === "dlq_rate") {
      longest = Math.max(longest, rule.window_s ?? DEFAULT_DLQ_WINDOW_S);
    }
  }
  return longest * 1000;
}

/**
 * The events a metric rule looks at: `ts_end` within (now − window_s, now], of its model and
 * source when it names them. O(n).
 *
 * @example
 * ```ts
 * import { parseRule, windowOf } from "./mod.ts";
 * const rule = parseRule({ id: "r", name: "n", kind: "metric", metric: "requests", op: ">",
 *   threshold: 0, window_s: 10 });
 * windowOf(rule as never, [{ ts_end: 500 }, { ts_end: 9_000 }] as never, 12_000).length; // 1
 * ```
 */
export function windowOf<T extends Pick<ResponseLike, "ts_end" | "model" | "source">>(
  rule: MetricRule,
  responses: readonly T[],
  now: number,
): T[] {
  const from = now - rule.window_s * 1000;
  return responses.filter((r) =>
    r.ts_end > from && r.ts_end <= now &&
    (rule.model === undefined || r.model === rule.model) &&
    (rule.source === undefined || r.source === rule.source)
  );
}

function quantileOf(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  return quantileSorted(Float64Array.from(values).sort(), q);
}

/**
 * The value of a metric over the events of one window (`null` when it has no data): latency and
 * time-to-first-token percentiles in seconds over every response (numpy's linear interpolation),
 * the share of errors, responses per second of the window, the mean tokens/s of successful
 * responses, the count, the summed `cost_usd` of the responses that carry one, and the share of
 * positive feedback (1, or a score ≥ 0.5) among the window's feedback.
 *
 * @example
 * ```ts
 * import { metricValue } from "./evaluate.ts";
 * const r = { ts_end: 1, latency_ms: 2_000, ttft_ms: null, status: "success" as const,
 *   model: "m", source: "test" as const, tokens_per_s: 5 };
 * metricValue("latency_p50_s", [r], [], 60); // 2
 * ```
 */
export function metricValue(
  metric: MetricRule["metric"],
  events: readonly ResponseLike[],
  feedback: readonly FeedbackLike[],
  windowS: number,
): number | null {
  switch (metric) {
    case "latency_p50_s":
      return quantileOf(events.map((e) => e.latency_ms / 1000), 0.5);
    case "latency_p95_s":
      return quantileOf(events.map((e) => e.latency_ms / 1000), 0.95);
    case "latency_p99_s":
      return quantileOf(events.map((e) => e.latency_ms / 1000), 0.99);
    case "ttft_p95_s":
      return quantileOf(
        events.flatMap((e) => (e.ttft_ms === null ? [] : [e.ttft_ms / 1000])),
        0.95,
      );
    case "error_rate":
      return events.length === 0
        ? null
        : events.filter((e) => e.status === "error").length / events.length;
    case "throughput_rps":
      return events.length / windowS;
    case "requests":
      return events.length;
    case "tokens_per_s_avg": {
      const ok = events.filter((e) => e.status === "success");
      return ok.length === 0 ? null : ok.reduce((s, e) => s + e.tokens_per_s, 0) / ok.length;
    }
    case "cost_usd": {
      const priced = events.filter((e) => typeof e.cost_usd === "number");
      return priced.length === 0 ? null : priced.reduce((s, e) => s + (e.cost_usd as number), 0);
    }
    case "thumbs_up_rate":
      return feedback.length === 0
        ? null
        : feedback.filter((f) => f.score >= 0.5).length / feedback.length;
  }
}

function metricSampleCount(metric: MetricRule["metric"], events: readonly ResponseLike[]) {
  switch (metric) {
    case "ttft_p95_s":
      return events.filter((e) => e.ttft_ms !== null).length;
    case "tokens_per_s_avg":
      return events.filter((e) => e.status === "success").length;
    case "cost_usd":
      return events.filter((e) => typeof e.cost_usd === "number").length;
    default:
      return events.length;
  }
}

function feedbackWindow(
  rule: MetricRule,
  feedback: readonly FeedbackLike[],
  events: readonly ResponseLike[],
  now: number,
): FeedbackLike[] {
  const from = now - rule.window_s * 1000;
  const inWindow = feedback.filter((f) => f.ts > from && f.ts <= now);
  if (rule.model === undefined && rule.source === undefined) return inWindow;
  const ids = new Set(events.flatMap((e) => (e.request_id ? [e.request_id] : [])));
  return inWindow.filter((f) => {
    if (f.request_id !== undefined && ids.has(f.request_id)) return true;
    if (f.model === undefined && f.source === undefined) return false;
    return (rule.model === undefined || f.model === rule.model) &&
      (rule.source === undefined || f.source === rule.source);
  });
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
}

function evaluateMetric(rule: MetricRule, inputs: AlertInputs, now: number): RuleSample {
  const events = windowOf(rule, inputs.responses ?? [], now);
  const scope = [rule.model && `model ${rule.model}`, rule.source && `source ${rule.source}`]
    .filter(Boolean).join(", ");
  const where = `over the last ${rule.window_s} s${scope ? ` (${scope})` : ""}`;
  if (rule.metric === "thumbs_up_rate") {
    const feedback = feedbackWindow(rule, inputs.feedback ?? [], events, now);
    if (feedback.length < rule.min_samples) {
      return noData(rule, `${feedback.length} feedback ${where}, fewer than ${rule.min_samples}`);
    }
    const value = metricValue(rule.metric, events, feedback, rule.window_s)!;
    return {
      value,
      active: compare(value, rule.op, rule.threshold),
      threshold: rule.threshold,
      detail: `thumbs_up_rate ${formatNumber(value)} ${rule.op} ${
        formatNumber(rule.threshold)
      }? ${where}, ${feedback.length} feedback`,
    };
  }
  const count = metricSampleCount(rule.metric, events);
  const needsSamples = rule.metric !== "requests" && rule.metric !== "throughput_rps";
  if (needsSamples && count < rule.min_samples) {
    return noData(rule, `${count} samples ${where}, fewer than ${rule.min_samples}`);
  }
  const value = metricValue(rule.metric, events, [], rule.window_s);
  if (value === null) return noData(rule, `no samples ${where}`);
  return {
    value,
    active: compare(value, rule.op, rule.threshold),
    threshold: rule.threshold,
    detail: `${rule.metric} ${formatNumber(value)} (${rule.op} ${
      formatNumber(rule.threshold)
    } fires) ${where}, ${events.length} responses`,
  };
}

function noData(rule: AlertRule, detail: string): RuleSample {
  return { value: null, active: false, threshold: ruleThreshold(rule), detail };
}

/** Which columns of one report drift under a drift rule, and why. */
export interface DriftVerdict {
  /** Columns considered (the rule's, or every column of the report). */
  considered: string[];
  /** Columns that drift after the correction (or without it). */
  drifted: string[];
  /** Columns with a p-value, corrected together (m of Benjamini–Hochberg). */
  tested: number;
  /** Adjusted p-values (q-values) by column, for columns with a p-value (with `fdr`). */
  adjusted: Record<string, number>;
}

/**
 * The columns of one report that drift under a rule. Columns scored by a p-value (KS,
 * chi-square, z-test) are tested at the rule's `level`: with `fdr` (the default) their p-values
 * are corrected together with Benjamini–Hochberg, without it each is compared with `level` alone.
 * Columns scored by a distance (Wasserstein, Jensen–Shannon, PSI: Evidently's choice above 1,000
 * reference rows) have no p-value to correct: their distance-against-threshold verdict is kept
 * as the report gives it. A rule column missing from the report is not considered. O(m log m).
 *
 * @example
 * ```ts
 * import { driftVerdict, parseRule } from "./mod.ts";
 * const rule = parseRule({ id: "d", name: "drift", kind: "drift", condition: "any_column" });
 * const col = (column: string, p: number) =>
 *   ({ column, stattest: "ks", p_value: p, score: p, threshold: 0.05, drifted: p <= 0.05 });
 * driftVerdict(rule as never, { columns: [col("a", 0.03), col("b", 0.5)] }).drifted; // []
 * ```
 */
export function driftVerdict(
  rule: DriftRule,
  report: { columns: readonly DriftColumnLike[] },
): DriftVerdict {
  const wanted = rule.columns ? new Set(rule.columns) : null;
  const columns = report.columns.filter((c) => wanted === null || wanted.has(c.column));
  const withP = columns.filter((c) => typeof c.p_value === "number" && !Number.isNaN(c.p_value));
  const drifted = new Set<string>();
  const adjusted: Record<string, number> = {};
  if (rule.fdr) {
    const bh = benjaminiHochberg(
      withP.map((c) => Math.min(1, Math.max(0, c.p_value as number))),
      rule.level,
    );
    withP.forEach((c, i) => {
      adjusted[c.column] = bh.adjusted[i];
      if (bh.rejected[i]) drifted.add(c.column);
    });
  } else {
    for (const c of withP) if ((c.p_value as number) <= rule.level) drifted.add(c.column);
  }
  for (const c of columns) {
    if (!withP.includes(c) && c.drifted) drifted.add(c.column);
  }
  return {
    considered: columns.map((c) => c.column),
    drifted: columns.map((c) => c.column).filter((c) => drifted.has(c)),
    tested: withP.length,
    adjusted,
  };
}

function evaluateDrift(rule: DriftRule, drift: DriftInput | null): RuleSample {
  if (drift === null) return noData(rule, "no drift report yet");
  const verdict = driftVerdict(rule, drift.report);
  if (verdict.considered.length === 0) {
    return noData(rule, "none of the rule's columns is in the drift report");
  }
  const how = rule.fdr
    ? `Benjamini–Hochberg at FDR ${rule.level} over ${verdict.tested} p-values`
    : `each p-value at ${rule.level}, uncorrected`;
  const list = verdict.drifted.map((c) =>
    c in verdict.adjusted ? `${c} (q=${formatNumber(verdict.adjusted[c])})` : c
  ).join(", ");
  const which = verdict.drifted.length ? `: ${list}` : "";
  if (rule.condition === "dataset") {
    const share = verdict.drifted.length / verdict.considered.length;
    return {
      value: share,
      active: share >= rule.drift_share,
      threshold: rule.drift_share,
      detail: `${verdict.drifted.length} of ${verdict.considered.length} columns drift (${how})` +
        which,
    };
  }
  return {
    value: verdict.drifted.length,
    active: verdict.drifted.length >= 1,
    threshold: 1,
    detail: `${verdict.drifted.length} of ${verdict.considered.length} columns drift (${how})` +
      which,
  };
}

function evaluateHealth(rule: HealthRule, inputs: AlertInputs, now: number): RuleSample {
  const health: HealthInput = inputs.health ?? {};
  switch (rule.check) {
    case "service": {
      const healthy = health.services?.[rule.service!];
      if (healthy === undefined) return noData(rule, `no health reading of ${rule.service}`);
      return {
        value: healthy ? 0 : 1,
        active: !healthy,
        threshold: 1,
        detail: `${rule.service} is ${healthy ? "healthy" : "unhealthy"}`,
      };
    }
    case "consumer_lag": {
      const lag = health.consumer_lag?.[rule.group!];
      if (lag === undefined) return noData(rule, `no lag reading of group ${rule.group}`);
      return {
        value: lag,
        active: lag > rule.threshold!,
        threshold: rule.threshold!,
        detail: `consumer group ${rule.group} lags ${lag} messages (above ${rule.threshold} fires)`,
      };
    }
    case "dlq_rate": {
      const windowS = rule.window_s ?? DEFAULT_DLQ_WINDOW_S;
      if (health.dlq_ts === undefined) return noData(rule, "no dead-letter readings");
      const from = now - windowS * 1000;
      const count = health.dlq_ts.filter((t) => t > from && t <= now).length;
      const perMinute = count / (windowS / 60);
      return {
        value: perMinute,
        active: perMinute > rule.threshold!,
        threshold: rule.threshold!,
        detail: `${count} dead letters in the last ${windowS} s = ${
          formatNumber(perMinute)
        }/min (above ${rule.threshold} fires)`,
      };
    }
    case "no_data": {
      let newest: number | null = null;
      for (const r of inputs.responses ?? []) {
        if (r.ts_end <= now && (newest === null || r.ts_end > newest)) newest = r.ts_end;
      }
      const known = health.last_response_ts ?? null;
      const last = known === null ? newest : newest === null ? known : Math.max(known, newest);
      const since = last ?? health.watching_since;
      if (since === undefined) return noData(rule, "no response and no start time known");
      const silentS = Math.max(0, (now - since) / 1000);
      return {
        value: silentS,
        active: silentS >= rule.window_s!,
        threshold: rule.window_s!,
        detail: last === null
          ? `no response since watching began ${formatNumber(silentS)} s ago`
          : `the newest response is ${formatNumber(silentS)} s old`,
      };
    }
  }
}
