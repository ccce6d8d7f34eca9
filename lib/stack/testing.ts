/**
 * Helpers for integration tests, which run against the real stack that `deno task test` starts.
 *
 * @module
 */

import { createTopicsServed } from "../kafka/topics_served.ts";
import { loadStackConfig, type StackConfig } from "./config.ts";

/**
 * The configuration of the running stack; throws a clear error when the tests were started
 * without it (plain `deno test` instead of `deno task test`).
 *
 * @example
 * ```ts
 * const config = integrationConfig();
 * config.kafka.brokers; // ["127.0.0.1:9092"]
 * ```
 */
export function integrationConfig(): StackConfig {
  const env = Deno.env.toObject();
  if (!env.KAFKA_BROKERS || !env.MLFLOW_TRACKING_URI || !env.OLLAMA_HOST) {
    throw new Error(
      "integration tests need the running stack: run them with `deno task test`, or set " +
        "KAFKA_BROKERS, MLFLOW_TRACKING_URI and OLLAMA_HOST",
    );
  }
  return loadStackConfig(env);
}

/** Test options for tests that use kafkajs or long-lived sockets (their timers outlive a test). */
export const INTEGRATION = Object.freeze({ sanitizeOps: false, sanitizeResources: false });

/** A name that no other test run uses, for topics, groups and experiments. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Creates fresh topics (3 partitions each) for one test and returns their names and a cleanup
 * that deletes them, so tests never disturb the product's topics or each other.
 *
 * @example
 * ```ts
 * const { topics, cleanup } = await createTestTopics(kafka, ["requests", "responses"]);
 * ```
 */
export async function createTestTopics<K extends string>(
  kafka: import("kafkajs").Kafka,
  keys: readonly K[],
): Promise<{ topics: Record<K, string>; cleanup: () => Promise<void> }> {
  const admin = kafka.admin();
  await admin.connect();
  const topics = Object.fromEntries(keys.map((k) => [k, uniqueName(`test-${k}`)])) as Record<
    K,
    string
  >;
  await createTopicsReady(admin, Object.values<string>(topics), 3);
  return {
    topics,
    cleanup: async () => {
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
      await admin.disconnect();
    },
  };
}

/**
 * Creates topics with `numPartitions` partitions each and waits until every partition has a
 * leader that serves it (see {@linkcode createTopicsServed}).
 *
 * @example
 * ```ts ignore
 * await createTopicsReady(admin, ["test-a", "test-b"], 3);
 * ```
 */
export async function createTopicsReady(
  admin: import("kafkajs").Admin,
  names: string[],
  numPartitions: number,
): Promise<void> {
  await createTopicsServed(admin, names.map((topic) => ({ topic, numPartitions })), {
    timeoutMs: 30_000,
  });
}

/**
 * Commits a new consumer group's offsets at the topic's current end, so that a consumer started
 * in it reads only what is produced from now on (a shared topic's history can be thousands of
 * events from earlier tests).
 *
 * @example
 * ```ts ignore
 * const group = uniqueName("sink");
 * await commitGroupAtEnd(kafka, group, "llm.responses");
 * ```
 */
export async function commitGroupAtEnd(
  kafka: import("kafkajs").Kafka,
  groupId: string,
  topic: string,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Polls until `check` is true; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
