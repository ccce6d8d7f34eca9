/**
 * Valid sample events for tests, each call a fresh object with a new request id.
 *
 * @module
 */

import type { RequestEvent, ResponseEvent } from "./schemas.ts";

/**
 * A valid `llm.request.v1` event, with fields overridden.
 *
 * @example
 * ```ts
 * const request = sampleRequest({ prompt: "Hi" });
 * ```
 */
export function sampleRequest(overrides: Partial<RequestEvent> = {}): RequestEvent {
  return {
    schema: "llm.request.v2",
    request_id: crypto.randomUUID(),
    ts: 1_760_000_000_000,
    prompt: "What is Apache Kafka?",
    model: "smollm2:135m",
    params: { temperature: 0.7, top_p: 0.9, num_predict: 64 },
    user_id: "tester",
    source: "test",
    ...overrides,
  };
}

/**
 * A valid successful `llm.response.v1` event, with fields overridden.
 *
 * @example
 * ```ts
 * const response = sampleResponse({ latency_ms: 1200 });
 * ```
 */
export function sampleResponse(overrides: Partial<ResponseEvent> = {}): ResponseEvent {
  const request = sampleRequest();
  return {
    ...request,
    schema: "llm.response.v2",
    ts_start: request.ts + 5,
    ts_end: request.ts + 1_205,
    status: "success",
    response: "Apache Kafka is a distributed event streaming platform.",
    latency_ms: 1_200,
    ttft_ms: 150,
    prompt_tokens: 12,
    completion_tokens: 11,
    tokens_per_s: 10.5,
    response_chars: 55,
    total_duration_ns: 1_190_000_000,
    load_duration_ns: 1_000_000,
    prompt_eval_duration_ns: 100_000_000,
    eval_duration_ns: 1_047_000_000,
    worker_id: "worker-test",
    ...overrides,
  };
}
