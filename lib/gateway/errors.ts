/**
 * One error for everything the gateway refuses or fails at, independent of the dialect: each
 * dialect renders it in its own shape (OpenAI's `{"error":{…}}`, Ollama's `{"error":"…"}`,
 * OTLP's `google.rpc.Status`). Free of `Deno.*`.
 *
 * @module
 */

/** Why a gateway call failed, which decides the HTTP status and OpenAI's error type. */
export type GatewayErrorKind =
  | "invalid_request"
  | "unauthorized"
  | "not_found"
  | "too_large"
  | "rate_limited"
  | "upstream"
  | "unavailable";

/** The HTTP status of each kind. */
export const GATEWAY_ERROR_STATUS: Readonly<Record<GatewayErrorKind, number>> = Object.freeze({
  invalid_request: 400,
  unauthorized: 401,
  not_found: 404,
  too_large: 413,
  rate_limited: 429,
  upstream: 502,
  unavailable: 503,
});

/** Options of {@linkcode GatewayError}. */
export interface GatewayErrorOptions {
  /** The request field at fault (OpenAI's `param`), as a dotted path. */
  param?: string;
  /** A machine-readable code (OpenAI's `code`), for example `model_not_found`. */
  code?: string;
  /** Seconds after which a retry may succeed (sent as `Retry-After` for 429/503). */
  retryAfterS?: number;
  cause?: unknown;
}

/**
 * A refused or failed gateway call.
 *
 * @example
 * ```ts
 * const error = new GatewayError("invalid_request", "messages must be a non-empty array", {
 *   param: "messages",
 * });
 * error.status; // 400
 * ```
 */
export class GatewayError extends Error {
  readonly param: string | null;
  readonly code: string | null;
  readonly retryAfterS: number | null;

  constructor(readonly kind: GatewayErrorKind, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.retryAfterS = options.retryAfterS ?? null;
  }

  /** The HTTP status to answer with. */
  get status(): number {
    return GATEWAY_ERROR_STATUS[this.kind];
  }
}

/**
 * Describes what a value is, for "expected X, found Y" messages (`null`, `array`, `string`…).
 *
 * @example
 * ```ts
 * describeType([1]); // "array"
 * ```
 */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return typeof value;
}

/**
 * An `invalid_request` error saying what a field should be and what it is.
 *
 * @example
 * ```ts
 * invalidField("temperature", "a number from 0 to 2", "hot").message;
 * // "temperature must be a number from 0 to 2, found string"
 * ```
 */
export function invalidField(param: string, expected: string, found: unknown): GatewayError {
  const numeric = /number|integer/.test(expected);
  const shown = typeof found === "number" && Number.isFinite(found) && numeric
    ? String(found)
    : describeType(found);
  return new GatewayError("invalid_request", `${param} must be ${expected}, found ${shown}`, {
    param,
  });
}
