/**
 * Building request events from what a person or a script supplies, filling in ids, time and
 * default parameters, then validating the result.
 *
 * @module
 */

import type { RequestEvent, RequestParams, RequestSource } from "./schemas.ts";
import { parseRequestEvent } from "./validate.ts";

/** Parameters used where a request names none. */
export const DEFAULT_PARAMS: Readonly<RequestParams> = Object.freeze({
  temperature: 0.7,
  top_p: 0.9,
  num_predict: 256,
});

/** What a caller supplies to submit a prompt. */
export interface RequestInput {
  prompt: string;
  system?: string;
  model?: string;
  params?: Partial<RequestParams>;
  user_id?: string;
  session_id?: string;
  source?: RequestSource;
  dataset?: string;
  tags?: Record<string, string>;
  /** Normally generated; supplied only to correlate with an id made elsewhere. */
  request_id?: string;
}

/**
 * Builds and validates an `llm.request.v1` event.
 *
 * @example
 * ```ts
 * const event = createRequestEvent({ prompt: "Explain Kafka" }, { model: "smollm2:135m" });
 * event.params.temperature; // 0.7
 * ```
 */
export function createRequestEvent(
  input: RequestInput,
  defaults: { model: string; user_id?: string; source?: RequestSource; now?: () => number },
): RequestEvent {
  const params: Record<string, unknown> = { ...DEFAULT_PARAMS };
  for (const [key, value] of Object.entries(input.params ?? {})) {
    if (value !== undefined) params[key] = value;
  }
  return parseRequestEvent({
    schema: "llm.request.v2",
    request_id: input.request_id ?? crypto.randomUUID(),
    ts: (defaults.now ?? Date.now)(),
    prompt: input.prompt,
    system: input.system,
    model: input.model ?? defaults.model,
    params,
    user_id: input.user_id ?? defaults.user_id ?? "anonymous",
    session_id: input.session_id,
    source: input.source ?? defaults.source ?? "api",
    dataset: input.dataset,
    tags: input.tags,
  });
}
