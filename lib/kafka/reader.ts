/**
 * Reading a topic's history without joining a product consumer group: the last N messages, or
 * everything, up to the end offsets seen when the read began. Used to recover the dashboard's
 * state after a restart, by notebooks, and by tests.
 *
 * @module
 */

import type { Kafka, KafkaMessage } from "kafkajs";
import { retryTransient } from "./transient_retry.ts";

/** A message read from a topic, with its partition. */
export type ReadMessage = KafkaMessage & { partition: number };

/** Options of {@linkcode readTopic}. */
export interface ReadTopicOptions {
  /** Only the last `lastN` messages per partition. Default: everything retained. */
  lastNPerPartition?: number;
  /** Give up after this long. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Reads a topic from its start (or the last N per partition) to the end offsets at call time,
 * ordered by timestamp.
 *
 * @example
 * ```ts
 * const messages = await readTopic(kafka, "llm.responses", { lastNPerPartition: 200 });
 * ```
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: ReadTopicOptions = {},
): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  let offsets;
  try {
    offsets = await retryTransient(() => admin.fetchTopicOffsets(topic));
  } finally {
    await admin.disconnect();
  }
  const ranges = new Map<number, { start: bigint; end: bigint }>();
  for (const p of offsets) {
    const low = BigInt(p.low);
    const high = BigInt(p.high);
    const start = options.lastNPerPartition === undefined
      ? low
      : (high - BigInt(options.lastNPerPartition) > low
        ? high - BigInt(options.lastNPerPartition)
        : low);
    if (high > start) ranges.set(p.partition, { start, end: high });
  }
  if (ranges.size === 0) return [];

  const groupId = `reader-${crypto.randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const messages: ReadMessage[] = [];
  const remaining = new Set(ranges.keys());
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`readTopic(${topic}): timed out after ${options.timeoutMs ?? 30_000} ms`));
      }, options.timeoutMs ?? 30_000);
      consumer.run({
        autoCommit: false,
        eachBatch: ({ batch }) => {
          const range = ranges.get(batch.partition);
          if (!range) return Promise.resolve();
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset >= range.start && offset < range.end) {
              messages.push({ ...message, partition: batch.partition });
            }
            if (offset >= range.end - 1n) remaining.delete(batch.partition);
          }
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      }).catch(reject);
      for (const [partition, range] of ranges) {
        consumer.seek({ topic, partition, offset: range.start.toString() });
      }
    });
  } finally {
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect().then(() => cleanup.deleteGroups([groupId])).catch(() => {});
    await cleanup.disconnect().catch(() => {});
  }
  return messages.sort((a, b) => Number(a.timestamp) - Number(b.timestamp));
}
