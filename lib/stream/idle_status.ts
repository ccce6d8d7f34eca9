/**
 * The status of "no stream yet", in the shape of a job's status, so the API and the UI always
 * read one type.
 *
 * @module
 */

import type { StreamStatus } from "./engine.ts";

/**
 * The status shown before any stream was started.
 *
 * @example
 * ```ts
 * idleStreamStatus().state; // "idle"
 * ```
 */
export function idleStreamStatus(): StreamStatus {
  return {
    job_id: "",
    state: "idle",
    file: null,
    total_planned: null,
    sent: 0,
    succeeded: 0,
    failed: 0,
    failed_by_type: {},
    in_flight: 0,
    abandoned: 0,
    elapsed_s: 0,
    rate_per_s: 0,
    progress: null,
    stop_reason: null,
  };
}
