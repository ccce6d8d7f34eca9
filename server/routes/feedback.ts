/**
 * POST /api/feedback: a user's judgement of one answer, produced to `llm.feedback`. GET
 * /api/feedback: a user's counted feedbacks (the dashboard shows which thumb each card has).
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  EventValidationError,
  FEEDBACK_COMMENT_CHARS,
  FEEDBACK_SCHEMA,
  FeedbackScoreSchema,
  LIMITS,
  parseFeedbackEvent,
} from "../../lib/events/mod.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../http_errors.ts";
import { rateLimit, type RateLimitOptions } from "../rate_limit.ts";
import { intParam } from "./observe.ts";
import { readJson } from "./read_json.ts";

/** The user id of feedback that names none. */
export const ANONYMOUS_USER = "anonymous";

/** The body of POST /api/feedback. */
export const FeedbackBodySchema = z.object({
  request_id: z.uuid("must be a request id (a UUID)"),
  score: FeedbackScoreSchema,
  comment: z.string().max(
    FEEDBACK_COMMENT_CHARS,
    `must be at most ${FEEDBACK_COMMENT_CHARS} characters`,
  ).optional(),
  user_id: z.string().min(1, "must not be empty").max(LIMITS.idChars).optional(),
}).strict();

/** Routes of user feedback. */
export function feedbackRoutes(deps: AppDeps, limits?: RateLimitOptions): Hono {
  const app = new Hono();
  app.post("/feedback", rateLimit(limits), async (c) => {
    const body = await readJson(c, FeedbackBodySchema);
    let event;
    try {
      event = parseFeedbackEvent({
        schema: FEEDBACK_SCHEMA,
        request_id: body.request_id,
        score: body.score,
        ...(body.comment ? { comment: body.comment } : {}),
        user_id: body.user_id ?? ANONYMOUS_USER,
        ts: Date.now(),
      });
    } catch (error) {
      if (error instanceof EventValidationError) {
        throw new ApiError(
          400,
          "bad_request",
          error.issues.map((i) => `${i.path}: ${i.message}`).join("; "),
        );
      }
      throw error;
    }
    let known: boolean;
    try {
      known = await deps.knownRequest(event.request_id);
    } catch {
      throw new ApiError(
        503,
        "unavailable",
        "cannot tell whether the request exists: MLflow is not answering; retry shortly",
      );
    }
    if (!known) {
      throw new ApiError(
        400,
        "bad_request",
        `request_id: no request ${event.request_id} has been seen (not on llm.requests or ` +
          "llm.responses, and no MLflow run of that name)",
      );
    }
    try {
      await deps.submitFeedback(event);
    } catch (error) {
      throw new ApiError(
        503,
        "unavailable",
        `could not record the feedback: ${(error as Error).message}`,
      );
    }
    return c.json(
      { request_id: event.request_id, user_id: event.user_id, score: event.score, ts: event.ts },
      202,
    );
  });
  app.get("/feedback", (c) => {
    const userId = c.req.query("user_id") || ANONYMOUS_USER;
    if (userId.length > LIMITS.idChars) {
      throw new ApiError(
        400,
        "bad_request",
        `user_id must be at most ${LIMITS.idChars} characters`,
      );
    }
    const limit = intParam(c.req.query("limit"), "limit", 1, 1_000, 200);
    return c.json({ user_id: userId, feedback: deps.userFeedback(userId, limit) });
  });
  return app;
}
