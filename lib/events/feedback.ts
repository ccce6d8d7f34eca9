/**
 * The `llm.feedback.v1` contract: a user's judgement of one answer, on the topic `llm.feedback`
 * (keyed by request id), so feedback is durable and replayable like every other event. The last
 * feedback per (request id, user id) counts.
 *
 * `score` is a thumb (`1` up, `-1` down) or a rating in [0, 1].
 *
 * @module
 */

import { z } from "zod";
import { LIMITS } from "./limits.ts";
import { EventValidationError } from "./validate.ts";

export { type FeedbackKind, feedbackKind, isThumbUp } from "./feedback_score.ts";

/** The schema name of feedback events. */
export const FEEDBACK_SCHEMA = "llm.feedback.v1";

/** Characters of a feedback comment. */
export const FEEDBACK_COMMENT_CHARS = 2_000;

// deno-lint-ignore no-control-regex
const NO_CONTROL = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/;
// deno-lint-ignore no-control-regex
const NO_CONTROL_AT_ALL = /^[^\u0000-\u001F\u007F-\u009F]*$/;

/** A thumb (1, -1) or a rating in [0, 1]. */
export const FeedbackScoreSchema = z.number().finite().refine(
  (score) => score === 1 || score === -1 || (score >= 0 && score <= 1),
  { message: "must be 1 or -1 (thumbs) or a number from 0 to 1" },
);

/** `llm.feedback.v1`. */
export const FeedbackEventSchema = z.object({
  schema: z.literal(FEEDBACK_SCHEMA),
  request_id: z.uuid(),
  score: FeedbackScoreSchema,
  comment: z.string().max(
    FEEDBACK_COMMENT_CHARS,
    `must be at most ${FEEDBACK_COMMENT_CHARS} characters`,
  ).regex(NO_CONTROL, "must not contain control characters").optional(),
  user_id: z.string().min(1).max(LIMITS.idChars)
    .regex(NO_CONTROL_AT_ALL, "must not contain control characters"),
  ts: z.number().int().nonnegative(),
});

/** A validated feedback event. */
export type FeedbackEvent = z.infer<typeof FeedbackEventSchema>;

/**
 * Validates a value as `llm.feedback.v1`.
 *
 * @example
 * ```ts
 * parseFeedbackEvent({
 *   schema: "llm.feedback.v1", request_id: crypto.randomUUID(), score: 1, user_id: "ada", ts: 1,
 * }).score; // 1
 * ```
 */
export function parseFeedbackEvent(value: unknown): FeedbackEvent {
  const result = FeedbackEventSchema.safeParse(value);
  if (result.success) return result.data;
  throw new EventValidationError(
    FEEDBACK_SCHEMA,
    result.error.issues.slice(0, 10).map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    })),
  );
}
