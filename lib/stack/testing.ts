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
