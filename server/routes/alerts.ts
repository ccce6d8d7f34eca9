/**
 * The alerting API: rules, channels (secrets masked), test notifications, silences, and the
 * active alerts with their history. Invalid bodies are 400 with the field, what was expected and
 * what was found (and the same as a list in `error.issues`); unknown ids 404; conflicts 409.
 *
 * | method and path | what it does |
 * | --- | --- |
 * | `GET /api/alerts` | active alerts, the last 200 state changes, silences, each rule's value |
 * | `GET /api/alerts/rules`, `POST` | list the rules; add one (201) |
 * | `PUT /api/alerts/rules/:id`, `DELETE` | replace a rule; delete it (its alert resolves) |
 * | `GET /api/alerts/channels`, `POST` | list channels (secrets masked); add or replace one |
 * | `DELETE /api/alerts/channels/:name` | delete a channel that no rule uses |
 * | `POST /api/alerts/channels/:name/test` | send a test notification now |
 * | `POST /api/alerts/silences`, `DELETE /api/alerts/silences/:id` | mute a rule; lift it |
 *
 * @module
 */

import { type Context, Hono } from "hono";
import {
  AlertConflictError,
  AlertNotFoundError,
  AlertValidationError,
} from "../../lib/alerts/mod.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError, jsonError } from "../http_errors.ts";
import { rateLimit, type RateLimitOptions } from "../rate_limit.ts";
import { mediaType } from "./read_json.ts";

/** Reads a JSON body of any shape (the alert modules validate it), or throws 415/400. */
async function readBody(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (mediaType(type) !== "application/json") {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `expected a JSON body (content-type application/json), found "${
        type.slice(0, 100) || "none"
      }"`,
    );
  }
  try {
    return await c.req.json();
  } catch (error) {
    throw new ApiError(400, "bad_request", `invalid JSON body: ${(error as Error).message}`);
  }
}

/** Maps the alert modules' errors to JSON answers; anything else goes to the app's handler. */
async function answer(c: Context, fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AlertValidationError) {
      return c.json({
        error: { code: "bad_request", message: error.message, issues: error.issues },
      }, 400);
    }
    if (error instanceof AlertNotFoundError) {
      return jsonError(c, 404, "not_found", error.message);
    }
    if (error instanceof AlertConflictError) {
      return jsonError(c, 409, "conflict", error.message);
    }
    throw error;
  }
}

/** Routes of the Alerts tab. */
export function alertRoutes(deps: AppDeps, limits?: RateLimitOptions): Hono {
  const app = new Hono();
  const alerts = () => {
    if (!deps.alerts) throw new ApiError(503, "unavailable", "alerting is not running");
    return deps.alerts;
  };
  app.get("/alerts", (c) => c.json(alerts().view()));

  app.get("/alerts/rules", (c) => c.json({ rules: alerts().rules }));
  app.post(
    "/alerts/rules",
    async (c) => {
      const body = await readBody(c);
      return await answer(c, async () => c.json(await alerts().createRule(body), 201));
    },
  );
  app.put("/alerts/rules/:id", async (c) => {
    const body = await readBody(c);
    return await answer(
      c,
      async () => c.json(await alerts().replaceRule(c.req.param("id"), body)),
    );
  });
  app.delete(
    "/alerts/rules/:id",
    (c) => answer(c, async () => c.json({ deleted: await alerts().deleteRule(c.req.param("id")) })),
  );

  app.get("/alerts/channels", (c) => c.json({ channels: alerts().channels() }));
  app.post("/alerts/channels", async (c) => {
    const body = await readBody(c);
    return await answer(c, async () => {
      const { channel, created } = await alerts().upsertChannel(body);
      return c.json(channel, created ? 201 : 200);
    });
  });
  app.delete(
    "/alerts/channels/:name",
    (c) =>
      answer(
        c,
        async () => c.json({ deleted: await alerts().deleteChannel(c.req.param("name")) }),
      ),
  );
  app.post(
    "/alerts/channels/:name/test",
    rateLimit(limits),
    (c) => answer(c, async () => c.json(await alerts().testChannel(c.req.param("name")))),
  );

  app.post("/alerts/silences", async (c) => {
    const body = await readBody(c);
    return await answer(c, async () => c.json(await alerts().silence(body), 201));
  });
  app.delete(
    "/alerts/silences/:id",
    (c) => answer(c, async () => c.json(await alerts().unsilence(c.req.param("id")))),
  );
  return app;
}
