/**
 * Validation of events at every boundary, with one typed error that says which fields are wrong,
 * what was expected and what was found.
 *
 * @module
 */

import type { z } from "zod";
import {
  type DlqEvent,
  DlqEventSchema,
  LIMITS,
  type RequestEvent,
  RequestEventSchema,
  RequestEventV1Schema,
  type ResponseEvent,
  ResponseEventSchema,
  ResponseEventV1Schema,
} from "./schemas.ts";
import { fastResponse } from "./fast_response.ts";

/** The request contracts every consumer reads, newest first. */
export const REQUEST_SCHEMAS: readonly string[] = Object.freeze([
  "llm.request.v2",
  "llm.request.v1",
]);
/** The response contracts every consumer reads, newest first. */
export const RESPONSE_SCHEMAS: readonly string[] = Object.freeze([
  "llm.response.v2",
  "llm.response.v1",
]);

const schemaOf = (value: unknown) =>
  value !== null && typeof value === "object" ? (value as { schema?: unknown }).schema : undefined;

/** One problem in an event: where, and what is wrong there. */
export interface ValidationIssue {
  /** Dotted path of the field, or "" for the whole message. */
  path: string;
  message: string;
}

/** An event that does not match its contract (or is not JSON at all). */
export class EventValidationError extends Error {
  constructor(readonly schema: string, readonly issues: ValidationIssue[]) {
    super(
      `invalid ${schema}: ` +
        issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "),
    );
    this.name = "EventValidationError";
  }
}

function parseWith<T>(name: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new EventValidationError(
    name,
    result.error.issues.slice(0, 10).map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    })),
  );
}

/**
 * Validates a value as `llm.request.v2`, or as `llm.request.v1` when its `schema` says so.
 *
 * @example
 * ```ts
 * const event = parseRequestEvent(JSON.parse(text)); // throws EventValidationError
 * ```
 */
export function parseRequestEvent(value: unknown): RequestEvent {
  return schemaOf(value) === "llm.request.v1"
    ? parseWith("llm.request.v1", RequestEventV1Schema, value)
    : parseWith("llm.request.v2", RequestEventSchema, value);
}

/**
 * Validates a value as `llm.response.v2`, or as `llm.response.v1` when its `schema` says so. The
 * common shape is checked by a hand-written fast path (`fast_response.ts`) that accepts only what
 * the schema accepts; anything else goes to the schema, which decides and explains.
 *
 * @example
 * ```ts
 * const event = parseResponseEvent(JSON.parse(text));
 * ```
 */
export function parseResponseEvent(value: unknown): ResponseEvent {
  const fast = fastResponse(value);
  if (fast !== undefined) return fast;
  return schemaOf(value) === "llm.response.v1"
    ? parseWith("llm.response.v1", ResponseEventV1Schema, value)
    : parseWith("llm.response.v2", ResponseEventSchema, value);
}

/**
 * Decodes and validates a request message of either version.
 *
 * @example
 * ```ts ignore
 * const request = decodeRequest(message.value);
 * ```
 */
export function decodeRequest(bytes: Uint8Array | null | undefined): RequestEvent {
  return decodeEvent(bytes, REQUEST_SCHEMAS, parseRequestEvent);
}

/**
 * Decodes and validates a response message of either version.
 *
 * @example
 * ```ts ignore
 * const response = decodeResponse(message.value);
 * ```
 */
export function decodeResponse(bytes: Uint8Array | null | undefined): ResponseEvent {
  return decodeEvent(bytes, RESPONSE_SCHEMAS, parseResponseEvent);
}

/**
 * Validates a value as `llm.dlq.v1`.
 *
 * @example
 * ```ts
 * const event = parseDlqEvent(JSON.parse(text));
 * ```
 */
export function parseDlqEvent(value: unknown): DlqEvent {
  return parseWith("llm.dlq.v1", DlqEventSchema, value);
}

const decoder = new TextDecoder("utf-8", { fatal: true });
/** Replaces bad bytes with U+FFFD instead of failing: about twice as fast as the fatal one. */
const lenientDecoder = new TextDecoder("utf-8");

/**
 * Decodes a message's bytes (UTF-8 JSON, at most {@linkcode LIMITS.messageBytes}) and validates
 * it with `parse`; its `schema` field must be `schema` (or one of them). Every failure is an
 * {@linkcode EventValidationError}.
 *
 * @example
 * ```ts
 * const event = decodeEvent(message.value, "llm.dlq.v1", parseDlqEvent);
 * ```
 */
export function decodeEvent<T>(
  bytes: Uint8Array | null | undefined,
  schemas: string | readonly string[],
  parse: (value: unknown) => T,
): T {
  const accepted = typeof schemas === "string" ? [schemas] : schemas;
  const schema = accepted[0];
  if (!bytes || bytes.length === 0) {
    throw new EventValidationError(schema, [{ path: "", message: "empty message" }]);
  }
  if (bytes.length > LIMITS.messageBytes) {
    throw new EventValidationError(schema, [{
      path: "",
      message: `message of ${bytes.length} bytes exceeds the ${LIMITS.messageBytes}-byte limit`,
    }]);
  }
  // The lenient decoder marks bad bytes with U+FFFD; only text that holds one (a bad byte, or a
  // real U+FFFD) is decoded again strictly, which fails on bad bytes.
  let text = lenientDecoder.decode(bytes);
  if (text.includes("\uFFFD")) {
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new EventValidationError(schema, [{ path: "", message: "not valid UTF-8" }]);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EventValidationError(schema, [{
      path: "",
      message: `invalid JSON (${(error as Error).message})`,
    }]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new EventValidationError(schema, [{
      path: "",
      message: `expected a JSON object, found ${
        Array.isArray(value) ? "an array" : value === null ? "null" : typeof value
      }`,
    }]);
  }
  const found = (value as { schema?: unknown }).schema;
  if (typeof found !== "string" || !accepted.includes(found)) {
    throw new EventValidationError(schema, [{
      path: "schema",
      message: `expected ${accepted.map((s) => `"${s}"`).join(" or ")}, found ${
        JSON.stringify(found) ?? "nothing"
      }`,
    }]);
  }
  return parse(value);
}
