/**
 * Classifying what goes wrong in an LLM call, so failures are recorded with a type that the
 * dashboard and the drift report can count.
 *
 * @module
 */

import type { LlmErrorType } from "../events/mod.ts";

/** A classified failure of one call. */
export interface LlmCallError {
  type: LlmErrorType;
  message: string;
}

/** Thrown inside a call when the stream ends without Ollama's final "done" chunk. */
export class BrokenStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BrokenStreamError";
  }
}

/** The reason given to an abort caused by the per-call timeout. */
export class CallTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = "CallTimeoutError";
  }
}

/**
 * Classifies an error from npm:ollama or fetch.
 *
 * @example
 * ```ts
 * classifyError(new TypeError("tcp connect error: Connection refused (os error 111)"));
 * // { type: "connection_refused", message: "..." }
 * ```
 */
export function classifyError(
  error: unknown,
  context: { streamStarted?: boolean; abortReason?: unknown } = {},
): LlmCallError {
  const reason = context.abortReason;
  if (reason instanceof CallTimeoutError) return { type: "timeout", message: reason.message };
  if (reason !== undefined) {
    return { type: "aborted", message: `aborted: ${describe(reason)}` };
  }
  if (error instanceof BrokenStreamError) return { type: "broken_stream", message: error.message };
  const message = describe(error);
  const status = (error as { status_code?: number })?.status_code;
  if (typeof status === "number") {
    if (status === 404 && /not found|pull/i.test(message)) {
      return { type: "model_not_found", message };
    }
    return { type: "http_error", message: `HTTP ${status}: ${message}` };
  }
  if (/connection refused|ECONNREFUSED|os error 111/i.test(message)) {
    return { type: "connection_refused", message };
  }
  if (/timed? ?out|ETIMEDOUT/i.test(message)) return { type: "timeout", message };
  if (context.streamStarted) return { type: "broken_stream", message };
  if (/error sending request|connection (reset|closed)|ECONNRESET|EPIPE/i.test(message)) {
    return { type: "connection_refused", message };
  }
  return { type: "unknown", message };
}

function describe(value: unknown): string {
  if (value instanceof Error) {
    const cause = value.cause instanceof Error ? ` (${value.cause.message})` : "";
    return `${value.message}${cause}`.slice(0, 2_000);
  }
  return String(value).slice(0, 2_000);
}
