/**
 * Creating kafkajs clients with the product's defaults: quiet logs unless asked, patient retries
 * (a broker restart must not lose anything), loopback-friendly timeouts.
 *
 * @module
 */

import { Kafka, logLevel, type RetryOptions } from "kafkajs";
// every client gets the fix of kafkajs' request queue timer (TimeoutNegativeWarning, busy polling)
import "./request_queue_fix.ts";

const LEVELS: Record<string, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** Retries that ride out a broker restart of a minute or so. */
export const PATIENT_RETRY: RetryOptions = Object.freeze({
  retries: 30,
  initialRetryTime: 300,
  maxRetryTime: 5_000,
  factor: 0.2,
  multiplier: 2,
});

/**
 * A kafkajs client. The log level comes from `LLMOPS_KAFKA_LOG` (nothing | error | warn | info |
 * debug; default nothing, because kafkajs reports every transient retry as an error).
 *
 * @example
 * ```ts
 * const kafka = createKafka(["127.0.0.1:9092"], "llm-worker");
 * ```
 */
export function createKafka(brokers: string[], clientId: string): Kafka {
  if (brokers.length === 0) {
    throw new RangeError("createKafka needs at least one broker address, found none");
  }
  const level = (globalThis.Deno?.env.get("LLMOPS_KAFKA_LOG") ?? "nothing").toLowerCase();
  if (!(level in LEVELS)) {
    throw new RangeError(
      `LLMOPS_KAFKA_LOG must be one of ${Object.keys(LEVELS).join(", ")}, found "${level}"`,
    );
  }
  return new Kafka({
    clientId,
    brokers,
    logLevel: LEVELS[level],
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: PATIENT_RETRY,
  });
}
