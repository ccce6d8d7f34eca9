/**
 * Limiting failed authentication per client: every request without valid credentials spends one
 * token of its client's bucket (`burst` at once, `perMinute` on average); an empty bucket turns
 * 401s into 429s with `Retry-After`. Requests with valid credentials never spend or wait, so
 * guessing from one address cannot lock the real user out.
 *
 * @module
 */

/** Options of {@linkcode FailureLimiter}. */
export interface FailureLimiterOptions {
  /** Failed attempts a client may make per minute, on average. Default 20. */
  perMinute?: number;
  /** Failed attempts allowed at once. Default 20. */
  burst?: number;
  /** Clients remembered (the oldest are forgotten). Default 10,000. */
  maxClients?: number;
  /** Clock (for tests). */
  now?: () => number;
}

/**
 * Per-client buckets of failed attempts.
 *
 * @example
 * ```ts
 * const limiter = new FailureLimiter({ burst: 2, perMinute: 2 });
 * limiter.fail("10.0.0.1"); limiter.fail("10.0.0.1");
 * limiter.retryAfterS("10.0.0.1"); // 30 (seconds until one more attempt)
 * ```
 */
export class FailureLimiter {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: FailureLimiterOptions = {}) {
    this.#perMs = (options.perMinute ?? 20) / 60_000;
    this.#burst = options.burst ?? 20;
    this.#max = options.maxClients ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  #bucket(client: string) {
    const t = this.#now();
    const bucket = this.#buckets.get(client) ?? { tokens: this.#burst, at: t };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (t - bucket.at) * this.#perMs);
    bucket.at = t;
    return bucket;
  }

  /** Seconds until the client may fail again, or 0 when it may now. */
  retryAfterS(client: string): number {
    const bucket = this.#bucket(client);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.#perMs / 1000);
  }

  /** Records one failed attempt of the client. */
  fail(client: string): void {
    const bucket = this.#bucket(client);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.#buckets.delete(client);
    this.#buckets.set(client, bucket);
    if (this.#buckets.size > this.#max) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}
