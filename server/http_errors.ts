/**
 * JSON errors for every failure of the HTTP API: `{error: {code, message}}` with a fitting status.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Codes of the API's errors. */
export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "conflict"
  | "unsupported_media_type"
  | "misdirected_request"
  | "uri_too_long"
  | "headers_too_large"
  | "request_timeout"
  | "not_found"
  | "method_not_allowed"
  | "payload_too_large"
  | "too_many_requests"
  | "unavailable"
  | "internal";

/**
 * A JSON error response.
 *
 * @example
 * ```ts
 * return jsonError(c, 400, "bad_request", "prompt: must not be empty");
 * ```
 */
export function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  headers?: Record<string, string>,
): Response {
  return c.json({ error: { code, message } }, status, headers);
}

/** An error that carries its HTTP status and code, thrown from routes. */
export class ApiError extends HTTPException {
  constructor(status: ContentfulStatusCode, readonly code: ErrorCode, message: string) {
    super(status, { message });
  }
}

/** Turns any thrown error into a JSON error (500 only for the unexpected). */
export function onError(error: Error, c: Context): Response {
  if (error instanceof ApiError) {
    return jsonError(c, error.status as ContentfulStatusCode, error.code, error.message);
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const code: ErrorCode = status === 413
      ? "payload_too_large"
      : status === 401
      ? "unauthorized"
      : status >= 500
      ? "internal"
      : "bad_request";
    return jsonError(c, status, code, error.message || "request refused");
  }
  console.error(`server: ${error.stack ?? error.message}`);
  return jsonError(c, 500, "internal", "internal error; see the server log");
}
