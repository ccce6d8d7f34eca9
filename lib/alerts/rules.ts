/**
 * Alert rules: their zod schemas, defaults and validation. Three kinds:
 *
 * - `metric`: a statistic of the response events of the last `window_s` seconds (optionally of
 *   one `model` and/or `source`) compared with `threshold` by `op`;
 * - `drift`: the drift monitor's latest report: dataset drift, or any of the named `columns`
 *   drifting, with the per-column p-values corrected by Benjamini–Hochberg (`fdr`, default on);
 * - `health`: a service unhealthy, a consumer group's lag above `threshold`, dead letters per
 *   minute above `threshold`, or no responses for `window_s` seconds (`no_data`).
 *
 * Every rule has `id`, `name`, `for_s` (the condition must hold this long before firing),
 * `keep_firing_s` (it must be false this long before resolving), `severity`, `channels`,
 * `enabled` and `repeat_s` (a firing alert is notified again after this; default 4 h).
 *
 * @module
 */

import { z } from "zod";
import { AlertLabelsSchema, SeveritySchema } from "../events/alert.ts";
import {
  AlertValidationError,
  type AlertValidationIssue,
  describeFound,
  requireObject,
  zodIssues,
} from "./validation.ts";

export { HEALTH_CHECKS, METRICS, OPS, RULE_KINDS } from "./vocabulary.ts";
import { HEALTH_CHECKS, METRICS, OPS, RULE_KINDS } from "./vocabulary.ts";

/** A firing alert is notified again after this many seconds (4 h) unless the rule says. */
export const DEFAULT_REPEAT_S = 4 * 3600;
/** Default window of a metric rule (5 min). */
export const DEFAULT_WINDOW_S = 300;
/** Default window of a `dlq_rate` health rule (1 min). */
export const DEFAULT_DLQ_WINDOW_S = 60;
/** Default level of a drift rule (false discovery rate with `fdr`, per test without). */
export const DEFAULT_DRIFT_LEVEL = 0.05;

/** A metric name. */
export type MetricName = typeof METRICS[number];
/** A comparison operator. */
export type Op = typeof OPS[number];

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
// deno-lint-ignore no-control-regex
const NO_CONTROL = /^[^\u0000-\u001F\u007F]*$/;
const WEEK_S = 7 * 86_400;

const seconds = (max: number) => z.number().min(0).max(max);

const commonFields = {
  id: z.string().regex(ID, "must be 1–64 letters, digits, '_', '.' or '-'").optional(),
  name: z.string().min(1).max(200).regex(NO_CONTROL, "must not contain control characters"),
  description: z.string().max(1_000).optional(),
  for_s: seconds(WEEK_S).default(0),
  keep_firing_s: seconds(WEEK_S).default(0),
  severity: SeveritySchema.default("warning"),
  channels: z.array(z.string().min(1).max(64)).max(32).default([]),
  enabled: z.boolean().default(true),
  repeat_s: z.number().min(1).max(30 * 86_400).default(DEFAULT_REPEAT_S),
  labels: AlertLabelsSchema.optional(),
};

/** A `metric` rule as posted (defaults not yet applied). */
export const MetricRuleSchema = z.strictObject({
  ...commonFields,
  kind: z.literal("metric"),
  metric: z.enum(METRICS),
  op: z.enum(OPS),
  threshold: z.number(),
  window_s: z.number().min(1).max(WEEK_S).default(DEFAULT_WINDOW_S),
  model: z.string().min(1).max(200).optional(),
  source: z.string().min(1).max(64).optional(),
  /** Fewer samples in the window than this: no value, the rule does not fire. Default 1. */
  min_samples: z.number().int().min(1).max(1_000_000).default(1),
});

/** A `drift` rule as posted. */
export const DriftRuleSchema = z.strictObject({
  ...commonFields,
  kind: z.literal("drift"),
  /**
   * `dataset`: the share of drifted columns reaches `drift_share`; `any_column`: at least one
   * column drifts. Default `any_column` when `columns` is given, else `dataset`.
   */
  condition: z.enum(["dataset", "any_column"]).optional(),
  /** Columns to consider (default: every column of the report). */
  columns: z.array(z.string().min(1).max(200)).min(1).max(100).optional(),
  /** Correct the p-values of one report with Benjamini–Hochberg. Default true. */
  fdr: z.boolean().default(true),
  /** The false discovery rate with `fdr`, the per-test level without. Default 0.05. */
  level: z.number().gt(0).lt(1).default(DEFAULT_DRIFT_LEVEL),
  /** Share of drifted columns that makes dataset drift. Default 0.5 (Evidently's). */
  drift_share: z.number().gt(0).max(1).default(0.5),
});

