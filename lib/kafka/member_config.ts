/**
 * The kafkajs settings of a long-lived group member (the batch consumer, the MLflow feedback and
 * minute-run readers): it never creates topics, heartbeats every 3 s within a 30 s session, and
 * never gives up on the broker: its retries are unbounded (300 ms growing to 5 s apart) and a
 * crash restarts it instead of leaving it stopped for good.
 *
 * @module
 */

import type { ConsumerConfig } from "kafkajs";

/**
 * The consumer settings of a member of `groupId` that rides out broker restarts and crashes;
 * `extra` adds or replaces settings (a session timeout, partition assigners).
 *
 * @example
 * ```ts ignore
 * const consumer = kafka.consumer(memberConfig("mlflow-feedback"));
 * const slow = kafka.consumer(memberConfig("llm-worker", { sessionTimeout: 60_000 }));
 * ```
 */
export function memberConfig(groupId: string, extra: Partial<ConsumerConfig> = {}): ConsumerConfig {
  return {
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    retry: {
      retries: Number.MAX_SAFE_INTEGER,
      initialRetryTime: 300,
      maxRetryTime: 5_000,
      // A crash (for example a commit refused after the group moved on) restarts the consumer
      // instead of leaving it stopped for good; uncommitted work is delivered again.
      restartOnFailure: () => Promise.resolve(true),
    },
    ...extra,
  };
}
