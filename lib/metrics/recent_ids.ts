/**
 * The last N ids seen, to drop duplicate deliveries (at-least-once Kafka delivers some responses
 * twice). Memory stays bounded: the oldest id is forgotten when the N+1-th arrives.
 *
 * @module
 */

import { RingBuffer } from "./ring_buffer.ts";

/**
 * Remembers the `capacity` newest ids.
 *
 * @example
 * ```ts
 * const ids = new RecentIds(2);
 * ids.addIfNew("a"); // true
 * ids.addIfNew("a"); // false: a duplicate
 * ```
 */
export class RecentIds {
  readonly #seen = new Set<string>();
  readonly #order: RingBuffer<string>;

  constructor(capacity: number) {
    this.#order = new RingBuffer(capacity);
  }

  /** Records `id`; false when it is among the remembered ones (a duplicate). */
  addIfNew(id: string): boolean {
    if (this.#seen.has(id)) return false;
    this.#seen.add(id);
    const forgotten = this.#order.push(id);
    if (forgotten !== undefined) this.#seen.delete(forgotten);
    return true;
  }

  /** Ids remembered now. */
  get size(): number {
    return this.#seen.size;
  }
}
