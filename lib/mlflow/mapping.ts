/**
 * How a response event becomes an MLflow run (DESIGN.md's mapping): one run per response, named
 * after the request id; tags, params and metrics as listed there (`cost_usd` and the tags
 * `variant` and `price_version` when the response has them); start and end time from the
 * response; FINISHED or FAILED. And how a user's feedback is logged on that run.
 *
 * @module
 */

import { type FeedbackEvent, feedbackKind, type ResponseEvent } from "../events/mod.ts";
import type { MlflowKeyValue, MlflowMetric } from "./client.ts";

/** The run that represents one response. */
export interface RunRecord {
  run_name: string;
  start_time: number;
  end_time: number;
  status: "FINISHED" | "FAILED";
  tags: MlflowKeyValue[];
  params: MlflowKeyValue[];
  metrics: MlflowMetric[];
}

/**
 * Maps a response event to its run.
 *
 * @example
 * ```ts
 * const run = responseToRun(event);
 * run.metrics.find((m) => m.key === "latency_s")?.value; // event.latency_ms / 1000
 * ```
 */
export function responseToRun(event: ResponseEvent): RunRecord {
  const success = event.status === "success";
  const tags: MlflowKeyValue[] = [
    { key: "request_id", value: event.request_id },
    { key: "model", value: event.model },
    { key: "user_id", value: event.user_id },
    { key: "status", value: event.status },
    { key: "source", value: event.source },
  ];
  if (event.error) tags.push({ key: "error_type", value: event.error.type });
  if (event.dataset) tags.push({ key: "dataset", value: event.dataset });
  if (event.tags?.variant) tags.push({ key: "variant", value: event.tags.variant });
  if (event.price_version) tags.push({ key: "price_version", value: event.price_version });
  const params: MlflowKeyValue[] = [
    { key: "model", value: event.model },
    { key: "temperature", value: String(event.params.temperature) },
    { key: "top_p", value: String(event.params.top_p) },
    { key: "num_predict", value: String(event.params.num_predict) },
  ];
  const at = event.ts_end;
  const metric = (key: string, value: number): MlflowMetric => ({
    key,
    value,
    timestamp: at,
    step: 0,
  });
  const metrics: MlflowMetric[] = [
    metric("latency_s", event.latency_ms / 1000),
    metric("tokens", event.completion_tokens),
    metric("prompt_tokens", event.prompt_tokens),
    metric("response_length", event.response_chars),
    metric("tokens_per_s", event.tokens_per_s),
    metric("success", success ? 1 : 0),
  ];
  if (event.ttft_ms !== null) metrics.splice(1, 0, metric("ttft_s", event.ttft_ms / 1000));
  if (event.cost_usd !== undefined) metrics.push(metric("cost_usd", event.cost_usd));
  return {
    run_name: event.request_id,
    start_time: event.ts_start,
    end_time: event.ts_end,
    status: success ? "FINISHED" : "FAILED",
    tags,
    params,
    metrics,
  };
}

/**
 * What one feedback event logs on its request's run: the metric `feedback_score` (the score, at
 * the feedback's time, so MLflow's latest value is the newest feedback whatever order they are
 * logged in) and the tags `feedback` (up, down or rating), `feedback_user` and, with a comment,
 * `feedback_comment`.
 *
 * @example
 * ```ts
 * feedbackToRun(event).tags[0]; // { key: "feedback", value: "up" }
 * ```
 */
export function feedbackToRun(
  event: FeedbackEvent,
): { metrics: MlflowMetric[]; tags: MlflowKeyValue[] } {
  const tags: MlflowKeyValue[] = [
    { key: "feedback", value: feedbackKind(event.score) },
    { key: "feedback_user", value: event.user_id },
  ];
  if (event.comment) tags.push({ key: "feedback_comment", value: event.comment });
  return {
    metrics: [{ key: "feedback_score", value: event.score, timestamp: event.ts, step: 0 }],
    tags,
  };
}

/** The value of a tag of a run, or undefined. */
export function tagOf(run: { data: { tags?: MlflowKeyValue[] } }, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}
