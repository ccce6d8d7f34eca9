/**
 * Helpers for integration tests, which run against the real stack that `deno task test` starts.
 *
 * @module
 */

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
  await admin.createTopics({
    topics: Object.values<string>(topics).map((topic) => ({ topic, numPartitions: 3 })),
    waitForLeaders: true,
  });
  return {
    topics,
    cleanup: async () => {
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
      await admin.disconnect();
    },
  };
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