/** A `health` rule as posted. */
export const HealthRuleSchema = z.strictObject({
  ...commonFields,
  kind: z.literal("health"),
  check: z.enum(HEALTH_CHECKS),
  /** `service`: the service to watch (for example kafka, mlflow, ollama). */
  service: z.string().min(1).max(64).optional(),
  /** `consumer_lag`: the consumer group. */
  group: z.string().min(1).max(200).optional(),
  /** `consumer_lag`: messages; `dlq_rate`: dead letters per minute. */
  threshold: z.number().min(0).optional(),
  /** `dlq_rate`: the window (default 60 s); `no_data`: how long without responses. */
  window_s: z.number().min(1).max(WEEK_S).optional(),
});

/** Fields every rule has, after validation. */
export interface RuleCommon {
  id: string;
  name: string;
  description?: string;
  for_s: number;
  keep_firing_s: number;
  severity: "info" | "warning" | "critical";
  channels: string[];
  enabled: boolean;
  repeat_s: number;
  labels?: Record<string, string>;
}

/** A validated `metric` rule. */
export type MetricRule = Omit<z.infer<typeof MetricRuleSchema>, "id"> & RuleCommon;
/** A validated `drift` rule (`condition` resolved). */
export type DriftRule =
  & Omit<z.infer<typeof DriftRuleSchema>, "id" | "condition">
  & RuleCommon
  & { condition: "dataset" | "any_column" };
/** A validated `health` rule. */
export type HealthRule = Omit<z.infer<typeof HealthRuleSchema>, "id"> & RuleCommon;
/** Any validated rule. */
export type AlertRule = MetricRule | DriftRule | HealthRule;

/** Context of {@linkcode parseRule}. */
export interface ParseRuleOptions {
  /** Names of the defined channels; when given, every channel a rule names must be one. */
  channels?: readonly string[];
  /** Id for a rule posted without one (default: a random UUID). */
  newId?: () => string;
}

const SCHEMAS = { metric: MetricRuleSchema, drift: DriftRuleSchema, health: HealthRuleSchema };

/**
 * Validates a rule body and applies the defaults. Throws {@linkcode AlertValidationError}
 * (status 400) naming each wrong field, what was expected and what was found: an unknown kind or
 * metric, a missing threshold, a channel that is not defined, an unknown field.
 *
 * @example
 * ```ts
 * import { parseRule } from "./rules.ts";
 * const rule = parseRule({ name: "slow p95", kind: "metric", metric: "latency_p95_s", op: ">",
 *   threshold: 2, window_s: 300, for_s: 60, channels: ["oncall"] }, { channels: ["oncall"] });
 * rule.repeat_s; // 14400
 * ```
 */
export function parseRule(input: unknown, options: ParseRuleOptions = {}): AlertRule {
  requireObject("rule", input);
  const kind = input.kind;
  if (typeof kind !== "string" || !(RULE_KINDS as readonly string[]).includes(kind)) {
    throw new AlertValidationError("rule", [{
      path: "kind",
      message: `expected one of ${RULE_KINDS.map((k) => `"${k}"`).join(", ")}, found ${
        describeFound(kind)
      }`,
    }]);
  }
  const result = SCHEMAS[kind as keyof typeof SCHEMAS].safeParse(input);
  const issues: AlertValidationIssue[] = result.success
    ? []
    : zodIssues(result.error.issues, input);
  if (result.success) {
    const data = result.data;
    if (data.kind === "health") issues.push(...healthIssues(data));
    if (data.kind === "drift" && data.columns) {
      const seen = new Set<string>();
      data.columns.forEach((c, i) => {
        if (seen.has(c)) {
          issues.push({ path: `columns.${i}`, message: `expected distinct columns, found "${c}"` });
        }
        seen.add(c);
      });
    }
    if (options.channels) {
      const known = options.channels;
      data.channels.forEach((name, i) => {
        if (!known.includes(name)) {
          issues.push({
            path: `channels.${i}`,
            message: `expected the name of a defined channel (${
              known.length ? known.map((k) => `"${k}"`).join(", ") : "none is defined yet"
            }), found "${name}"`,
          });
        }
      });
    }
  }
  if (!result.success || issues.length > 0) {
    throw new AlertValidationError("rule", issues.slice(0, 10));
  }
  const data = result.data;
  const id = data.id ?? (options.newId ?? (() => crypto.randomUUID()))();
  if (data.kind === "drift") {
    return { ...data, id, condition: data.condition ?? (data.columns ? "any_column" : "dataset") };
  }
  return { ...data, id } as AlertRule;
}

