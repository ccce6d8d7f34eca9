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
