/**
 * A bounded index of the request ids the system has seen (on `llm.requests` or
 * `llm.responses`), with the model and A/B variant of each: the feedback API refuses feedback on
 * an id it never saw, and the feedback KPIs group by model. Memory stays bounded: beyond
 * `capacity` ids the least recently seen is forgotten (an id seen again moves to the front).
 * Free of `Deno.*`.
 *
 * @module
 */

/** What the index knows of a request. */
export interface RequestInfo {
  /** The model that was asked (or answered). */
  model: string | null;
  /** The request's `variant` tag (A/B runs), or null. */
  variant: string | null;
}

/** Default ids remembered: 100,000 (about 20 MB). */
export const REQUEST_INDEX_CAPACITY = 100_000;

/**
 * The newest `capacity` request ids with their model and variant. `add` and `get` are O(1).
 *
 * @example
 * ```ts
 * const index = new RequestIndex(2);
 * index.add("a", { model: "smollm2:135m" });
 * index.has("a"); // true
 * index.get("a")?.model; // "smollm2:135m"
 * ```
 */
export class RequestIndex {
  readonly #capacity: number;
  readonly #entries = new Map<string, RequestInfo>();
  #version = 0;

  constructor(capacity: number = REQUEST_INDEX_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Expected a capacity that is an integer ≥ 1, found ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** Ids remembered now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The most ids remembered. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Increases with every change (cheap change detection). */
  get version(): number {
    return this.#version;
  }

  /**
   * Records an id (as the most recent), keeping what was known and filling in what `info`
   * adds. The least recent id is forgotten when the index is full.
   */
  add(id: string, info: { model?: string | null; variant?: string | null } = {}): void {
    if (typeof id !== "string" || id === "") {
      throw new TypeError(`Expected a request id, found ${JSON.stringify(id)}`);
    }
    const known = this.#entries.get(id);
    if (known) this.#entries.delete(id);
    this.#entries.set(id, {
      model: info.model ?? known?.model ?? null,
      variant: info.variant ?? known?.variant ?? null,
    });
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#version++;
  }

  /** True when the id is remembered. */
  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** What is known of an id, or undefined. */
  get(id: string): RequestInfo | undefined {
    return this.#entries.get(id);
  }
}
