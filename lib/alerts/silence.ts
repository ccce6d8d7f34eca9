/**
 * Silences: a rule muted until a time. A silenced alert still changes state (and is recorded),
 * but nothing is sent for it; when the silence ends while the alert fires and was never
 * notified, it is notified then.
 *
 * @module
 */

import { z } from "zod";
import type { AlertSilenceEvent } from "../events/alert.ts";
import { ALERT_EVENT_SCHEMA } from "../events/alert.ts";
import { AlertValidationError, parseOrThrow, requireObject } from "./validation.ts";

/** A silence body as posted: `until` (ISO time or epoch ms) or `duration_s`. */
export const SilenceInputSchema = z.strictObject({
  rule_id: z.string().min(1).max(200),
  until: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]).optional(),
  duration_s: z.number().gt(0).max(90 * 86_400).optional(),
  comment: z.string().max(1_000).optional(),
  created_by: z.string().max(200).optional(),
});

/** Context of {@linkcode parseSilence}. */
export interface ParseSilenceOptions {
  /** The time now, epoch ms. */
  now: number;
  /** Ids of the defined rules; when given, `rule_id` must be one. */
  rules?: readonly string[];
  /** Id of the new silence (default: a random UUID). */
  newId?: () => string;
}

/**
 * Validates a silence body and returns its `llm.alert.v1` record. Throws
 * {@linkcode AlertValidationError} naming the field: an unknown rule, an `until` in the past,
 * neither or both of `until` and `duration_s`.
 *
 * @example
 * ```ts
 * import { parseSilence } from "./silence.ts";
 * parseSilence({ rule_id: "r1", duration_s: 3600 }, { now: 0 }).until; // 3600000
 * ```
 */
export function parseSilence(input: unknown, options: ParseSilenceOptions): AlertSilenceEvent {
  requireObject("silence", input);
  const body = parseOrThrow("silence", SilenceInputSchema, input);
  if ((body.until === undefined) === (body.duration_s === undefined)) {
    throw new AlertValidationError("silence", [{
      path: "until",
      message: `expected exactly one of until (ISO time or epoch ms) and duration_s, found ${
        body.until === undefined ? "neither" : "both"
      }`,
    }]);
  }
  if (options.rules && !options.rules.includes(body.rule_id)) {
    throw new AlertValidationError("silence", [{
      path: "rule_id",
      message: `expected the id of a defined rule, found "${body.rule_id}"`,
    }]);
  }
  const until = body.duration_s !== undefined
    ? options.now + Math.round(body.duration_s * 1000)
    : typeof body.until === "number"
    ? body.until
    : Date.parse(body.until!);
  if (until <= options.now) {
    throw new AlertValidationError("silence", [{
      path: "until",
      message: `expected a time in the future, found ${new Date(until).toISOString()}`,
    }]);
  }
  return {
    schema: ALERT_EVENT_SCHEMA,
    kind: "silence",
    ts: options.now,
    silence_id: (options.newId ?? (() => crypto.randomUUID()))(),
    rule_id: body.rule_id,
    until,
    ...(body.comment !== undefined ? { comment: body.comment } : {}),
    ...(body.created_by !== undefined ? { created_by: body.created_by } : {}),
  };
}
