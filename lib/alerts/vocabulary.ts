/**
 * The words of alert rules and channels (metrics, operators, health checks, kinds, severities,
 * channel types), in a module free of zod and of `Deno.*`, so the dashboard's bundle can offer
 * them in its forms without carrying the validators. The schemas in `rules.ts` and
 * `channels/config.ts` are built from these same lists.
 *
 * @module
 */

/** Metrics a `metric` rule can watch. */
export const METRICS = [
  "latency_p50_s",
  "latency_p95_s",
  "latency_p99_s",
  "ttft_p95_s",
  "error_rate",
  "throughput_rps",
  "tokens_per_s_avg",
  "requests",
  "cost_usd",
  "thumbs_up_rate",
] as const;

/** Comparison operators. */
export const OPS = [">", ">=", "<", "<="] as const;

/** Checks a `health` rule can make. */
export const HEALTH_CHECKS = ["service", "consumer_lag", "dlq_rate", "no_data"] as const;

/** Rule kinds. */
export const RULE_KINDS = ["metric", "drift", "health"] as const;

/** Severities of a rule, mildest first. */
export const SEVERITIES = ["info", "warning", "critical"] as const;

/** Channel types. */
export const CHANNEL_TYPES = ["webhook", "slack", "email", "alertmanager"] as const;

/** What a secret is replaced with in API answers. */
export const SECRET_MASK = "********";
