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
  type ResponseEvent,
  ResponseEventSchema,
} from "./schemas.ts";

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
 * Validates a value as `llm.request.v1`.
 *
 * @example
 * ```ts
 * const event = parseRequestEvent(JSON.parse(text)); // throws EventValidationError
 * ```
 */
export function parseRequestEvent(value: unknown): RequestEvent {
  return parseWith("llm.request.v1", RequestEventSchema, value);
}

/**
 * Validates a value as `llm.response.v1`.
 *
 * @example
 * ```ts
 * const event = parseResponseEvent(JSON.parse(text));
 * ```
 */
export function parseResponseEvent(value: unknown): ResponseEvent {
  return parseWith("llm.response.v1", ResponseEventSchema, value);
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

/**
 * Decodes a message's bytes (UTF-8 JSON, at most {@linkcode LIMITS.messageBytes}) and validates
 * it with `parse`. Every failure is an {@linkcode EventValidationError}.
 *
 * @example
 * ```ts
 * const event = decodeEvent(message.value, "llm.request.v1", parseRequestEvent);
 * ```
 */
export function decodeEvent<T>(
  bytes: Uint8Array | null | undefined,
  schema: string,
  parse: (value: unknown) => T,
): T {
  if (!bytes || bytes.length === 0) {
    throw new EventValidationError(schema, [{ path: "", message: "empty message" }]);
  }
  if (bytes.length > LIMITS.messageBytes) {
    throw new EventValidationError(schema, [{
      path: "",
      message: `message of ${bytes.length} bytes exceeds the ${LIMITS.messageBytes}-byte limit`,
    }]);
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new EventValidationError(schema, [{ path: "", message: "not valid UTF-8" }]);
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
  if (found !== schema) {
    throw new EventValidationError(schema, [{
      path: "schema",
      message: `expected "${schema}", found ${JSON.stringify(found) ?? "nothing"}`,
    }]);
  }
  return parse(value);
}
