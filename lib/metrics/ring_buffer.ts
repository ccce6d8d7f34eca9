/**
 * A fixed-capacity ring buffer: pushes are O(1), the oldest item is overwritten when full.
 *
 * @example
 * ```ts
 * const ring = new RingBuffer<number>(2);
 * ring.push(1); ring.push(2); ring.push(3);
 * ring.toArray(); // [2, 3]
 * ```
 */
export class RingBuffer<T> {
  readonly capacity: number;
  #items: (T | undefined)[];
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`ring buffer capacity must be a positive integer, found ${capacity}`);
    }
    this.capacity = capacity;
    this.#items = new Array(capacity);
  }

  /** Items held (at most the capacity). */
  get size(): number {
    return this.#size;
  }

  /** Adds an item, overwriting the oldest when full; returns the overwritten item, if any. */
  push(item: T): T | undefined {
    const evicted = this.#size === this.capacity ? this.#items[this.#next] : undefined;
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
    return evicted;
  }

  /** Items oldest first. O(size). */
  toArray(): T[] {
    const out: T[] = new Array(this.#size);
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) out[i] = this.#items[(start + i) % this.capacity] as T;
    return out;
  }

  /** The newest `n` items, newest first. O(n). */
  newest(n: number): T[] {
    const count = Math.min(n, this.#size);
    const out: T[] = new Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.#items[(this.#next - 1 - i + this.capacity * 2) % this.capacity] as T;
    }
    return out;
  }
}
