/**
 * Readers for fields of untrusted JSON bodies: each returns the value or `undefined` (absent or
 * `null`, as OpenAI treats them) and throws an `invalid_request` {@linkcode GatewayError} saying
 * what was expected and what was found. Private to lib/gateway.
 *
 * @module
 */

import { GatewayError, invalidField } from "./errors.ts";

/** A JSON object read from a body (never an array or null). */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The body as an object, or a 400 naming what it was instead. */
export function requireBodyObject(body: unknown): JsonObject {
  if (!isObject(body)) {
    throw new GatewayError(
      "invalid_request",
      `the request body must be a JSON object, found ${
        body === null ? "null" : Array.isArray(body) ? "array" : typeof body
      }`,
    );
  }
  return body;
}

/** Own property, so `__proto__` and inherited names never count as fields. */
function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Bounds of a numeric field. */
export interface NumberBounds {
  min?: number;
  max?: number;
  /** The lower bound itself is not allowed. */
  minExclusive?: boolean;
  integer?: boolean;
}

function describeBounds(b: NumberBounds): string {
  const kind = b.integer ? "an integer" : "a number";
  if (b.min !== undefined && b.max !== undefined) {
    return b.minExclusive
      ? `${kind} above ${b.min} and at most ${b.max}`
      : `${kind} from ${b.min} to ${b.max}`;
  }
  if (b.min !== undefined) return `${kind} ${b.minExclusive ? "above" : "of at least"} ${b.min}`;
  if (b.max !== undefined) return `${kind} of at most ${b.max}`;
  return kind;
}

/** An optional finite number within bounds. */
export function optionalNumber(
  obj: JsonObject,
  key: string,
  param: string,
  bounds: NumberBounds = {},
): number | undefined {
  const value = own(obj, key);
  if (value === undefined || value === null) return undefined;
  const ok = typeof value === "number" && Number.isFinite(value) &&
    (!bounds.integer || Number.isInteger(value)) &&
    (bounds.min === undefined ||
      (bounds.minExclusive ? value > bounds.min : value >= bounds.min)) &&
    (bounds.max === undefined || value <= bounds.max);
  if (!ok) throw invalidField(param, describeBounds(bounds), value);
  return value as number;
}

/** An optional string of at most `maxChars` characters (`minChars` default 0). */
export function optionalString(
  obj: JsonObject,
  key: string,
  param: string,
  maxChars: number,
  minChars = 0,
): string | undefined {
  const value = own(obj, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalidField(param, "a string", value);
  if (value.length < minChars) {
    throw new GatewayError("invalid_request", `${param} must not be empty`, { param });
  }
  if (value.length > maxChars) {
    throw new GatewayError(
      "invalid_request",
      `${param} must be at most ${maxChars} characters, found ${value.length}`,
      { param },
    );
  }
  return value;
}

/** A required non-empty string of at most `maxChars` characters. */
export function requireString(
  obj: JsonObject,
  key: string,
  param: string,
  maxChars: number,
): string {
  const value = optionalString(obj, key, param, maxChars, 1);
  if (value === undefined) {
    throw new GatewayError("invalid_request", `${param} is required`, { param });
  }
  return value;
}

/** An optional boolean. */
export function optionalBoolean(obj: JsonObject, key: string, param: string): boolean | undefined {
  const value = own(obj, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidField(param, "a boolean", value);
  return value;
}

/** An optional object. */
export function optionalObject(
  obj: JsonObject,
  key: string,
  param: string,
): JsonObject | undefined {
  const value = own(obj, key);
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidField(param, "an object", value);
  return value;
}

/** An optional array. */
export function optionalArray(obj: JsonObject, key: string, param: string): unknown[] | undefined {
  const value = own(obj, key);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidField(param, "an array", value);
  return value;
}

/** The raw own field (for fields with several accepted shapes). */
export function field(obj: JsonObject, key: string): unknown {
  const value = own(obj, key);
  return value === null ? undefined : value;
}
