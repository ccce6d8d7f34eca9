/**
 * Which offset a consumer may commit when messages finish out of order: per partition, the
 * offsets still outstanding and the highest one seen. The commit point is the oldest outstanding
 * offset (so a restart redelivers it and everything after), or one past the highest seen when
 * nothing is outstanding. The MLflow feedback consumer uses it to commit only up to what is
 * logged while later messages go ahead. Pure.
 *
 * @module
 */

interface PartitionState {
  outstanding: Set<bigint>;
  highest: bigint;
}

/**
 * Outstanding offsets per partition and the commit point they allow. `track` and `done` are
 * O(1); `commitPoint` is O(outstanding) in the partition.
 *
 * @example
 * ```ts
 * const offsets = new PendingOffsets();
 * offsets.track(0, "5");
 * offsets.track(0, "6");
 * offsets.done(0, "6");
 * offsets.commitPoint(0); // "5": offset 5 is not done yet
 * offsets.done(0, "5");
 * offsets.commitPoint(0); // "7"
 * ```
 */
export class PendingOffsets {
  readonly #partitions = new Map<number, PartitionState>();

  /** Records an offset as outstanding (handed out, not finished). */
  track(partition: number, offset: string): void {
    const state = this.#partitions.get(partition) ??
      { outstanding: new Set<bigint>(), highest: -1n };
    const o = BigInt(offset);
    state.outstanding.add(o);
    if (o > state.highest) state.highest = o;
    this.#partitions.set(partition, state);
  }

  /** Records an offset as finished (logged, or dead-lettered). Unknown offsets are ignored. */
  done(partition: number, offset: string): void {
    this.#partitions.get(partition)?.outstanding.delete(BigInt(offset));
  }

  /** Outstanding offsets of a partition (all partitions without one). */
  outstanding(partition?: number): number {
    if (partition !== undefined) return this.#partitions.get(partition)?.outstanding.size ?? 0;
    let n = 0;
    for (const s of this.#partitions.values()) n += s.outstanding.size;
    return n;
  }

  /**
   * The offset to commit for a partition: its oldest outstanding offset, or one past the highest
   * seen; null when the partition has seen nothing.
   */
  commitPoint(partition: number): string | null {
    const state = this.#partitions.get(partition);
    if (!state || state.highest < 0n) return null;
    let min: bigint | null = null;
    for (const o of state.outstanding) if (min === null || o < min) min = o;
    return (min ?? state.highest + 1n).toString();
  }

  /** Partitions that have seen an offset. */
  partitions(): number[] {
    return [...this.#partitions.keys()].sort((a, b) => a - b);
  }

  /** Forgets everything (after a rebalance the group's committed offsets are the truth). */
  clear(): void {
    this.#partitions.clear();
  }
}
