/**
 * Kafka for the benchmarks: names, topics and consumer groups of the run's own (deleted
 * afterwards), and fast bulk production of response events.
 *
 * @module
 */

import type { Kafka } from "kafkajs";
import type { ResponseEvent } from "../lib/events/mod.ts";
import { createTopicsServed } from "../lib/kafka/mod.ts";

/** Every name {@linkcode uniqueName} handed out in this process (consumer groups among them). */
export const UNIQUE_NAMES: Set<string> = new Set();

/** A name unique to this run: `bench-<what>-<random>`. */
export function uniqueName(what: string): string {
  const name = `bench-${what}-${crypto.randomUUID().slice(0, 8)}`;
  UNIQUE_NAMES.add(name);
  return name;
}

/** Deletes the consumer groups that this process named (best effort, once they are empty). */
export async function deleteOwnGroups(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { groups } = await admin.listGroups();
    const own = groups.map((g) => g.groupId).filter((id) => UNIQUE_NAMES.has(id));
    if (own.length > 0) await admin.deleteGroups(own);
  } catch {
    // best effort
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Creates a topic of the benchmark's own. */
export async function createTopic(kafka: Kafka, topic: string, partitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsServed(admin, [{ topic, numPartitions: partitions }]);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics (errors ignored: a benchmark's clean-up never fails it). */
export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics, timeout: 30_000 });
  } catch {
    // best effort
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Produces `n` response events to a topic as fast as kafkajs allows: batches of
 * 1,000 messages, keyed by request id (so spread over the partitions), a few batches in flight.
 * Returns the seconds it took.
 */
export async function produceEvents(
  kafka: Kafka,
  topic: string,
  n: number,
  make: (i: number) => ResponseEvent,
  log?: (line: string) => void,
): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const t0 = performance.now();
  const batchSize = 1_000; // about 240 KB per partition: under the broker's 1 MB batch limit
  const inFlight = new Set<Promise<unknown>>();
  try {
    for (let start = 0; start < n; start += batchSize) {
      const messages = [];
      for (let i = start; i < Math.min(n, start + batchSize); i++) {
        const event = make(i);
        messages.push({ key: event.request_id, value: JSON.stringify(event) });
      }
      const p: Promise<unknown> = producer.send({ topic, acks: 1, messages }).then(() =>
        inFlight.delete(p)
      );
      inFlight.add(p);
      if (inFlight.size >= 8) await Promise.race(inFlight);
      if (log && start > 0 && start % 200_000 === 0) log(`  produced ${start.toLocaleString()}`);
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - t0) / 1000;
}
