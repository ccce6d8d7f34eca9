/**
 * Joining a request with its call's measurements into an `llm.response.v1` event.
 *
 * @module
 */

import { LIMITS, type RequestEvent, type ResponseEvent } from "../events/mod.ts";
import type { CallMeasurement } from "./measured_chat.ts";

/**
 * Builds the response event of a request.
 *
 * @example
 * ```ts
 * const event = toResponseEvent(request, measurement, "worker-1");
 * ```
 */
export function toResponseEvent(
  request: RequestEvent,
  measurement: CallMeasurement,
  workerId: string,
): ResponseEvent {
  const response = measurement.response.length > LIMITS.responseChars
    ? measurement.response.slice(0, LIMITS.responseChars)
    : measurement.response;
  return { ...request, ...measurement, response, schema: "llm.response.v2", worker_id: workerId };
}
