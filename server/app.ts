/**
 * The Hono app: the page, the JSON API and the event stream, with JSON errors (400, 404, 405,
 * 413, 429, 503), security headers on every response, and body size limits.
 *
 * @module
 */

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { loginRoutes, tokenAuth } from "./auth.ts";
import type { AppDeps } from "./deps.ts";
import { jsonError, onError } from "./http_errors.ts";
import { CONTENT_SECURITY_POLICY, type PageAssets, pageRoutes } from "./page.ts";
import type { RateLimitOptions } from "./rate_limit.ts";
import { driftRoutes } from "./routes/drift.ts";
import { eventRoutes } from "./routes/events.ts";
import { mlflowRoutes } from "./routes/mlflow.ts";
import { observeRoutes } from "./routes/observe.ts";
import { requestRoutes } from "./routes/requests.ts";
import { streamRoutes } from "./routes/stream.ts";

/** Largest accepted request body, in bytes (a prompt at its cap fits comfortably). */
export const MAX_BODY_BYTES = 64 * 1024;

/** Options of {@linkcode createApp}. */
export interface AppOptions {
  assets: PageAssets;
  /** Limits of submissions per client. */
  rateLimit?: RateLimitOptions;
  /** When set, every route but the sign-in form requires this token (see `auth.ts`). */
  token?: string;
}

/**
 * Builds the app over a pipeline.
 *
 * @example
 * ```ts
 * const app = createApp(pipeline, { assets });
 * const response = await app.request("/api/metrics");
 * ```
 */
export function createApp(deps: AppDeps, options: AppOptions): Hono {
  const app = new Hono();
  app.onError(onError);
  app.use("*", async (c, next) => {
    await next();
    c.res.headers.set("content-security-policy", CONTENT_SECURITY_POLICY);
    c.res.headers.set("x-content-type-options", "nosniff");
    c.res.headers.set("referrer-policy", "no-referrer");
    c.res.headers.set("x-frame-options", "DENY");
  });
  if (options.token) app.use("*", tokenAuth({ token: options.token }));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        jsonError(c, 413, "payload_too_large", `request body exceeds ${MAX_BODY_BYTES} bytes`),
    }),
  );
  const api = new Hono();
  api.route("/", observeRoutes(deps));
  api.route("/", requestRoutes(deps, options.rateLimit));
  api.route("/", mlflowRoutes(deps));
  api.route("/", driftRoutes(deps));
  api.route("/", streamRoutes(deps, options.rateLimit));
  api.route("/", eventRoutes(deps));
  app.route("/api", api);
  app.route("/", pageRoutes(options.assets));
  if (options.token) app.route("/", loginRoutes({ token: options.token }));

  // A known path with another method is a 405 that names the allowed ones; anything else 404.
  const allowed = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const methods = allowed.get(route.path) ?? new Set();
    methods.add(route.method);
    allowed.set(route.path, methods);
  }
  app.notFound((c) => {
    const methods = allowed.get(c.req.path);
    if (methods) {
      const allow = [...methods].sort().join(", ");
      return jsonError(
        c,
        405,
        "method_not_allowed",
        `${c.req.method} is not allowed on ${c.req.path}; use ${allow}`,
        { allow },
      );
    }
    return jsonError(c, 404, "not_found", `no route for ${c.req.method} ${c.req.path}`);
  });
  return app;
}
