/**
 * Errors in OpenAI's shape, `{"error":{"message","type","param","code"}}`, with the status and
 * type OpenAI uses for each kind, so the OpenAI SDK raises the error class an application
 * expects (BadRequestError, AuthenticationError, NotFoundError, RateLimitError,
 * InternalServerError). Free of `Deno.*`.
 *
 * @module
 */

import { GatewayError, type GatewayErrorKind } from "./errors.ts";

/** OpenAI's error body. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error answer: status, body and headers (`Retry-After` where it applies). */
export interface ErrorAnswer<B> {
  status: number;
  body: B;
  headers: Record<string, string>;
}

const TYPES: Record<GatewayErrorKind, { type: string; code: string | null }> = {
  invalid_request: { type: "invalid_request_error", code: null },
  unauthorized: { type: "invalid_request_error", code: "invalid_api_key" },
  not_found: { type: "invalid_request_error", code: "model_not_found" },
  too_large: { type: "invalid_request_error", code: "request_too_large" },
  rate_limited: { type: "rate_limit_error", code: "rate_limit_exceeded" },
  upstream: { type: "server_error", code: "upstream_error" },
  unavailable: { type: "server_error", code: "service_unavailable" },
};

function retryHeaders(error: GatewayError): Record<string, string> {
  return error.retryAfterS !== null && (error.status === 429 || error.status === 503)
    ? { "retry-after": String(Math.max(0, Math.ceil(error.retryAfterS))) }
    : {};
}

/**
 * Any thrown value as a {@linkcode GatewayError} (anything else is a 502 without its internals:
 * the message says only that the gateway failed).
 *
 * @example
 * ```ts
 * asGatewayError(new Error("boom")).status; // 502
 * ```
 */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError("upstream", "the gateway could not complete the call", { cause: error });
}

/**
 * OpenAI's error answer for an error.
 *
 * @example
 * ```ts
 * const answer = openAiError(new GatewayError("not_found", "model 'x' not found"));
 * answer.status; // 404
 * answer.body.error.type; // "invalid_request_error"
 * ```
 */
export function openAiError(error: unknown): ErrorAnswer<OpenAiErrorBody> {
  const e = asGatewayError(error);
  const { type, code } = TYPES[e.kind];
  return {
    status: e.status,
    body: { error: { message: e.message, type, param: e.param, code: e.code ?? code } },
    headers: retryHeaders(e),
  };
}

/**
 * OpenAI's error as one server-sent event, for a failure after a stream has started (the
 * OpenAI SDK raises it as an APIError).
 *
 * @example
 * ```ts
 * openAiErrorEvent(new GatewayError("upstream", "Ollama stopped")); // 'data: {"error":…}\n\n'
 * ```
 */
export function openAiErrorEvent(error: unknown): string {
  return `data: ${JSON.stringify(openAiError(error).body)}\n\n`;
}

/** Ollama's error body. */
export interface OllamaErrorBody {
  error: string;
}

/**
 * Ollama's error answer, `{"error":"…"}`, with the same statuses.
 *
 * @example
 * ```ts
 * ollamaError(new GatewayError("invalid_request", "model is required")).body;
 * // { error: "model is required" }
 * ```
 */
export function ollamaError(error: unknown): ErrorAnswer<OllamaErrorBody> {
  const e = asGatewayError(error);
  return { status: e.status, body: { error: e.message }, headers: retryHeaders(e) };
}

/**
 * The gateway error for a failed upstream call, by its classified type: a missing model is
 * 404, a refused connection 503 (retry later), anything else 502.
 *
 * @example
 * ```ts
 * gatewayErrorForFailure({ type: "connection_refused", message: "refused" }).status; // 503
 * ```
 */
export function gatewayErrorForFailure(
  failure: { type: string; message: string },
  retryAfterS = 1,
): GatewayError {
  switch (failure.type) {
    case "model_not_found":
      return new GatewayError("not_found", failure.message, { code: "model_not_found" });
    case "connection_refused":
      return new GatewayError(
        "unavailable",
        `the model server is unreachable: ${failure.message}`,
        {
          retryAfterS,
        },
      );
    case "timeout":
      return new GatewayError("upstream", `the model server timed out: ${failure.message}`, {
        code: "timeout",
      });
    default:
      return new GatewayError("upstream", failure.message);
  }
}
