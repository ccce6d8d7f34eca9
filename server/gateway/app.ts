/**
 * The gateway's Hono app: the Ollama dialect (`/api/*`), the OpenAI dialect (`/v1/*`), OTLP
 * trace intake (`POST /v1/traces`), `GET /health` and `GET /metrics`, behind the dashboard's
 * protections: `Host` checked, cross-site browser requests refused, the token required (an
 * OpenAI client sends its API key as `Authorization: Bearer`) with failed attempts limited per
 * client, and body limits. Every error speaks the dialect of its path, those of the middlewares
 * included.
 *
 * @module
 */

import type { PriceTable } from "../../lib/llm/prices.ts";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { tokenAuth, tokenAuthState } from "../auth.ts";
import type { FailureLimiter } from "../auth_failures.ts";
import { hostCheck, LOOPBACK_HOSTS } from "../host_check.ts";
import { sameOriginOnly } from "../same_origin.ts";
import { GatewayError } from "../../lib/gateway/mod.ts";
import {
  dialectErrors,
  dialectOf,
  errorInDialect,
  gatewayErrorResponse,
} from "./dialect_errors.ts";
import { ollamaRoutes } from "./ollama_routes.ts";
import { openAiRoutes } from "./openai_routes.ts";
import { otlpRoute } from "./otlp_route.ts";
import {
  CallRecorder,
  type GatewayMetrics,
  type GatewayPublisher,
  type GatewayTopics,
  PROMETHEUS_CONTENT_TYPE,
} from "./recorder.ts";
import type { GatewayResponseEvent } from "../../lib/gateway/mod.ts";

/** Largest JSON body of a call (a long conversation fits). Default of `maxBodyBytes`. */
export const GATEWAY_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** What the gateway app runs on. */
export interface GatewayDeps {
  /** Ollama's base URL. */
  ollamaHost: string;
  publisher: GatewayPublisher;
  topics: GatewayTopics;
  /** `worker_id` of the gateway's events (one per process). */
  gatewayId: string;
  metrics: GatewayMetrics;
  fetch?: typeof fetch;
  /** Called with each response event recorded (tests, live views). */
  onRecorded?: (event: GatewayResponseEvent) => void;
  /** The price table calls are priced with (none: unpriced). */
  prices?: PriceTable | null;
}

/** Options of {@linkcode createGatewayApp}. */
export interface GatewayAppOptions {
  /** When set, every route requires `Authorization: Bearer <token>`. */
  token?: string;
  /** Host names the gateway answers to. Default: loopback names. */
  allowedHosts?: readonly string[];
  trustProxy?: boolean;
  authFailures?: FailureLimiter;
  /** Largest JSON body of a call. Default {@linkcode GATEWAY_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
}

/**
 * Builds the gateway app.
 *
 * @example
 * ```ts ignore
 * const app = createGatewayApp({ ollamaHost, publisher, topics, gatewayId, metrics }, {});
 * await app.request("/v1/models");
 * ```
 */
export function createGatewayApp(deps: GatewayDeps, options: GatewayAppOptions = {}): Hono {
  const app = new Hono();
  const recorder = new CallRecorder({
    publisher: deps.publisher,
    topics: deps.topics,
    gatewayId: deps.gatewayId,
    metrics: deps.metrics,
    onRecorded: deps.onRecorded,
    prices: deps.prices,
  });
  const upstream = { ollamaHost: deps.ollamaHost.replace(/\/+$/, ""), recorder, fetch: deps.fetch };
  const maxBody = options.maxBodyBytes ?? GATEWAY_MAX_BODY_BYTES;

  app.onError((error, c) => {
    if (!(error instanceof GatewayError)) {
      console.error(`gateway: ${error.stack ?? error.message}`);
    }
    const headers = (error as { headers?: Record<string, string> }).headers ?? {};
    if (error instanceof GatewayError && error.code === "unsupported_media_type") {
      return errorInDialect(
        dialectOf(c.req.path),
        415,
        error.message,
        "unsupported_media_type",
        headers,
        c.req.header("content-type") ?? null,
      );
    }
    if (!(error instanceof GatewayError)) {
      return errorInDialect(
        dialectOf(c.req.path),
        500,
        "internal error; see the gateway's log",
        "internal_error",
        headers,
        c.req.header("content-type") ?? null,
      );
    }
    return gatewayErrorResponse(c, error, headers);
  });
  app.use("*", async (c, next) => {
    await next();
    c.res.headers.set("x-content-type-options", "nosniff");
    c.res.headers.set("referrer-policy", "no-referrer");
  });
  app.use("*", dialectErrors());
  app.use("*", hostCheck(options.allowedHosts ?? LOOPBACK_HOSTS));
  app.use("*", sameOriginOnly({ trustProxy: options.trustProxy }));
  if (options.token) {
    app.use(
      "*",
      tokenAuth(tokenAuthState({
        token: options.token,
        failures: options.authFailures,
        trustProxy: options.trustProxy,
      })),
    );
  }
  const limit = bodyLimit({
    maxSize: maxBody,
    onError: (c) =>
      errorInDialect(
        dialectOf(c.req.path),
        413,
        `the request body exceeds ${maxBody} bytes`,
        "request_too_large",
      ),
  });
  app.use("/api/*", limit);
  app.use("/v1/*", async (c, next) => {
    // OTLP bodies have their own limits, checked before and after gzip
    if (c.req.path === "/v1/traces") return await next();
    return await limit(c, next);
  });

  app.get(
    "/",
    (c) => c.text("llmops gateway is running (Ollama and OpenAI APIs, OTLP /v1/traces)"),
  );
  app.get("/health", (c) =>
    c.json({
      status: "ok",
      gateway_id: deps.gatewayId,
      ollama: upstream.ollamaHost,
      topics: deps.topics,
      publisher: deps.publisher.stats(),
      invalid_events: recorder.invalidCount,
    }));
  app.get("/metrics", (c) =>
    c.body(deps.metrics.render(deps.publisher.stats()), 200, {
      "content-type": PROMETHEUS_CONTENT_TYPE,
    }));
  app.route("/", otlpRoute(deps));
  app.route("/", ollamaRoutes(upstream));
  app.route("/", openAiRoutes(upstream));

  // A known path with another method is a 405 naming the allowed ones; anything else a 404.
  const allowed = new Map<string, Set<string>>();
  const patterns: [RegExp, Set<string>][] = [];
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    if (route.path.includes(":")) {
      const re = new RegExp(
        `^${route.path.replace(/:[^/]+\{\.\+\}/g, ".+").replace(/:[^/]+/g, "[^/]+")}$`,
      );
      patterns.push([re, new Set([route.method])]);
      continue;
    }
    const methods = allowed.get(route.path) ?? new Set();
    methods.add(route.method);
    allowed.set(route.path, methods);
  }
  app.notFound((c) => {
    const methods = allowed.get(c.req.path) ??
      patterns.find(([re]) => re.test(c.req.path))?.[1];
    const dialect = dialectOf(c.req.path);
    if (methods) {
      const allow = [...methods].sort().join(", ");
      return errorInDialect(
        dialect,
        405,
        `${c.req.method} is not allowed on ${c.req.path}; use ${allow}`,
        "method_not_allowed",
        { allow },
        c.req.header("content-type") ?? null,
      );
    }
    return errorInDialect(
      dialect,
      404,
      `no route for ${c.req.method} ${c.req.path}`,
      "not_found",
      {},
      c.req.header("content-type") ?? null,
    );
  });
  return app;
}
