/**
 * The Hono app: the page, the JSON API and the event stream, with JSON errors (400, 403, 404,
 * 405, 413, 415, 421, 429, 503), security headers on every response, `Host` checked against the
 * server's names (DNS rebinding), cross-site browser requests refused on every state-changing
 * route, token authentication with per-client limits on failed attempts, and body size limits.
 *
 * @module
 */

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { loginRoutes, tokenAuth, tokenAuthState } from "./auth.ts";
import type { FailureLimiter } from "./auth_failures.ts";
import { hostCheck, LOOPBACK_HOSTS } from "./host_check.ts";
import { sameOriginOnly } from "./same_origin.ts";
import type { AppDeps } from "./deps.ts";
import { jsonError, onError } from "./http_errors.ts";
import { CONTENT_SECURITY_POLICY, type PageAssets, pageRoutes } from "./page.ts";
import type { RateLimitOptions } from "./rate_limit.ts";
import { alertRoutes } from "./routes/alerts.ts";
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
  /** Name of the session cookie (the server puts its port in it). Default `llmops_session`. */
  cookieName?: string;
  /** Failed authentication attempts per client (tests pass their own clock). */
  authFailures?: FailureLimiter;
  /** Trust `X-Forwarded-Proto`/`-Host` of a TLS proxy in front. Default false. */
  trustProxy?: boolean;
  /** Host names the server answers to. Default: loopback names. */
  allowedHosts?: readonly string[];
  /** Event streams open at once (`GET /api/events`). Default 100. */
  maxStreams?: number;
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
    c.res.headers.set("referrer-policy", "same-origin");
    c.res.headers.set("x-frame-options", "DENY");
  });
  app.use("*", hostCheck(options.allowedHosts ?? LOOPBACK_HOSTS));
  app.use("*", sameOriginOnly({ trustProxy: options.trustProxy }));
  const auth = options.token
    ? tokenAuthState({
      token: options.token,
      cookieName: options.cookieName,
      failures: options.authFailures,
      trustProxy: options.trustProxy,
    })
    : null;
  if (auth) app.use("*", tokenAuth(auth));
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
  api.route("/", alertRoutes(deps, options.rateLimit));
  api.route("/", eventRoutes(deps, { maxStreams: options.maxStreams }));
  app.route("/api", api);
  app.route("/", pageRoutes(options.assets));
  if (auth) app.route("/", loginRoutes(auth));

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
