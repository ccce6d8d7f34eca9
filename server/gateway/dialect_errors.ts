/**
 * Errors in the dialect of the path they answer: OpenAI's `{"error":{message,type,param,code}}`
 * under `/v1/*`, Ollama's `{"error":"…"}` under `/api/*`, OTLP's `google.rpc.Status` on
 * `/v1/traces`, and the dashboard's `{"error":{code,message}}` elsewhere (`/health`,
 * `/metrics`). The shared middlewares (host check, same-origin check, token auth, body limits)
 * answer in the dashboard's shape; {@linkcode dialectErrors} rewrites those answers so an SDK
 * raises the error class it expects (AuthenticationError for a 401, RateLimitError for a 429…).
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import {
  GatewayError,
  ollamaError,
  openAiError,
  otlpEncodingOf,
  otlpErrorResponse,
} from "../../lib/gateway/mod.ts";
import { encodeRpcStatus } from "../../lib/gateway/otlp_protobuf.ts";

/** The error dialect of a path. */
export type Dialect = "openai" | "ollama" | "otlp" | "plain";

/**
 * The dialect of a request path.
 *
 * @example
 * ```ts
 * dialectOf("/v1/chat/completions"); // "openai"
 * dialectOf("/api/chat"); // "ollama"
 * ```
 */
export function dialectOf(path: string): Dialect {
  if (path === "/v1/traces") return "otlp";
  if (path === "/v1" || path.startsWith("/v1/")) return "openai";
  if (path === "/api" || path.startsWith("/api/")) return "ollama";
  return "plain";
}

const RPC_CODE: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  405: 12,
  413: 8,
  415: 3,
  421: 7,
  429: 8,
  500: 13,
  502: 14,
  503: 14,
};

function openAiType(status: number): string {
  if (status === 429) return "rate_limit_error";
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/**
 * An error answer in a dialect, for a status and message (with an optional machine code).
 *
 * @example
 * ```ts
 * const r = errorInDialect("openai", 405, "use POST", "method_not_allowed");
 * (await r.json()).error.type; // "invalid_request_error"
 * ```
 */
export function errorInDialect(
  dialect: Dialect,
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
  contentType: string | null = null,
): Response {
  if (dialect === "otlp") {
    const rpc = RPC_CODE[status] ?? 2;
    if (otlpEncodingOf(contentType) === "protobuf") {
      return new Response(encodeRpcStatus(rpc, message) as BodyInit, {
        status,
        headers: { ...headers, "content-type": "application/x-protobuf" },
      });
    }
    return Response.json({ code: rpc, message }, { status, headers });
  }
  if (dialect === "openai") {
    return Response.json(
      { error: { message, type: openAiType(status), param: null, code } },
      { status, headers },
    );
  }
  if (dialect === "ollama") return Response.json({ error: message }, { status, headers });
  return Response.json({ error: { code, message } }, { status, headers });
}

/**
 * A {@linkcode GatewayError} (or anything thrown) as the answer of the path's dialect.
 *
 * @example
 * ```ts ignore
 * return gatewayErrorResponse(c, new GatewayError("not_found", "no model x"));
 * ```
 */
export function gatewayErrorResponse(
  c: Context,
  error: unknown,
  extraHeaders: Record<string, string> = {},
): Response {
  const dialect = dialectOf(c.req.path);
  if (dialect === "otlp") {
    const e = error instanceof GatewayError
      ? error
      : new GatewayError("upstream", "the gateway could not take the spans");
    const response = otlpErrorResponse(otlpEncodingOf(c.req.header("content-type") ?? null), e);
    for (const [k, v] of Object.entries(extraHeaders)) response.headers.set(k, v);
    return response;
  }
  const answer = dialect === "ollama" ? ollamaError(error) : openAiError(error);
  if (dialect === "plain") {
    const e = error instanceof GatewayError ? error : null;
    return Response.json(
      { error: { code: e?.kind ?? "internal", message: e?.message ?? "internal error" } },
      { status: answer.status, headers: { ...answer.headers, ...extraHeaders } },
    );
  }
  return Response.json(answer.body, {
    status: answer.status,
    headers: { ...answer.headers, ...extraHeaders },
  });
}

function isSharedError(body: unknown): body is { error: { code: string; message: string } } {
  if (typeof body !== "object" || body === null) return false;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return false;
  const keys = Object.keys(error);
  return keys.length === 2 && typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string";
}

/**
 * Middleware rewriting the shared middlewares' JSON errors (`{"error":{code,message}}`) into the
 * dialect of the path, keeping the status and headers (Retry-After, Allow, WWW-Authenticate).
 *
 * @example
 * ```ts ignore
 * app.use("*", dialectErrors());
 * app.use("*", tokenAuth(state)); // its 401 reaches OpenAI clients as OpenAI's error
 * ```
 */
export function dialectErrors(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.status < 400) return;
    const dialect = dialectOf(c.req.path);
    if (dialect === "plain") return;
    if (!(c.res.headers.get("content-type") ?? "").includes("application/json")) return;
    const body = await c.res.clone().json().catch(() => null);
    if (!isSharedError(body)) return;
    // Assigning c.res keeps the old answer's other headers (Retry-After, Allow, WWW-Authenticate).
    c.res = errorInDialect(
      dialect,
      c.res.status,
      body.error.message,
      body.error.code,
      {},
      c.req.header("content-type") ?? null,
    );
  };
}
