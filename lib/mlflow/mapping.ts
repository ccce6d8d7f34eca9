/**
 * How a response event becomes an MLflow run (DESIGN.md's mapping): one run per response, named
 * after the request id; tags, params and metrics as listed there; start and end time from the
 * response; FINISHED or FAILED.
 *
 * @module
 */

import type { ResponseEvent } from "../events/mod.ts";
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

/** The value of a tag of a run, or undefined. */
export function tagOf(run: { data: { tags?: MlflowKeyValue[] } }, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}