function healthIssues(rule: z.infer<typeof HealthRuleSchema>): AlertValidationIssue[] {
  const issues: AlertValidationIssue[] = [];
  const need = (field: "service" | "group" | "threshold" | "window_s", what: string) => {
    if (rule[field] === undefined) {
      issues.push({
        path: field,
        message: `expected ${what} for check "${rule.check}", found nothing`,
      });
    }
  };
  const forbid = (field: "service" | "group" | "threshold" | "window_s") => {
    if (rule[field] !== undefined) {
      issues.push({
        path: field,
        message: `expected no ${field} for check "${rule.check}", found ${
          describeFound(rule[field])
        }`,
      });
    }
  };
  switch (rule.check) {
    case "service":
      need("service", "a service name (kafka, mlflow, ollama …)");
      forbid("group");
      forbid("threshold");
      forbid("window_s");
      break;
    case "consumer_lag":
      need("group", "a consumer group");
      need("threshold", "the lag in messages above which the rule fires");
      forbid("service");
      forbid("window_s");
      break;
    case "dlq_rate":
      need("threshold", "the dead letters per minute above which the rule fires");
      forbid("service");
      forbid("group");
      break;
    case "no_data":
      need("window_s", "the seconds without any response after which the rule fires");
      forbid("service");
      forbid("group");
      forbid("threshold");
      break;
  }
  return issues;
}

/**
 * The labels of a rule's alerts: `alertname` (the rule name), `rule_id`, `severity`, `kind`, the
 * rule's filters (`metric`, `model`, `source`, `check`, `service`, `group`) and its own `labels`.
 * Stable for a rule, so they identify its alerts in Alertmanager.
 *
 * @example
 * ```ts
 * import { parseRule, ruleLabels } from "./rules.ts";
 * const rule = parseRule({ id: "r1", name: "errors", kind: "metric", metric: "error_rate",
 *   op: ">", threshold: 0.1 });
 * ruleLabels(rule).metric; // "error_rate"
 * ```
 */
export function ruleLabels(rule: AlertRule): Record<string, string> {
  const labels: Record<string, string> = {
    alertname: rule.name,
    rule_id: rule.id,
    severity: rule.severity,
    kind: rule.kind,
  };
  if (rule.kind === "metric") {
    labels.metric = rule.metric;
    if (rule.model) labels.model = rule.model;
    if (rule.source) labels.source = rule.source;
  } else if (rule.kind === "health") {
    labels.check = rule.check;
    if (rule.service) labels.service = rule.service;
    if (rule.group) labels.group = rule.group;
  } else {
    labels.condition = rule.condition;
  }
  return { ...rule.labels, ...labels };
}

/**
 * The threshold a rule's value is compared with (for the UI and notifications): the metric
 * threshold, the drift share or 1 drifted column, the lag or rate, the no-data seconds, and 1
 * (unhealthy) for a service check.
 *
 * @example
 * ```ts
 * import { parseRule, ruleThreshold } from "./rules.ts";
 * ruleThreshold(parseRule({ id: "r", name: "quiet", kind: "health", check: "no_data",
 *   window_s: 600 })); // 600
 * ```
 */
export function ruleThreshold(rule: AlertRule): number {
  switch (rule.kind) {
    case "metric":
      return rule.threshold;
    case "drift":
      return rule.condition === "dataset" ? rule.drift_share : 1;
    case "health":
      return rule.check === "service"
        ? 1
        : rule.check === "no_data"
        ? rule.window_s!
        : rule.threshold!;
  }
}

/**
 * Compares a value with a threshold.
 *
 * @example
 * ```ts
 * import { compare } from "./rules.ts";
 * compare(3, ">=", 3); // true
 * ```
 */
export function compare(value: number, op: Op, threshold: number): boolean {
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
  }
}
