/**
 * A value computed at most once per `ttlMs` and shared by every caller: concurrent calls wait
 * for the one computation in flight instead of starting their own. For costly status checks
 * (the health report) that many clients ask for at once.
 *
 * @module
 */

/**
 * A shared, briefly cached async value.
 *
 * @example
 * ```ts
 * let calls = 0;
 * const health = new CachedValue(() => Promise.resolve(++calls), 1_000);
 * await Promise.all([health.get(), health.get()]); // [1, 1]
 * ```
 */
export class CachedValue<T> {
  readonly #compute: () => Promise<T>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #value: { at: number; value: T } | null = null;
  #inFlight: Promise<T> | null = null;

  constructor(compute: () => Promise<T>, ttlMs: number, now: () => number = Date.now) {
    if (!(ttlMs >= 0)) throw new RangeError(`Expected ttlMs ≥ 0, found ${ttlMs}`);
    this.#compute = compute;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** The cached value when fresh, else the computation in flight, else a new one. */
  get(): Promise<T> {
    if (this.#value && this.#now() - this.#value.at < this.#ttlMs) {
      return Promise.resolve(this.#value.value);
    }
    this.#inFlight ??= this.#compute().then((value) => {
      this.#value = { at: this.#now(), value };
      return value;
    }).finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  /** Forgets the cached value (the next `get` computes). */
  invalidate(): void {
    this.#value = null;
  }
}
