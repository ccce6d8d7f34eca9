/**
 * Maps items through an async function with at most `limit` calls in flight, keeping order.
 * Complexity: O(n) calls; memory O(n) for the results.
 *
 * @example
 * ```ts
 * const lengths = await mapWithConcurrency(["a", "bb"], 2, async (s) => s.length); // [1, 2]
 * ```
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`concurrency limit must be a positive integer, found ${limit}`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A bounded pool shared by several callers: at most `size` tasks run at once, the others wait
 * in the order they came. Loops that handle several partitions side by side give each of their
 * tasks to one pool, so the limit holds over all of them and no chunk's tail leaves slots idle.
 *
 * @example
 * ```ts
 * const pool = new ConcurrencyPool(2);
 * const results = await Promise.all([1, 2, 3].map((n) => pool.run(async () => n * 2))); // [2, 4, 6]
 * ```
 */
export class ConcurrencyPool {
  readonly #size: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`pool size must be a positive integer, found ${size}`);
    }
    this.#size = size;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Runs `task` when a slot is free; resolves or rejects as it does. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#size) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else this.#active++;
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next(); // the slot passes straight to the next task
      else this.#active--;
    }
  }
}
