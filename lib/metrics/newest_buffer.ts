/**
 * A bounded buffer that keeps the newest items by time, whatever order they arrive in. The
 * dashboard's recent lists use it so that a restarted server, which replays `llm.responses`
 * partition by partition, shows the same newest responses as the server that saw them live.
 *
 * @module
 */

interface Entry<T> {
  item: T;
  key: number;
}

/**
 * Keeps the `capacity` items with the greatest keys (ties: the later arrival is newer).
 * `push` is O(log n) to find the place plus O(n) to move items when an item arrives out of
 * order; in-order arrivals cost O(1) amortised apart from evicting the oldest.
 *
 * @example
 * ```ts
 * const recent = new NewestBuffer<{ ts: number }>(2, (e) => e.ts);
 * recent.push({ ts: 3 });
 * recent.push({ ts: 1 });
 * recent.push({ ts: 2 });
 * recent.newest(2); // [{ ts: 3 }, { ts: 2 }]
 * ```
 */
export class NewestBuffer<T> {
  readonly capacity: number;
  readonly #key: (item: T) => number;
  readonly #entries: Entry<T>[] = [];

  constructor(capacity: number, key: (item: T) => number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`newest buffer capacity must be a positive integer, found ${capacity}`);
    }
    if (typeof key !== "function") {
      throw new TypeError(`newest buffer needs a key function, found ${typeof key}`);
    }
    this.capacity = capacity;
    this.#key = key;
  }

  /** Items held (at most the capacity). */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Adds an item; returns the item that no longer fits (the oldest, which may be this one when
   * it is older than everything kept), if any.
   */
  push(item: T): T | undefined {
    const key = this.#key(item);
    const entries = this.#entries;
    // Upper bound: after every entry with a key ≤ this one (so ties keep arrival order).
    let lo = 0;
    let hi = entries.length;
    if (hi === 0 || entries[hi - 1].key <= key) lo = hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (entries[mid].key <= key) lo = mid + 1;
      else hi = mid;
    }
    if (entries.length === this.capacity && lo === 0) return item;
    if (lo === entries.length) entries.push({ item, key });
    else entries.splice(lo, 0, { item, key });
    return entries.length > this.capacity ? entries.shift()!.item : undefined;
  }

  /** Items oldest first. O(size). */
  toArray(): T[] {
    return this.#entries.map((e) => e.item);
  }

  /** The newest `n` items, newest first. O(n). */
  newest(n: number): T[] {
    const count = Math.min(n, this.#entries.length);
    const out: T[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = this.#entries[this.#entries.length - 1 - i].item;
    return out;
  }
}
