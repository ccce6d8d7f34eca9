/**
 * A per-client token bucket for the routes that submit work to the model: each client may
 * submit `burst` requests at once and `perMinute` on average; beyond that, 429 with Retry-After.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { jsonError } from "./http_errors.ts";

/** Options of {@linkcode rateLimit}. */
export interface RateLimitOptions {
  /** Sustained submissions per minute per client. Default 120. */
  perMinute?: number;
  /** Submissions allowed at once. Default 20. */
  burst?: number;
  /** Identifies the client. Default: the remote address. */
  key?: (c: Parameters<MiddlewareHandler>[0]) => string;
  /** Clock (for tests). */
  now?: () => number;
}

/**
 * Middleware limiting submissions per client.
 *
 * @example
 * ```ts
 * app.post("/api/requests", rateLimit({ perMinute: 60 }), handler);
 * ```
 */
export function rateLimit(options: RateLimitOptions = {}): MiddlewareHandler {
  const perMinute = options.perMinute ?? 120;
  const burst = options.burst ?? 20;
  const now = options.now ?? Date.now;
  const refillPerMs = perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    const key = options.key?.(c) ?? clientAddress(c);
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: burst, at: t };
    bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.at) * refillPerMs);
    bucket.at = t;
    if (bucket.tokens < 1) {
      buckets.set(key, bucket);
      const retryS = Math.ceil((1 - bucket.tokens) / refillPerMs / 1000);
      return jsonError(
        c,
        429,
        "too_many_requests",
        `rate limit of ${perMinute} submissions per minute exceeded; retry in ${retryS} s`,
        { "retry-after": String(retryS) },
      );
    }
    bucket.tokens -= 1;
    buckets.set(key, bucket);
    if (buckets.size > 10_000) buckets.delete(buckets.keys().next().value!);
    await next();
  };
}

/** The client's address (the guard's view of the peer), or "local" without one. */
export function clientAddress(c: Parameters<MiddlewareHandler>[0]): string {
  const info = (c.env as { remoteAddr?: Deno.NetAddr } | undefined)?.remoteAddr;
  return info?.hostname ?? "local";
}
