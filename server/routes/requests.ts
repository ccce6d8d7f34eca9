/** POST /api/requests: submit a prompt; it goes through Kafka like every other request. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { EventValidationError, LIMITS } from "../../lib/events/mod.ts";
import { ApiError } from "../http_errors.ts";
import { rateLimit, type RateLimitOptions } from "../rate_limit.ts";
import { readJson } from "./read_json.ts";

/** The body of POST /api/requests. */
export const SubmitBodySchema = z.object({
  prompt: z.string().min(1, "must not be empty").max(
    LIMITS.promptChars,
    `must be at most ${LIMITS.promptChars} characters`,
  ),
  system: z.string().max(LIMITS.systemChars).optional(),
  model: z.string().min(1).max(LIMITS.idChars).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  max_tokens: z.number().int().min(1).max(LIMITS.maxTokens).optional(),
  user_id: z.string().min(1).max(LIMITS.idChars).optional(),
  source: z.enum(["test", "api"]).optional(),
}).strict();

/** Routes that submit work. */
export function requestRoutes(deps: AppDeps, limits?: RateLimitOptions): Hono {
  const app = new Hono();
  app.post("/requests", rateLimit(limits), async (c) => {
    const body = await readJson(c, SubmitBodySchema);
    try {
      const event = await deps.submit({
        prompt: body.prompt,
        system: body.system,
        model: body.model,
        user_id: body.user_id,
        source: body.source ?? "api",
        params: { temperature: body.temperature, top_p: body.top_p, num_predict: body.max_tokens },
      });
      return c.json({ request_id: event.request_id, model: event.model }, 202);
    } catch (error) {
      if (error instanceof EventValidationError) {
        throw new ApiError(400, "bad_request", error.message);
      }
      throw new ApiError(
        503,
        "unavailable",
        `could not queue the request: ${(error as Error).message}`,
      );
    }
  });
  return app;
}
