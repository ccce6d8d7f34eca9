/** GET routes that read the live state: health, metrics, recent responses, models. */
import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../http_errors.ts";

/**
 * Parses an integer query parameter (decimal digits only: no `0x10`, `1e2`, signs or spaces)
 * within bounds, or throws a 400 naming it.
 */
export function intParam(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined || value === "") return fallback;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ApiError(
      400,
      "bad_request",
      `${name} must be an integer from ${min} to ${max}, found "${value.slice(0, 40)}"`,
    );
  }
  return n;
}

/** Routes over the live aggregates. */
export function observeRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/health", async (c) => c.json(await deps.health()));
  app.get("/metrics", (c) => c.json(deps.metrics()));
  app.get("/responses", (c) => {
    const limit = intParam(c.req.query("limit"), "limit", 1, 500, 50);
    return c.json({ responses: deps.recentResponses(limit) });
  });
  app.get(
    "/models",
    async (c) => c.json({ models: await deps.models(), default: deps.defaultModel }),
  );
  return app;
}
