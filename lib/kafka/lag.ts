/**
 * Consumer lag per group: how many messages each group has yet to process.
 *
 * @module
 */

import type { Admin } from "kafkajs";

/** Lag of one group on one topic. */
export interface GroupLag {
  group: string;
  topic: string;
  /** Sum over partitions of (end offset − committed offset). */
  lag: number;
  partitions: { partition: number; committed: number | null; end: number; lag: number }[];
}

/**
 * Reads the lag of `group` on `topic`. A partition the group has never committed counts from
 * the partition's start (its earliest retained offset).
 *
 * @example
 * ```ts
 * const { lag } = await consumerLag(admin, "mlflow-sink", "llm.responses");
 * ```
 */
export async function consumerLag(admin: Admin, group: string, topic: string): Promise<GroupLag> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId: group, topics: [topic] }),
  ]);
  const committedByPartition = new Map<number, number>();
  for (const p of committed.find((t) => t.topic === topic)?.partitions ?? []) {
    const offset = Number(p.offset);
    if (offset >= 0) committedByPartition.set(p.partition, offset);
  }
  const partitions = ends.map((p) => {
    const end = Number(p.high);
    const start = Number(p.low);
    const done = committedByPartition.get(p.partition);
    const lag = Math.max(0, end - (done ?? start));
    return { partition: p.partition, committed: done ?? null, end, lag };
  }).sort((a, b) => a.partition - b.partition);
  return { group, topic, lag: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
}
